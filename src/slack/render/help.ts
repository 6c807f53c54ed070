// `/docker help`: generated from the command registry, so a new subcommand documents itself.

import { SLACK_LIMITS } from '../limits.ts';
import { type Block, context, escapeMrkdwn, header, type Rendered, sectionsOf } from './blocks.ts';

export interface HelpEntry {
  usage: string;
  description: string;
  minRole: string;
}

export function renderHelp(commands: HelpEntry[]): Rendered {
  const lines = commands.map((command) => {
    return `\`/docker ${escapeMrkdwn(command.usage)}\` — ${escapeMrkdwn(command.description)} _(${command.minRole})_`;
  });
  const blocks: Block[] = [header('dockmedic commands')];
  blocks.push(...sectionsOf(lines));
  blocks.push(context(['Hosts are named by name, `@group` or `all`.']));
  const text = ['dockmedic commands:', ...commands.map((c) => `/docker ${c.usage} — ${c.description}`)].join('\n');
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}
