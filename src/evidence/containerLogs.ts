// Sizes of the json-file logs under <root>/containers/<id>/<id>-json.log, with the container each
// belongs to and its log options. One privileged `find … -exec stat` (the files are root-owned and
// `find -printf` is GNU-only), then the Engine API for names and LogConfig.

import { z } from 'zod';
import { sh } from '../hosts/shell.ts';
import type { EvidenceContext } from './context.ts';
import { dockerCall } from './docker.ts';
import { type ContainerSummary, containerName, eachContainer } from './dockerApi.ts';

export const LogFile = z.object({
  containerId: z.string().regex(/^[0-9a-f]{64}$/),
  path: z.string().startsWith('/'),
  sizeBytes: z.number().int().nonnegative(),
});
export type LogFile = z.infer<typeof LogFile>;

const STAT_LINE = /^(\d+) (\/.+)$/;

/** Pure: `stat -c '%s %n'` lines into log files; only paths shaped like a json-file log count. */
export function parseLogStat(stdout: string, dockerRootDir: string): LogFile[] {
  const logs: LogFile[] = [];
  const prefix = `${dockerRootDir.replace(/\/+$/, '')}/containers/`;
  for (const line of stdout.split('\n')) {
    const match = STAT_LINE.exec(line.trim());
    if (!match) continue;
    const path = match[2] as string;
    if (!path.startsWith(prefix)) continue;
    const [id, file] = path.slice(prefix.length).split('/');
    if (file !== `${id}-json.log`) continue;
    const parsed = LogFile.safeParse({ containerId: id, path, sizeBytes: Number(match[1]) });
    if (parsed.success) logs.push(parsed.data);
  }
  return logs;
}

export function logFiles(ctx: EvidenceContext, dockerRootDir: string): Promise<LogFile[]> {
  return ctx.memo(`shell:log-files:${dockerRootDir}`, async () => {
    const dir = `${dockerRootDir.replace(/\/+$/, '')}/containers`;
    const result = await ctx.conn.exec(
      sh`find ${dir} -mindepth 2 -maxdepth 2 -type f -name '*-json.log' -exec stat -c '%s %n' {} +`,
      { privileged: true },
    );
    // A missing containers dir (no container ever ran) is no logs, not an error.
    return parseLogStat(result.stdout, dockerRootDir);
  });
}

const ContainerInspect = z.looseObject({
  Id: z.string(),
  Name: z.string(),
  LogPath: z.string().optional(),
  HostConfig: z.looseObject({
    LogConfig: z.object({ Type: z.string(), Config: z.record(z.string(), z.string()).nullish() }).optional(),
  }),
});
export type ContainerInspect = z.infer<typeof ContainerInspect>;

export interface ContainerLogConfig {
  id: string;
  name: string;
  state?: string;
  logDriver?: string;
  /** `max-size` from the container's LogConfig (the daemon's default log-opts land there at creation). */
  maxSize?: string;
}

/** Every container (running or not) with its log driver and max-size. */
export function containerLogConfigs(ctx: EvidenceContext): Promise<ContainerLogConfig[]> {
  return ctx.memo('docker:container-log-configs', () =>
    eachContainer(ctx, (summary) => inspectLogConfig(ctx, summary)),
  );
}

async function inspectLogConfig(
  ctx: EvidenceContext,
  summary: z.infer<typeof ContainerSummary>,
): Promise<ContainerLogConfig> {
  const config: ContainerLogConfig = {
    id: summary.Id,
    name: containerName(summary.Names, summary.Id),
    ...(summary.State ? { state: summary.State } : {}),
  };
  const raw: unknown = await dockerCall(ctx, `GET /containers/${summary.Id.slice(0, 12)}/json`, (docker) =>
    docker.getContainer(summary.Id).inspect(),
  ).catch(() => undefined);
  const parsed = ContainerInspect.safeParse(raw);
  // Removed between list and inspect, or an odd answer: the name is still worth showing.
  if (!parsed.success) return config;
  const logConfig = parsed.data.HostConfig.LogConfig;
  if (logConfig) config.logDriver = logConfig.Type;
  const maxSize = logConfig?.Config?.['max-size'];
  if (maxSize) config.maxSize = maxSize;
  return config;
}

export interface ContainerLog {
  containerId: string;
  containerName: string;
  path: string;
  sizeBytes: number;
}
