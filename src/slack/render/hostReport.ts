// The answer to `/docker diskcheck HOST` (and any other per-host check run): what is wrong, the
// evidence for it, and one button per fix. Slack refuses messages over its limits (50 blocks, ~12,000
// characters of block text), so when a report is huge we keep the most severe findings, say how many
// were left out, and the job attaches the whole report as a file (reportFile.ts).

import type { NotOffered, OfferedFix } from '../../approvals/offer.ts';
import type { DiskSummary, FilesystemUsage, HostReport } from '../../checks/report.ts';
import { type Finding, worstFirst } from '../../checks/types.ts';
import { formatBytes, formatDuration, formatPercent } from '../../format.ts';
import { ACTION_APPROVE, ACTION_DENY, actionIdFor } from '../actionIds.ts';
import { blocksTextLength, MESSAGE_TEXT_BUDGET, SLACK_LIMITS, truncate } from '../limits.ts';
import { notOfferedLine } from './approval.ts';
import {
  actions,
  type Block,
  button,
  codeSection,
  context,
  divider,
  escapeMrkdwn,
  header,
  type Rendered,
  riskStyle,
  section,
  severityEmoji,
} from './blocks.ts';

const EVIDENCE_LINES_PER_FINDING = 8;
const MAX_FIX_ROWS = 10;
const LOGS_SHOWN = 5;

/** Text kept free for the fix rows (up to 10, each two buttons), whatever the report offers. */
const FIX_ROWS_RESERVE = 1000;

function topBlocks(report: HostReport): Block[] {
  return [
    header(`${severityEmoji(report.worst)} ${report.host} · ${report.command}`),
    context([
      `worst: *${report.worst}*`,
      `took ${formatDuration(report.durationMs)}`,
      `started ${escapeMrkdwn(report.startedAt)}`,
    ]),
    ...statusBlocks(report),
    ...(report.disk ? diskBlocks(report.disk) : []),
  ];
}

/** The findings the message shows, worst first, within 50 blocks and the text budget; the rest hidden. */
export function splitFindings(report: HostReport): { shown: Finding[]; hidden: Finding[] } {
  const top = topBlocks(report);
  const findings = worstFirst(report.findings);
  // One block each for the divider and a possible "… more findings" note, and up to 10 fix rows.
  const room = Math.max(0, SLACK_LIMITS.blocks - top.length - MAX_FIX_ROWS - 2);
  let budget = MESSAGE_TEXT_BUDGET - FIX_ROWS_RESERVE - 300 - blocksTextLength(top);
  let count = 0;
  for (const finding of findings.slice(0, room)) {
    const size = blocksTextLength([findingBlock(finding)]);
    if (size > budget) break;
    budget -= size;
    count += 1;
  }
  return { shown: findings.slice(0, count), hidden: findings.slice(count) };
}

export function renderHostReport(report: HostReport, buttons: OfferedFix[], notOffered: NotOffered[] = []): Rendered {
  const top = topBlocks(report);
  const tail: Block[] = fixActions(buttons, notOffered);
  const findings = worstFirst(report.findings);
  const { shown, hidden } = splitFindings(report);

  const blocks: Block[] = [...top];
  if (findings.length > 0) blocks.push(divider());
  for (const finding of shown) blocks.push(findingBlock(finding));
  if (findings.length === 0 && report.reachable) blocks.push(section('✅ No findings: nothing to fix here.'));
  if (hidden.length > 0) blocks.push(context([hiddenNote(hidden)]));
  blocks.push(...tail);
  return { text: fallbackText(report, findings), blocks };
}

function statusBlocks(report: HostReport): Block[] {
  if (!report.reachable) {
    const reasons = report.results.flatMap((result) => (result.error ? [result.error.message] : []));
    const text = `🔴 *Could not reach ${escapeMrkdwn(report.host)}.* Nothing was checked on the host itself.`;
    return reasons.length > 0 ? [codeSection(text, unique(reasons))] : [section(text)];
  }
  if (!report.dockerAvailable) {
    return [
      section(
        `🔴 *dockerd is not answering on ${escapeMrkdwn(report.host)}.* ` +
          'What follows comes from the shell only (df, process table, log files).',
      ),
    ];
  }
  return [];
}

