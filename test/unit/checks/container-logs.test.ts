import { describe, expect, it } from 'vitest';
import {
  BIG_LOG_BYTES,
  BIG_LOG_FS_PCT,
  type ContainerLogsEvidence,
  judgeContainerLogs,
} from '../../../src/checks/container-logs.ts';
import { parseLogStat } from '../../../src/evidence/containerLogs.ts';
import { ContainerList, containerName } from '../../../src/evidence/dockerApi.ts';
import { parseDfBlocks } from '../../../src/evidence/filesystems.ts';
import { capturedDockerRoot, fixtureJson, fixtureText } from './fixtures.ts';

const root = capturedDockerRoot();
const list = ContainerList.parse(fixtureJson('container-logs/containers-list.json'));
const names = new Map(list.map((container) => [container.Id, containerName(container.Names, container.Id)]));
const files = parseLogStat(fixtureText('container-logs/find-stat.txt'), root);
// The root filesystem of the capture host (252 GiB, 23% used): logs are small next to it.
const bigDisk = parseDfBlocks(fixtureText('disk-usage/df-PTk.txt'))[0]!;

function containers(): ContainerLogsEvidence['containers'] {
  return ['chatty', 'capped', 'idle'].map((name) => {
    const inspect = fixtureJson(`container-logs/inspect-${name}.json`) as {
      Id: string;
      HostConfig: { LogConfig: { Type: string; Config: Record<string, string> } };
    };
    const maxSize = inspect.HostConfig.LogConfig.Config['max-size'];
    return { id: inspect.Id, name, logDriver: inspect.HostConfig.LogConfig.Type, ...(maxSize ? { maxSize } : {}) };
  });
}

function evidence(overrides: Partial<ContainerLogsEvidence> = {}): ContainerLogsEvidence {
  return {
    dockerRootDir: root,
    logs: files.map((file) => ({ ...file, containerName: names.get(file.containerId) ?? '?' })),
    containers: containers(),
    filesystem: bigDisk,
    daemon: { logDriver: 'json-file' },
    ...overrides,
  };
}

function chattyWith(sizeBytes: number): ContainerLogsEvidence['logs'] {
  return evidence().logs.map((log) => (log.containerName === 'chatty' ? { ...log, sizeBytes } : log));
}

describe('parseLogStat', () => {
  it('keeps only <root>/containers/<id>/<id>-json.log', () => {
    const extra = `12 ${root}/containers/abc/other.log\n5 /elsewhere/x-json.log\n`;

    const logs = parseLogStat(fixtureText('container-logs/find-stat.txt') + extra, root);

    expect(logs).toHaveLength(3);
    expect(logs.find((log) => names.get(log.containerId) === 'chatty')?.sizeBytes).toBe(35366511);
  });
});

describe('judgeContainerLogs', () => {
  it.each([
    [BIG_LOG_BYTES - 1, 'ok'],
    [BIG_LOG_BYTES, 'warn'],
  ])('a %i-byte log on a roomy disk → %s', (size, severity) => {
    const [finding] = judgeContainerLogs(evidence({ logs: chattyWith(size) }));

    expect(finding?.severity).toBe(severity);
  });

  it.each([
    [BIG_LOG_FS_PCT - 0.5, 'ok'],
    [BIG_LOG_FS_PCT, 'warn'],
  ])('a log taking %f percent of a 1 GiB filesystem at 50 percent → %s', (pct, severity) => {
    const disk = { ...bigDisk, sizeBytes: 1024 ** 3, usedPct: 50 };

    const [finding] = judgeContainerLogs(
      evidence({ filesystem: disk, logs: chattyWith(Math.ceil((pct / 100) * 1024 ** 3)) }),
    );

    expect(finding?.severity).toBe(severity);
  });

  it('lists big logs by container name and offers to truncate them', () => {
    const [finding] = judgeContainerLogs(evidence({ logs: chattyWith(2 * BIG_LOG_BYTES) }));

    expect(finding?.summary).toBe('1 container log(s) are big: chatty (2 GiB)');
    expect(finding?.fixes).toEqual([
      {
        fix: 'truncate-log',
        label: 'Truncate log of chatty (2 GiB)',
        params: { containerId: expect.stringMatching(/^[0-9a-f]{64}$/) },
      },
    ]);
  });

  it('offers the biggest logs whatever their size when their filesystem is filling up', () => {
    const [finding] = judgeContainerLogs(evidence({ filesystem: { ...bigDisk, usedPct: 85 } }));

    expect(finding?.severity).toBe('warn');
    expect(finding?.fixes?.map((fix) => fix.label)).toEqual(['Truncate log of chatty (34 MiB)']);
  });

  it('names the containers logging to json-file without max-size, and says a daemon default applies to new ones', () => {
    const findings = judgeContainerLogs(evidence());
    const info = findings.find((finding) => finding.severity === 'info');

    expect(info?.summary).toBe('2 container(s) log to json-file without max-size: chatty, idle');
    expect(info?.detail).toContain('applies to containers created afterwards only');
  });
});
