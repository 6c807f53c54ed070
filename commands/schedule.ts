import { formatDuration } from '../src/format.ts';
import { monitoringOf } from './monitoringOf.ts';
import { expectArgs } from './parse.ts';
import type { DockerCommand } from './services.ts';

export const scheduleCommand: DockerCommand = {
  name: 'schedule',
  usage: 'schedule',
  description: 'Monitor and maintenance (prune) schedules per host, and when each runs next.',
  minRole: 'viewer',
  async run(args, _request, services) {
    expectArgs(args, 'schedule', { min: 0, max: 0 });
    const monitoring = monitoringOf(services);
    const rows = await monitoring.schedules.list();
    const now = Date.now();
    const lines = rows
      .sort((a, b) => a.kind.localeCompare(b.kind) || a.host.localeCompare(b.host))
      .map((row) => {
        const when = row.cron
          ? `cron "${row.cron}" ${row.timezone ?? 'UTC'}`
          : `every ${formatDuration(row.every ?? 0)}`;
        const next = row.next
          ? `${new Date(row.next).toISOString()} (in ${formatDuration(Math.max(0, row.next - now))})`
          : '?';
        const what = row.kind === 'monitor' ? 'monitor' : 'prune (safe)';
        return `${row.host.padEnd(16)} ${what.padEnd(13)} ${when.padEnd(28)} next ${next}`;
      });
    const unknown = monitoring.unknownChecks();
    const note =
      unknown.length > 0
        ? `\n⚠️ monitor.checks names checks that are not registered, so they are skipped: ${unknown.join(', ')}`
        : '';
    if (lines.length === 0) return { text: `No schedules: no hosts in dockmedic.yaml.${note}` };
    return { text: `${rows.length} schedule(s):\n\`\`\`\n${lines.join('\n')}\n\`\`\`${note}` };
  },
};
