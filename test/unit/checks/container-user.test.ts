import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { demuxLogs, judgeContainerUser, PERMISSION_DENIED } from '../../../src/checks/container-user.ts';
import { ContainerDetails, runsAsRoot } from '../../../src/evidence/containerStates.ts';
import { fixtureJson } from './fixtures.ts';

const logs = readFileSync(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/container-user/logs-nginx-user.bin'),
);
const container = ContainerDetails.parse(fixtureJson('container-user/inspect-nginx-user.json'));

function nonRoot(lines: string[]) {
  return {
    id: container.Id,
    name: 'nginx-user',
    user: container.Config.User ?? '',
    state: container.State.Status,
    deniedLines: lines.filter((line) => PERMISSION_DENIED.test(line)),
  };
}

describe('judgeContainerUser', () => {
  it('warns about the captured non-root container, quoting its log', () => {
    const [finding] = judgeContainerUser({ nonRoot: [nonRoot(demuxLogs(logs, false))], rootNames: [] });

    expect(finding?.severity).toBe('warn');
    expect(finding?.summary).toBe(
      `nginx-user runs as user 1000 and logs permission errors: "mkdir: can't create directory '/var/cache': Permission denied"`,
    );
    expect(finding?.evidence).toContain('nginx-user (running): touch: /etc/nginx.pid: Permission denied');
  });

  it.each([
    ['no containers', { nonRoot: [], rootNames: [] }, 'ok'],
    ['non-root, quiet log', { nonRoot: [nonRoot(['starting'])], rootNames: [] }, 'ok'],
    ['root containers', { nonRoot: [], rootNames: ['calm'] }, 'info'],
  ])('%s → %s', (_, evidence, severity) => {
    expect(judgeContainerUser(evidence)[0]?.severity).toBe(severity);
  });

  it('splits the multiplexed log stream', () => {
    expect(demuxLogs(logs, false)).toEqual([
      "mkdir: can't create directory '/var/cache': Permission denied",
      'starting',
      'touch: /etc/nginx.pid: Permission denied',
    ]);
  });

  it.each([
    ['', true],
    ['root', true],
    ['0:0', true],
    ['1000', false],
    ['www-data:www-data', false],
  ])('user %j runs as root: %s', (user, root) => {
    expect(runsAsRoot(user)).toBe(root);
  });
});
