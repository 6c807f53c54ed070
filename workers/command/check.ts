// `/docker check HOST CHECK-ID…` on the worker: the named checks only.

import { renderHostReport } from '../../src/slack/render/hostReport.ts';
import { reportOutcome, runReport } from './report.ts';
import type { JobHandler } from './types.ts';

export const checkJob: JobHandler = async (ctx) => {
  const report = await runReport(ctx, ctx.job.args.checks ?? []);
  return reportOutcome(report, (offer) => renderHostReport(report, offer.offered, offer.notOffered));
};
