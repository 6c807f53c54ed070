// `mount -o remount,exec /tmp` (docs/checks.md, trouble § 3). Works at once, lasts until reboot (fstab decides then),
// and undoes a hardening someone chose: the result says both. TMPDIR for the tool is the better fix.

import { z } from 'zod';
import { createContext } from '../evidence/context.ts';
import { collectTmpMount } from '../evidence/tmpMount.ts';
import { sh } from '../hosts/shell.ts';
import { type Fix, type FixContext, type FixOutcome, type Operation, proposerOf, type Recheck } from './types.ts';

export const RemountTmpParams = z.object({}).strict();
export type RemountTmpParams = z.infer<typeof RemountTmpParams>;

const REMOUNT = sh`mount -o remount,exec /tmp`;

function plan(): Operation[] {
  return [
    {
      description: 'Check that /tmp is its own mount and noexec',
      command: 'findmnt -rno TARGET,FSTYPE,OPTIONS -T /tmp',
    },
    { description: 'Allow executables in /tmp until the next reboot', command: REMOUNT },
    { description: 'Read the options back', command: 'findmnt -rno TARGET,FSTYPE,OPTIONS -T /tmp' },
  ];
}

async function recheck(ctx: FixContext): Promise<Recheck> {
  const { mount } = await collectTmpMount(createContext(ctx.conn));
  if (!mount) return { ok: false, reason: 'could not find the mount holding /tmp' };
  if (mount.target !== '/tmp')
    return { ok: false, reason: `/tmp is not its own mount (it is part of ${mount.target})` };
  if (!mount.options.includes('noexec')) return { ok: false, reason: '/tmp is not noexec any more' };
  return { ok: true, note: `/tmp: ${mount.options.join(',')}` };
}

async function run(ctx: FixContext): Promise<FixOutcome> {
  const [checkOp, remountOp, readOp] = plan() as [Operation, Operation, Operation];
  const before = await collectTmpMount(createContext(ctx.conn));
  const operations: FixOutcome['operations'] = [{ ...checkOp, result: before.raw.split('\n')[0] ?? '' }];
  if (before.mount?.target !== '/tmp') {
    return { ok: false, summary: 'Not run: /tmp is not its own mount', operations };
  }
  const result = await ctx.conn.exec(REMOUNT, { privileged: true });
  operations.push({
    ...remountOp,
    result: result.code === 0 ? 'done' : `exit ${result.code}: ${result.stderr.trim()}`,
  });
  if (result.code !== 0) {
    return {
      ok: false,
      summary: `Could not remount /tmp: ${result.stderr.trim() || `exit ${result.code}`}`,
      operations,
    };
  }
  const after = await collectTmpMount(createContext(ctx.conn));
  operations.push({ ...readOp, result: after.raw.split('\n')[0] ?? '' });
  const ok = after.mount !== undefined && !after.mount.options.includes('noexec');
  return {
    ok,
    summary: ok
      ? 'Remounted /tmp with exec. This lasts until the next reboot (/etc/fstab decides then) and undoes a hardening someone may have chosen: prefer TMPDIR=/var/tmp/… for the tool that needed it.'
      : `/tmp still shows ${after.mount?.options.join(',') ?? 'no mount'}`,
    operations,
  };
}

export const remountTmpExecFix: Fix<RemountTmpParams> = {
  id: 'remount-tmp-exec',
  title: 'Remount /tmp with exec',
  risk: 'risky',
  params: RemountTmpParams,
  plan,
  recheck,
  run,
};

/** How a check or an alert proposes this fix. */
export const proposeRemountTmpExec = proposerOf(remountTmpExecFix);
