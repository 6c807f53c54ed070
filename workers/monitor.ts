// One monitor run on one host (a job scheduler's tick): the configured checks that are registered,
// through the alert rules, and the watchdog's extra work when dockerd goes down. Also the storm
// window's flush job. State is decided in src/alerts, then delivered by src/slack/alertThreads.ts.

import { appendNote, evaluateHost, type OnFire } from '../src/alerts/engine.ts';
import { autoStartDocker, collectBundle, describeAutoStart, WATCHDOG_CHECK } from '../src/alerts/watchdog.ts';
import type { AuditLog } from '../src/audit/log.ts';
import { getCheck, monitoredCheckIds } from '../src/checks/index.ts';
import { runChecks } from '../src/checks/run.ts';
import type { HostConfig } from '../src/config/schema.ts';
import type { HostConnection, HostPool } from '../src/hosts/types.ts';
import { log } from '../src/log.ts';
import { checkDuration, hostReachable } from '../src/metrics.ts';
import type { FlushJob, MonitorJob } from '../src/queue/schedulers.ts';
import { type AlertDeps, deliverAll, flushWindow } from '../src/slack/alertThreads.ts';

export interface MonitorDeps {
  alerts: AlertDeps;
  pool: HostPool;
  audit: AuditLog;
}

export interface MonitorOutcome {
  host: string;
  reachable?: boolean;
  skipped?: string;
  checks?: number;
  unknownChecks?: string[];
}

export async function processMonitorJob(job: MonitorJob, deps: MonitorDeps): Promise<MonitorOutcome> {
  const config = deps.alerts.config.current();
  const host = config.hosts.find((candidate) => candidate.name === job.host);
  // A scheduler outlived its host until the next sync: nothing to do, nothing to say.
  if (!host) return { host: job.host, skipped: 'not in the config' };
  const configured = monitoredCheckIds(config.monitor.checks);
  const ids = configured.filter((id) => getCheck(id));
  const unknown = configured.filter((id) => !getCheck(id));
  let conn: HostConnection;
  try {
    conn = await deps.pool.acquire(host);
  } catch (error) {
    hostReachable.set({ host: host.name }, 0);
    log.warn({ host: host.name, err: (error as Error).message }, 'monitor: host unreachable');
    await deliverAll(deps.alerts, await evaluateHost(deps.alerts, { host, unreachable: error }));
    return { host: host.name, reachable: false };
  }
  hostReachable.set({ host: host.name }, 1);
  const results = await runChecks(conn, ids, { timeoutMs: config.timeouts.command });
  for (const result of results) checkDuration.observe({ check: result.check }, result.durationMs / 1000);
  await deliverAll(deps.alerts, await evaluateHost(deps.alerts, { host, results }, watchdog(deps, host, conn)));
  return { host: host.name, reachable: true, checks: results.length, unknownChecks: unknown };
}

/** daemon-health going crit: the bundle in the thread, and the autoStart policy. */
function watchdog(deps: MonitorDeps, host: HostConfig, conn: HostConnection): OnFire {
  return async (state, event) => {
    if (state.check !== WATCHDOG_CHECK || event.severity !== 'crit') return undefined;
    const bundle = await collectBundle(conn).catch((error: unknown) => [
      `could not collect the bundle: ${(error as Error).message}`,
    ]);
    if (!deps.alerts.config.current().monitor.watchdog.autoStart) return { bundle };
    const outcome = await autoStartDocker(conn);
    const actor = 'dockmedic-watchdog';
    await deps.audit.append({ actor, action: 'fix-start', host: host.name, detail: 'start-docker (autoStart)' });
    await deps.audit.append({
      actor,
      action: 'fix-result',
      host: host.name,
      detail: `start-docker: ${outcome.summary}`.slice(0, 2000),
    });
    await appendNote(deps.alerts, host.name, state.check, describeAutoStart(outcome));
    // Started already (or tried): the button would only confuse.
    return { bundle, fixes: undefined };
  };
}

export async function processFlushJob(job: FlushJob, deps: MonitorDeps): Promise<{ posted: number }> {
  return { posted: await flushWindow(deps.alerts, job.channel) };
}
