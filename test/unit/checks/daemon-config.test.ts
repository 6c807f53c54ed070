import { describe, expect, it } from 'vitest';
import {
  commentLines,
  type DaemonConfigEvidence,
  flagKeys,
  judgeDaemonConfig,
} from '../../../src/checks/daemon-config.ts';
import { parseDaemonJson } from '../../../src/evidence/daemonConfig.ts';
import { dockerdArgs } from '../../../src/evidence/dockerdProcess.ts';
import { fixtureJson, fixtureText } from './fixtures.ts';

const lab = fixtureText('daemon-config/daemon-lab.json');
const args = dockerdArgs(fixtureText('daemon-config/ps-eo-args.txt'));
const info = fixtureJson('daemon-config/info.json') as { LiveRestoreEnabled: boolean };
const withLiveRestore = `${JSON.stringify({ ...JSON.parse(lab), 'live-restore': true })}\n`;

function evidence(text: string | undefined, overrides: Partial<DaemonConfigEvidence> = {}): DaemonConfigEvidence {
  return {
    daemonJson: parseDaemonJson(text),
    dockerd: { ...(args ? { args } : {}), systemd: false, unitExecStart: [], pidfile: '/run/docker.pid' },
    daemonYaml: false,
    ...overrides,
  };
}

describe('judgeDaemonConfig', () => {
  it.each([
    [
      'the lab daemon.json (no live-restore), captured /info',
      lab,
      { liveRestoreEnabled: info.LiveRestoreEnabled },
      'info',
    ],
    ['daemon.json with live-restore, dockerd reloaded', withLiveRestore, { liveRestoreEnabled: true }, 'ok'],
    ['no daemon.json at all', undefined, { liveRestoreEnabled: false }, 'info'],
    ["the seed guide's # comments", fixtureText('daemon-config/daemon-comments.json'), {}, 'crit'],
    [
      '"graph" instead of "data-root"',
      fixtureText('daemon-config/daemon-graph.json'),
      { liveRestoreEnabled: true },
      'crit',
    ],
  ] as const)('%s → %s', (_, text, overrides, severity) => {
    const findings = judgeDaemonConfig(evidence(text, overrides));

    expect(findings[0]?.severity).toBe(severity);
  });

  it('says which lines carry comments and that dockerd will not start', () => {
    const [finding] = judgeDaemonConfig(evidence(fixtureText('daemon-config/daemon-comments.json')));

    expect(finding?.summary).toBe(
      '/etc/docker/daemon.json is not valid JSON: dockerd will not start on its next restart',
    );
    expect(finding?.detail).toContain('Line(s) 2, 16 carry comments');
    expect(finding?.evidence).toContain('line 2: # keep containers alive during daemon downtime');
  });

  it('says what replaced "graph"', () => {
    const findings = judgeDaemonConfig(
      evidence(fixtureText('daemon-config/daemon-graph.json'), { liveRestoreEnabled: true }),
    );

    expect(findings[0]?.summary).toContain('removed in Docker 23, dockerd will not start with it; use "data-root"');
  });

  it('offers daemon-live-restore when live-restore is off', () => {
    const [finding] = judgeDaemonConfig(evidence(lab, { liveRestoreEnabled: false }));

    expect(finding?.summary).toBe('live-restore is off: restarting or upgrading dockerd stops every container');
    expect(finding?.fixes?.[0]).toMatchObject({ fix: 'daemon-live-restore', params: {} });
  });

  it('is crit for a setting both as a flag and in the file (constructed command line)', () => {
    const findings = judgeDaemonConfig(
      evidence(withLiveRestore, {
        liveRestoreEnabled: true,
        dockerd: {
          systemd: true,
          unitExecStart: ['ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock'],
          pidfile: '/var/run/docker.pid',
        },
      }),
    );

    expect(findings[0]).toMatchObject({
      severity: 'crit',
      evidence: expect.arrayContaining([expect.stringContaining('"hosts"')]),
    });
  });

  it('warns about daemon.yaml, which dockerd never reads', () => {
    const findings = judgeDaemonConfig(evidence(withLiveRestore, { liveRestoreEnabled: true, daemonYaml: true }));

    expect(findings[0]).toMatchObject({ severity: 'warn', summary: expect.stringContaining('dockerd never reads it') });
  });
});

describe('flagKeys / commentLines', () => {
  it.each([
    [
      ['dockerd', '-H', 'fd://', '--data-root=/srv/d', '--live-restore'],
      ['hosts', 'data-root', 'live-restore'],
    ],
    [['dockerd', '--config-file', '/x.json', '--insecure-registry', 'r:5000'], ['insecure-registries']],
  ])('%j → %j', (words, keys) => {
    expect(flagKeys(words)).toEqual(keys);
  });

  it('ignores # inside strings', () => {
    expect(commentLines('{\n "a": "x#y", # note\n "b": 1 // c\n}')).toEqual([2, 3]);
    expect(commentLines('{"a": "#"}')).toEqual([]);
  });
});
