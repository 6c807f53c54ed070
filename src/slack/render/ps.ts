// `/docker ps`: one monospace row per container. A host with hundreds of containers still fits:
// rows are split over as few code sections as Slack allows, and what does not fit is counted.

import type { Severity } from '../../checks/types.ts';
import { formatBytes, formatDuration } from '../../format.ts';
import { SLACK_LIMITS, truncate } from '../limits.ts';
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

export function renderPs(view: PsView): Rendered {
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
    return { text: `${view.host} ps: no containers`, blocks };
  }
  let chunk: string[] = [head];
  let size = head.length + FENCE;
  let shown = 0;
  for (const line of lines) {
    if (size + line.length + 1 > SLACK_LIMITS.sectionText - 20) {
      if (blocks.length - 2 + 1 >= MAX_TABLE_SECTIONS) break;
      blocks.push(section(`\`\`\`\n${chunk.join('\n')}\n\`\`\``));
      chunk = [head];
      size = head.length + FENCE;
    }
    chunk.push(line);
    size += line.length + 1;
    shown += 1;
  }
  blocks.push(section(`\`\`\`\n${chunk.join('\n')}\n\`\`\``));
  const hidden = view.rows.length - shown;
  if (hidden > 0) blocks.push(context([`… ${hidden} more container${hidden === 1 ? '' : 's'} not shown`]));
  if (!view.logSizesKnown) {
    blocks.push(context(['Log sizes could not be read (they need root or `sudo: true` for this host).']));
  }
  return { text: `${view.host} ps: ${view.rows.length} container(s), ${running} running`, blocks };
}
