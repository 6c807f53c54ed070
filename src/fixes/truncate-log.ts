// Empties one container's json-file log (`truncate -s 0`; the guide's `cat /dev/null >` does the
// same). The container keeps its file handle and goes on writing at offset 0, so nothing restarts.
// The path never comes from the approval's params: it is resolved through the Engine API each time
// and must sit where Docker keeps that container's log.

import path from 'node:path';
import { z } from 'zod';
import { createContext } from '../evidence/context.ts';
import { dockerCall, dockerInfo } from '../evidence/docker.ts';
import { formatBytes } from '../format.ts';
import { type ShellCommand, sh } from '../hosts/shell.ts';
import { type Fix, type FixContext, type FixOutcome, type Operation, proposerOf, type Recheck } from './types.ts';

export const TruncateLogParams = z
  .object({ containerId: z.string().regex(/^[0-9a-f]{12,64}$/, 'expected a container id (12 to 64 hex digits)') })
  .strict();
export type TruncateLogParams = z.infer<typeof TruncateLogParams>;

const InspectedContainer = z.looseObject({
  Id: z.string().regex(/^[0-9a-f]{64}$/),
  Name: z.string(),
  LogPath: z.string(),
});

export interface ResolvedLog {
  containerId: string;
  name: string;
  path: string;
}

export function statCommand(logPath: string): ShellCommand {
  return sh`stat -c %s -- ${logPath}`;
}

export function truncateCommand(logPath: string): ShellCommand {
  return sh`truncate -s 0 -- ${logPath}`;
}

/** Pure: is this LogPath where Docker keeps this container's json-file log, and nowhere else? */
export function isContainerLogPath(logPath: string, dockerRootDir: string, containerId: string): boolean {
  if (path.posix.normalize(logPath) !== logPath) return false;
  const dir = `${dockerRootDir.replace(/\/+$/, '')}/containers/${containerId}/`;
  if (!logPath.startsWith(dir)) return false;
  const file = logPath.slice(dir.length);
  return !file.includes('/') && file.endsWith('-json.log') && file.length > '-json.log'.length;
}

/** The container's log, or why there is none to truncate. */
export async function resolveLog(ctx: FixContext, params: TruncateLogParams): Promise<ResolvedLog | string> {
  const context = createContext(ctx.conn);
  const short = params.containerId.slice(0, 12);
  const raw: unknown = await dockerCall(context, `GET /containers/${short}/json`, (docker) =>
    docker
      .getContainer(params.containerId)
      .inspect()
      .catch((error: { statusCode?: number }) => (error.statusCode === 404 ? null : Promise.reject(error))),
  );
  if (raw === null) return `container ${short} no longer exists`;
  const container = InspectedContainer.safeParse(raw);
  if (!container.success) return `container ${short} has no json-file log`;
  const { Id, Name, LogPath } = container.data;
  const name = Name.replace(/^\//, '');
  if (LogPath === '') return `${name} does not log to a json-file`;
  const info = await dockerInfo(context);
  if (!isContainerLogPath(LogPath, info.DockerRootDir, Id)) {
    return `the log path Docker reports for ${name} (${LogPath}) is not under ${info.DockerRootDir}/containers/${Id}/`;
  }
  return { containerId: Id, name, path: LogPath };
}

async function measure(ctx: FixContext, logPath: string): Promise<number | undefined> {
  const result = await ctx.conn.exec(statCommand(logPath), { privileged: true });
  const size = Number(result.stdout.trim());
  return result.code === 0 && Number.isInteger(size) ? size : undefined;
}

function plan(params: TruncateLogParams): Operation[] {
  return [
    {
      description: 'Find the container and its log file through the Engine API',
      command: `GET /containers/${params.containerId}/json → LogPath, required to be <DockerRootDir>/containers/<id>/<id>-json.log`,
    },
    { description: 'Measure the log', command: 'stat -c %s -- <LogPath>' },
    { description: 'Empty the log (the container keeps running and logging)', command: 'truncate -s 0 -- <LogPath>' },
    { description: 'Measure it again to report what was freed', command: 'stat -c %s -- <LogPath>' },
  ];
}

async function preview(ctx: FixContext, params: TruncateLogParams): Promise<Operation[]> {
  const log = await resolveLog(ctx, params);
  if (typeof log === 'string') return plan(params);
  return [
    {
      description: `Find ${log.name} and its log file through the Engine API`,
      command: `GET /containers/${log.containerId}/json → ${log.path}`,
    },
    { description: 'Measure the log', command: statCommand(log.path) },
    { description: `Empty the log of ${log.name} (it keeps running and logging)`, command: truncateCommand(log.path) },
    { description: 'Measure it again to report what was freed', command: statCommand(log.path) },
  ];
}

async function recheck(ctx: FixContext, params: TruncateLogParams): Promise<Recheck> {
  const log = await resolveLog(ctx, params);
  if (typeof log === 'string') return { ok: false, reason: log };
  const size = await measure(ctx, log.path);
  if (size === undefined) return { ok: false, reason: `the log of ${log.name} is gone (${log.path})` };
  if (size === 0) return { ok: false, reason: `the log of ${log.name} is already empty` };
  return { ok: true, note: `the log of ${log.name} holds ${formatBytes(size)}` };
}

async function run(ctx: FixContext, params: TruncateLogParams): Promise<FixOutcome> {
  const operations: FixOutcome['operations'] = [];
  const log = await resolveLog(ctx, params);
  if (typeof log === 'string') return { ok: false, summary: `Not run: ${log}`, operations };
  operations.push({
    description: `Find ${log.name}'s log`,
    command: `GET /containers/${log.containerId}/json`,
    result: log.path,
  });
  const before = await measure(ctx, log.path);
  operations.push({ description: 'Measure the log', command: statCommand(log.path), result: `${before ?? '?'} bytes` });
  if (before === undefined) return { ok: false, summary: `Not run: the log of ${log.name} is gone`, operations };
  const truncate = await ctx.conn.exec(truncateCommand(log.path), { privileged: true });
  const failed = truncate.code !== 0;
  operations.push({
    description: 'Empty the log',
    command: truncateCommand(log.path),
    result: failed ? `exit ${truncate.code}: ${truncate.stderr.trim()}` : 'done',
  });
  if (failed) {
    const reason = truncate.stderr.trim() || `exit ${truncate.code}`;
    return { ok: false, summary: `Could not empty the log of ${log.name}: ${reason}`, operations };
  }
  const after = (await measure(ctx, log.path)) ?? 0;
  operations.push({ description: 'Measure it again', command: statCommand(log.path), result: `${after} bytes` });
  const bytesFreed = Math.max(0, before - after);
  return {
    ok: true,
    summary: `Truncated the log of ${log.name}: freed ${formatBytes(bytesFreed)}`,
    bytesFreed,
    operations,
  };
}

export const truncateLogFix: Fix<TruncateLogParams> = {
  id: 'truncate-log',
  title: "Truncate a container's log",
  risk: 'risky',
  params: TruncateLogParams,
  plan,
  preview,
  recheck,
  run,
};

/** How a check or an alert proposes this fix. */
export const proposeTruncateLog = proposerOf(truncateLogFix);
