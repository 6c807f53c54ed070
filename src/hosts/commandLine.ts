import type { HostConfig } from '../config/schema.ts';
import { type SudoRefusal, sudoRefusedError } from './hostErrors.ts';
import { quote, type ShellCommand } from './shell.ts';
import type { ExecOptions, ExecResult } from './types.ts';

/**
 * The command line actually sent. Privileged commands on a `sudo: true` host run as
 * `sudo -n sh -c '…'`: `-n` makes a password prompt fail at once instead of hanging until the
 * timeout, and `sh -c` keeps a compound template (`a; b`) entirely under sudo.
 */
export function commandLine(host: Pick<HostConfig, 'sudo'>, command: ShellCommand, options: ExecOptions = {}): string {
  if (!options.privileged || !host.sudo) return command;
  return `sudo -n sh -c ${quote(command)}`;
}

/** sudo's own refusals (1.8/1.9 wording), each on a line of its own in stderr; exit status 1. */
const REFUSALS: ReadonlyArray<[SudoRefusal['kind'], RegExp]> = [
  ['password', /^sudo: (a password is required|a terminal is required to read the password.*)$/],
  [
    'denied',
    /^(Sorry, user \S+ (is not allowed to execute .*|may not run sudo on .*)|.* is not in the sudoers file.*)$/,
  ],
  ['denied', /^sudo: sorry, you must have a tty to run sudo$/],
];
/** The shell's word for a missing `sudo` (dash, bash, busybox); exit status 127. */
const MISSING = /\bsudo: (command )?not found$/;

/** Pure: did sudo itself refuse (so the command never ran)? Only meaningful for a `commandLine` with sudo. */
export function sudoRefusal(result: Pick<ExecResult, 'code' | 'stderr'>): SudoRefusal | undefined {
  const lines = result.stderr.split('\n').map((line) => line.trim());
  if (result.code === 127) {
    const detail = lines.find((line) => MISSING.test(line));
    return detail === undefined ? undefined : { kind: 'missing', detail };
  }
  if (result.code !== 1) return undefined;
  for (const [kind, pattern] of REFUSALS) {
    const detail = lines.find((line) => pattern.test(line));
    if (detail !== undefined) return { kind, detail };
  }
  return undefined;
}

/**
 * A privileged command that sudo refused throws (dm_auth_failed, saying why) instead of coming back
 * as an empty result that checks would read as "nothing found".
 */
export function throwIfSudoRefused(
  host: Pick<HostConfig, 'name' | 'address' | 'port' | 'sudo'>,
  user: string,
  options: ExecOptions,
  result: ExecResult,
): ExecResult {
  if (!options.privileged || !host.sudo) return result;
  const refusal = sudoRefusal(result);
  if (refusal) throw sudoRefusedError(host, user, refusal);
  return result;
}