function diskBlocks(disk: DiskSummary): Block[] {
  const blocks: Block[] = [];
  if (disk.filesystems.length > 0) {
    const root = disk.dockerRootDir ? ` (Docker root dir: \`${escapeMrkdwn(disk.dockerRootDir)}\`)` : '';
    blocks.push(codeSection(`*Filesystems*${root}`, filesystemTable(disk.filesystems)));
  }
  if (disk.biggestLogs.length > 0) {
    const logs = [...disk.biggestLogs].sort((a, b) => b.sizeBytes - a.sizeBytes).slice(0, LOGS_SHOWN);
    const lines = logs.map((log) => `• \`${escapeMrkdwn(log.containerName)}\` ${formatBytes(log.sizeBytes)}`);
    blocks.push(section(`*Biggest container logs*\n${lines.join('\n')}`));
  }
  if (disk.reclaimable.length > 0) {
    const lines = disk.reclaimable.map(
      (kind) =>
        `• ${kind.kind}: ${formatBytes(kind.reclaimableBytes)} of ${formatBytes(kind.totalBytes)} (${kind.count})`,
    );
    blocks.push(section(`*Reclaimable*\n${lines.join('\n')}`));
  }
  return blocks;
}

/** Monospace table: blocks and inodes side by side, because either one running out stops Docker. */
export function filesystemTable(filesystems: FilesystemUsage[]): string[] {
  const rows = filesystems.map((fs) => [
    truncate(fs.mount, 32),
    fs.fstype,
    formatBytes(fs.sizeBytes),
    formatBytes(fs.usedBytes),
    formatBytes(fs.availBytes),
    formatPercent(fs.usedPct),
    formatPercent(fs.inodesPct),
    fs.holdsDockerRoot ? '← Docker root' : '',
  ]);
  const head = ['MOUNT', 'TYPE', 'SIZE', 'USED', 'AVAIL', 'BLOCKS', 'INODES', ''];
  const widths = head.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const format = (row: string[]): string =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [format(head), ...rows.map(format)];
}

function findingBlock(finding: Finding): Block {
  const detail = finding.detail ? `\n${escapeMrkdwn(truncate(finding.detail, 600))}` : '';
  const title = `${severityEmoji(finding.severity)} *${escapeMrkdwn(truncate(finding.summary, 300))}*${detail}`;
  const evidence = finding.evidence ?? [];
  if (evidence.length === 0) return section(title);
  const lines = evidence.slice(0, EVIDENCE_LINES_PER_FINDING);
  const more = evidence.length - lines.length;
  if (more > 0) lines.push(`… ${more} more line${more === 1 ? '' : 's'}`);
  return codeSection(title, lines);
}

/**
 * One row per offered fix: approve (runs it, under the approval rules) and deny (withdraws the offer);
 * then one line naming the proposals that could not be offered, if any.
 */
export function fixActions(buttons: OfferedFix[], notOffered: NotOffered[] = [], offset = 0): Block[] {
  const note = notOfferedLine(notOffered);
  return [...fixRows(buttons, offset), ...(note ? [context([escapeMrkdwn(note)])] : [])];
}

/** `offset` numbers the rows on from rows already in the same message: ids must be unique in a message. */
function fixRows(buttons: OfferedFix[], offset: number): Block[] {
  return buttons.slice(0, MAX_FIX_ROWS).map((fix, position) => {
    const tag = ` · ${fix.risk}`;
    const index = offset + position;
    return actions(`dm_fix_${index}`, [
      button({
        actionId: actionIdFor(ACTION_APPROVE, index),
        label: `${truncate(fix.label, SLACK_LIMITS.buttonText - tag.length)}${tag}`,
        value: fix.approvalId,
        style: riskStyle(fix.risk),
      }),
      button({ actionId: actionIdFor(ACTION_DENY, index), label: 'Deny', value: fix.approvalId }),
    ]);
  });
}

function hiddenNote(hidden: Finding[]): string {
  const counts = new Map<string, number>();
  for (const finding of hidden) counts.set(finding.severity, (counts.get(finding.severity) ?? 0) + 1);
  const parts = [...counts.entries()].map(([severity, count]) => `${count} ${severity}`);
  const more = `${hidden.length} more finding${hidden.length === 1 ? '' : 's'}`;
  return `… and ${more} (${parts.join(', ')}) not shown: the whole report is attached as a file in the thread`;
}

function fallbackText(report: HostReport, findings: Finding[]): string {
  const state = !report.reachable
    ? 'unreachable'
    : !report.dockerAvailable
      ? 'dockerd not answering'
      : `${findings.length} finding${findings.length === 1 ? '' : 's'}`;
  const first = findings[0] ? `: ${findings[0].summary}` : '';
  return escapeMrkdwn(
    truncate(`${severityEmoji(report.worst)} ${report.host} ${report.command}: ${state}${first}`, 1000),
  );
}

function unique(lines: string[]): string[] {
  return [...new Set(lines)];
}
