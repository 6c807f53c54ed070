// The summary of a fleet run (`/docker diskcheck all`): every host, filled in as hosts answer. Hosts are
// grouped by what they said (severity and headline), worst first, so 200 hosts with the same full disk
// read as one line and 200 names. A fleet too big for one message (Slack refuses more than ~12,000
// characters of block text) shows what fits and says that the full table is a file in the thread.

import type { FleetMeta, FleetRow } from '../../queue/fleetStore.ts';
import { MESSAGE_TEXT_BUDGET, SLACK_LIMITS, truncate } from '../limits.ts';
import { type Block, context, escapeMrkdwn, header, type Rendered, section, severityEmoji } from './blocks.ts';

/** What the summary's sections may hold in all: the budget less header, context and notes. */
const ROWS_BUDGET = MESSAGE_TEXT_BUDGET - 1000;
const SECTION_BUDGET = SLACK_LIMITS.sectionText - 100;
const MAX_SECTIONS = SLACK_LIMITS.blocks - 4;
const HEADLINE_CHARS = 140;

interface Group {
  rank: number;
  title: string;
  hosts: string[];
}

export interface FleetSummary extends Rendered {
  /** Hosts the message could not show by name (the full table then goes in the thread as a file). */
  hidden: number;
}

function groupOf(row: FleetRow): { rank: number; title: string } {
  // "dockerd is not running on web-7" on 50 hosts is one finding: the name is in the list below it.
  const general = (row.headline ?? '').replaceAll(row.host, 'this host');
  const headline = escapeMrkdwn(truncate(general, HEADLINE_CHARS));
  if (row.state === 'pending') return { rank: 5, title: '⏳ *waiting*' };
  if (row.state === 'unreachable') return { rank: 0, title: `🔴 *UNREACHABLE* · ${headline}` };
  const worst = row.worst ?? 'ok';
  const rank = { crit: 1, warn: 2, info: 3, ok: 4 }[worst];
  if (worst === 'ok') return { rank, title: `${severityEmoji('ok')} *ok*` };
  return { rank, title: `${severityEmoji(worst)} *${worst}* · ${headline}` };
}

/** Host names all ending in the same domain read better without it (said once, in the context). */
export function commonDomain(hosts: readonly string[]): string {
  if (hosts.length < 2) return '';
  const [first = ''] = hosts;
  const labels = first.split('.');
  for (let start = 1; start < labels.length; start += 1) {
    const suffix = `.${labels.slice(start).join('.')}`;
    // A domain, not the tail of an address (10.1.0.1 and 10.2.0.1 do not "end in .0.1").
    if (!/[a-z]/.test(suffix)) return '';
    if (hosts.every((host) => host.endsWith(suffix) && host.length > suffix.length)) return suffix;
  }
  return '';
}

function groupsOf(rows: readonly FleetRow[], domain: string): Group[] {
  const groups = new Map<string, Group>();
  for (const row of rows) {
    const { rank, title } = groupOf(row);
    const group = groups.get(title) ?? { rank, title, hosts: [] };
    group.hosts.push(domain ? row.host.slice(0, -domain.length) : row.host);
    groups.set(title, group);
  }
  for (const group of groups.values()) group.hosts.sort();
  return [...groups.values()].sort((a, b) => a.rank - b.rank || b.hosts.length - a.hosts.length);
}

/** Sections of `title (n)` + a code block of names, as many names as the budget allows. */
function groupSections(groups: Group[]): { blocks: Block[]; hidden: number } {
  const blocks: Block[] = [];
  let budget = ROWS_BUDGET;
  let hidden = 0;
  for (const group of groups) {
    let names = [...group.hosts];
    let head = `${group.title} (${group.hosts.length})\n`;
    while (names.length > 0) {
      const room = Math.min(SECTION_BUDGET, budget) - head.length - 8;
      if (blocks.length >= MAX_SECTIONS || room < 40) break;
      const { taken, size } = takeNames(names, room);
      if (taken === 0) break;
      blocks.push(section(`${head}\`\`\`${names.slice(0, taken).join(', ')}\`\`\``));
      budget -= size + head.length + 6;
      names = names.slice(taken);
      head = '';
    }
    hidden += names.length;
  }
  return { blocks, hidden };
}

function takeNames(names: readonly string[], room: number): { taken: number; size: number } {
  let size = 0;
  let taken = 0;
  for (const name of names) {
    const cost = escapeMrkdwn(name).length + 2;
    if (size + cost > room) break;
    size += cost;
    taken += 1;
  }
  return { taken, size };
}

export function renderFleetSummary(meta: FleetMeta, rows: readonly FleetRow[], now = Date.now()): FleetSummary {
  const done = rows.filter((row) => row.state !== 'pending').length;
  const unreachable = rows.filter((row) => row.state === 'unreachable').length;
  const finished = done === rows.length;
  const elapsed = Math.round((now - meta.startedAt) / 100) / 10;
  const domain = commonDomain(rows.map((row) => row.host));
  const { blocks: sections, hidden } = groupSections(groupsOf(rows, domain));
  const facts = [
    `${unreachable} unreachable`,
    finished ? `finished in ${elapsed} s` : `running for ${elapsed} s`,
    'hosts with warnings: details in the thread',
  ];
  if (domain) facts.push(`host names end in \`${escapeMrkdwn(domain)}\``);
  const blocks: Block[] = [
    header(`${meta.command} ${meta.target}: ${done}/${rows.length} hosts answered`),
    context(facts),
    ...sections,
  ];
  if (hidden > 0) {
    const where = finished
      ? 'is attached in the thread'
      : 'will be attached in the thread when every host has answered';
    blocks.push(context([`… ${hidden} more host${hidden === 1 ? '' : 's'} not listed here: the full table ${where}.`]));
  }
  const text = `${meta.command} ${meta.target}: ${done}/${rows.length} hosts answered, ${unreachable} unreachable`;
  return { text: escapeMrkdwn(text), blocks, hidden };
}

/** Every host on its own line, worst first: the file for a fleet too big to list in one message. */
export function fleetTable(
  meta: FleetMeta,
  rows: readonly FleetRow[],
): { title: string; filename: string; content: string } {
  const width = Math.max(4, ...rows.map((row) => row.host.length));
  const order = (row: FleetRow) => groupOf(row).rank;
  const sorted = [...rows].sort((a, b) => order(a) - order(b) || a.host.localeCompare(b.host));
  const lines = sorted.map((row) => {
    const state = row.state === 'done' ? (row.worst ?? 'ok') : row.state;
    return `${row.host.padEnd(width)}  ${state.padEnd(11)}  ${row.headline ?? ''}`.trimEnd();
  });
  const head = `${'HOST'.padEnd(width)}  ${'STATE'.padEnd(11)}  HEADLINE`;
  return {
    title: `${meta.command} ${meta.target}: all ${rows.length} hosts`,
    filename: `${meta.command}-${meta.target.replace(/[^a-z0-9-]/g, '')}-${meta.id}.txt`,
    content: `${[head, ...lines].join('\n')}\n`,
  };
}
