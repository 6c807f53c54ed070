import { enqueueForTarget } from './enqueue.ts';
import { expectArgs } from './parse.ts';
import type { DockerCommand } from './services.ts';

export const doctorCommand: DockerCommand = {
  name: 'doctor',
  usage: 'doctor HOST',
  description: 'Every playbook check: one summary line per check, details in the thread, fixes behind approval.',
  minRole: 'viewer',
  async run(args, request, services) {
    expectArgs(args, 'doctor HOST   (a host name, @group or all)', { min: 1, max: 1 });
    return await enqueueForTarget(services, request, 'doctor', args[0] as string);
  },
};
