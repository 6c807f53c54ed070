// The worker side of each subcommand, by name. Adding a subcommand = its file in commands/ (parse,
// authorize, enqueue) + its handler here (what runs on the host).

import type { CommandName } from '../../src/queue/payloads.ts';
import { checkJob } from './check.ts';
import { diskcheckJob } from './diskcheck.ts';
import { doctorJob } from './doctor.ts';
import { imageDepsJob } from './image-deps.ts';
import { logsJob } from './logs.ts';
import { pruneJob } from './prune.ts';
import { psJob } from './ps.ts';
import type { JobHandler } from './types.ts';

export const JOB_HANDLERS: Record<CommandName, JobHandler> = {
  diskcheck: diskcheckJob,
  doctor: doctorJob,
  check: checkJob,
  ps: psJob,
  logs: logsJob,
  prune: pruneJob,
  'image-deps': imageDepsJob,
};
