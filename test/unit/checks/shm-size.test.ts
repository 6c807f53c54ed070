import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  findBusErrors,
  judgeShmSize,
  parseShmDf,
  SHM_WARN_PCT,
  type ShmContainer,
  type ShmUsage,
} from '../../../src/checks/shm-size.ts';
import { demuxLogs } from '../../../src/evidence/containerExec.ts';
import { type ContainerSpec, toContainerSpec } from '../../../src/evidence/containerSpec.ts';
import { fixtureJson, fixtureText } from './fixtures.ts';

const logBody = readFileSync(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/shm-size/logs-shm-full.bin'),
);
const spec = toContainerSpec(fixtureJson('shm-size/inspect-shm-full.json')) as ContainerSpec;
const fullUsage = parseShmDf(fixtureText('shm-size/df-P-shm-full.txt')) as ShmUsage;
const defaultUsage = parseShmDf(fixtureText('shm-size/df-P-shm-default.txt')) as ShmUsage;

function container(overrides: Partial<ShmContainer> = {}): ShmContainer {
  return {
    name: spec.name,
    image: spec.image,
    shmSize: spec.shmSize,
    ipcMode: spec.ipcMode,
    labels: spec.labels,
    usage: defaultUsage,
    busErrors: [],
    ...overrides,
  };
}

describe('parseShmDf', () => {
  it('reads busybox and GNU df -P', () => {
    expect(fullUsage).toEqual({ sizeBytes: 1048576, usedBytes: 1048576, availBytes: 0, usedPct: 100 });
    expect(defaultUsage.sizeBytes).toBe(64 * 1024 ** 2);
    expect(parseShmDf(fixtureText('shm-size/gnu-df-P-dev-shm.txt'))?.usedPct).toBe(0);
  });
});

describe('demuxLogs and findBusErrors', () => {
  it('finds the shell\'s "Bus error" in the captured multiplexed log', () => {
    const log = demuxLogs(logBody);

    expect(log).toContain('writer exited 135');
    expect(findBusErrors(log)).toEqual(['Bus error']);
  });

  it("passes a TTY container's plain log through", () => {
    expect(demuxLogs(Buffer.from('Bus error (core dumped)\n'))).toBe('Bus error (core dumped)\n');
  });
});

describe('judgeShmSize', () => {
  it('is crit for the captured container, quoting the log line and its /dev/shm', () => {
    const log = demuxLogs(logBody);

    const [finding] = judgeShmSize({
      containers: [container({ usage: fullUsage, busErrors: findBusErrors(log) })],
      notChecked: [],
    });

    expect(finding).toMatchObject({
      severity: 'crit',
      summary: 'shm-full logged "Bus error"; its /dev/shm is 100% full',
      evidence: ['shm-full log: Bus error', 'shm-full: df -P /dev/shm: 1 MiB of 1 MiB used (100%)'],
    });
    expect(finding?.detail).toContain('docker run --shm-size=256m');
    expect(finding?.detail).toContain('shm_size');
  });

  it.each([
    [0, 'ok'],
    [SHM_WARN_PCT - 1, 'ok'],
    [SHM_WARN_PCT, 'warn'],
    [100, 'warn'],
  ])('/dev/shm %i percent used, no bus error → %s', (usedPct, severity) => {
    const [finding] = judgeShmSize({ containers: [container({ usage: { ...fullUsage, usedPct } })], notChecked: [] });

    expect(finding?.severity).toBe(severity);
  });

  it('is ok and says which containers it could not measure', () => {
    const [finding] = judgeShmSize({
      containers: [container({ usage: undefined, usageProblem: 'df -P /dev/shm: exec: "df": not found (exit 127)' })],
      notChecked: [],
    });

    expect(finding).toMatchObject({ severity: 'ok' });
    expect(finding?.detail).toContain('not found');
  });
});
