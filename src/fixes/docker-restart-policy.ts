// Makes systemd restart a crashed dockerd (docs/checks.md, trouble § 18): a drop-in with Restart=always. This beats the
// guide's cron job running `systemctl start docker` every minute: systemd restarts it within seconds,
// counts the restarts (NRestarts) and backs off on a crash loop instead of hiding it. Hosts without
// systemd are refused with the reason: there is nothing to put a drop-in into.

import { z } from 'zod';
import { sh } from '../hosts/shell.ts';
import { type Fix, type FixContext, type FixOutcome, type Operation, proposerOf, type Recheck } from './types.ts';

export const RestartPolicyParams = z.object({}).strict();
export type RestartPolicyParams = z.infer<typeof RestartPolicyParams>;

const DROP_IN_DIR = '/etc/systemd/system/docker.service.d';
const DROP_IN = `${DROP_IN_DIR}/10-dockmedic-restart.conf`;
const CONTENT = '[Service]\nRestart=always\nRestartSec=5s\n';

const OPERATIONS: Operation[] = [
  { description: 'Create the drop-in directory', command: `mkdir -p ${DROP_IN_DIR}` },
  { description: 'Write the drop-in (Restart=always, RestartSec=5s)', command: `printf '…' > ${DROP_IN}` },
  { description: 'Make systemd read it (dockerd keeps running)', command: 'systemctl daemon-reload' },
];

const HAS_SYSTEMD = sh`[ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1`;

async function recheck(ctx: FixContext): Promise<Recheck> {
  const systemd = await ctx.conn.exec(HAS_SYSTEMD);
  if (systemd.code !== 0) {
    return { ok: false, reason: 'this host does not run systemd, so there is no unit to give a Restart= policy' };
  }
  const show = await ctx.conn.exec(sh`systemctl show docker -p Restart`);
  if (/^Restart=always$/m.test(show.stdout)) return { ok: false, reason: 'docker.service already has Restart=always' };
  return { ok: true };
}

async function run(ctx: FixContext): Promise<FixOutcome> {
  const check = await recheck(ctx);
  if (!check.ok) return { ok: false, summary: `Not run: ${check.reason}`, operations: [] };
  const script = sh`mkdir -p ${DROP_IN_DIR} && printf %s ${CONTENT} > ${DROP_IN} && systemctl daemon-reload`;
  const result = await ctx.conn.exec(script, { privileged: true });
  const output = (result.stdout + result.stderr).trim() || 'done';
  const operations = OPERATIONS.map((operation) => ({ ...operation, result: result.code === 0 ? 'done' : output }));
  if (result.code !== 0)
    return { ok: false, summary: `Could not add the drop-in: ${output.slice(0, 300)}`, operations };
  return { ok: true, summary: `Added ${DROP_IN}: systemd now restarts dockerd when it dies`, operations };
}

export const dockerRestartPolicyFix: Fix<RestartPolicyParams> = {
  id: 'docker-restart-policy',
  title: 'Restart policy for docker.service',
  risk: 'risky',
  params: RestartPolicyParams,
  plan: () => OPERATIONS,
  recheck,
  run,
};

/** How a check or an alert proposes this fix. */
export const proposeDockerRestartPolicy = proposerOf(dockerRestartPolicyFix);
