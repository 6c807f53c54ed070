// Small Block Kit constructors shared by the renderers. They escape what Slack would otherwise parse
// (&, <, > start links and mentions in mrkdwn) and keep each block under Slack's limits, so a host
// that prints something odd cannot break a message.

import type { Severity } from '../../checks/types.ts';
import type { Risk } from '../../fixes/types.ts';
import { SLACK_LIMITS, truncate } from '../limits.ts';

export type Block = Record<string, unknown>;

export interface Rendered {
  text: string;
  blocks: unknown[];
}

/** Escape untrusted text for mrkdwn: Slack parses only &, < and >. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: truncate(text, SLACK_LIMITS.headerText), emoji: true } };
}

/** A mrkdwn section; `text` must already be escaped where it holds untrusted parts. */
export function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) } };
}

export function context(parts: string[]): Block {
  const elements = parts.slice(0, SLACK_LIMITS.contextElements).map((part) => ({
    type: 'mrkdwn',
    text: truncate(part, SLACK_LIMITS.sectionText),
  }));
  return { type: 'context', elements };
}

export function divider(): Block {
  return { type: 'divider' };
}

/**
 * A code block section whose lines are untrusted. When the lines do not fit, the last line says how
 * many were left out, and the fence is always closed (a cut fence would swallow the next block's text).
 */
export function codeSection(title: string, lines: string[], maxChars = SLACK_LIMITS.sectionText): Block {
  const head = title === '' ? '```' : `${title}\n\`\`\``;
  const tail = '```';
  const budget = maxChars - head.length - tail.length - 2;
  const kept: string[] = [];
  let used = 0;
  for (const [index, line] of lines.entries()) {
    const escaped = escapeMrkdwn(truncate(line, 300));
    const remaining = lines.length - index;
    const note = `… ${remaining} more line${remaining === 1 ? '' : 's'}`;
    if (used + escaped.length + 1 + note.length + 1 > budget) {
      kept.push(note);
      break;
    }
    kept.push(escaped);
    used += escaped.length + 1;
  }
  return section(`${head}\n${kept.join('\n')}\n${tail}`);
}

export interface ButtonSpec {
  actionId: string;
  label: string;
  value: string;
  style?: 'primary' | 'danger';
}

export function button(spec: ButtonSpec): Block {
  const element: Block = {
    type: 'button',
    action_id: truncate(spec.actionId, SLACK_LIMITS.actionId),
    text: { type: 'plain_text', text: truncate(spec.label, SLACK_LIMITS.buttonText), emoji: true },
    value: spec.value.slice(0, SLACK_LIMITS.buttonValue),
  };
  if (spec.style) element.style = spec.style;
  return element;
}

export function actions(blockId: string, buttons: Block[]): Block {
  return { type: 'actions', block_id: blockId, elements: buttons.slice(0, SLACK_LIMITS.actionsElements) };
}

const SEVERITY_EMOJI: Record<Severity, string> = { ok: '✅', info: 'ℹ️', warn: '⚠️', crit: '🔴' };

export function severityEmoji(severity: Severity): string {
  return SEVERITY_EMOJI[severity];
}

/** Risky and dangerous fixes get Slack's red button so nobody approves them by reflex. */
export function riskStyle(risk: Risk): 'primary' | 'danger' {
  return risk === 'safe' ? 'primary' : 'danger';
}

/** `<@U123>`: Slack shows the person's name; the console shows @U123. */
export function mention(userId: string): string {
  return /^[UW][A-Z0-9]+$/.test(userId) ? `<@${userId}>` : escapeMrkdwn(userId);
}

/** Lines spread over as few sections as fit (a section holds at most 3000 characters). */
export function sectionsOf(lines: string[], maxChars: number = SLACK_LIMITS.sectionText): Block[] {
  const blocks: Block[] = [];
  let chunk: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (size + line.length + 1 > maxChars && chunk.length > 0) {
      blocks.push(section(chunk.join('\n')));
      chunk = [];
      size = 0;
    }
    chunk.push(line);
    size += line.length + 1;
  }
  if (chunk.length > 0) blocks.push(section(chunk.join('\n')));
  return blocks;
}
