import type { HostConfig } from '../config/schema.ts';
import { quote, type ShellCommand } from './shell.ts';
import type { ExecOptions } from './types.ts';

/**
 * The command line actually sent. Privileged commands on a `sudo: true` host run as
 * `sudo -n sh -c '…'`: `-n` makes a password prompt fail at once instead of hanging until the
 * timeout, and `sh -c` keeps a compound template (`a; b`) entirely under sudo.
 */
export function commandLine(host: Pick<HostConfig, 'sudo'>, command: ShellCommand, options: ExecOptions = {}): string {
  if (!options.privileged || !host.sudo) return command;
  return `sudo -n sh -c ${quote(command)}`;
}
