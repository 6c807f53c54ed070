// Rewrites one crontab line without its TTY options (docs/checks.md, trouble § 13, 14): `-it` → `-i`, `-t`/`--tty`
// dropped. The file must be a crontab (fixed places), the line must still ask for a TTY; a backup
// is kept beside it under a dot-name that neither Debian cron nor cronie reads as a crontab.

import path from 'node:path';
import { z } from 'zod';
import { CRONTAB_DIRS, CRONTAB_FILES, findTtyUses, rewriteLine } from '../evidence/crontabs.ts';
import { sh } from '../hosts/shell.ts';
import { type Fix, type FixContext, type FixOutcome, type Operation, proposerOf, type Recheck } from './types.ts';

/** Pure: is this a crontab path the fix may touch? */
export function isCrontabPath(file: string): boolean {
  if (path.posix.normalize(file) !== file || file.includes('\0')) return false;
  if (CRONTAB_FILES.includes(file)) return true;
  return CRONTAB_DIRS.some((dir) => {
    if (!file.startsWith(dir)) return false;
    const rest = file.slice(dir.length);
    // One level (/etc/cron.d/x, /var/spool/cron/user) or crontabs/user; no dot-files (backups).
    const parts = rest.split('/');
    const name = parts[parts.length - 1] ?? '';
    const shape = parts.length === 1 || (parts.length === 2 && parts[0] === 'crontabs');
    return shape && /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,100}$/.test(name);
  });
}

export const CronDropTtyParams = z
  .object({
    file: z
      .string()
      .max(200)
      .refine(isCrontabPath, 'expected a crontab under /etc/crontab, /etc/cron.d/ or /var/spool/cron/'),
    line: z.number().int().min(1).max(10_000),
  })
  .strict();
export type CronDropTtyParams = z.infer<typeof CronDropTtyParams>;

export function backupOf(file: string, stamp: number): string {
  return `${path.posix.dirname(file)}/.${path.posix.basename(file)}.bak-${stamp}`;
}

interface Located {
  text: string;
  lines: string[];
  before: string;
  after: string;
}

async function locate(ctx: FixContext, params: CronDropTtyParams): Promise<Located | string> {
  const result = await ctx.conn.exec(sh`cat -- ${params.file}`, { privileged: true });
  if (result.code !== 0) return `${params.file} cannot be read: ${result.stderr.trim()}`;
  if (result.stdout.length > 256 * 1024) return `${params.file} is over 256 KiB`;
  const lines = result.stdout.split('\n');
  const before = lines[params.line - 1];
  if (before === undefined) return `${params.file} has no line ${params.line} any more`;
  if (findTtyUses(before).length === 0) return `${params.file} line ${params.line} no longer asks docker for a TTY`;
  return { text: result.stdout, lines, before, after: rewriteLine(before) };
}

function plan(params: CronDropTtyParams): Operation[] {
  return [
    { description: 'Read the crontab and check the line', command: `cat -- ${params.file}` },
    {
      description: 'Keep a backup beside it (a dot-file cron ignores)',
      command: `cp -p -- ${params.file} ${backupOf(params.file, 0).replace(/0$/, '<timestamp>')}`,
    },
    {
      description: `Rewrite line ${params.line} without -t/--tty (-it becomes -i); owner and mode kept`,
      command: `write ${params.file}`,
    },
  ];
}

async function preview(ctx: FixContext, params: CronDropTtyParams): Promise<Operation[]> {
  const located = await locate(ctx, params);
  if (typeof located === 'string') return plan(params);
  const [readOp, backupOp, writeOp] = plan(params) as [Operation, Operation, Operation];
  return [
    readOp,
    backupOp,
    { ...writeOp, description: `${writeOp.description}:\n- ${located.before}\n+ ${located.after}` },
  ];
}

async function recheck(ctx: FixContext, params: CronDropTtyParams): Promise<Recheck> {
  const located = await locate(ctx, params);
  if (typeof located === 'string') return { ok: false, reason: located };
  return { ok: true, note: `line ${params.line}: ${located.before.trim()}` };
}

async function run(ctx: FixContext, params: CronDropTtyParams): Promise<FixOutcome> {
  const [readOp, backupOp, writeOp] = plan(params) as [Operation, Operation, Operation];
  const operations: FixOutcome['operations'] = [];
  const located = await locate(ctx, params);
  if (typeof located === 'string') return { ok: false, summary: `Not run: ${located}`, operations };
  operations.push({ ...readOp, result: `line ${params.line}: ${located.before.trim()}` });
  const backup = backupOf(params.file, Date.now());
  const copy = sh`cp -p -- ${params.file} ${backup}`;
  const copied = await ctx.conn.exec(copy, { privileged: true });
  operations.push({
    ...backupOp,
    command: copy,
    result: copied.code === 0 ? backup : `failed: ${copied.stderr.trim()}`,
  });
  if (copied.code !== 0) return { ok: false, summary: `Not run: could not back up ${params.file}`, operations };
  const lines = [...located.lines];
  lines[params.line - 1] = located.after;
  // Written in place (`>` keeps the inode, owner and mode cron expects); the text is the file's own.
  const write = sh`printf '%s' ${lines.join('\n')} > ${params.file}`;
  const written = await ctx.conn.exec(write, { privileged: true });
  const diff = `- ${located.before}\n+ ${located.after}`;
  operations.push({
    ...writeOp,
    command: `printf '%s' <new text> > ${params.file}`,
    result: written.code === 0 ? diff : `failed: ${written.stderr.trim()}`,
  });
  if (written.code !== 0) {
    return {
      ok: false,
      summary: `Could not write ${params.file} (backup at ${backup}): ${written.stderr.trim()}`,
      operations,
    };
  }
  return {
    ok: true,
    summary: `Rewrote ${params.file} line ${params.line} without a TTY (backup ${backup}):\n${diff}`,
    operations,
  };
}

export const cronDropTtyFix: Fix<CronDropTtyParams> = {
  id: 'cron-drop-tty',
  title: 'Drop -t from a cron job',
  risk: 'risky',
  params: CronDropTtyParams,
  plan,
  preview,
  recheck,
  run,
};

/** How a check or an alert proposes this fix. */
export const proposeCronDropTty = proposerOf(cronDropTtyFix);
