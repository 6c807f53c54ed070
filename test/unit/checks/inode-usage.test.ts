import { describe, expect, it } from 'vitest';
import {
  INODE_USAGE_THRESHOLDS,
  type InodeUsageEvidence,
  judgeInodeUsage,
  parseBusiestDirs,
} from '../../../src/checks/inode-usage.ts';
import { parseDfInodes } from '../../../src/evidence/filesystems.ts';
import { fixtureText } from './fixtures.ts';

const rows = parseDfInodes(fixtureText('inode-usage/df-Pi.txt'));
const inodesRow = rows[2]!;

function evidence(row = inodesRow): InodeUsageEvidence {
  return {
    dockerRoot: { path: row.mount, source: 'docker-info' },
    filesystems: [{ row, paths: [row.mount], holdsDockerRoot: true }],
    problems: [],
    busiestDirs: { [row.mount]: [{ path: `${row.mount}/cache`, entries: 990 }] },
  };
}

describe('judgeInodeUsage', () => {
  it.each([
    [INODE_USAGE_THRESHOLDS.warn - 1, 'ok'],
    [INODE_USAGE_THRESHOLDS.warn, 'warn'],
    [INODE_USAGE_THRESHOLDS.crit - 1, 'warn'],
    [INODE_USAGE_THRESHOLDS.crit, 'crit'],
  ] as const)('%i percent of inodes used → %s', (usedPct, severity) => {
    expect(judgeInodeUsage(evidence({ ...inodesRow, usedPct }))[0]?.severity).toBe(severity);
  });

  it('says plainly that "No space left on device" can come with free blocks, and where the files are', () => {
    const [finding] = judgeInodeUsage(evidence());

    expect(finding?.severity).toBe('crit');
    expect(finding?.summary).toMatch(/inodes has used 100% of its inodes \(991 of 1000\)/);
    expect(finding?.detail).toContain(
      '"No space left on device" can come from running out of inodes while blocks are still free',
    );
    expect(finding?.detail).toContain('990 entries in');
  });

  it('does not judge filesystems without an inode count', () => {
    expect(judgeInodeUsage(evidence({ ...inodesRow, usedPct: null }))[0]?.severity).toBe('ok');
  });
});

describe('parseBusiestDirs', () => {
  it('reads uniq -c output', () => {
    expect(parseBusiestDirs('    990 /tmp/x y\n      2 /tmp\n')).toEqual([
      { entries: 990, path: '/tmp/x y' },
      { entries: 2, path: '/tmp' },
    ]);
  });
});
