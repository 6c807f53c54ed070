import { describe, expect, it } from 'vitest';
import { DISKCHECK_CHECKS } from '../../../src/checks/index.ts';
import { runChecks } from '../../../src/checks/run.ts';
import { failed, fakeConnection, ok } from './fakeConn.ts';
import { fixtureText } from './fixtures.ts';

const dfLines = fixtureText('disk-usage/df-PTk.txt').split('\n');
const dfHeader = dfLines[0];
const dfRoot = dfLines[1];
const dfInodes = fixtureText('inode-usage/df-Pi.txt').split('\n');

/** A host whose dockerd is down; daemon.json sets data-root to a path on `/`. */
function shellOnlyHost(daemonJson: string | undefined) {
  return fakeConnection((command) => {
    if (command.includes('daemon.json')) return daemonJson === undefined ? failed('', 3) : ok(daemonJson);
    if (command.startsWith('df -P -T -k --')) {
      // One combined command asks about every path: blocks, a marker line, then inodes, a row per path.
      const paths = command.split(';')[0]!.split(' -- ')[1]!.trim().split(/\s+/).length;
      const blocks = Array.from({ length: paths }, () => dfRoot).join('\n');
      const inodes = Array.from({ length: paths }, () => dfInodes[1]).join('\n');
      return ok(`${dfHeader}\n${blocks}\n--dockmedic-inodes--\n${dfInodes[0]}\n${inodes}\n`);
    }
    if (command.startsWith('readlink')) return ok('/srv/docker\n');
    if (command.startsWith('df -P -T -k -l')) return ok(`${dfHeader}\n${dfRoot}\n`);
    return failed('not here');
  });
}

describe('runChecks', () => {
  it('with dockerd down: one crit finding, shell-side checks still run, docker-side ones say they were skipped', async () => {
    const conn = shellOnlyHost('{"data-root": "/srv/docker"}');

    const results = await runChecks(conn, [...DISKCHECK_CHECKS]);

    const findings = results.flatMap((result) => result.findings);
    const down = findings.filter((finding) => finding.summary.startsWith('dockerd is not running'));
    expect(down).toEqual([
      expect.objectContaining({ check: 'daemon-health', severity: 'crit', summary: 'dockerd is not running on web-1' }),
    ]);
    const disk = results.find((result) => result.check === 'disk-usage');
    expect(disk?.error).toBeUndefined();
    expect(disk?.findings[0]?.summary).toBe(
      '/ is 23% full (23 GiB of 252 GiB); it holds the Docker root dir /srv/docker',
    );
    expect(disk?.findings[0]?.evidence?.join('\n')).toContain(
      'data-root from /etc/docker/daemon.json (dockerd did not answer)',
    );
    expect(results.find((result) => result.check === 'inode-usage')?.error).toBeUndefined();
    expect(results.find((result) => result.check === 'data-root')?.error).toBeUndefined();
    for (const id of ['reclaimable', 'container-logs', 'storage-driver']) {
      const result = results.find((candidate) => candidate.check === id);
      expect(result?.error?.code).toBe('dm_docker_unavailable');
      expect(result?.findings).toEqual([
        expect.objectContaining({
          severity: 'info',
          summary: expect.stringContaining('skipped: dockerd is not answering'),
        }),
      ]);
    }
    expect(conn.commands.filter((command) => command.includes('daemon.json'))).toHaveLength(1);
  });

  it('falls back to /var/lib/docker without daemon.json', async () => {
    const results = await runChecks(shellOnlyHost(undefined), ['disk-usage']);

    expect(results.find((result) => result.check === 'disk-usage')?.findings[0]?.evidence?.join('\n')).toContain(
      'the default /var/lib/docker',
    );
  });

  it('turns a slow collection into a finding that says what could not be collected and why', async () => {
    const conn = fakeConnection(() => new Promise(() => {}));

    const results = await runChecks(conn, ['disk-usage'], { timeoutMs: 50 });

    expect(results).toEqual([
      expect.objectContaining({
        check: 'disk-usage',
        error: expect.objectContaining({ code: 'dm_host_timeout' }),
        findings: [
          expect.objectContaining({ summary: 'Could not collect disk usage: web-1 took more than 0 s to answer' }),
        ],
      }),
    ]);
  });

  it('refuses an unknown check id', async () => {
    await expect(runChecks(shellOnlyHost(undefined), ['nope'])).rejects.toMatchObject({ code: 'dm_bad_arguments' });
  });
});
