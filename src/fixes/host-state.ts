// What a runbook keeps on the host between its steps (each step is its own approval, maybe run by
// another worker): small JSON files under /run/dockmedic/<stamp>/ (tmpfs, root only, gone at
// reboot), and long commands (a copy of the Docker root, docker save) run detached there, so they
// finish and leave their exit status even when the worker or the SSH connection dies meanwhile.

import type { z } from 'zod';
import { type ShellCommand, sh } from '../hosts/shell.ts';
import type { FixContext } from './types.ts';

export const STATE_ROOT = '/run/dockmedic';
const POLL_MS = 2000;

export function stateDir(stamp: string): string {
  return `${STATE_ROOT}/${stamp}`;
}

export async function saveState(ctx: FixContext, stamp: string, name: string, value: unknown): Promise<void> {
  const dir = stateDir(stamp);
  const text = JSON.stringify(value);
  const result = await ctx.conn.exec(
    sh`umask 077 && mkdir -p -- ${dir} && printf '%s' ${text} > ${`${dir}/${name}.json`}`,
    { privileged: true },
  );
  if (result.code !== 0) throw new Error(`could not write ${dir}/${name}.json: ${result.stderr.trim()}`);
}

/** The saved value, or undefined when there is none (another host, a reboot) or it does not parse. */
export async function loadState<T>(
  ctx: FixContext,
  stamp: string,
  name: string,
  schema: z.ZodType<T>,
): Promise<T | undefined> {
  const result = await ctx.conn.exec(sh`cat -- ${`${stateDir(stamp)}/${name}.json`}`, { privileged: true });
  if (result.code !== 0) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(result.stdout));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export interface DetachedResult {
  /** The command's exit status; undefined when it vanished without one (killed, host rebooted). */
  code?: number;
  /** The last lines it printed. */
  tail: string;
  seconds: number;
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `command` detached on the host (its own session, output to <state>/<name>.log, exit status
 * to <name>.rc) and waits for it, however long it takes. A second call while it still runs waits
 * for the same run instead of starting another.
 */
export async function runDetached(
  ctx: FixContext,
  stamp: string,
  name: string,
  command: ShellCommand,
): Promise<DetachedResult> {
  const dir = stateDir(stamp);
  const [pid, rc, log] = [`${dir}/${name}.pid`, `${dir}/${name}.rc`, `${dir}/${name}.log`];
  const inner = `${command}; echo $? > ${rc}`;
  const started = Date.now();
  const launch = await ctx.conn.exec(
    sh`umask 077 && mkdir -p -- ${dir} && if [ -e ${pid} ] && [ ! -e ${rc} ] && kill -0 "$(cat ${pid})" 2>/dev/null; then echo @@already; exit 0; fi
rm -f -- ${rc} && cd / && (setsid sh -c ${inner} </dev/null >${log} 2>&1 & echo $! > ${pid}) && echo @@started`,
    { privileged: true },
  );
  if (!/@@(started|already)/.test(launch.stdout)) {
    return { tail: `could not start it: ${launch.stderr.trim() || `exit ${launch.code}`}`, seconds: 0 };
  }
  for (;;) {
    const poll = await ctx.conn.exec(
      sh`if [ -e ${rc} ]; then echo "@@rc=$(cat ${rc})"; elif kill -0 "$(cat ${pid} 2>/dev/null)" 2>/dev/null; then echo @@running; else echo @@gone; fi`,
      { privileged: true },
    );
    const done = /@@rc=(\d+)/.exec(poll.stdout);
    if (done || /@@gone/.test(poll.stdout)) {
      const tail = await ctx.conn.exec(sh`tail -n 15 -- ${log} 2>/dev/null`, { privileged: true });
      return {
        ...(done ? { code: Number(done[1]) } : {}),
        tail: tail.stdout.trim().slice(-1500),
        seconds: Math.round((Date.now() - started) / 1000),
      };
    }
    await wait(POLL_MS);
  }
}
