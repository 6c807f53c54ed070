// Starts a stopped dockerd (seed § 18), the way the host can: systemd, else the init script, else the
// daemon binary itself, detached, with its log appended to /var/log/docker.log. The last way is what
// hosts without an init system need (containers, minimal images, the test lab); plain `dockerd`
// reads /etc/docker/daemon.json, so it starts with the host's own settings. The outcome says which
// way worked, then waits for `_ping` so "started" means "answers".

import { z } from 'zod';
import { createContext } from '../checks/context.ts';
import { pingDocker } from '../checks/evidence/docker.ts';
import { sh } from '../hosts/shell.ts';
import type { Fix, FixContext, FixOutcome, Operation, Recheck } from './types.ts';

export const StartDockerParams = z.object({}).strict();
export type StartDockerParams = z.infer<typeof StartDockerParams>;

const PING_WAIT_MS = 30_000;
const DAEMON_LOG = '/var/log/docker.log';

const OPERATIONS: Operation[] = [
  { description: 'Start docker through systemd, where systemd runs the host', command: 'systemctl start docker' },
  { description: 'Else through its init script', command: 'service docker start' },
  {
    description: 'Else run the daemon binary detached (it reads /etc/docker/daemon.json)',
    command: `setsid dockerd >>${DAEMON_LOG} 2>&1 </dev/null &`,
  },
  { description: 'Wait until the Engine API answers', command: 'GET /_ping' },
];

// A dockerd still shutting down gets 10 s to exit first (a second one would refuse its pidfile).
// Each way is tried only when the one before failed; the marker line says which one worked.
const START = sh`i=0; while ps -eo comm= 2>/dev/null | grep -qx dockerd && [ $i -lt 20 ]; do sleep 0.5; i=$((i+1)); done
if [ -d /run/systemd/system ] && systemctl start docker 2>&1; then echo @@via=systemctl
elif command -v service >/dev/null 2>&1 && service docker start >/dev/null 2>&1 && sleep 1 && pgrep -x dockerd >/dev/null 2>&1; then echo @@via=service
else cd / && (setsid dockerd >>${DAEMON_LOG} 2>&1 </dev/null &) && echo @@via=dockerd; fi`;

const WAYS: Record<string, string> = {
  systemctl: 'with `systemctl start docker`',
  service: 'with `service docker start`',
  dockerd: `by running the daemon binary itself (no systemd, and the init script did not start it); its log is ${DAEMON_LOG}`,
};

async function answers(ctx: FixContext): Promise<boolean> {
  try {
    await pingDocker(createContext(ctx.conn));
    return true;
  } catch {
    return false;
  }
}

async function recheck(ctx: FixContext): Promise<Recheck> {
  if (await answers(ctx)) return { ok: false, reason: 'dockerd is already running (it answers _ping)' };
  return { ok: true };
}

async function waitForPing(ctx: FixContext): Promise<number | undefined> {
  const started = Date.now();
  while (Date.now() - started < PING_WAIT_MS) {
    if (await answers(ctx)) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return undefined;
}

async function run(ctx: FixContext): Promise<FixOutcome> {
  const result = await ctx.conn.exec(START, { privileged: true, timeoutMs: 60_000 });
  const via = /@@via=(\w+)/.exec(result.stdout)?.[1];
  const way = via ? WAYS[via] : undefined;
  const startOp = via === 'systemctl' ? OPERATIONS[0] : via === 'service' ? OPERATIONS[1] : OPERATIONS[2];
  const output = result.stdout.replace(/@@via=\w+\n?/, '').trim() || result.stderr.trim() || 'no output';
  if (!way) {
    return {
      ok: false,
      summary: 'Could not start dockerd: no way of starting it worked',
      operations: [{ ...(startOp as Operation), result: output.slice(0, 500) }],
    };
  }
  const waited = await waitForPing(ctx);
  const pingOp = { ...(OPERATIONS[3] as Operation) };
  if (waited === undefined) {
    const tail = await ctx.conn.exec(sh`tail -n 5 ${DAEMON_LOG} 2>/dev/null`, { privileged: true });
    return {
      ok: false,
      summary: `Started dockerd ${way}, but it did not answer _ping within ${PING_WAIT_MS / 1000} s`,
      operations: [
        { ...(startOp as Operation), result: output.slice(0, 300) },
        { ...pingOp, result: `no answer; last log lines: ${tail.stdout.trim().slice(0, 500)}` },
      ],
    };
  }
  return {
    ok: true,
    summary: `Started dockerd ${way}; it answers _ping after ${(waited / 1000).toFixed(1)} s`,
    operations: [
      { ...(startOp as Operation), result: output.slice(0, 300) },
      { ...pingOp, result: 'OK' },
    ],
  };
}

export const startDockerFix: Fix<StartDockerParams> = {
  id: 'start-docker',
  title: 'Start docker',
  risk: 'risky',
  params: StartDockerParams,
  plan: () => OPERATIONS,
  recheck,
  run,
};
