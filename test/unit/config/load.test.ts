import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/config/duration.ts';
import { ConfigError, loadConfigFile } from '../../../src/config/load.ts';

function writeConfig(text: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'dm-config-'));
  const file = path.join(dir, 'dockmedic.yaml');
  writeFileSync(file, text);
  return file;
}

const FINGERPRINT = 'SHA256:qFE5oC5iGwR4j4yq1Y0zp8bBzJ6cKcU5jzfBqQ3G9nM';

describe('loadConfigFile', () => {
  it('loads the contract example and resolves paths relative to the file', () => {
    const file = writeConfig(`
hosts:
  - name: web-1
    address: 10.1.2.3
    user: ops
    privateKey: keys/id_ed25519
    hostKey: "${FINGERPRINT}"
    sudo: true
    groups: [prod, web]
    channel: C0123456789
  - name: box
    address: local
access:
  admins: [U0123ADMIN]
  operators: [U0123OPS]
  approvalTtl: 15m
monitor:
  interval: 60s
  rules:
    disk-usage: { warn: 80, crit: 90, clear: 75, for: 2m, repeat: 4h }
`);

    const config = loadConfigFile(file);

    const web = config.hosts[0]!;
    expect(web.port).toBe(22);
    expect(web.dockerSocket).toBe('/var/run/docker.sock');
    expect(web.privateKey).toBe(path.join(path.dirname(file), 'keys/id_ed25519'));
    expect(config.access.approvalTtl).toBe(15 * 60_000);
    expect(config.access.twoPersonRule).toBe(true);
    expect(config.monitor.rules['disk-usage']?.for).toBe(120_000);
  });

  it('lists every problem with where it is and what was expected', () => {
    const file = writeConfig(`
hosts:
  - name: Web_1
    address: 10.1.2.3
    port: 99999
  - name: db-1
    address: 10.1.2.4
    privateKey: k
    hostKey: "SHA256:nope"
  - name: db-1
    address: local
access:
  approvalTtl: soon
surprise: true
`);

    const error = (() => {
      try {
        loadConfigFile(file);
      } catch (caught) {
        return caught;
      }
    })();

    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('hosts[0].name: expected a host name');
    expect(problems).toContain('hosts[0].port');
    expect(problems).toContain('hosts[0].privateKey: an SSH host needs privateKey');
    expect(problems).toContain('hosts[0].hostKey: pin the host key');
    expect(problems).toContain('hosts[1].hostKey: expected a fingerprint');
    expect(problems).toContain('access.approvalTtl: expected a duration like 30s');
    expect(problems).toContain('surprise');
    expect((error as ConfigError).problems.length).toBeGreaterThanOrEqual(7);
  });

  it('reports duplicate host names', () => {
    const file = writeConfig('hosts:\n  - { name: a, address: local }\n  - { name: a, address: local }\n');
    expect(() => loadConfigFile(file)).toThrow(/hosts\[1\]\.name: host name "a" is used twice/);
  });

  it('reports YAML syntax errors with their line', () => {
    const file = writeConfig('hosts:\n  - name: a\n   address: [local\n');
    expect(() => loadConfigFile(file)).toThrow(/line \d+/);
  });
});

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['2m', 120_000],
    ['4h', 14_400_000],
    ['0s', 0],
    ['1d', 86_400_000],
    ['500ms', 500],
    ['2 m', undefined],
    ['-1s', undefined],
    ['1w', undefined],
    ['', undefined],
  ])('%j → %j', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });
});
