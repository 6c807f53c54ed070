import { CHECKS, getCheck } from '../src/checks/index.ts';
import { enqueueForTarget } from './enqueue.ts';
import { badArguments, expectArgs, shown } from './parse.ts';
import type { DockerCommand } from './services.ts';

const USAGE = 'check HOST CHECK-ID [CHECK-ID…]';

export const checkCommand: DockerCommand = {
  name: 'check',
  usage: USAGE,
  description: 'Run named playbook checks (e.g. disk-usage, daemon-health) on a host.',
  minRole: 'viewer',
  async run(args, request, services) {
    expectArgs(args, USAGE, { min: 2, max: 11 });
    const [target, ...ids] = args as [string, ...string[]];
    for (const id of ids) {
      if (getCheck(id)) continue;
      throw badArguments(
        `There is no check \`${shown(id)}\`. Checks: ${CHECKS.map((check) => `\`${check.id}\``).join(', ')}.`,
      );
    }
    return await enqueueForTarget(services, request, 'check', target, { checks: [...new Set(ids)] });
  },
};
