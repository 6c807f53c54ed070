import { describe, expect, it } from 'vitest';
import { backupOf, CronDropTtyParams, cronDropTtyFix } from '../../../src/fixes/cron-drop-tty.ts';
import { withLiveRestore } from '../../../src/fixes/daemon-live-restore.ts';
import { devicemapperThinCheckFix, ThinCheckParams } from '../../../src/fixes/devicemapper-thin-check.ts';
import { FIXES } from '../../../src/fixes/index.ts';
import { moveCommand, OrphanDirsParams, orphanContainerDirsFix } from '../../../src/fixes/orphan-container-dirs.ts';
import { ContainerIdParams } from '../../../src/fixes/remove-dead-container.ts';
import { RemoveImageChildrenParams } from '../../../src/fixes/remove-image-children.ts';
import { failed, fakeConnection, ok } from '../checks/fakeConn.ts';
import { fixtureText } from '../checks/fixtures.ts';

const id = '7eb3ff87d9985c8c515399b7bed52599c25c85e76d9a5064ea2a2e4662264131';

describe('risk levels', () => {
  it.each([
    ['remove-dead-container', 'risky'],
    ['remount-tmp-exec', 'risky'],
    ['daemon-live-restore', 'risky'],
    ['cron-drop-tty', 'risky'],
    ['restart-container', 'risky'],
    ['remove-image-children', 'risky'],
    ['orphan-container-dirs', 'dangerous'],
    ['devicemapper-thin-check', 'dangerous'],
  ])('%s is %s', (fixId, risk) => {
    const fix = FIXES.find((candidate) => candidate.id === fixId);
    expect(fix?.risk).toBe(risk);
    if (risk === 'dangerous') expect(fix?.runStep).toBeTypeOf('function');
  });
});

describe('params', () => {
  it.each([
    [ContainerIdParams, { containerId: id }, true],
    [ContainerIdParams, { containerId: `${id}; reboot` }, false],
    [RemoveImageChildrenParams, { imageId: id.slice(0, 12) }, true],
    [RemoveImageChildrenParams, { imageId: 'lab-parent:1' }, false],
    [CronDropTtyParams, { file: '/etc/cron.d/mysql-backup', line: 3 }, true],
    [CronDropTtyParams, { file: '/var/spool/cron/crontabs/root', line: 1 }, true],
    [CronDropTtyParams, { file: '/etc/cron.d/../shadow', line: 1 }, false],
    [CronDropTtyParams, { file: '/etc/passwd', line: 1 }, false],
    [CronDropTtyParams, { file: '/etc/cron.d/.x.bak-1', line: 1 }, false],
    [CronDropTtyParams, { file: '/etc/crontab', line: 0 }, false],
    [OrphanDirsParams, { dockerRoot: '/var/lib/docker', ids: `${id},${id}`, stamp: '20261128T010600Z' }, true],
    [OrphanDirsParams, { dockerRoot: '/', ids: id, stamp: '20261128T010600Z' }, false],
    [OrphanDirsParams, { dockerRoot: '/var/lib/docker/../../etc', ids: id, stamp: '20261128T010600Z' }, false],
    [OrphanDirsParams, { dockerRoot: '/var/lib/docker', ids: '../x', stamp: '20261128T010600Z' }, false],
    [ThinCheckParams, { dockerRoot: '/var/lib/docker' }, true],
    [ThinCheckParams, { dockerRoot: '/etc' }, false],
  ] as const)('%#: %j valid: %s', (schema, params, valid) => {
    expect((schema as { safeParse(value: unknown): { success: boolean } }).safeParse(params).success).toBe(valid);
  });
});

describe('daemon-live-restore', () => {
  it('adds the key to the captured lab daemon.json and keeps the rest', () => {
    const text = withLiveRestore(fixtureText('daemon-config/daemon-lab.json'));

    expect(typeof text).toBe('string');
    expect(JSON.parse(text as string)).toMatchObject({ 'live-restore': true, 'data-root': '/var/lib/docker' });
  });

  it('refuses a file that does not parse (the captured # comments)', () => {
    expect(withLiveRestore(fixtureText('daemon-config/daemon-comments.json'))).toMatchObject({
      error: expect.stringContaining('fix it first'),
    });
  });
});

describe('cron-drop-tty', () => {
  it('keeps backups under a dot-name cron ignores', () => {
    expect(backupOf('/etc/cron.d/mysql-backup', 5)).toBe('/etc/cron.d/.mysql-backup.bak-5');
  });

  it('rechecks the line on the host', async () => {
    const crontab = '# backups\nSHELL=/bin/sh\n0 */6 * * * root docker exec -i db true\n';
    const conn = fakeConnection(() => ok(crontab));

    const recheck = await cronDropTtyFix.recheck({ conn }, { file: '/etc/cron.d/mysql-backup', line: 3 });

    expect(recheck).toEqual({ ok: false, reason: '/etc/cron.d/mysql-backup line 3 no longer asks docker for a TTY' });
  });
});

describe('orphan-container-dirs', () => {
  it('plans stop, move aside, start', () => {
    const params = { dockerRoot: '/var/lib/docker', ids: id, stamp: '20261128T010600Z' };

    expect(orphanContainerDirsFix.plan(params).map((step) => step.description)).toEqual([
      'Stop docker (every container stops)',
      'Move 1 orphan dir(s) aside (nothing deleted)',
      'Start docker',
    ]);
    expect(moveCommand(params)).toBe(
      `mkdir -p -- /var/lib/docker/orphans-20261128T010600Z && mv -- /var/lib/docker/containers/${id} /var/lib/docker/orphans-20261128T010600Z/`,
    );
  });
});

// No devicemapper thin pool exists here: the runbook runs against recorded command results.
describe('devicemapper-thin-check (recorded command results)', () => {
  const params = { dockerRoot: '/var/lib/docker' };

  it('runs exactly its step 2: thin_check, then clearing the flag', async () => {
    const conn = fakeConnection(() => ok('examining superblock\nexamining devices tree\nexamining mapping tree\n'));

    const result = await devicemapperThinCheckFix.runStep?.({ conn }, params, 1);

    expect(conn.commands).toEqual([
      'thin_check /var/lib/docker/devicemapper/devicemapper/metadata && thin_check --clear-needs-check-flag /var/lib/docker/devicemapper/devicemapper/metadata',
    ]);
    expect(result).toEqual({
      ok: true,
      output: 'exit 0: examining superblock\nexamining devices tree\nexamining mapping tree',
    });
  });

  it('reports a failed check', async () => {
    const conn = fakeConnection(() => failed('bad checksum in superblock', 1));

    expect(await devicemapperThinCheckFix.runStep?.({ conn }, params, 1)).toEqual({
      ok: false,
      output: 'exit 1: bad checksum in superblock',
    });
  });

  it('refuses when the metadata or thin_check is missing', async () => {
    const conn = fakeConnection((command) => (command.startsWith('test -e') ? failed('', 1) : ok('')));

    const recheck = await devicemapperThinCheckFix.recheck({ conn }, params);

    expect(recheck).toMatchObject({ ok: false, reason: expect.stringContaining('thin-provisioning-tools') });
  });
});
