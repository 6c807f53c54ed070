// devicemapper failures in dockerd's log (docs/checks.md, trouble § 4): "dm_task_run failed" and "devicemapper: Error
// running …" mean the thin pool's metadata needs repair; containers then cannot be started,
// stopped or removed. devicemapper itself is gone from Docker 25: the lasting fix is overlay2.

import type { EvidenceContext } from '../evidence/context.ts';
import { type DaemonLogSearch, searchDaemonLog } from '../evidence/daemonLog.ts';
import { dockerInfo, isDockerUnavailable } from '../evidence/docker.ts';
import { dockerRoot } from '../evidence/dockerRoot.ts';
import { devicemapperThinCheckFix, proposeDevicemapperThinCheck } from '../fixes/devicemapper-thin-check.ts';
import type { Check, Finding } from './types.ts';

export const DEVICEMAPPER_ERROR = 'dm_task_run failed|devicemapper: Error running';

export interface DevicemapperErrorsEvidence {
  log: DaemonLogSearch;
  dockerRootDir: string;
  /** The storage driver when dockerd answers. */
  driver?: string;
  /** When the log was read (ms since epoch): lines older than a day do not count. */
  collectedAt: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;

async function collectDevicemapperErrors(ctx: EvidenceContext): Promise<DevicemapperErrorsEvidence> {
  const [log, root, info] = await Promise.all([
    searchDaemonLog(ctx, 'devicemapper', DEVICEMAPPER_ERROR),
    dockerRoot(ctx),
    dockerInfo(ctx).catch((error: unknown) => {
      if (isDockerUnavailable(error)) return undefined;
      throw error;
    }),
  ]);
  return {
    log,
    dockerRootDir: root.path,
    ...(info ? { driver: info.Driver } : {}),
    collectedAt: Date.now(),
  };
}

/** Pure: the time of a dockerd log line (`time="2024-…"` or a leading ISO stamp); undefined if none. */
export function lineTime(line: string): number | undefined {
  const match = /time="([^"]+)"/.exec(line) ?? /^(\d{4}-\d\d-\d\dT[\d:.]+(?:Z|[+-]\d\d:?\d\d))/.exec(line);
  if (!match) return undefined;
  const ms = Date.parse(match[1] as string);
  return Number.isNaN(ms) ? undefined : ms;
}

export function judgeDevicemapperErrors(evidence: DevicemapperErrorsEvidence): Finding[] {
  const { log } = evidence;
  if (!log.readable) {
    return [{ check: 'devicemapper-errors', severity: 'info', summary: `Could not read dockerd's log: ${log.source}` }];
  }
  // journalctl already limits to a day; a file may hold older lines: those without a time count.
  const recent = log.lines.filter((line) => {
    const time = lineTime(line);
    return time === undefined || evidence.collectedAt - time <= DAY_MS;
  });
  if (recent.length === 0) {
    return [
      {
        check: 'devicemapper-errors',
        severity: 'ok',
        summary: 'No devicemapper errors in the last 24 h of the daemon log',
        evidence: [`searched ${log.source} for /${DEVICEMAPPER_ERROR}/`],
      },
    ];
  }
  const metadata = `${evidence.dockerRootDir}/devicemapper/devicemapper/metadata`;
  return [
    {
      check: 'devicemapper-errors',
      severity: 'crit',
      summary: `${recent.length} devicemapper error(s) in the daemon log in the last 24 h: containers may not start, stop or be removed`,
      detail: [
        "The thin pool's metadata needs checking. Runbook (dangerous: stops every container; each step confirmed): stop docker; `thin_check --clear-needs-check-flag` on the pool metadata; start docker.",
        `Metadata: ${metadata}. The guide also deletes ${evidence.dockerRootDir}/containers first: that loses every container's config and log, and is not part of this runbook.`,
        evidence.driver && evidence.driver !== 'devicemapper'
          ? `dockerd now uses ${evidence.driver}: these lines may predate a migration.`
          : 'devicemapper was removed in Docker 25: plan the move to overlay2.',
      ].join('\n'),
      evidence: [`from ${log.source}:`, ...recent.slice(-5)],
      fixes: [
        proposeDevicemapperThinCheck('Runbook: stop docker, thin_check --clear-needs-check-flag, start', {
          dockerRoot: evidence.dockerRootDir,
        }),
      ],
    },
  ];
}

export const devicemapperErrorsCheck: Check<DevicemapperErrorsEvidence> = {
  id: 'devicemapper-errors',
  title: 'devicemapper errors',
  doc: {
    seed: [4],
    evidence: 'daemon log (`journalctl -u docker --since -24h`, or the log file)',
    rule: 'lines with `dm_task_run failed` / `devicemapper: Error running` → crit',
  },
  offers: [devicemapperThinCheckFix],

  collect: collectDevicemapperErrors,
  judge: judgeDevicemapperErrors,
};
