// The worker side of each subcommand, by name. Adding a subcommand = its file in commands/ (parse,
// authorize, enqueue) + its handler here (what runs on the host).

import type { CommandName } from '../queue/payloads.ts';
import { checkJob, diskcheckJob, doctorJob } from './checks.ts';
import type { JobHandler } from './types.ts';

export const JOB_HANDLERS: Partial<Record<CommandName, JobHandler>> = {
  diskcheck: diskcheckJob,
  doctor: doctorJob,
  check: checkJob,
};
