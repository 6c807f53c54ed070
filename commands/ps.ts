import { enqueueForTarget } from './enqueue.ts';
import { expectArgs } from './parse.ts';
import type { DockerCommand } from './services.ts';

export const psCommand: DockerCommand = {
  name: 'ps',
  usage: 'ps HOST',
  description: 'Every container with its state, health, restart count and log size.',
  minRole: 'viewer',
  async run(args, request, services) {
    expectArgs(args, 'ps HOST   (a host name, @group or all)', { min: 1, max: 1 });
    return await enqueueForTarget(services, request, 'ps', args[0] as string);
  },
};
