import { silence } from '../src/alerts/operations.ts';
import { parseDuration } from '../src/config/duration.ts';
import { HOST_NAME_PATTERN } from '../src/config/schema.ts';
import { tellThread } from '../src/slack/alertThreads.ts';
import { monitoringOf } from './monitoringOf.ts';
import { badArguments, expectArgs, shown } from './parse.ts';
import type { DockerCommand } from './services.ts';

const USAGE = 'silence HOST CHECK DURATION   (e.g. silence web-1 disk-usage 4h; at most 7d)';
const MAX_SILENCE_MS = 7 * 86_400_000;

/** HOST and CHECK as they name an alert; shared with unsilence. */
export function alertTarget(services: Parameters<DockerCommand['run']>[2], host: string, check: string) {
  if (!HOST_NAME_PATTERN.test(host) || !services.config.current().hosts.some((h) => h.name === host)) {
    throw badArguments(`There is no host named \`${shown(host)}\`. See \`/docker hosts\`.`);
  }
  if (!/^[a-z0-9-]{1,64}$/.test(check)) throw badArguments(`\`${shown(check)}\` is not a check id like disk-usage.`);
  return { host, check };
}

export const silenceCommand: DockerCommand = {
  name: 'silence',
  usage: 'silence HOST CHECK DURATION',
  description: 'Silence one alert for a while (30m, 4h, 1d); it expires by itself and its thread says so.',
  minRole: 'operator',
  async run(args, request, services) {
    expectArgs(args, USAGE, { min: 3, max: 3 });
    const [hostArg, checkArg, durationArg] = args as [string, string, string];
    const { host, check } = alertTarget(services, hostArg, checkArg);
    const ms = parseDuration(durationArg);
    if (!ms || ms > MAX_SILENCE_MS)
      throw badArguments(`\`${shown(durationArg)}\` is not a duration like 30m, 4h or 1d (at most 7d).`);
    const alerts = monitoringOf(services).alerts;
    const result = await silence(alerts, host, check, ms, request.userId);
    await tellThread(alerts, result);
    await services.audit.append({
      actor: request.userId,
      action: 'request',
      host,
      detail: `silence ${check} ${durationArg}`,
    });
    return { text: result.ok ? `🔕 ${result.message}` : `Nothing changed: ${result.reason}.` };
  },
};
