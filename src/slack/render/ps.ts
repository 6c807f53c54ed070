// `/docker ps`: one monospace row per container. A host with hundreds of containers still fits:
// rows are split over as few code sections as Slack allows, within the message's text budget (Slack
// refuses more than ~12,000 characters of block text); what does not fit is counted, and the job
// attaches the whole table as a file (psJob).

import type { Severity } from '../../checks/types.ts';
import { formatBytes, formatDuration } from '../../format.ts';
import { MESSAGE_TEXT_BUDGET, SLACK_LIMITS, truncate } from '../limits.ts';
import { type Block, context, escapeMrkdwn, header, type Rendered, section, severityEmoji } from './blocks.ts';

export interface PsRow {
  name: string;
  id: string;
  image: string;
  /** running, exited, restarting, paused, created, dead. */
  state: string;
  exitCode?: number;
  /** healthy, unhealthy, starting; '' when the container has no healthcheck. */
  health: string;
  restarts: number;
  /** Size of its json-file log; absent when it has none (another driver) or it could not be read. */
  logBytes?: number;
}

export interface PsView {
  host: string;
  rows: PsRow[];
  worst: Severity;
  logSizesKnown: boolean;
  durationMs: number;
}

const HEAD = ['NAME', 'STATE', 'HEALTH', 'RESTARTS', 'LOG', 'IMAGE'];
const FENCE = 8;
/** Header, context, notes: the rest of Slack's 50 blocks hold the table. */
const MAX_TABLE_SECTIONS = SLACK_LIMITS.blocks - 5;
/** What the table's sections may hold in all; header, context and notes take the rest of the budget. */
const TABLE_BUDGET = MESSAGE_TEXT_BUDGET - 1000;

function cells(row: PsRow): string[] {
  const state = row.exitCode !== undefined ? `${row.state} (${row.exitCode})` : row.state;
  return [
    truncate(row.name, 40),
    state,
    row.health || '–',
    String(row.restarts),
    row.logBytes !== undefined ? formatBytes(row.logBytes) : '–',
    truncate(row.image, 40),
  ];
}

/** Pure: the table's lines, header first, columns padded to the widest cell. */
export function psTable(rows: readonly PsRow[]): string[] {
  const table = [HEAD, ...rows.map(cells)];
  const widths = HEAD.map((_, column) => Math.max(...table.map((line) => line[column]?.length ?? 0)));
  return table.map((line) =>
    line
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}

export interface PsRendered extends Rendered {
  /** Containers the message could not show (the whole table then goes in a file). */
  hidden: number;
}

export function renderPs(view: PsView): PsRendered {
  const [head = '', ...lines] = psTable(view.rows).map(escapeMrkdwn);
  const running = view.rows.filter((row) => row.state === 'running').length;
  const blocks: Block[] = [
    header(`${severityEmoji(view.worst)} ${view.host} · ps`),
    context([
      `${view.rows.length} container${view.rows.length === 1 ? '' : 's'}, ${running} running`,
      `took ${formatDuration(view.durationMs)}`,
    ]),
  ];
  if (view.rows.length === 0) {
    blocks.push(section('_No containers on this host, running or stopped._'));
    return { text: `${escapeMrkdwn(view.host)} ps: no containers`, blocks, hidden: 0 };
  }
  let chunk: string[] = [head];
  let size = head.length + FENCE;
  let shown = 0;
  let budget = TABLE_BUDGET - size;
  for (const line of lines) {
    if (line.length + 1 > budget) break;
    if (size + line.length + 1 > SLACK_LIMITS.sectionText - 20) {
      if (blocks.length - 2 + 1 >= MAX_TABLE_SECTIONS || head.length + FENCE + line.length + 1 > budget) break;
      blocks.push(section(`\`\`\`\n${chunk.join('\n')}\n\`\`\``));
      chunk = [head];
      size = head.length + FENCE;
      budget -= size;
    }
    chunk.push(line);
    size += line.length + 1;
    budget -= line.length + 1;
    shown += 1;
  }
  blocks.push(section(`\`\`\`\n${chunk.join('\n')}\n\`\`\``));
  const hidden = view.rows.length - shown;
  if (hidden > 0) {
    const more = `… ${hidden} more container${hidden === 1 ? '' : 's'} not shown here: the whole list is attached as a file in the thread.`;
    blocks.push(context([more]));
  }
  if (!view.logSizesKnown) {
    blocks.push(context(['Log sizes could not be read (they need root or `sudo: true` for this host).']));
  }
  return {
    text: `${escapeMrkdwn(view.host)} ps: ${view.rows.length} container(s), ${running} running`,
    blocks,
    hidden,
  };
}
