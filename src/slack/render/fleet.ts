// The summary of a fleet run (`/docker diskcheck all`): a row per host that fills in as hosts answer;
// unreachable hosts stay in the table as such.

import type { FleetMeta, FleetRow } from '../../queue/fleetStore.ts';
import { type Block, codeSection, context, header, type Rendered, severityEmoji } from './blocks.ts';

const ORDER = ['crit', 'warn', 'info', 'ok'];

function rowLine(row: FleetRow, width: number): string {
  const name = row.host.padEnd(width);
  if (row.state === 'pending') return `⏳ ${name}  waiting`;
  if (row.state === 'unreachable') return `🔴 ${name}  UNREACHABLE  ${row.headline ?? ''}`;
  return `${severityEmoji(row.worst ?? 'ok')} ${name}  ${(row.worst ?? 'ok').padEnd(4)}  ${row.headline ?? ''}`;
}

function rank(row: FleetRow): number {
  if (row.state === 'pending') return 5;
  if (row.state === 'unreachable') return -1;
  return ORDER.indexOf(row.worst ?? 'ok');
}

export function renderFleetSummary(meta: FleetMeta, rows: FleetRow[]): Rendered {
  const done = rows.filter((row) => row.state !== 'pending').length;
  const unreachable = rows.filter((row) => row.state === 'unreachable').length;
  const width = Math.min(24, Math.max(4, ...rows.map((row) => row.host.length)));
  const sorted = [...rows].sort((a, b) => rank(a) - rank(b) || a.host.localeCompare(b.host));
  const elapsed = Math.round((Date.now() - meta.startedAt) / 100) / 10;
  const blocks: Block[] = [
    header(`${meta.command} ${meta.target}: ${done}/${rows.length} hosts answered`),
    codeSection(
      '',
      sorted.map((row) => rowLine(row, width)),
    ),
    context([
      `${unreachable} unreachable`,
      done === rows.length ? `finished in ${elapsed} s` : `running for ${elapsed} s`,
      'hosts with warnings post their details in the thread',
    ]),
  ];
  return {
    text: `${meta.command} ${meta.target}: ${done}/${rows.length} hosts answered, ${unreachable} unreachable`,
    blocks,
  };
}
