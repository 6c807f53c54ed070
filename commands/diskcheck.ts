import { enqueueForTarget } from './enqueue.ts';
import { expectArgs } from './parse.ts';
import type { DockerCommand } from './services.ts';

export const diskcheckCommand: DockerCommand = {
  name: 'diskcheck',
  usage: 'diskcheck HOST',
  description: 'Disk and inode use, biggest container logs, reclaimable space; offers fixes behind approval.',
  minRole: 'viewer',
  async run(args, request, services) {
    expectArgs(args, 'diskcheck HOST   (a host name, @group or all)', { min: 1, max: 1 });
    return await enqueueForTarget(services, request, 'diskcheck', args[0] as string);
  },
};
