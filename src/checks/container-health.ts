// Containers in trouble (docs/checks.md, trouble § 18): failing their HEALTHCHECK, restarting in a loop, or killed by
// the kernel for going over their memory limit. Evidence: each container's State and RestartCount.

import { type ContainerDetails, containerStates, detailsName } from '../evidence/containerStates.ts';
import type { EvidenceContext } from '../evidence/context.ts';
import { proposeRestartContainer, restartContainerFix } from '../fixes/restart-container.ts';
import type { Check, Finding } from './types.ts';

/** A container restarted at least this often is in a loop (the daemon's own backoff doubles each time). */
export const RESTART_LOOP_COUNT = 3;

export interface ContainerHealthEvidence {
  containers: ContainerDetails[];
}

async function collectContainerHealth(ctx: EvidenceContext): Promise<ContainerHealthEvidence> {
  return { containers: await containerStates(ctx) };
}

function lastHealthOutput(container: ContainerDetails): string | undefined {
  const log = container.State.Health?.Log ?? [];
  const last = log[log.length - 1];
  if (!last) return undefined;
  const output = (last.Output ?? '').trim().split('\n')[0] ?? '';
  return `last probe exit ${last.ExitCode ?? '?'}${output ? `: ${output.slice(0, 200)}` : ''}`;
}

function unhealthyFinding(container: ContainerDetails): Finding {
  const name = detailsName(container);
  const probe = lastHealthOutput(container);
  return {
    check: 'container-health',
    severity: 'warn',
    summary: `${name} is unhealthy (${container.State.Health?.FailingStreak ?? '?'} failed health checks in a row)`,
    detail:
      'Its HEALTHCHECK fails. Docker does not restart unhealthy containers by itself (only orchestrators do); a restart helps when the process is wedged, not when a dependency is down.',
    evidence: [`State.Health.Status=unhealthy${probe ? `, ${probe}` : ''}`],
    fixes: [proposeRestartContainer(`Restart ${name}`, { containerId: container.Id })],
  };
}

function loopFinding(container: ContainerDetails): Finding {
  const name = detailsName(container);
  const { State } = container;
  const oom = State.OOMKilled ? ', killed for memory (OOMKilled)' : '';
  return {
    check: 'container-health',
    severity: 'crit',
    summary: `${name} is restarting in a loop: ${container.RestartCount ?? 0} restarts, last exit code ${State.ExitCode ?? '?'}${oom}`,
    detail: `Its restart policy (${container.HostConfig?.RestartPolicy?.Name || 'none'}) starts it again each time it exits; \`docker logs ${name}\` shows why it exits. Restarting it by hand will not help.`,
    evidence: [
      `State.Status=${State.Status}, Restarting=${State.Restarting ?? false}, RestartCount=${container.RestartCount ?? 0}, ExitCode=${State.ExitCode ?? '?'}`,
      ...(State.Error ? [`State.Error: ${State.Error}`] : []),
    ],
  };
}

function oomFinding(container: ContainerDetails): Finding {
  const name = detailsName(container);
  const limit = container.HostConfig?.Memory ? ` of ${Math.round(container.HostConfig.Memory / 1024 ** 2)} MiB` : '';
  return {
    check: 'container-health',
    severity: 'warn',
    summary: `${name} was killed for going over its memory limit${limit} (OOMKilled)`,
    detail:
      "The kernel's OOM killer ended its main process. Raise the limit (`--memory`, compose `mem_limit` / `deploy.resources.limits.memory`) or make the program use less; it needs recreating either way.",
    evidence: [
      `State.OOMKilled=true, State.Status=${container.State.Status}, ExitCode=${container.State.ExitCode ?? '?'}, FinishedAt=${container.State.FinishedAt ?? '?'}`,
    ],
  };
}

/** SIGKILL (128 + 9) with a memory limit set: how an OOM kill looks when dockerd missed the event. */
export const SIGKILL_EXIT = 137;

/**
 * dockerd learns of an OOM kill from a cgroup event that can be missed (busy hosts, a daemon
 * restarted meanwhile), and then records only exit 137. With a memory limit set that is most likely
 * the OOM killer too, so it is reported, worded as likely, rather than passed over.
 */
export function likelyOomKilled(container: ContainerDetails): boolean {
  const { State } = container;
  return (
    !State.OOMKilled &&
    State.Status === 'exited' &&
    State.ExitCode === SIGKILL_EXIT &&
    (container.HostConfig?.Memory ?? 0) > 0
  );
}

function likelyOomFinding(container: ContainerDetails): Finding {
  const name = detailsName(container);
  const limit = Math.round((container.HostConfig?.Memory ?? 0) / 1024 ** 2);
  return {
    check: 'container-health',
    severity: 'warn',
    summary: `${name} was killed (exit 137, SIGKILL) under a memory limit of ${limit} MiB: most likely the OOM killer`,
    detail:
      "dockerd did not record OOMKilled, but exit 137 with a memory limit is what the kernel's OOM killer leaves behind (or someone ran `docker kill`). `dmesg | grep -i oom` on the host tells for sure. Raise the limit or make the program use less.",
    evidence: [
      `State.OOMKilled=false, State.Status=exited, ExitCode=137, HostConfig.Memory=${container.HostConfig?.Memory}, FinishedAt=${container.State.FinishedAt ?? '?'}`,
    ],
  };
}

export function isRestartLoop(container: ContainerDetails): boolean {
  return container.State.Restarting === true || (container.RestartCount ?? 0) >= RESTART_LOOP_COUNT;
}

export function judgeContainerHealth(evidence: ContainerHealthEvidence): Finding[] {
  const findings: Finding[] = [];
  for (const container of evidence.containers) {
    if (isRestartLoop(container)) {
      findings.push(loopFinding(container));
      continue;
    }
    if (container.State.OOMKilled) findings.push(oomFinding(container));
    if (likelyOomKilled(container)) findings.push(likelyOomFinding(container));
    if (container.State.Health?.Status === 'unhealthy') findings.push(unhealthyFinding(container));
  }
  if (findings.length > 0) return findings;
  const withHealth = evidence.containers.filter((container) => container.State.Health);
  return [
    {
      check: 'container-health',
      severity: 'ok',
      summary: `${evidence.containers.length} container(s): none unhealthy, restarting in a loop or OOM-killed`,
      evidence: withHealth.map((container) => `${detailsName(container)}: health ${container.State.Health?.Status}`),
    },
  ];
}

export const containerHealthCheck: Check<ContainerHealthEvidence> = {
  id: 'container-health',
  title: 'Container health',
  doc: {
    seed: [18],
    evidence: 'State.Health, RestartCount, OOMKilled, exit codes',
    rule: 'unhealthy, restarting in a loop, OOMKilled → warn/crit',
  },
  offers: [restartContainerFix],

  monitorByDefault: true,
  collect: collectContainerHealth,
  judge: judgeContainerHealth,
};
