// Container json-file logs (docs/checks.md, trouble § 2): which ones are big, which filesystem they fill, and which
// containers have no `max-size` so their log grows without end.

import type { ContainerLog } from '../evidence/containerLogs.ts';
import { type ContainerLogConfig, containerLogConfigs, logFiles } from '../evidence/containerLogs.ts';
import type { EvidenceContext } from '../evidence/context.ts';
import { daemonJson } from '../evidence/daemonConfig.ts';
import { dockerInfo } from '../evidence/docker.ts';
import { DEFAULT_DOCKER_ROOT } from '../evidence/dockerRoot.ts';
import { blockUsage, type DfBlocksRow } from '../evidence/filesystems.ts';
import { proposeTruncateLog, truncateLogFix } from '../fixes/truncate-log.ts';
import type { FixProposal } from '../fixes/types.ts';
import { formatBytes } from '../format.ts';
import { DISK_USAGE_THRESHOLDS } from './disk-usage.ts';
import type { Check, Finding } from './types.ts';

/** A log this big is worth a warning whatever the disk says. */
export const BIG_LOG_BYTES = 1024 ** 3;
/** …and so is one taking this share of its filesystem. */
export const BIG_LOG_FS_PCT = 10;
/** How many logs are listed and offered for truncation. */
export const TOP_LOGS = 5;

export interface ContainerLogsEvidence {
  dockerRootDir: string;
  logs: ContainerLog[];
  containers: ContainerLogConfig[];
  /** The filesystem the logs live on (the one holding the Docker root dir). */
  filesystem?: DfBlocksRow;
  daemon: {
    logDriver?: string;
    /** `log-opts.max-size` in daemon.json: the default for containers created from now on. */
    defaultMaxSize?: string;
  };
}

async function collectContainerLogs(ctx: EvidenceContext): Promise<ContainerLogsEvidence> {
  // What does not depend on the Docker root dir starts beside /info, and the log sizes are asked
  // for under the usual root meanwhile (used when /info names it): the shell evidence of a run then
  // goes out in one batch. /info still decides first: dockerd down fails this check as before.
  const independent = Promise.all([containerLogConfigs(ctx), blockUsage(ctx).catch(() => undefined), daemonJson(ctx)]);
  independent.catch(() => {});
  logFiles(ctx, DEFAULT_DOCKER_ROOT).catch(() => {});
  const info = await dockerInfo(ctx);
  const [files, [containers, disk, config]] = await Promise.all([logFiles(ctx, info.DockerRootDir), independent]);
  const byId = new Map(containers.map((container) => [container.id, container]));
  const logs: ContainerLog[] = files.map((file) => ({
    containerId: file.containerId,
    containerName: byId.get(file.containerId)?.name ?? file.containerId.slice(0, 12),
    path: file.path,
    sizeBytes: file.sizeBytes,
  }));
  const logOpts = config.config?.['log-opts'];
  const defaultMaxSize =
    typeof logOpts === 'object' && logOpts !== null ? (logOpts as Record<string, unknown>)['max-size'] : undefined;
  const filesystem = disk?.filesystems.find((fs) => fs.holdsDockerRoot)?.row;
  return {
    dockerRootDir: info.DockerRootDir,
    logs,
    containers,
    ...(filesystem ? { filesystem } : {}),
    daemon: {
      ...(info.LoggingDriver ? { logDriver: info.LoggingDriver } : {}),
      ...(typeof defaultMaxSize === 'string' ? { defaultMaxSize } : {}),
    },
  };
}

export function truncateLogProposal(log: ContainerLog): FixProposal {
  return proposeTruncateLog(`Truncate log of ${log.containerName} (${formatBytes(log.sizeBytes)})`, {
    containerId: log.containerId,
  });
}

export function isBigLog(log: ContainerLog, filesystem: DfBlocksRow | undefined): boolean {
  if (log.sizeBytes >= BIG_LOG_BYTES) return true;
  if (!filesystem || filesystem.sizeBytes === 0) return false;
  return (log.sizeBytes * 100) / filesystem.sizeBytes >= BIG_LOG_FS_PCT;
}

function describe(log: ContainerLog, filesystem: DfBlocksRow | undefined): string {
  const share = filesystem?.sizeBytes
    ? `, ${((log.sizeBytes * 100) / filesystem.sizeBytes).toFixed(1)}% of ${filesystem.mount}`
    : '';
  return `${log.containerName}: ${formatBytes(log.sizeBytes)}${share}`;
}

