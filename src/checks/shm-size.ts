// /dev/shm of running containers (docs/checks.md, trouble § 9). Docker gives each container a 64 MiB /dev/shm unless
// told otherwise; programs that share memory through it (PyTorch data loaders, Chrome, PostgreSQL)
// die with SIGBUS — "Bus error" — when it is full. Usage is read inside the container (`df -P
// /dev/shm` by exec), the symptom from its recent log.

import { EXEC_CONCURRENCY, execInContainer, inBatches, recentLogs } from '../evidence/containerExec.ts';
import { type ContainerSpec, composeOrigin, describeOrigin, runningContainerSpecs } from '../evidence/containerSpec.ts';
import type { EvidenceContext } from '../evidence/context.ts';
import { formatBytes } from '../format.ts';
import { redactText } from '../redact.ts';
import type { Check, Finding } from './types.ts';

export const SHM_WARN_PCT = 90;
/** How much of each container's log is searched for "Bus error". */
export const LOG_TAIL_LINES = 1000;
export const LOG_SINCE_SECONDS = 24 * 3600;
/** Containers looked at per run; the rest are named as not checked. */
export const MAX_CONTAINERS = 50;
const MAX_QUOTED_LINES = 3;

export interface ShmUsage {
  sizeBytes: number;
  usedBytes: number;
  availBytes: number;
  usedPct: number;
}

export interface ShmContainer {
  name: string;
  image: string;
  /** HostConfig.ShmSize in bytes. */
  shmSize: number;
  ipcMode: string;
  labels: Record<string, string>;
  usage?: ShmUsage;
  /** Why usage is unknown (no df in the image, no /dev/shm with --ipc none, exec refused). */
  usageProblem?: string;
  /** Log lines mentioning "Bus error" (redacted, at most a few). */
  busErrors: string[];
  logProblem?: string;
}

export interface ShmSizeEvidence {
  containers: ShmContainer[];
  /** Running containers beyond MAX_CONTAINERS, not looked at. */
  notChecked: string[];
}

const DF_LINE = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%\s+(\/\S*)$/;

/** Pure: `df -P /dev/shm` (GNU or busybox) into bytes; the block size comes from the header. */
export function parseShmDf(stdout: string): ShmUsage | undefined {
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  const unit = Number(/(\d+)-blocks/i.exec(lines[0] ?? '')?.[1] ?? 1024);
  for (const line of lines.slice(1)) {
    const match = DF_LINE.exec(line.trim());
    if (!match) continue;
    return {
      sizeBytes: Number(match[2]) * unit,
      usedBytes: Number(match[3]) * unit,
      availBytes: Number(match[4]) * unit,
      usedPct: Number(match[5]),
    };
  }
  return undefined;
}

/** Pure: the log lines that report a bus error (SIGBUS), as shells and runtimes print it. */
export function findBusErrors(log: string): string[] {
  return log
    .split('\n')
    .filter((line) => /\bbus error\b|\bSIGBUS\b/i.test(line))
    .map((line) => redactText(line.trim()).slice(0, 300));
}

async function shmUsage(
  ctx: EvidenceContext,
  spec: ContainerSpec,
): Promise<Pick<ShmContainer, 'usage' | 'usageProblem'>> {
  try {
    const result = await execInContainer(ctx, spec.id, ['df', '-P', '/dev/shm']);
    const usage = result.exitCode === 0 ? parseShmDf(result.stdout) : undefined;
    if (usage) return { usage };
    const reason = result.timedOut ? 'timed out' : result.stderr.trim() || result.stdout.trim() || 'no output';
    return { usageProblem: `df -P /dev/shm: ${reason.slice(0, 200)} (exit ${result.exitCode ?? '?'})` };
  } catch (error) {
    return { usageProblem: error instanceof Error ? error.message : String(error) };
  }
}

async function busErrors(
  ctx: EvidenceContext,
  spec: ContainerSpec,
): Promise<Pick<ShmContainer, 'busErrors' | 'logProblem'>> {
  try {
    const log = await recentLogs(ctx, spec.id, { tail: LOG_TAIL_LINES, sinceSeconds: LOG_SINCE_SECONDS });
    return { busErrors: findBusErrors(log).slice(0, MAX_QUOTED_LINES) };
  } catch (error) {
    return { busErrors: [], logProblem: error instanceof Error ? error.message : String(error) };
  }
}

