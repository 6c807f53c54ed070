import { describe, expect, it } from 'vitest';
import { parseDfBlocks, parseDfInodes } from '../../../src/evidence/filesystems.ts';
import { fixtureText } from '../checks/fixtures.ts';

describe('parseDfBlocks', () => {
  it('reads GNU df -P -T -k, mount points and device names with spaces included', () => {
    const rows = parseDfBlocks(fixtureText('disk-usage/df-PTk.txt'));

    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({ device: '/dev/vda', fstype: 'ext4', mount: '/', usedPct: 23 });
    const full = rows[1];
    expect(full?.mount).toMatch(/\/mnt\/var lib docker$/);
    expect(full?.device).toBe(full?.mount);
    expect(full).toMatchObject({ fstype: 'tmpfs', sizeBytes: 257024 * 1024, usedBytes: 246784 * 1024, usedPct: 97 });
  });

  it('takes the block size from the header (df -B1 prints 1-blocks)', () => {
    const rows = parseDfBlocks(fixtureText('disk-usage/df-PTB1.txt'));

    expect(rows[1]).toMatchObject({ sizeBytes: 263192576, usedBytes: 252706816, availBytes: 10485760 });
  });

  it('reads busybox df, whose columns are not aligned', () => {
    const rows = parseDfBlocks(fixtureText('disk-usage/busybox-df-PTk.txt'));

    expect(rows.map((row) => row.usedPct)).toEqual([22, 96]);
    expect(rows[1]?.mount).toMatch(/var lib docker$/);
  });

  it('skips what is not a df line', () => {
    expect(
      parseDfBlocks('Filesystem Type 1024-blocks Used Available Capacity Mounted on\ndf: /x: No such file\n'),
    ).toEqual([]);
  });
});

describe('parseDfInodes', () => {
  it('reads df -P -i', () => {
    const rows = parseDfInodes(fixtureText('inode-usage/df-Pi.txt'));

    expect(rows).toHaveLength(3);
    expect(rows[2]).toMatchObject({ device: 'dm-inodes', inodes: 1000, used: 991, free: 9, usedPct: 100 });
    expect(rows[1]?.mount).toMatch(/var lib docker$/);
  });

  it('reports no percentage for filesystems without an inode count', () => {
    const rows = parseDfInodes('Filesystem Inodes IUsed IFree IUse% Mounted on\n/dev/sdb1 0 0 0 - /data\n');

    expect(rows[0]).toMatchObject({ inodes: 0, usedPct: null, mount: '/data' });
  });
});
