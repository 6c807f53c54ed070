// What the check-running subcommands (diskcheck, doctor, check) share: run checks into a HostReport,
// and turn it into a job outcome.

import type { HostReport } from '../../src/checks/report.ts';
import { buildHostReport } from '../../src/checks/report.ts';
import { runChecks } from '../../src/checks/run.ts';
import { worstFirst } from '../../src/checks/types.ts';
import type { FixProposal } from '../../src/fixes/types.ts';
import { splitFindings } from '../../src/slack/render/hostReport.ts';
import { reportFile } from '../../src/slack/render/reportFile.ts';
import type { JobContext, JobOutcome } from './types.ts';

/** Every fix the findings propose, once each. */
export function proposalsOf(report: HostReport): FixProposal[] {
  const seen = new Set<string>();
  const proposals: FixProposal[] = [];
  for (const finding of report.findings) {
    for (const proposal of finding.fixes ?? []) {
      const key = `${proposal.fix}:${JSON.stringify(proposal.params)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      proposals.push(proposal);
    }
  }
  return proposals;
}

export function headlineOf(report: HostReport): string {
  const top = worstFirst(report.findings).find((finding) => finding.severity !== 'ok');
  return top?.summary ?? 'all checks ok';
}

export async function runReport(ctx: JobContext, ids: readonly string[]): Promise<HostReport> {
  const started = Date.now();
  const results = await runChecks(ctx.conn, [...ids]);
  return buildHostReport(ctx.conn.host.name, ctx.job.command, results, started);
}

/** A report as a job outcome: its worst, its headline, its fixes, and how to render it. */
export function reportOutcome(
  report: HostReport,
  render: JobOutcome['render'],
  thread?: JobOutcome['thread'],
): JobOutcome {
  const notable = worstFirst(report.findings).filter((finding) => finding.severity !== 'ok');
  const highlights = notable.slice(1, 4).map((finding) => finding.summary);
  // A report too long for one message shows its worst findings; the whole of it comes as a file.
  const cut = splitFindings(report).hidden.length > 0;
  return {
    worst: report.worst,
    headline: headlineOf(report),
    highlights,
    proposals: proposalsOf(report),
    render,
    thread,
    ...(cut ? { files: [reportFile(report)] } : {}),
  };
}
