// Who may run a subcommand, and from where: the role it needs (its own, or `access.commands` in the
// config) and `access.channels`. Both refusals say what to do instead.

import { hasRole, type Role, roleOf } from '../src/approvals/policy.ts';
import type { AccessConfig } from '../src/config/schema.ts';
import { DockmedicError } from '../src/errors.ts';
import type { CommandRequest } from '../src/slack/types.ts';
import type { DockerCommand } from './services.ts';

/** The role a subcommand needs: `access.commands` in the config wins over the subcommand's own. */
export function neededRole(command: Pick<DockerCommand, 'name' | 'minRole'>, access: AccessConfig): Role {
  const override: Role | undefined = access.commands[command.name];
  return override ?? command.minRole;
}

/** `help` answers anywhere, so whoever is in the wrong channel can learn where to go. */
const ANYWHERE = new Set(['help']);

export function refuseChannel(access: AccessConfig, request: CommandRequest, command: DockerCommand): void {
  if (access.channels.length === 0 || access.channels.includes(request.channelId)) return;
  if (ANYWHERE.has(command.name)) return;
  // Plain ids: error text is escaped whole on its way to Slack, so channel links would show as text.
  const where = access.channels.map((channel) => `\`${channel}\``).join(', ');
  throw new DockmedicError('dm_forbidden', `${command.name} from ${request.channelId}, outside access.channels`, {
    userMessage: `dockmedic takes commands only in ${where} (access.channels in dockmedic.yaml). Run \`/docker ${command.name}\` there.`,
  });
}

export function refuseRole(access: AccessConfig, request: CommandRequest, command: DockerCommand): void {
  const role = roleOf(access, request.userId);
  const needed = neededRole(command, access);
  if (hasRole(role, needed)) return;
  throw new DockmedicError('dm_forbidden', `user ${request.userId} may not run ${command.name}`, {
    userMessage: `\`/docker ${command.name}\` needs the ${needed} role, and you are ${role ? `a ${role}` : 'not listed in dockmedic access'}. Ask an admin to add you in dockmedic.yaml.`,
  });
}
