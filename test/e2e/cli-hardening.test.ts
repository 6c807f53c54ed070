// The CLI's share of the hardening: `config check` warns about private keys others may read (as ssh
// refuses them) and names unknown subcommands in access.commands; the console refuses `as` with a
// config file, where acting as someone else would let this terminal approve fixes in their name.

import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { writeConfigFile } from '../support/workerProcess.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/dockmedic.js');
/** The console below runs a whole bot and worker: on a database of its own in the run's Redis. */
const CONSOLE_DB = 9;

function dockmedic(args: string[], options: { env?: Record<string, string>; input?: string } = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    input: options.input,
    timeout: 90_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('dockmedic config check', () => {
  let dir: string;
  let key: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dm-cli-hard-'));
    key = path.join(dir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function configWithKey(): string {
    return writeConfigFile(dir, {
      hosts: [
        { name: 'web-1', address: '10.0.0.1', privateKey: key, hostKey: `SHA256:${'A'.repeat(43)}` },
        { name: 'web-2', address: '10.0.0.2', privateKey: key, hostKey: `SHA256:${'A'.repeat(43)}` },
      ],
    });
  }

  it.each([
    [0o644, 'anyone on this machine', '0644'],
    [0o640, 'its group', '0640'],
  ])('warns about a key file of mode %o, once, and still accepts the file', (mode, who, shown) => {
    // Arrange
    const file = configWithKey();
    chmodSync(key, mode);
    // Act
    const { code, out } = dockmedic(['config', 'check', file]);
    // Assert
    expect(code).toBe(0);
    expect(out).toContain(
      `warning: hosts[0].privateKey (and 1 more hosts): ${key} may be read by ${who} (mode ${shown}); run \`chmod 600 ${key}\``,
    );
    expect(out.match(/warning:/g)).toHaveLength(1);
    expect(out).toContain('is valid');
  });

  it('says nothing about a key only its owner may read', () => {
    const file = configWithKey();
    chmodSync(key, 0o600);

    const { code, out } = dockmedic(['config', 'check', file]);

    expect(code).toBe(0);
    expect(out).not.toContain('warning');
  });

  it('names a subcommand in access.commands that does not exist', () => {
    const file = writeConfigFile(dir, { access: { commands: { logz: 'viewer', logs: 'viewer' } } });

    const { code, out } = dockmedic(['config', 'check', file]);

    expect(code).toBe(1);
    expect(out).toMatch(
      /access\.commands\.logz: there is no \/docker logz; the subcommands are help, hosts, diskcheck/,
    );
    expect(out).not.toContain('access.commands.logs');
  });
});

describe('dockmedic console with a config file', () => {
  let dir: string;
  let redisUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dm-cli-console-'));
    const base = inject('redisUrl');
    redisUrl = `${base}${base.includes('?') ? '&' : '?'}db=${CONSOLE_DB}`;
    const redis = new Redis(redisUrl);
    await redis.flushdb();
    redis.disconnect();
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses `as`, so this terminal cannot act as an admin', () => {
    // Arrange: the console's own user is an operator here; UADMIN1 is the admin it would like to be.
    const file = writeConfigFile(dir, {
      hosts: [{ name: 'box', address: 'local' }],
      access: { admins: ['UADMIN1'], operators: ['UDEMOOPS1'] },
      monitor: { interval: '1h' },
    });
    // Act
    const { code, out } = dockmedic(['console', '--config', file], {
      env: { REDIS_URL: redisUrl, LOG_LEVEL: 'warn' },
      input: 'as UADMIN1\n/docker audit security 5\n',
    });
    // Assert
    expect(code).toBe(0);
    expect(out).toContain('`as` works only in the demo (no dockmedic.yaml). With a config file you stay UDEMOOPS1');
    expect(out).not.toContain('You are now UADMIN1');
    // The next command still ran as UDEMOOPS1, an operator: the audit trail answered.
    expect(out).toMatch(/audit trail/i);
    expect(out).not.toMatch(/needs the operator role/);
  });
});
