import { describe, expect, it } from 'vitest';
import { type OverlaySupport, overlayVerdict, parseOverlaySupport } from '../../../src/evidence/overlaySupport.ts';
import { fixtureText } from '../checks/fixtures.ts';

const ext4 = parseOverlaySupport('/var/lib/docker', fixtureText('storage-driver/overlay-support-ext4.txt'));
const noFiletype = parseOverlaySupport(
  '/var/lib/docker',
  fixtureText('storage-driver/overlay-support-ext4-no-filetype.txt'),
);

function on(fstype: string, features = ''): OverlaySupport {
  return { ...ext4, filesystem: { ...ext4.filesystem!, fstype }, features };
}

describe('overlayVerdict', () => {
  it('says yes for the lab root: ext4 with filetype, overlay in the kernel', () => {
    expect(ext4).toMatchObject({ kernel: 'yes', filesystem: { fstype: 'ext4', mount: '/var/lib/docker' } });
    expect(overlayVerdict(ext4)).toEqual({
      can: 'yes',
      why: '/var/lib/docker is on ext4 (/dev/loop2 at /var/lib/docker) with d_type (the filetype feature); the kernel has overlay',
    });
  });

  it('says no, and why, for ext4 made without filetype', () => {
    const verdict = overlayVerdict(noFiletype);

    expect(verdict.can).toBe('no');
    expect(verdict.why).toMatch(/made without the ext4 "filetype" feature, so it has no d_type/);
  });

  it.each([
    ['xfs', 'ftype=0', 'no'],
    ['xfs', 'ftype=1', 'yes'],
    ['xfs', '', 'maybe'],
    ['nfs4', '', 'no'],
    ['overlay', '', 'no'],
    ['zfs', '', 'no'],
    ['btrfs', '', 'maybe'],
  ])('%s %s → %s', (fstype, features, can) => {
    expect(overlayVerdict(on(fstype, features)).can).toBe(can);
  });

  it('says no without overlay in the kernel', () => {
    expect(overlayVerdict({ ...ext4, kernel: 'no' })).toMatchObject({
      can: 'no',
      why: expect.stringContaining('/proc/filesystems'),
    });
  });
});
