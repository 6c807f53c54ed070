// `/docker doctor`: one line per check (its worst finding), the fixes as buttons; the full report
// goes in the thread so the channel sees a summary, not a wall.

import type { NotOffered, OfferedFix } from '../../approvals/offer.ts';
import type { HostReport } from '../../checks/report.ts';
import { type CheckResult, type Finding, worstFirst, worstSeverity } from '../../checks/types.ts';
import { formatDuration } from '../../format.ts';
import {
  type Block,
  context,
  escapeMrkdwn,
  header,
  type Rendered,
  section,
  sectionsOf,
  severityEmoji,
} from './blocks.ts';
import { fixActions } from './hostReport.ts';

function checkLine(result: CheckResult): string {
  const worst = worstSeverity(result.findings.map((finding) => finding.severity));
  const top: Finding | undefined = worstFirst(result.findings)[0];
  const summary = top ? escapeMrkdwn(top.summary) : 'no findings';
  return `${severityEmoji(worst)} \`${result.check}\` ${summary}`;
}

export function renderDoctor(report: HostReport, buttons: OfferedFix[], notOffered: NotOffered[] = []): Rendered {
  const blocks: Block[] = [
    header(`${severityEmoji(report.worst)} ${report.host} · doctor`),
    context([
      `worst: *${report.worst}*`,
      `${report.results.length} checks`,
      `took ${formatDuration(report.durationMs)}`,
    ]),
  ];
  if (!report.reachable) {
    blocks.push(section(`🔴 ${escapeMrkdwn(report.findings[0]?.summary ?? 'unreachable')}`));
    return { text: `${escapeMrkdwn(report.host)}: unreachable`, blocks };
  }
  blocks.push(...sectionsOf([...report.results].sort(byWorst).map(checkLine)));
  blocks.push(context(['Details of every finding, with its evidence, are in the thread.']));
  blocks.push(...fixActions(buttons, notOffered));
  const counts = report.findings.filter((f) => f.severity === 'warn' || f.severity === 'crit').length;
  return { text: `${escapeMrkdwn(report.host)} doctor: ${report.worst}, ${counts} warn/crit finding(s)`, blocks };
}

function byWorst(a: CheckResult, b: CheckResult): number {
  const rank = (result: CheckResult) =>
    ['ok', 'info', 'warn', 'crit'].indexOf(worstSeverity(result.findings.map((f) => f.severity)));
  return rank(b) - rank(a);
}
