import { describe, expect, it } from 'vitest';
import { classify, judgeDeadContainers, parseDu, stampOf } from '../../../src/checks/dead-containers.ts';
import { ContainerList } from '../../../src/evidence/dockerApi.ts';
import { fixtureJson, fixtureText } from './fixtures.ts';

const root = '/var/lib/docker';
const list = ContainerList.parse(fixtureJson('dead-containers/containers-all.json'));
const sizes = parseDu(fixtureText('dead-containers/du-containers.txt'), `${root}/containers`);
const at = Date.parse('2026-11-28T01:06:00Z');

describe('judgeDeadContainers', () => {
  it('finds the container stuck removing and the orphan dir', () => {
    const findings = judgeDeadContainers(classify(list, sizes, root, at));

    expect(findings.map((finding) => finding.severity)).toEqual(['warn', 'warn']);
    expect(findings[0]?.summary).toMatch(/^1 container\(s\) stuck dead or removing: stuck \(\d+ KiB\)$/);
    expect(findings[0]?.evidence?.[0]).toContain('State=removing');
    expect(findings[0]?.fixes?.[0]).toMatchObject({ fix: 'remove-dead-container' });
    expect(findings[1]?.summary).toContain(`director(ies) under ${root}/containers belong to no container`);
    expect(findings[1]?.fixes?.[0]).toMatchObject({
      fix: 'orphan-container-dirs',
      params: { stamp: '20261128T010600Z' },
    });
  });

  it.each([
    ['no containers, no dirs', [], new Map<string, number>(), 'ok'],
    [
      'the dirs of known containers only',
      list.filter((c) => c.State !== 'removing'),
      new Map([...sizes].filter(([id]) => list.some((c) => c.Id === id && c.State !== 'removing'))),
      'ok',
    ],
  ])('%s → %s', (_, containers, dirs, severity) => {
    expect(judgeDeadContainers(classify(containers, dirs, root, at))[0]?.severity).toBe(severity);
  });

  it('stamps the orphans folder', () => {
    expect(stampOf(Date.parse('2026-01-02T03:04:05.678Z'))).toBe('20260102T030405Z');
  });
});
