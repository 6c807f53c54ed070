// Containers switched to a non-root user (docs/checks.md, trouble § 17) that then cannot write where the program
// expects (nginx's temp paths, pid file, log file): "Permission denied" / "(13: Permission denied)"
// in their recent logs. Containers still running as root are noted: the switch is worth making.

import { type ContainerDetails, containerStates, detailsName, runsAsRoot } from '../evidence/containerStates.ts';
import type { EvidenceContext } from '../evidence/context.ts';
import { dockerCall } from '../evidence/docker.ts';
import type { Check, Finding } from './types.ts';

/** How far back logs are read, and how many lines at most per container. */
export const LOG_WINDOW_S = 24 * 60 * 60;
export const LOG_TAIL_LINES = 200;
export const PERMISSION_DENIED = /Permission denied|EACCES/i;

export interface UserContainer {
  id: string;
  name: string;
  user: string;
  state: string;
  /** Log lines (last day, last 200) that report a permission error. */
  deniedLines: string[];
}

export interface ContainerUserEvidence {
  nonRoot: UserContainer[];
  rootNames: string[];
}

/**
 * Pure: the Engine API's log stream into lines. Without a TTY each chunk has an 8-byte header
 * (stream, 0, 0, 0, big-endian length); with one the bytes come raw.
 */
export function demuxLogs(buffer: Buffer, tty: boolean): string[] {
  if (tty) return buffer.toString('utf8').split(/\r?\n/).filter(Boolean);
  const chunks: string[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const length = buffer.readUInt32BE(offset + 4);
    chunks.push(buffer.subarray(offset + 8, offset + 8 + length).toString('utf8'));
    offset += 8 + length;
  }
  return chunks.join('').split(/\r?\n/).filter(Boolean);
}

async function recentLogs(ctx: EvidenceContext, container: ContainerDetails): Promise<string[]> {
  const since = Math.floor(Date.now() / 1000) - LOG_WINDOW_S;
  const raw = await dockerCall(
    ctx,
    `GET /containers/${container.Id.slice(0, 12)}/logs`,
    (docker) =>
      docker
        .getContainer(container.Id)
        .logs({ stdout: true, stderr: true, follow: false, tail: LOG_TAIL_LINES, since }) as Promise<unknown>,
  ).catch(() => undefined);
  if (!Buffer.isBuffer(raw)) return [];
  return demuxLogs(raw, container.Config.Tty === true);
}

async function collectContainerUser(ctx: EvidenceContext): Promise<ContainerUserEvidence> {
  const containers = await containerStates(ctx);
  const nonRoot: UserContainer[] = [];
  const rootNames: string[] = [];
  for (const container of containers) {
    const user = container.Config.User ?? '';
    if (runsAsRoot(user)) {
      rootNames.push(detailsName(container));
      continue;
    }
    const lines = await recentLogs(ctx, container);
    nonRoot.push({
      id: container.Id,
      name: detailsName(container),
      user,
      state: container.State.Status,
      deniedLines: lines.filter((line) => PERMISSION_DENIED.test(line)).slice(-5),
    });
  }
  return { nonRoot, rootNames };
}

export function judgeContainerUser(evidence: ContainerUserEvidence): Finding[] {
  const findings: Finding[] = [];
  for (const container of evidence.nonRoot) {
    if (container.deniedLines.length === 0) continue;
    findings.push({
      check: 'container-user',
      severity: 'warn',
      summary: `${container.name} runs as user ${container.user} and logs permission errors: "${container.deniedLines[0]?.trim().slice(0, 160)}"`,
      detail:
        "The program tries to write where that user may not. Point its writable paths somewhere it owns (the guide's nginx example: *_temp_path under /tmp, pid in /dev/shm, error_log in a writable dir), or mount a volume owned by that uid (`chown` it once), rather than going back to root.",
      evidence: container.deniedLines.map((line) => `${container.name} (${container.state}): ${line.trim()}`),
    });
  }
  if (evidence.rootNames.length > 0) {
    findings.push({
      check: 'container-user',
      severity: 'info',
      summary: `${evidence.rootNames.length} container(s) run as root: ${evidence.rootNames.slice(0, 10).join(', ')}${evidence.rootNames.length > 10 ? ', …' : ''}`,
      detail:
        'A process running as root in a container is root on the host if it breaks out. Set USER in the image or `--user`/compose `user:`, and give that user the paths it writes.',
      evidence: evidence.rootNames.slice(0, 10).map((name) => `${name}: Config.User empty or root`),
    });
  }
  if (findings.length > 0) return findings;
  return [
    {
      check: 'container-user',
      severity: 'ok',
      summary:
        evidence.nonRoot.length === 0
          ? 'No containers'
          : `${evidence.nonRoot.length} non-root container(s), no permission errors in their logs`,
      evidence: evidence.nonRoot.map((container) => `${container.name}: user ${container.user}`),
    },
  ];
}

export const containerUserCheck: Check<ContainerUserEvidence> = {
  id: 'container-user',
  title: 'Container users',
  doc: {
    seed: [17],
    evidence: 'Config.User; recent logs with `Permission denied` / `(13: Permission denied)`',
    rule: 'a non-root container logging permission errors → warn, quoting the line; root containers → info',
    advice:
      "advice: writable paths (the guide's nginx example: temp paths, pid in /dev/shm) or a volume with the right owner",
  },
  collect: collectContainerUser,
  judge: judgeContainerUser,
};
