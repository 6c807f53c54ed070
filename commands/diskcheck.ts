import { resolveTargets } from '../src/hosts/inventory.ts';
import { expectArgs } from './parse.ts';
import type { DockerCommand } from './services.ts';

const USAGE = 'diskcheck HOST   (a host name, @group or all)';

export const diskcheckCommand: DockerCommand = {
  name: 'diskcheck',
  usage: 'diskcheck HOST',
  description: 'Disk and inode use, biggest container logs, reclaimable space; offers fixes behind approval.',
  minRole: 'viewer',
  sideEffects: false,
  async run(args, request, services) {
    expectArgs(args, USAGE, { min: 1, max: 1 });
    const hosts = resolveTargets(services.config.current(), args[0] as string);
    const queued: string[] = [];
    for (const host of hosts) {
      const requestId = services.newRequestId();
      await services.queues.enqueueCommand({
        command: 'diskcheck',
        host: host.name,
        requestId,
        userId: request.userId,
        channelId: request.channelId,
        responseUrl: request.responseUrl,
        requestedAt: new Date().toISOString(),
      });
      await services.audit.append({
        actor: request.userId,
        action: 'request',
        host: host.name,
        detail: 'diskcheck',
        ref: requestId,
      });
      queued.push(`${host.name} (${requestId})`);
    }
    return {
      text: `:hourglass_flowing_sand: Queued diskcheck on ${queued.join(', ')}. The report will be posted in this channel.`,
    };
  },
};
