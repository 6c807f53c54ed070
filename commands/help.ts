import { renderHelp } from '../src/slack/render/help.ts';
import type { DockerCommand } from './services.ts';

export const helpCommand: DockerCommand = {
  name: 'help',
  usage: 'help',
  description: 'List every /docker subcommand and who may run it.',
  minRole: 'viewer',
  async run(_args, _request, services) {
    return renderHelp(services.commands.map(({ usage, description, minRole }) => ({ usage, description, minRole })));
  },
};
