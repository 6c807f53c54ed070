// `/docker doctor HOST` on the worker: every registered check.

import { CHECKS } from '../../src/checks/index.ts';
import { renderDoctor } from '../../src/slack/render/doctor.ts';
import { renderHostReport } from '../../src/slack/render/hostReport.ts';
import { reportOutcome, runReport } from './report.ts';
import type { JobHandler } from './types.ts';

/** Every registered check; one summary line each, the full report in the thread. */
export const doctorJob: JobHandler = async (ctx) => {
  const report = await runReport(
    ctx,
    CHECKS.map((check) => check.id),
  );
  return reportOutcome(report, (offer) => renderDoctor(report, offer.offered, offer.notOffered), [
    renderHostReport(report, []),
  ]);
};
