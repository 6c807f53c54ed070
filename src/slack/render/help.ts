// `/docker help`: generated from the command registry, so a new subcommand documents itself.

import { SLACK_LIMITS } from '../limits.ts';
import { type Block, context, escapeMrkdwn, header, type Rendered, section } from './blocks.ts';

export interface HelpEntry {
  usage: string;
  description: string;
  minRole: string;
  sideEffects: boolean;
}

export function renderHelp(commands: HelpEntry[]): Rendered {
  const lines = commands.map((command) => {
    const approval = command.sideEffects ? ' · needs approval' : '';
    return `\`/docker ${escapeMrkdwn(command.usage)}\` — ${escapeMrkdwn(command.description)} _(${command.minRole}${approval})_`;
  });
  const blocks: Block[] = [header('dockmedic commands')];
  // Several sections rather than one long one: each section holds at most 3000 characters.
  let chunk: string[] = [];
  let size = 0;
  for (const line of lines) {
    if (size + line.length + 1 > SLACK_LIMITS.sectionText && chunk.length > 0) {
      blocks.push(section(chunk.join('\n')));
      chunk = [];
      size = 0;
    }
    chunk.push(line);
    size += line.length + 1;
  }
  if (chunk.length > 0) blocks.push(section(chunk.join('\n')));
  blocks.push(context(['Hosts are named by name, `@group` or `all`.']));
  const text = ['dockmedic commands:', ...commands.map((c) => `/docker ${c.usage} — ${c.description}`)].join('\n');
  return { text, blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}