function sizesFinding(evidence: ContainerLogsEvidence): Finding {
  const { filesystem } = evidence;
  const top = [...evidence.logs].sort((a, b) => b.sizeBytes - a.sizeBytes).slice(0, TOP_LOGS);
  const big = top.filter((log) => isBigLog(log, filesystem));
  const diskPressure = filesystem !== undefined && filesystem.usedPct >= DISK_USAGE_THRESHOLDS.warn;
  const finding: Finding = {
    check: 'container-logs',
    severity: 'ok',
    summary: top[0]
      ? `Biggest container log: ${top[0].containerName} (${formatBytes(top[0].sizeBytes)})`
      : 'No container json-file logs',
    evidence: top.map((log) => `${log.path}: ${log.sizeBytes} bytes`),
  };
  if (top.length > 0) finding.detail = `Biggest logs:\n${top.map((log) => describe(log, filesystem)).join('\n')}`;
  // With the filesystem filling up, the biggest logs are worth emptying whatever their size.
  const offered = diskPressure ? top.filter((log) => log.sizeBytes > 0) : big;
  if (big.length > 0) {
    finding.severity = 'warn';
    finding.summary = `${big.length} container log(s) are big: ${big.map((log) => `${log.containerName} (${formatBytes(log.sizeBytes)})`).join(', ')}`;
  } else if (diskPressure && offered.length > 0) {
    finding.severity = 'warn';
    finding.summary = `${filesystem.mount} is ${filesystem.usedPct}% full; the biggest container logs could be emptied: ${offered
      .map((log) => `${log.containerName} (${formatBytes(log.sizeBytes)})`)
      .join(', ')}`;
  }
  if (offered.length > 0 && finding.severity !== 'ok') finding.fixes = offered.map(truncateLogProposal);
  return finding;
}

function maxSizeFinding(evidence: ContainerLogsEvidence): Finding | undefined {
  const unbounded = evidence.containers.filter(
    (container) => container.logDriver === 'json-file' && !container.maxSize,
  );
  if (unbounded.length === 0) return undefined;
  const names = unbounded.map((container) => container.name);
  const daemonDefault = evidence.daemon.defaultMaxSize
    ? `daemon.json already sets log-opts max-size=${evidence.daemon.defaultMaxSize}, but these containers were created before it: recreate them to apply it.`
    : 'Set a default in /etc/docker/daemon.json, e.g. "log-driver": "json-file", "log-opts": {"max-size": "100m", "max-file": "3"}, then restart dockerd. It applies to containers created afterwards only: existing ones keep their settings until recreated.';
  return {
    check: 'container-logs',
    severity: 'info',
    summary: `${unbounded.length} container(s) log to json-file without max-size: ${names.slice(0, 10).join(', ')}${
      names.length > 10 ? ', …' : ''
    }`,
    detail: `Their logs grow until the disk is full. ${daemonDefault}`,
    evidence: unbounded.map((container) => `${container.name}: HostConfig.LogConfig json-file, no max-size`),
  };
}

export function judgeContainerLogs(evidence: ContainerLogsEvidence): Finding[] {
  const findings = [sizesFinding(evidence)];
  const maxSize = maxSizeFinding(evidence);
  if (maxSize) findings.push(maxSize);
  return findings;
}

export const containerLogsCheck: Check<ContainerLogsEvidence> = {
  id: 'container-logs',
  title: 'Container logs',
  doc: {
    seed: [2],
    evidence: 'size of every `*-json.log` under `<root>/containers`, per container',
    rule: 'a log ≥1 GiB or ≥10 % of its filesystem → warn (top 5 listed with container names); when that filesystem is warn/crit, its biggest logs are offered for truncation whatever their size; any container using json-file without `max-size` → info',
    advice:
      "`risky`: truncate one container's log (`truncate -s 0 <path>`; the guide's `cat /dev/null >` does the same); recommend daemon.json `log-opts` `max-size`/`max-file` (applies to new containers only: say so)",
  },
  offers: [truncateLogFix],

  diskcheck: true,
  diskSummary: true,
  monitorByDefault: true,
  collect: collectContainerLogs,
  judge: judgeContainerLogs,
};
