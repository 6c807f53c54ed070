import { describe, expect, it } from 'vitest';
import {
  isContainerLogPath,
  TruncateLogParams,
  truncateCommand,
  truncateLogFix,
} from '../../../src/fixes/truncate-log.ts';

const id = 'dbe6a888596b0f1b91e1592e0130454561575fd60fc9a171fb931a428b380434';
const root = '/var/lib/docker';

describe('truncate-log params', () => {
  it.each([
    [id, true],
    [id.slice(0, 12), true],
    [id.slice(0, 11), false],
    ['DBE6A888596B', false],
    ['../../etc/passwd', false],
    [`${id}; rm -rf /`, false],
  ])('containerId %s valid: %s', (containerId, valid) => {
    expect(TruncateLogParams.safeParse({ containerId }).success).toBe(valid);
  });

  it('takes no path', () => {
    expect(TruncateLogParams.safeParse({ containerId: id, path: '/etc/shadow' }).success).toBe(false);
  });
});

describe('isContainerLogPath', () => {
  it.each([
    [`${root}/containers/${id}/${id}-json.log`, true],
    [`${root}/containers/${id}/../${id}/${id}-json.log`, false],
    [`${root}/containers/${id}/sub/${id}-json.log`, false],
    [`${root}/containers/${'0'.repeat(64)}/${id}-json.log`, false],
    [`${root}/containers/${id}/${id}.log`, false],
    [`/etc/${id}-json.log`, false],
  ])('%s → %s', (logPath, allowed) => {
    expect(isContainerLogPath(logPath, root, id)).toBe(allowed);
  });
});

describe('truncateLogFix', () => {
  it('is risky and plans the exact command shape', () => {
    const operations = truncateLogFix.plan({ containerId: id });

    expect(truncateLogFix.risk).toBe('risky');
    expect(operations.map((operation) => operation.command)).toContain('truncate -s 0 -- <LogPath>');
  });

  it('quotes the path it truncates', () => {
    expect(truncateCommand('/data/docker root/containers/x/x-json.log')).toBe(
      "truncate -s 0 -- '/data/docker root/containers/x/x-json.log'",
    );
  });
});
