// Stopping, starting and reloading dockerd, with or without systemd. Hosts without an init system
// that knows docker (containers, OpenRC boxes, the test lab) get the fallback: signals to the pid
// in dockerd's pidfile, and the daemon binary started detached with its log file. Every answer says
// which way was used.

import { createContext } from '../evidence/context.ts';
import { pingDocker } from '../evidence/docker.ts';
import { dockerdProcess } from '../evidence/dockerdProcess.ts';
import { sh } from '../hosts/shell.ts';
import type { FixContext } from './types.ts';

/** Where a dockerd started by the fallback writes its output (what the daemon log evidence reads). */
export const DOCKERD_LOG_FILE = '/var/log/docker.log';
const WAIT_MS = 30_000;

export interface ServiceResult {
  ok: boolean;
  /** The command(s) run, for the operations list. */
  command: string;
  output: string;
}

function waitFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** True when the Engine API answers `_ping`. */
export async function answers(ctx: FixContext): Promise<boolean> {
  try {
    await pingDocker(createContext(ctx.conn));
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(check: () => Promise<boolean>, ms = WAIT_MS): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await waitFor(300);
  }
  return check();
}

/** The pid in dockerd's pidfile when that process is alive and is dockerd. */
async function dockerdPid(ctx: FixContext, pidfile: string): Promise<number | undefined> {
  const result = await ctx.conn.exec(
    sh`p=$(cat -- ${pidfile} 2>/dev/null); case "$p" in ''|*[!0-9]*) exit 3;; esac; [ "$(cat /proc/$p/comm 2>/dev/null)" = dockerd ] || exit 4; echo "$p"`,
    {
      privileged: true,
    },
  );
  const pid = Number(result.stdout.trim());
  return result.code === 0 && Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

export async function stopDockerd(ctx: FixContext): Promise<ServiceResult> {
  const proc = await dockerdProcess(createContext(ctx.conn));
  if (proc.systemd) {
    const command = sh`systemctl stop docker.socket docker.service`;
    const result = await ctx.conn.exec(command, { privileged: true, timeoutMs: 90_000 });
    const ok = result.code === 0;
    return { ok, command, output: ok ? 'stopped with systemctl' : `systemctl failed: ${result.stderr.trim()}` };
  }
  const pid = await dockerdPid(ctx, proc.pidfile);
  if (pid === undefined) {
    const up = await answers(ctx);
    return {
      ok: !up,
      command: `kill -TERM <pid in ${proc.pidfile}>`,
      output: up ? `dockerd answers but ${proc.pidfile} names no dockerd process` : 'dockerd was not running',
    };
  }
  const command = sh`kill -TERM ${pid}`;
  const result = await ctx.conn.exec(command, { privileged: true });
  if (result.code !== 0) return { ok: false, command, output: `kill failed: ${result.stderr.trim()}` };
  const gone = await waitUntil(async () => (await dockerdPid(ctx, proc.pidfile)) === undefined);
  return {
    ok: gone,
    command,
    output: gone
      ? `no systemd: sent SIGTERM to dockerd (pid ${pid} from ${proc.pidfile}); it exited`
      : `no systemd: sent SIGTERM to dockerd (pid ${pid}) but it still runs after ${WAIT_MS / 1000} s`,
  };
}

/**
 * Stops containerd where it is a service of its own (systemd's containerd.service, as Docker CE and
 * most distributions install it). A containerd that dockerd started itself (no systemd, the test
 * lab) has already stopped with dockerd; starting docker through systemd starts containerd again.
 */
export async function stopContainerd(ctx: FixContext): Promise<ServiceResult> {
  const proc = await dockerdProcess(createContext(ctx.conn));
  if (!proc.systemd) {
    return { ok: true, command: 'none', output: 'no systemd: a containerd started by dockerd stops with it' };
  }
  const active = await ctx.conn.exec(sh`systemctl is-active containerd.service`, { privileged: true });
  if (active.stdout.trim() !== 'active') {
    return { ok: true, command: 'systemctl is-active containerd.service', output: 'containerd.service is not running' };
  }
  const command = sh`systemctl stop containerd.service`;
  const result = await ctx.conn.exec(command, { privileged: true, timeoutMs: 90_000 });
  const ok = result.code === 0;
  return { ok, command, output: ok ? 'stopped containerd.service' : `systemctl failed: ${result.stderr.trim()}` };
}

// A dockerd still shutting down gets 10 s to exit first (a second one would refuse its pidfile).
// Each way is tried only when the one before failed; the marker line says which one worked. The
// fallback subshell exits at once: no process is left holding the session's stdout open.
const START = sh`i=0; while ps -eo comm= 2>/dev/null | grep -qx dockerd && [ $i -lt 20 ]; do sleep 0.5; i=$((i+1)); done
if [ -d /run/systemd/system ] && systemctl start docker 2>&1; then echo @@via=systemctl
elif command -v service >/dev/null 2>&1 && service docker start >/dev/null 2>&1 && sleep 1 && pgrep -x dockerd >/dev/null 2>&1; then echo @@via=service
else cd / && (setsid dockerd </dev/null >>${DOCKERD_LOG_FILE} 2>&1 &) && echo @@via=dockerd; fi`;

export const START_WAYS = {
  systemctl: { command: 'systemctl start docker', said: 'with `systemctl start docker`' },
  service: { command: 'service docker start', said: 'with `service docker start`' },
  dockerd: {
    command: `setsid dockerd >>${DOCKERD_LOG_FILE} 2>&1 </dev/null &`,
    said: `by running the daemon binary itself (no systemd, and the init script did not start it); its log is ${DOCKERD_LOG_FILE}`,
  },
} as const;
export type StartWay = keyof typeof START_WAYS;

export interface StartResult extends ServiceResult {
  /** Which way started it, when one did. */
  way?: StartWay;
  /** How long `_ping` took to answer after the start, when it did. */
  waitedMs?: number;
}

/**
 * Starts dockerd the first way that works here: systemd, the init script, or the daemon binary
 * itself (hosts without an init system), then waits for `_ping` so "started" means "answers".
 */
export async function startDockerd(ctx: FixContext): Promise<StartResult> {
  if (await answers(ctx)) return { ok: true, command: 'GET /_ping', output: 'dockerd was already running' };
  const result = await ctx.conn.exec(START, { privileged: true, timeoutMs: 60_000 });
  const via = /@@via=(\w+)/.exec(result.stdout)?.[1];
  const way = via && via in START_WAYS ? (via as StartWay) : undefined;
  const output = result.stdout.replace(/@@via=\w+\n?/, '').trim() || result.stderr.trim() || 'no output';
  if (!way)
    return { ok: false, command: START_WAYS.dockerd.command, output: `no way of starting dockerd worked: ${output}` };
  const started = Date.now();
  const up = await waitUntil(() => answers(ctx));
  if (up) {
    return {
      ok: true,
      way,
      waitedMs: Date.now() - started,
      command: START_WAYS[way].command,
      output: `started ${START_WAYS[way].said}; GET /_ping answers`,
    };
  }
  const tail = await ctx.conn.exec(sh`tail -n 5 -- ${DOCKERD_LOG_FILE} 2>/dev/null`, { privileged: true });
  return {
    ok: false,
    way,
    command: START_WAYS[way].command,
    output: `started ${START_WAYS[way].said}, but it does not answer after ${WAIT_MS / 1000} s; last log lines: ${tail.stdout.trim().slice(0, 500)}`,
  };
}

/** Makes dockerd re-read daemon.json (SIGHUP): reloadable settings apply, containers keep running. */
export async function reloadDockerd(ctx: FixContext): Promise<ServiceResult> {
  const proc = await dockerdProcess(createContext(ctx.conn));
  if (proc.systemd) {
    const command = sh`systemctl reload docker.service`;
    const result = await ctx.conn.exec(command, { privileged: true });
    const ok = result.code === 0;
    return { ok, command, output: ok ? 'reloaded with systemctl reload docker' : `systemctl: ${result.stderr.trim()}` };
  }
  const pid = await dockerdPid(ctx, proc.pidfile);
  if (pid === undefined) {
    return {
      ok: false,
      command: `kill -HUP <pid in ${proc.pidfile}>`,
      output: `${proc.pidfile} names no running dockerd`,
    };
  }
  const command = sh`kill -HUP ${pid}`;
  const result = await ctx.conn.exec(command, { privileged: true });
  const ok = result.code === 0;
  return {
    ok,
    command,
    output: ok
      ? `no systemd: sent SIGHUP to dockerd (pid ${pid} from ${proc.pidfile})`
      : `kill -HUP failed: ${result.stderr.trim()}`,
  };
}
