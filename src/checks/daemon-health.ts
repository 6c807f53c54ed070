// Is dockerd up, and will it come back by itself (docs/checks.md, trouble § 18)? The Engine API `_ping` says whether it
// answers; systemd (where it runs the host) says whether it starts at boot and restarts on failure;
// without systemd the process table, the pidfile and the socket say what is left of it. Every
// finding names the evidence it used. The "down" finding is the very one runChecks posts when this
// check was not asked for (dockerdDownFinding), so a report never says it twice in two ways.

import { type DaemonState, daemonState } from '../evidence/daemonState.ts';
import { isDockerUnavailable, pingDocker } from '../evidence/docker.ts';
import { HOLD_FILE, RUNBOOK_STATE_ROOT, runbookHold } from '../evidence/runbookHold.ts';
import { dockerRestartPolicyFix, proposeDockerRestartPolicy } from '../fixes/docker-restart-policy.ts';
import { proposeRestoreDocker, RestoreDockerParams, restoreDockerFix } from '../fixes/restore-docker.ts';
import { proposeStartDocker, startDockerFix } from '../fixes/start-docker.ts';
import type { Check, Finding } from './types.ts';

export interface DaemonHealthEvidence {
  host: string;
  /** Undefined when `_ping` answered; else why it did not. */
  pingError?: string;
  state: DaemonState;
  /** The run of a dockmedic runbook that stopped dockerd on purpose and holds it stopped. */
  heldBy?: string;
}

/** The check id that carries "dockerd is not running" when the daemon-health check itself did not run. */
export const DAEMON_HEALTH_CHECK = 'daemon-health';

/** The one finding for a daemon that does not answer; the others say they were skipped. */
export function dockerdDownFinding(host: string, reason: string | undefined): Finding {
  return {
    check: DAEMON_HEALTH_CHECK,
    severity: 'crit',
    summary: `dockerd is not running on ${host}`,
    detail:
      'Containers that depend on it are down or cannot be managed. Disk and inode checks ran over the shell anyway; the Docker-side checks were skipped.',
    ...(reason ? { evidence: [`GET /_ping: ${reason}`] } : {}),
  };
}

function processLines(state: DaemonState): string[] {
  const lines: string[] = [];
  if (state.systemd) lines.push(`systemctl is-active docker: ${state.active ?? '?'}`);
  lines.push(
    state.processes.length > 0 ? `process table: ${state.processes.join('; ')}` : 'process table: no dockerd process',
  );
  const { pidfile } = state;
  if (pidfile.pid === undefined) lines.push(`pidfile ${pidfile.path}: absent`);
  else
    lines.push(`pidfile ${pidfile.path}: pid ${pidfile.pid}, ${pidfile.alive ? 'running' : 'stale (no such process)'}`);
  lines.push(`socket ${state.socket.path}: ${state.socket.present ? 'present' : 'absent'}`);
  return lines;
}

function evidenceUsed(state: DaemonState): string {
  return state.systemd
    ? 'Evidence: Engine API _ping, systemd (is-active, is-enabled, NRestarts, Restart=), the process table.'
    : 'Evidence: Engine API _ping, the process table, the pidfile and the socket (this host has no systemd).';
}

/** dockerd stopped by a runbook: say so, and offer that runbook's rollback rather than a plain start. */
function heldFinding(evidence: DaemonHealthEvidence, run: string): Finding {
  const base = dockerdDownFinding(evidence.host, evidence.pingError);
  const params = RestoreDockerParams.safeParse({ run });
  return {
    ...base,
    summary: `dockerd is stopped on ${evidence.host}: the dockmedic runbook run ${run} stopped it on purpose`,
    detail:
      'The runbook works on Docker’s data (a copy, a driver change) and holds dockerd stopped until its own start step: the watchdog and Start docker leave it alone. Approve its next step in its thread, or roll it back.',
    evidence: [
      ...(base.evidence ?? []),
      `${RUNBOOK_STATE_ROOT}/${run}/${HOLD_FILE}: present`,
      ...processLines(evidence.state),
    ],
    ...(params.success
      ? { fixes: [proposeRestoreDocker('Roll back the runbook: previous daemon.json, start dockerd', params.data)] }
      : {}),
  };
}

