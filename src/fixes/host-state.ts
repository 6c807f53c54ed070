// What a runbook keeps on the host between its steps (each step is its own approval, maybe run by
// another worker): small JSON files under /run/dockmedic/<run>/ (tmpfs, root only, gone at
// reboot), and long commands (a copy of the Docker root, docker save) run detached there, so they
// finish and leave their exit status even when the worker or the SSH connection dies meanwhile.

import type { z } from 'zod';
import { HOLD_FILE, RUNBOOK_STATE_ROOT } from '../evidence/runbookHold.ts';
import { type ShellCommand, sh } from '../hosts/shell.ts';
import type { FixContext } from './types.ts';

export const STATE_ROOT = RUNBOOK_STATE_ROOT;

/**
 * A runbook run: the runbook and the stamp of the check that offered it. Two runbooks offered by one
 * report share a stamp, so the run id keeps their state, backups and rollbacks apart.
 */
export const RUN_ID = /^(move-data-root|switch-to-overlay2)-\d{8}T\d{6}Z$/;

export function runIdOf(runbook: 'move-data-root' | 'switch-to-overlay2', stamp: string): string {
  return `${runbook}-${stamp}`;
}

const POLL_MS = 2000;

export function stateDir(run: string): string {
  return `${STATE_ROOT}/${run}`;
}

export async function saveState(ctx: FixContext, run: string, name: string, value: unknown): Promise<void> {
  const dir = stateDir(run);
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
  run: string,
  name: string,
  schema: z.ZodType<T>,
): Promise<T | undefined> {
  const result = await ctx.conn.exec(sh`cat -- ${`${stateDir(run)}/${name}.json`}`, { privileged: true });
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
  run: string,
  name: string,
  command: ShellCommand,
): Promise<DetachedResult> {
  const dir = stateDir(run);
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

const HOLD = HOLD_FILE;

/**
 * Marks dockerd as stopped on purpose by this runbook, so neither the watchdog (autoStart) nor a
 * "Start docker" button starts it in the middle of a copy; the runbook's own start and its rollback
 * release it.
 */
export async function holdDockerdStopped(ctx: FixContext, run: string): Promise<void> {
  const dir = stateDir(run);
  const result = await ctx.conn.exec(sh`umask 077 && mkdir -p -- ${dir} && printf '%s' ${run} > ${`${dir}/${HOLD}`}`, {
    privileged: true,
  });
  if (result.code !== 0) throw new Error(`could not write ${dir}/${HOLD}: ${result.stderr.trim()}`);
}

export async function releaseDockerd(ctx: FixContext, run: string): Promise<void> {
  await ctx.conn.exec(sh`rm -f -- ${`${stateDir(run)}/${HOLD}`}`, { privileged: true });
}
