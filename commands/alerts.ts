import { resolveTargets } from '../src/config/targets.ts';
import { formatDuration } from '../src/format.ts';
import { escapeMrkdwn } from '../src/slack/render/blocks.ts';
import { monitoringOf } from './monitoringOf.ts';
import { expectArgs } from './parse.ts';
import type { DockerCommand } from './services.ts';

const USAGE = 'alerts [HOST]   (a host name, @group or all)';

export const alertsCommand: DockerCommand = {
  name: 'alerts',
  usage: 'alerts [HOST]',
  description: 'What is firing now (and what is pending or silenced), for all hosts or one.',
  minRole: 'viewer',
  async run(args, _request, services) {
    expectArgs(args, USAGE, { min: 0, max: 1 });
    const monitoring = monitoringOf(services);
    const hosts = args[0] ? new Set(resolveTargets(services.config.current(), args[0]).map((h) => h.name)) : undefined;
    const now = Date.now();
    const states = (await monitoring.alerts.store.all())
      .filter((state) => !hosts || hosts.has(state.host))
      .filter((state) => state.status !== 'ok' || (state.silencedUntil ?? 0) > now)
      .sort(
        (a, b) => (b.severity === 'crit' ? 1 : 0) - (a.severity === 'crit' ? 1 : 0) || a.host.localeCompare(b.host),
      );
    const where = args[0] ? ` on ${args[0]}` : '';
    if (states.length === 0) return { text: `✅ Nothing is firing${where}.` };
    const lines = states.map((state) => {
      const status = state.status === 'firing' ? `FIRING ${state.severity}` : state.status;
      const since = state.firedAt ? ` for ${formatDuration(now - state.firedAt)}` : '';
      const ack = state.ackedBy ? ` · acked by ${state.ackedBy}` : '';
      const quiet =
        (state.silencedUntil ?? 0) > now ? ` · silenced until ${new Date(state.silencedUntil ?? 0).toISOString()}` : '';
      return `${state.host.padEnd(16)} ${state.check.padEnd(16)} ${status}${since}${ack}${quiet}\n    ${escapeMrkdwn(state.summary.slice(0, 160))}`;
    });
    const firing = states.filter((state) => state.status === 'firing').length;
    return { text: `${firing} alert(s) firing${where}:\n\`\`\`\n${lines.join('\n')}\n\`\`\`` };
  },
};
