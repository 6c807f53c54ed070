// `/docker ps HOST`: every container with its state, health, restart count and json-file log size.
// State and health come from inspecting each container; log sizes from one privileged `stat` of the
// log files (the same evidence the container-logs check uses).

import type { Severity } from '../../src/checks/types.ts';
import { type LogFile, logFiles } from '../../src/evidence/containerLogs.ts';
import { type ContainerDetails, containerStates, detailsName } from '../../src/evidence/containerStates.ts';
import type { EvidenceContext } from '../../src/evidence/context.ts';
import { createContext } from '../../src/evidence/context.ts';
import { dockerRoot } from '../../src/evidence/dockerRoot.ts';
import { log } from '../../src/log.ts';
import { type PsRow, psTable, renderPs } from '../../src/slack/render/ps.ts';
import type { JobHandler } from './types.ts';

/** Pure: one row per container; `logs` undefined means the sizes could not be read at all. */
export function psRows(containers: readonly ContainerDetails[], logs: readonly LogFile[] | undefined): PsRow[] {
  const sizes = new Map((logs ?? []).map((file) => [file.containerId, file.sizeBytes]));
  const rows = containers.map((container): PsRow => {
    const state = container.State;
    const exitCode = state.Status === 'exited' && state.ExitCode !== undefined ? state.ExitCode : undefined;
    const logBytes = sizes.get(container.Id);
    return {
      name: detailsName(container),
      id: container.Id,
      image: container.Config.Image ?? container.Image ?? '',
      state: state.Status,
      ...(exitCode !== undefined ? { exitCode } : {}),
      health: state.Health?.Status ?? '',
      restarts: container.RestartCount ?? 0,
      ...(logBytes !== undefined ? { logBytes } : {}),
    };
  });
  return rows.sort((a, b) => a.name.localeCompare(b.name));
}

/** Pure: an unhealthy, restarting or dead container is worth a look; the rest is just the list. */
export function psWorst(rows: readonly PsRow[]): Severity {
  const troubled = rows.some((row) => row.health === 'unhealthy' || row.state === 'restarting' || row.state === 'dead');
  return troubled ? 'warn' : 'ok';
}

export function psHeadline(rows: readonly PsRow[]): string {
  const counts = new Map<string, number>();
  for (const row of rows) counts.set(row.state, (counts.get(row.state) ?? 0) + 1);
  const unhealthy = rows.filter((row) => row.health === 'unhealthy').length;
  const parts = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([state, count]) => `${count} ${state}`);
  if (unhealthy > 0) parts.push(`${unhealthy} unhealthy`);
  return `${rows.length} container(s)${parts.length > 0 ? `: ${parts.join(', ')}` : ''}`;
}

/** Log sizes are a nice-to-have here: without root or sudo they are unknown, and the list still comes. */
async function logSizes(ctx: EvidenceContext): Promise<LogFile[] | undefined> {
  try {
    const root = await dockerRoot(ctx);
    return await logFiles(ctx, root.path);
  } catch (error) {
    log.warn({ host: ctx.conn.host.name, err: error }, 'could not read container log sizes');
    return undefined;
  }
}

export const psJob: JobHandler = async ({ conn }) => {
  const ctx = createContext(conn);
  const started = Date.now();
  const [containers, logs] = await Promise.all([containerStates(ctx), logSizes(ctx)]);
  const rows = psRows(containers, logs);
  const worst = psWorst(rows);
  const view = {
    host: conn.host.name,
    rows,
    worst,
    logSizesKnown: logs !== undefined,
    durationMs: Date.now() - started,
  };
  const rendered = renderPs(view);
  // Past the message's budget, the whole table comes as a file in the thread.
  const files =
    rendered.hidden > 0
      ? [
          {
            title: `${conn.host.name}: all ${rows.length} containers`,
            filename: `${conn.host.name}-ps.txt`,
            content: `${psTable(rows).join('\n')}\n`,
          },
        ]
      : [];
  return { worst, headline: psHeadline(rows), proposals: [], render: () => renderPs(view), files };
};
