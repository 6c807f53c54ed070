import { enqueueForTarget } from './enqueue.ts';
import { expectArgs } from './parse.ts';
import type { DockerCommand } from './services.ts';

// Asking for the plan is read-only: the prune itself runs only from its approval button.
export const pruneCommand: DockerCommand = {
  name: 'prune',
  usage: 'prune HOST',
  description: 'The safe prune plan (dangling images, unused build cache) with sizes; it runs only when approved.',
  minRole: 'viewer',
  async run(args, request, services) {
    expectArgs(args, 'prune HOST   (a host name, @group or all)', { min: 1, max: 1 });
    return await enqueueForTarget(services, request, 'prune', args[0] as string);
  },
};
