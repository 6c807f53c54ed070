import { expectArgs } from './parse.ts';
import type { DockerCommand } from './services.ts';

export const hostsCommand: DockerCommand = {
  name: 'hosts',
  usage: 'hosts',
  description: 'List the registered hosts with their address and groups.',
  minRole: 'viewer',
  async run(args, _request, services) {
    expectArgs(args, 'hosts', { min: 0, max: 0 });
    const hosts = services.config.current().hosts;
    if (hosts.length === 0) {
      return { text: 'No hosts are registered yet: add them under `hosts:` in dockmedic.yaml.' };
    }
    const lines = hosts.map((host) => {
      const where = host.address === 'local' ? 'local' : `${host.user}@${host.address}:${host.port}`;
      const groups = host.groups.length > 0 ? `  ${host.groups.map((g) => `@${g}`).join(' ')}` : '';
      return `${host.name.padEnd(20)} ${where}${groups}`;
    });
    return { text: `${hosts.length} host(s):\n\`\`\`\n${lines.join('\n')}\n\`\`\`` };
  },
};
