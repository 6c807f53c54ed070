import { describe, expect, it } from 'vitest';
import { type DirFacts, parseDirFacts } from '../../../src/evidence/dirFacts.ts';
import { moveDataRootFix } from '../../../src/fixes/move-data-root.ts';
import { copyCommand, copyEstimate, neededBytes, pathProblem } from '../../../src/fixes/move-data-root-steps.ts';
import { switchToOverlay2Fix } from '../../../src/fixes/switch-to-overlay2.ts';
import { chooseSaveDir } from '../../../src/fixes/switch-to-overlay2-steps.ts';
import { fixtureText } from '../checks/fixtures.ts';

const root = parseDirFacts('/var/lib/docker', fixtureText('data-root/dir-facts-root.txt'));
const target = parseDirFacts('/data/docker', fixtureText('data-root/dir-facts-absent-target.txt'));
const params = { from: '/var/lib/docker', to: '/data/docker', stamp: '20260102T030405Z' };
const GiB = 1024 ** 3;

function changed(facts: DirFacts, change: Partial<DirFacts> & { fstype?: string; mount?: string }): DirFacts {
  const { fstype, mount, ...rest } = change;
  const filesystem = { ...facts.filesystem!, ...(fstype ? { fstype } : {}), ...(mount ? { mount } : {}) };
  return { ...facts, ...rest, filesystem };
}

describe('move-data-root params', () => {
  it.each([
    ['/var/lib/docker/new', 'the target may not be inside the old root'],
    ['/etc/docker-data', 'expected an absolute target outside the system directories'],
    ['/tmp/docker', 'expected an absolute target outside the system directories'],
    ['/data/../etc', 'expected an absolute target outside the system directories'],
    ['/var/lib', 'the old root may not be inside the target'],
  ])('refuses the target %s', (to, message) => {
    const parsed = moveDataRootFix.params.safeParse({ ...params, to });

    expect(parsed.error?.issues.map((issue) => issue.message)).toContain(message);
  });

  it('takes the target a check proposes', () => {
    expect(moveDataRootFix.params.parse(params)).toEqual(params);
  });
});

describe('pathProblem', () => {
  it('has none for the captured root and an absent target on another disk', () => {
    expect(pathProblem(root, target)).toBeUndefined();
  });

  it.each([
    [
      'a network source',
      changed(root, { fstype: 'nfs4' }),
      target,
      /network filesystem \(nfs4\): dockmedic does not touch it/,
    ],
    ['a network target', root, changed(target, { fstype: 'cifs' }), /would be on a network filesystem/],
    ['a symlinked target', root, changed(target, { kind: 'symlink', resolved: '/mnt/x' }), /is a symlink/],
    ['a target with data', root, changed(target, { kind: 'dir' }), /exists and is not an empty directory/],
    [
      'a target resolving into the root',
      root,
      changed(target, { resolved: '/var/lib/docker/x' }),
      /inside the old root/,
    ],
    ['the same filesystem', root, changed(target, { mount: '/var/lib/docker' }), /would free nothing/],
  ])('refuses %s', (_, from, to, message) => {
    expect(pathProblem(from, to)).toMatch(message);
  });
});

describe('the move runbook', () => {
  it('copies with rsync where it exists, else cp -a', () => {
    expect(copyCommand('rsync', '/var/lib/docker', '/data/docker')).toBe(
      'mkdir -p -- /data/docker && rsync -aHAX --numeric-ids -- /var/lib/docker/ /data/docker/',
    );
    expect(copyCommand('cp', '/var/lib/docker', '/data/docker')).toBe(
      'mkdir -p -- /data/docker && cp -a -- /var/lib/docker/. /data/docker/',
    );
  });

  it.each([
    [100 * 1024 ** 2, 'under a minute or so (at 100 to 30 MB/s)'],
    [30 * GiB, 'about 6 to 18 min (at 100 to 30 MB/s)'],
  ])('estimates %i bytes as %s', (bytes, said) => {
    expect(copyEstimate(bytes)).toBe(said);
  });

  it('asks a tenth more room, at least 256 MiB more', () => {
    expect(neededBytes(10 * GiB)).toBe(11 * GiB);
    expect(neededBytes(0)).toBe(256 * 1024 ** 2);
  });

  it('offers the rollback after a failure or an unknown outcome once dockerd is stopped, not before', () => {
    const followUp = moveDataRootFix.followUp!;

    expect(followUp(params, 0, 'failed')).toBeUndefined();
    for (const step of [1, 2, 3, 4, 5, 6]) {
      expect(followUp(params, step, 'failed')).toMatchObject({
        fix: 'restore-docker',
        params: { run: 'move-data-root-20260102T030405Z' },
      });
      expect(followUp(params, step, 'unknown')).toMatchObject({ fix: 'restore-docker' });
    }
  });

  it.each([
    [0, false],
    [1, true],
    [4, true],
    [5, false],
  ])('after a halt (the next step denied or expired) after step index %i, offers the rollback: %s', (step, offered) => {
    expect(moveDataRootFix.followUp!(params, step, 'halted')?.fix === 'restore-docker').toBe(offered);
  });

  it('offers removing the old root only after the last step', () => {
    const followUp = moveDataRootFix.followUp!;

    expect(followUp(params, 5, 'done')).toBeUndefined();
    expect(followUp(params, 6, 'done')).toMatchObject({
      fix: 'remove-old-data-root',
      params: { path: '/var/lib/docker', now: '/data/docker' },
    });
  });
});

describe('the overlay2 runbook', () => {
  const rootFs = target.filesystem!;
  const overlay = { root: '/var/lib/docker', driver: 'vfs' as const, stamp: params.stamp };

  it('saves beside the data when the images fit twice, else on the roomiest other local disk', () => {
    const big = { ...rootFs, mount: '/srv', availBytes: 100 * GiB };

    expect(chooseSaveDir('/var/lib/docker', params.stamp, GiB / 4, { ...rootFs, availBytes: GiB }, [big])).toBe(
      '/var/lib/docker/dockmedic-images-20260102T030405Z',
    );
    expect(chooseSaveDir('/var/lib/docker', params.stamp, GiB, { ...rootFs, availBytes: 1.5 * GiB }, [big])).toBe(
      '/srv/dockmedic-images-20260102T030405Z',
    );
    expect(
      chooseSaveDir('/var/lib/docker', params.stamp, GiB, { ...rootFs, availBytes: GiB / 2 }, [big]),
    ).toBeUndefined();
  });

  it('offers the rollback from the stop step on', () => {
    expect(switchToOverlay2Fix.followUp!(overlay, 1, 'failed')).toBeUndefined();
    expect(switchToOverlay2Fix.followUp!(overlay, 2, 'unknown')).toMatchObject({ fix: 'restore-docker' });
    expect(switchToOverlay2Fix.followUp!(overlay, 5, 'failed')).toMatchObject({ fix: 'restore-docker' });
    expect(switchToOverlay2Fix.followUp!(overlay, 5, 'done')).toBeUndefined();
  });
});
