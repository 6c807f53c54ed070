import { CHECKS, DISKCHECK_CHECKS } from '../../src/checks/index.ts';
import type { HostReport } from '../../src/checks/report.ts';
import { buildHostReport } from '../../src/checks/report.ts';
import { runChecks } from '../../src/checks/run.ts';
import { worstFirst } from '../../src/checks/types.ts';
import type { FixProposal } from '../../src/fixes/types.ts';
import { renderDoctor } from '../../src/slack/render/doctor.ts';
import { renderHostReport } from '../../src/slack/render/hostReport.ts';
import type { JobContext, JobHandler, JobOutcome } from './types.ts';

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

function outcome(report: HostReport, render: JobOutcome['render'], thread?: JobOutcome['thread']): JobOutcome {
  return { worst: report.worst, headline: headlineOf(report), proposals: proposalsOf(report), render, thread };
}

export const diskcheckJob: JobHandler = async (ctx) => {
  const report = await runReport(ctx, DISKCHECK_CHECKS);
  return outcome(report, (buttons) => renderHostReport(report, buttons));
};

/** Every registered check; one summary line each, the full report in the thread. */
export const doctorJob: JobHandler = async (ctx) => {
  const report = await runReport(
    ctx,
    CHECKS.map((check) => check.id),
  );
  return outcome(report, (buttons) => renderDoctor(report, buttons), [renderHostReport(report, [])]);
};

export const checkJob: JobHandler = async (ctx) => {
  const report = await runReport(ctx, ctx.job.args.checks ?? []);
  return outcome(report, (buttons) => renderHostReport(report, buttons));
};
