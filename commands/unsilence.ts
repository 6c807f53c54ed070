import { unsilence } from '../src/alerts/operations.ts';
import { tellThread } from '../src/slack/alertThreads.ts';
import { monitoringOf } from './monitoringOf.ts';
import { expectArgs } from './parse.ts';
import type { DockerCommand } from './services.ts';
import { alertTarget } from './silence.ts';

const USAGE = 'unsilence HOST CHECK';

export const unsilenceCommand: DockerCommand = {
  name: 'unsilence',
  usage: 'unsilence HOST CHECK',
  description: 'Lift a silence before it expires.',
  minRole: 'operator',
  async run(args, request, services) {
    expectArgs(args, USAGE, { min: 2, max: 2 });
    const { host, check } = alertTarget(services, args[0] as string, args[1] as string);
    const alerts = monitoringOf(services).alerts;
    const result = await unsilence(alerts, host, check, request.userId);
    await tellThread(alerts, result);
    await services.audit.append({ actor: request.userId, action: 'request', host, detail: `unsilence ${check}` });
    return { text: result.ok ? `🔔 ${result.message}` : `Nothing changed: ${result.reason}.` };
  },
};