async function inspectShm(ctx: EvidenceContext, spec: ContainerSpec): Promise<ShmContainer> {
  const [usage, logs] = await Promise.all([shmUsage(ctx, spec), busErrors(ctx, spec)]);
  return {
    name: spec.name,
    image: spec.image,
    shmSize: spec.shmSize,
    ipcMode: spec.ipcMode,
    labels: spec.labels,
    ...usage,
    ...logs,
  };
}

async function collectShmSize(ctx: EvidenceContext): Promise<ShmSizeEvidence> {
  const running = await runningContainerSpecs(ctx);
  const looked = running.slice(0, MAX_CONTAINERS);
  // Each container costs an exec and a log read: two channels, so fewer containers at once.
  const containers = await inBatches(looked, Math.max(1, EXEC_CONCURRENCY - 1), (spec) => inspectShm(ctx, spec));
  return { containers, notChecked: running.slice(MAX_CONTAINERS).map((spec) => spec.name) };
}

function advice(container: ShmContainer): string {
  const origin = composeOrigin(container.labels);
  // Four times what it has, at least 256 MiB: a size to start from, not a measured need.
  const bigger = `${Math.max(256, Math.ceil((container.shmSize * 4) / 1024 ** 2))}m`;
  const where = origin
    ? `In ${describeOrigin(origin)} set \`shm_size: ${bigger}\` on the service and recreate it (\`docker compose up -d\`).`
    : `Recreate it with \`docker run --shm-size=${bigger} …\` (compose: \`shm_size: ${bigger}\`).`;
  return `${where} Its /dev/shm is ${formatBytes(container.shmSize)} (Docker's default is 64 MiB). Also check the container's own disk: a full filesystem gives the same error.`;
}

function containerFindings(container: ShmContainer): Finding[] {
  const findings: Finding[] = [];
  const usage = container.usage;
  const usageLine = usage
    ? `${container.name}: df -P /dev/shm: ${formatBytes(usage.usedBytes)} of ${formatBytes(usage.sizeBytes)} used (${usage.usedPct}%)`
    : undefined;
  if (container.busErrors.length > 0) {
    findings.push({
      check: 'shm-size',
      severity: 'crit',
      summary: `${container.name} logged "Bus error"${usage ? `; its /dev/shm is ${usage.usedPct}% full` : ''}`,
      detail: advice(container),
      evidence: [
        ...container.busErrors.map((line) => `${container.name} log: ${line}`),
        ...(usageLine ? [usageLine] : []),
      ],
    });
  } else if (usage && usage.usedPct >= SHM_WARN_PCT) {
    findings.push({
      check: 'shm-size',
      severity: 'warn',
      summary: `/dev/shm of ${container.name} is ${usage.usedPct}% full (${formatBytes(usage.usedBytes)} of ${formatBytes(usage.sizeBytes)})`,
      detail: `Programs that need shared memory will die with "Bus error". ${advice(container)}`,
      evidence: usageLine ? [usageLine] : [],
    });
  }
  return findings;
}

export function judgeShmSize(evidence: ShmSizeEvidence): Finding[] {
  const findings = evidence.containers.flatMap(containerFindings);
  const unmeasured = evidence.containers.filter((container) => !container.usage);
  const notes: string[] = [];
  if (unmeasured.length > 0) {
    notes.push(
      `/dev/shm not measured in ${unmeasured.length} container(s): ${unmeasured
        .map((container) => `${container.name} (${container.usageProblem ?? 'unknown'})`)
        .join('; ')}`,
    );
  }
  if (evidence.notChecked.length > 0)
    notes.push(`Not checked (over ${MAX_CONTAINERS}): ${evidence.notChecked.join(', ')}`);
  if (findings.length > 0) return findings;
  const measured = evidence.containers.length - unmeasured.length;
  return [
    {
      check: 'shm-size',
      severity: 'ok',
      summary:
        evidence.containers.length === 0
          ? 'No running containers'
          : `/dev/shm below ${SHM_WARN_PCT}% in ${measured} container(s); no "Bus error" in their logs of the last 24 h`,
      ...(notes.length > 0 ? { detail: notes.join('\n') } : {}),
    },
  ];
}

export const shmSizeCheck: Check<ShmSizeEvidence> = {
  id: 'shm-size',
  title: 'Container /dev/shm',
  doc: {
    seed: [9],
    evidence: 'each running container\'s ShmSize and `df -P /dev/shm` inside it; "Bus error" in recent logs',
    rule: '/dev/shm ≥90 % used → warn; "Bus error" in logs → crit',
    advice: 'advice: recreate with `--shm-size` / compose `shm_size`',
  },
  monitorByDefault: true,
  collect: collectShmSize,
  judge: judgeShmSize,
};
