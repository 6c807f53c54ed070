// `/docker logs`: the log lines in a code block. Short output fits in the message; long output shows
// its newest lines here and goes whole into a file in the thread. Lines are redacted again here, so
// a renderer handed raw text still cannot leak a secret.

import { redactText } from '../../redact.ts';
import { SLACK_LIMITS, truncate } from '../limits.ts';
import { type Block, context, escapeMrkdwn, header, type Rendered, section } from './blocks.ts';

/** Above this many characters the log goes into a file and the message shows only its tail. */
export const LOGS_INLINE_CHARS = 2500;
/** Lines the message shows when the whole log is in a file. */
export const LOGS_PREVIEW_LINES = 30;
const LINE_CHARS = 300;

export interface LogsView {
  host: string;
  container: { id: string; name: string; state?: string };
  /** The --tail asked for. */
  tail: number;
  lines: string[];
  /** True when the whole output is uploaded as a file in the thread. */
  fileAttached: boolean;
  /** Why fewer bytes than asked for were read, if they were. */
  cutNote?: string;
}

/** A fence inside a log line would end the code block early. */
function codeSafe(line: string): string {
  return escapeMrkdwn(truncate(redactText(line), LINE_CHARS)).replaceAll('```', "'''");
}

/** The newest lines that fit in one section, oldest first, and how many older ones were left out. */
export function newestThatFit(
  lines: readonly string[],
  maxLines: number,
  budget: number,
): { kept: string[]; left: number } {
  const kept: string[] = [];
  let used = 0;
  for (let index = lines.length - 1; index >= 0 && kept.length < maxLines; index -= 1) {
    const line = codeSafe(lines[index] as string);
    if (used + line.length + 1 > budget) break;
    kept.unshift(line);
    used += line.length + 1;
  }
  return { kept, left: lines.length - kept.length };
}

const SECTION_BUDGET = SLACK_LIMITS.sectionText - 30;

/** True when every line fits in the message itself, so no file is needed. */
export function fitsInline(lines: readonly string[]): boolean {
  if (lines.join('\n').length > LOGS_INLINE_CHARS) return false;
  return newestThatFit(lines, lines.length, SECTION_BUDGET).left === 0;
}

export function renderLogs(view: LogsView): Rendered {
  const name = escapeMrkdwn(view.container.name);
  const facts = [
    `\`${escapeMrkdwn(view.container.id.slice(0, 12))}\`${view.container.state ? ` · ${escapeMrkdwn(view.container.state)}` : ''}`,
    `${view.lines.length} line${view.lines.length === 1 ? '' : 's'} (--tail ${view.tail})`,
    'secrets redacted',
  ];
  const blocks: Block[] = [header(`📜 ${view.host} · logs ${view.container.name}`), context(facts)];
  if (view.lines.length === 0) {
    blocks.push(section(`_${name} has written nothing to its log._`));
  } else {
    const maxLines = view.fileAttached ? LOGS_PREVIEW_LINES : view.lines.length;
    const { kept, left } = newestThatFit(view.lines, maxLines, SECTION_BUDGET);
    const earlier = left > 0 ? `… ${left} earlier line${left === 1 ? '' : 's'}\n` : '';
    blocks.push(section(`\`\`\`\n${earlier}${kept.join('\n')}\n\`\`\``));
  }
  if (view.fileAttached) {
    blocks.push(context([`The whole output (${view.lines.length} lines) is attached as a file in the thread.`]));
  }
  if (view.cutNote) blocks.push(context([`⚠️ ${escapeMrkdwn(view.cutNote)}`]));
  return { text: `logs of ${name} on ${escapeMrkdwn(view.host)}: ${view.lines.length} line(s)`, blocks };
}
