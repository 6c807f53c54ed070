import { describe, expect, it } from 'vitest';
import { judgeContainerHealth } from '../../../src/checks/container-health.ts';
import { ContainerDetails } from '../../../src/checks/evidence/containerStates.ts';
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

  it('offers a restart for an unhealthy container only', () => {
    const findings = judgeContainerHealth({ containers: ['wedged', 'crashloop', 'hog'].map(inspected) });

    expect(findings.map((finding) => finding.fixes?.[0]?.fix)).toEqual(['restart-container', undefined, undefined]);
    expect(findings[0]?.evidence?.[0]).toMatch(/^State.Health.Status=unhealthy, last probe exit 1/);
  });
});
