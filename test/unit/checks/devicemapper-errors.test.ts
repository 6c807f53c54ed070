import { describe, expect, it } from 'vitest';
import { DEVICEMAPPER_ERROR, judgeDevicemapperErrors, lineTime } from '../../../src/checks/devicemapper-errors.ts';
import { parseDaemonLogSearch } from '../../../src/evidence/daemonLog.ts';
import { fixtureText } from './fixtures.ts';

const tail = fixtureText('devicemapper-errors/docker-log-tail.txt');
const matching = tail.split('\n').filter((line) => new RegExp(DEVICEMAPPER_ERROR).test(line));
const at = Date.parse('2026-11-28T02:00:00Z');

function evidence(lines: string[], collectedAt = at) {
  return {
    log: parseDaemonLogSearch(`source=file /var/log/docker.log\n${lines.join('\n')}\n`),
    dockerRootDir: '/var/lib/docker',
    driver: 'vfs',
    collectedAt,
  };
}

// devicemapper cannot run here: the error line in the fixture is constructed (see its README).
describe('judgeDevicemapperErrors (constructed devicemapper line in a real daemon log)', () => {
  it.each([
    ['the error line, an hour old', matching, at, 'crit'],
    ['the error line, two days old', matching, at + 2 * 86_400_000, 'ok'],
    ['only the real lines around it', [], at, 'ok'],
  ])('%s → %s', (_, lines, collectedAt, severity) => {
    expect(judgeDevicemapperErrors(evidence(lines, collectedAt))[0]?.severity).toBe(severity);
  });

  it('quotes the line and says which log was read', () => {
    const [finding] = judgeDevicemapperErrors(evidence(matching));

    expect(finding?.evidence).toEqual([
      'from /var/log/docker.log (last 20000 lines):',
      expect.stringContaining('dm_task_run failed'),
    ]);
    expect(finding?.fixes?.[0]).toMatchObject({
      fix: 'devicemapper-thin-check',
      params: { dockerRoot: '/var/lib/docker' },
    });
  });

  it('says when no log could be read', () => {
    const [finding] = judgeDevicemapperErrors({ ...evidence([]), log: parseDaemonLogSearch('') });

    expect(finding).toMatchObject({
      severity: 'info',
      summary: expect.stringContaining("Could not read dockerd's log"),
    });
  });

  it('reads dockerd and ISO times', () => {
    expect(lineTime(matching[0] ?? '')).toBe(Date.parse('2026-11-28T01:05:57.817Z'));
    expect(lineTime('no time here')).toBeUndefined();
  });
});
