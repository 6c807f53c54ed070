// Starts a stopped dockerd (docs/checks.md, trouble § 18), the way the host can: systemd, else the init script, else the
// daemon binary itself, detached, with its log appended to /var/log/docker.log. The last way is what
// hosts without an init system need (containers, minimal images, the test lab); plain `dockerd`
// reads /etc/docker/daemon.json, so it starts with the host's own settings. The outcome says which
// way worked, then waits for `_ping` so "started" means "answers".

import { z } from 'zod';
import { createContext } from '../evidence/context.ts';
import { runbookHold } from '../evidence/runbookHold.ts';
import { answers, START_WAYS, startDockerd } from './dockerd-service.ts';
import { type Fix, type FixContext, type FixOutcome, type Operation, proposerOf, type Recheck } from './types.ts';

export const StartDockerParams = z.object({}).strict();
export type StartDockerParams = z.infer<typeof StartDockerParams>;

const OPERATIONS: Operation[] = [
  { description: 'Start docker through systemd, where systemd runs the host', command: START_WAYS.systemctl.command },
  { description: 'Else through its init script', command: START_WAYS.service.command },
  {
    description: 'Else run the daemon binary detached (it reads /etc/docker/daemon.json)',
    command: START_WAYS.dockerd.command,
  },
  { description: 'Wait until the Engine API answers', command: 'GET /_ping' },
];

async function recheck(ctx: FixContext): Promise<Recheck> {
  if (await answers(ctx)) return { ok: false, reason: 'dockerd is already running (it answers _ping)' };
  const hold = await runbookHold(createContext(ctx.conn));
  if (hold) {
    return {
      ok: false,
      reason: `dockerd was stopped on purpose by the runbook run ${hold}, which works on Docker's data: its next step or its rollback starts it`,
    };
  }
  return { ok: true };
}

async function run(ctx: FixContext): Promise<FixOutcome> {
  const started = await startDockerd(ctx);
  const startOp = OPERATIONS.find((operation) => operation.command === started.command) ?? (OPERATIONS[2] as Operation);
  const pingOp = OPERATIONS[3] as Operation;
  if (!started.way) {
    return {
      ok: false,
      summary: 'Could not start dockerd: no way of starting it worked',
      operations: [{ ...startOp, result: started.output.slice(0, 500) }],
    };
  }
  const said = START_WAYS[started.way].said;
  if (!started.ok) {
    return {
      ok: false,
      summary: `Started dockerd ${said}, but it did not answer _ping`,
      operations: [
        { ...startOp, result: 'started' },
        { ...pingOp, result: started.output.slice(0, 500) },
      ],
    };
  }
  return {
    ok: true,
    summary: `Started dockerd ${said}; it answers _ping after ${((started.waitedMs ?? 0) / 1000).toFixed(1)} s`,
    operations: [
      { ...startOp, result: 'started' },
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

/** How a check or an alert proposes this fix. */
export const proposeStartDocker = proposerOf(startDockerFix);
