import { randomBytes } from 'node:crypto';
import type { DockmedicConfig } from '../src/config/schema.ts';
import { DockmedicError, isDockmedicError, userMessageOf } from '../src/errors.ts';
import { log } from '../src/log.ts';
import { renderError } from '../src/slack/render/error.ts';
import type { CommandRequest, Reply } from '../src/slack/types.ts';
import { refuseChannel, refuseRole } from './access.ts';
import { alertsCommand } from './alerts.ts';
import { auditCommand } from './audit.ts';
import { checkCommand } from './check.ts';
import { diskcheckCommand } from './diskcheck.ts';
import { doctorCommand } from './doctor.ts';
import { helpCommand } from './help.ts';
import { hostsCommand } from './hosts.ts';
import { imageDepsCommand } from './image-deps.ts';
import { logsCommand } from './logs.ts';
import { shown, tokenize } from './parse.ts';
import { pruneCommand } from './prune.ts';
import { psCommand } from './ps.ts';
import { scheduleCommand } from './schedule.ts';
import type { CommandServices, DockerCommand } from './services.ts';
import { silenceCommand } from './silence.ts';
import { unsilenceCommand } from './unsilence.ts';

/** Every `/docker` subcommand, in the order help lists them. Adding one = one file + one line here. */
export const COMMANDS: readonly DockerCommand[] = [
  helpCommand,
  hostsCommand,
  diskcheckCommand,
  doctorCommand,
  checkCommand,
  psCommand,
  logsCommand,
  pruneCommand,
  imageDepsCommand,
  auditCommand,
  alertsCommand,
  silenceCommand,
  unsilenceCommand,
  scheduleCommand,
];

export function newRequestId(): string {
  return `rq-${randomBytes(6).toString('hex')}`;
}

/**
 * What the schema cannot know: `access.commands` names only registered subcommands. Entry points
 * pass this to the config loader, so a typo is refused at start, reload and `config check` alike.
 */
export function accessProblems(config: DockmedicConfig, commands: readonly DockerCommand[] = COMMANDS): string[] {
  const known = commands.map((command) => command.name);
  return Object.keys(config.access.commands)
    .filter((name) => !known.includes(name))
    .map((name) => `access.commands.${name}: there is no /docker ${name}; the subcommands are ${known.join(', ')}`);
}

/** Refusals by policy are security events: who tried what, where, and why it was refused. */
const AUDITED_REFUSALS = new Set(['dm_forbidden', 'dm_rate_limited']);

async function auditRefusal(services: CommandServices, request: CommandRequest, error: unknown): Promise<void> {
  if (!isDockmedicError(error) || !AUDITED_REFUSALS.has(error.code)) return;
  await services.audit
    .append({
      actor: request.userId,
      action: 'refuse',
      detail: `/docker ${request.text}`.slice(0, 200) + ` in ${request.channelId}: ${error.message}`.slice(0, 300),
    })
    .catch((err: unknown) => log.warn({ err, user: request.userId }, 'could not audit a refused command'));
}

/** Parse, authorize, run (which at most enqueues). Every failure becomes a reply that says what to do. */
export async function dispatch(request: CommandRequest, services: CommandServices): Promise<Reply> {
  try {
    const [name = 'help', ...args] = tokenize(request.text);
    const command = services.commands.find((candidate) => candidate.name === name.toLowerCase());
    if (!command) {
      throw new DockmedicError('dm_unknown_command', `unknown subcommand ${shown(name)}`, {
        userMessage: `There is no \`/docker ${shown(name)}\`. Try one of: ${services.commands.map((c) => `\`${c.name}\``).join(', ')} — or \`/docker help\`.`,
      });
    }
    const access = services.config.current().access;
    refuseChannel(access, request, command);
    refuseRole(access, request, command);
    return await command.run(args, request, services);
  } catch (error) {
    if (!(error instanceof DockmedicError)) log.error({ err: error, user: request.userId }, 'command failed');
    await auditRefusal(services, request, error);
    return renderError(userMessageOf(error));
  }
}
