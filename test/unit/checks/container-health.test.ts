import { describe, expect, it } from 'vitest';
import { judgeContainerHealth } from '../../../src/checks/container-health.ts';
import { ContainerDetails } from '../../../src/evidence/containerStates.ts';
import { fixtureJson } from './fixtures.ts';

function inspected(name: string): ContainerDetails {
  return ContainerDetails.parse(fixtureJson(`container-health/inspect-${name}.json`));
}

describe('judgeContainerHealth', () => {
  it.each([
    ['calm', 'ok', /^1 container\(s\): none unhealthy/],
    ['wedged', 'warn', /^wedged is unhealthy/],
    ['sick', 'warn', /^sick is unhealthy/],
    ['crashloop', 'crit', /^crashloop is restarting in a loop: \d+ restarts, last exit code 1$/],
    ['hog', 'warn', /^hog was killed for going over its memory limit of 8 MiB \(OOMKilled\)$/],
  ])('%s → %s', (name, severity, summary) => {
    const [finding] = judgeContainerHealth({ containers: [inspected(name)] });

    expect(finding?.severity).toBe(severity);
    expect(finding?.summary).toMatch(summary);
  });

  it('reports exit 137 under a memory limit as a likely OOM kill when dockerd missed the event (the hog fixture as a busy lab host recorded it: OOMKilled=false)', () => {
    const missed = inspected('hog');
    missed.State.OOMKilled = false;
    missed.State.ExitCode = 137;

    const [finding] = judgeContainerHealth({ containers: [missed] });

    expect(finding?.severity).toBe('warn');
    expect(finding?.summary).toBe(
      'hog was killed (exit 137, SIGKILL) under a memory limit of 8 MiB: most likely the OOM killer',
    );
    expect(finding?.evidence?.[0]).toMatch(
      /^State.OOMKilled=false, State.Status=exited, ExitCode=137, HostConfig.Memory=8388608/,
    );
  });

  it('does not call exit 137 an OOM kill without a memory limit (that is `docker kill`)', () => {
    const killed = inspected('hog');
    killed.State.OOMKilled = false;
    killed.State.ExitCode = 137;
    if (killed.HostConfig) killed.HostConfig.Memory = 0;

    expect(judgeContainerHealth({ containers: [killed] }).map((f) => f.severity)).toEqual(['ok']);
  });

  it('offers a restart for an unhealthy container only', () => {
    const findings = judgeContainerHealth({ containers: ['wedged', 'crashloop', 'hog'].map(inspected) });

    expect(findings.map((finding) => finding.fixes?.[0]?.fix)).toEqual(['restart-container', undefined, undefined]);
    expect(findings[0]?.evidence?.[0]).toMatch(/^State.Health.Status=unhealthy, last probe exit 1/);
  });
});
