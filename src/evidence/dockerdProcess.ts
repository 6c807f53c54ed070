// How dockerd runs on the host: its command line from the process table, its pidfile, and
// whether systemd manages it. Hosts without systemd (containers, Alpine/OpenRC, the test lab) are
// common: fixes that stop, start or reload dockerd choose their way from this evidence.

import { sh } from '../hosts/shell.ts';
import type { EvidenceContext } from './context.ts';
import { daemonJson, daemonString } from './daemonConfig.ts';

export const DEFAULT_PIDFILE = '/var/run/docker.pid';

export interface DockerdProcess {
  /** The running dockerd's command line, split on spaces, when the process table shows one. */
  args?: string[];
  /** True when `systemctl show docker` answers (systemd is pid 1 and knows the unit). */
  systemd: boolean;
  /** ExecStart lines of the docker unit, where systemd exists. */
  unitExecStart: string[];
  /** daemon.json `pidfile`, a --pidfile/-p flag, or the default. */
  pidfile: string;
}

/** Pure: `ps -eo args=` output to the dockerd command line. */
export function dockerdArgs(psOutput: string): string[] | undefined {
  for (const line of psOutput.split('\n')) {
    const args = line.trim().split(/\s+/);
    const program = args[0]?.split('/').pop();
    if (program === 'dockerd') return args;
  }
  return undefined;
}

/** Pure: the value of a flag (`--pidfile X`, `--pidfile=X`, `-p X`) in a command line. */
export function flagValue(args: readonly string[], names: readonly string[]): string | undefined {
  for (let index = 0; index < args.length; index += 1) {
    const word = args[index] as string;
    for (const name of names) {
      if (word === name) return args[index + 1];
      if (word.startsWith(`${name}=`)) return word.slice(name.length + 1);
    }
  }
  return undefined;
}

/** Pure: `systemctl show docker -p LoadState` answered with a loaded unit. */
export function systemdKnowsDocker(code: number, stdout: string): boolean {
  return code === 0 && /LoadState=loaded/.test(stdout);
}

export function dockerdProcess(ctx: EvidenceContext): Promise<DockerdProcess> {
  return ctx.memo('shell:dockerd-process', async () => {
    const [ps, show, unit, config] = await Promise.all([
      ctx.conn.exec(sh`ps -eo args= 2>/dev/null || ps -o args`),
      ctx.conn.exec(sh`systemctl show docker -p LoadState 2>/dev/null`),
      ctx.conn.exec(sh`systemctl cat docker.service 2>/dev/null`),
      daemonJson(ctx),
    ]);
    const args = dockerdArgs(ps.stdout);
    const pidfile =
      (args && flagValue(args, ['--pidfile', '-p'])) ?? daemonString(config, 'pidfile') ?? DEFAULT_PIDFILE;
    return {
      ...(args ? { args } : {}),
      systemd: systemdKnowsDocker(show.code, show.stdout),
      unitExecStart: unit.stdout.split('\n').filter((line) => /^\s*ExecStart=/.test(line)),
      pidfile,
    };
  });
}
