// `/docker diskcheck HOST` on the worker: the checks marked diskcheck, one report with its buttons.

import { DISKCHECK_CHECKS } from '../../src/checks/index.ts';
import { renderHostReport } from '../../src/slack/render/hostReport.ts';
import { reportOutcome, runReport } from './report.ts';
import type { JobHandler } from './types.ts';

export const diskcheckJob: JobHandler = async (ctx) => {
  const report = await runReport(ctx, DISKCHECK_CHECKS);
  return reportOutcome(report, (offer) => renderHostReport(report, offer.offered, offer.notOffered));
};
