import { randomBytes } from 'node:crypto';
import { hasRole, roleOf } from '../src/approvals/policy.ts';
import { DockmedicError, userMessageOf } from '../src/errors.ts';
import { log } from '../src/log.ts';
import { renderError } from '../src/slack/render/error.ts';
import type { CommandRequest, Reply } from '../src/slack/types.ts';
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
    const role = roleOf(services.config.current().access, request.userId);
    if (!hasRole(role, command.minRole)) {
      throw new DockmedicError('dm_forbidden', `user ${request.userId} may not run ${command.name}`, {
        userMessage: `\`/docker ${command.name}\` needs the ${command.minRole} role, and you are ${role ? `a ${role}` : 'not listed in dockmedic access'}. Ask an admin to add you in dockmedic.yaml.`,
      });
    }
    return await command.run(args, request, services);
  } catch (error) {
    if (!(error instanceof DockmedicError)) log.error({ err: error, user: request.userId }, 'command failed');
    return renderError(userMessageOf(error));
  }
}