function downFinding(evidence: DaemonHealthEvidence): Finding {
  const { state } = evidence;
  if (evidence.heldBy) return heldFinding(evidence, evidence.heldBy);
  const base = dockerdDownFinding(evidence.host, evidence.pingError);
  const running = state.processes.length > 0;
  return {
    ...base,
    summary: running ? `dockerd is running on ${evidence.host} but does not answer its API` : base.summary,
    detail: `${base.detail} ${evidenceUsed(state)}`,
    evidence: [...(base.evidence ?? []), ...processLines(state)],
    // Offered even while a process remains: it may be on its way out, and the fix waits for that.
    fixes: [proposeStartDocker('Start docker', {})],
  };
}

export function judgeDaemonHealth(evidence: DaemonHealthEvidence): Finding[] {
  const { state, host } = evidence;
  if (evidence.pingError !== undefined) return [downFinding(evidence)];
  const findings: Finding[] = [
    {
      check: 'daemon-health',
      severity: 'ok',
      summary: `dockerd answers on ${host}`,
      detail: evidenceUsed(state),
      evidence: ['GET /_ping: OK', ...processLines(state)],
    },
  ];
  if (!state.systemd) return findings;
  if (state.enabled !== undefined && state.enabled !== 'enabled') {
    findings.push({
      check: 'daemon-health',
      severity: 'warn',
      summary: `docker.service is not enabled at boot on ${host} (is-enabled: ${state.enabled})`,
      detail: 'After a reboot dockerd stays down until someone starts it. `systemctl enable docker` fixes it.',
      evidence: [`systemctl is-enabled docker: ${state.enabled}`],
    });
  }
  if (state.restart === undefined || state.restart === 'no') {
    findings.push({
      check: 'daemon-health',
      severity: 'info',
      summary: `docker.service has no Restart= policy on ${host}: a crashed dockerd stays down`,
      detail:
        'A systemd drop-in with Restart=always restarts it within seconds, and says so in the journal; the ' +
        "guide's cron job running `systemctl start docker` every minute leaves up to a minute of outage and hides crash loops.",
      evidence: [`systemctl show docker -p Restart: Restart=${state.restart ?? '(unset)'}`],
      fixes: [proposeDockerRestartPolicy('Add Restart=always', {})],
    });
  }
  if ((state.nRestarts ?? 0) > 0) {
    findings.push({
      check: 'daemon-health',
      severity: 'info',
      summary: `systemd restarted dockerd ${state.nRestarts} time(s) on ${host} since the unit started`,
      evidence: [`systemctl show docker -p NRestarts: NRestarts=${state.nRestarts}`],
    });
  }
  return findings;
}

export const daemonHealthCheck: Check<DaemonHealthEvidence> = {
  id: 'daemon-health',
  title: 'Docker daemon health',
  doc: {
    seed: [18],
    evidence:
      "Engine API `_ping`; `systemctl is-active/is-enabled docker` and NRestarts where systemd exists, else the process table and the daemon's pidfile/socket",
    rule: 'down → crit (held stopped by a dockmedic runbook: says so and offers its rollback); not enabled at boot → warn; no `Restart=` policy → info',
  },
  offers: [dockerRestartPolicyFix, startDockerFix, restoreDockerFix],

  monitorByDefault: true,
  // The watchdog fires at once: a stopped dockerd is an outage, not a trend.
  rule: { forMs: 0 },
  async collect(ctx) {
    let pingError: string | undefined;
    try {
      await pingDocker(ctx);
    } catch (error) {
      if (!isDockerUnavailable(error)) throw error;
      pingError = (error as { userMessage?: string }).userMessage ?? 'no answer';
    }
    const heldBy = pingError === undefined ? undefined : await runbookHold(ctx);
    return { host: ctx.conn.host.name, pingError, state: await daemonState(ctx), ...(heldBy ? { heldBy } : {}) };
  },
  judge: judgeDaemonHealth,
};
