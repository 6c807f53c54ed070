import { renderHelp } from '../src/slack/render/help.ts';
import { neededRole } from './access.ts';
import type { DockerCommand } from './services.ts';

export const helpCommand: DockerCommand = {
  name: 'help',
  usage: 'help',
  description: 'List every /docker subcommand and who may run it.',
  minRole: 'viewer',
  async run(_args, _request, services) {
    const access = services.config.current().access;
    return renderHelp(
      services.commands.map((command) => ({
        usage: command.usage,
        description: command.description,
        minRole: neededRole(command, access),
      })),
    );
  },
};
