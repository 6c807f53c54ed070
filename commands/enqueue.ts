import { resolveTargets } from '../src/config/targets.ts';
import type { CommandArgs, CommandName } from '../src/queue/payloads.ts';
import type { CommandRequest, Reply } from '../src/slack/types.ts';
import { admit } from './admit.ts';
import type { CommandServices } from './services.ts';

/**
 * Queues a subcommand for a target: one host → one job; `@group` or `all` → one fleet job that posts
 * a summary and fans out per host. The ack says exactly what was queued.
 */
export async function enqueueForTarget(
  services: CommandServices,
  request: CommandRequest,
  command: CommandName,
  target: string,
  args: CommandArgs = {},
): Promise<Reply> {
  const hosts = resolveTargets(services.config.current(), target);
  const requestId = services.newRequestId();
  const common = {
    command,
    args,
    requestId,
    userId: request.userId,
    channelId: request.channelId,
    responseUrl: request.responseUrl,
    requestedAt: new Date().toISOString(),
  };
  const fleet = target === 'all' || target.startsWith('@');
  const admitted = await admit(services, {
    userId: request.userId,
    command,
    target: fleet ? target : hosts[0]!.name,
    args,
    requestId,
    hostCount: hosts.length,
  });
  try {
    if (fleet) {
      await services.queues.enqueueFleet({ ...common, target, hosts: hosts.map((host) => host.name) });
    } else {
      await services.queues.enqueueCommand({ ...common, host: hosts[0]!.name });
    }
  } catch (error) {
    await admitted.undo();
    throw error;
  }
  await services.audit.append({
    actor: request.userId,
    action: 'request',
    host: fleet ? target : hosts[0]!.name,
    detail: [command, ...Object.values(args).flat()].join(' ').slice(0, 200),
    ref: requestId,
  });
  const where = fleet ? `${target} (${hosts.length} hosts)` : hosts[0]!.name;
  return {
    text: `:hourglass_flowing_sand: Queued ${command} on ${where} (${requestId}). The result will be posted in this channel.`,
  };
}
