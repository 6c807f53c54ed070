import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupStaleLab, type LabHost, startLabHost } from '../lab/lab.ts';
import { labHostEntry } from '../support/stack.ts';
import { writeConfigFile } from '../support/workerProcess.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/dockmedic.js');

function dockmedic(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('dockmedic CLI', () => {
  let dir: string;
  let host: LabHost;

  beforeAll(async () => {
    await cleanupStaleLab();
    dir = mkdtempSync(path.join(tmpdir(), 'dm-cli-'));
    host = await startLabHost({ name: 'cli1', docker: true, diskMiB: 128 });
  });

  afterAll(async () => {
    await host?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('config check lists every problem of a bad file and exits non-zero', () => {
    const file = writeConfigFile(dir, {
      hosts: [
        { name: 'Bad Name', address: '10.0.0.1' },
        { name: 'ok-1', address: 'local', port: 0 },
      ],
      access: { approvalTtl: 'forever' },
    });

    const { code, out } = dockmedic(['config', 'check', file]);

    expect(code).toBe(1);
    expect(out).toContain('hosts[0].name');
    expect(out).toContain('hosts[0].privateKey');
    expect(out).toContain('hosts[0].hostKey');
    expect(out).toContain('hosts[1].port');
    expect(out).toContain('access.approvalTtl');
  });

  it('config check accepts a good file', () => {
    const file = writeConfigFile(dir, { hosts: [{ name: 'box', address: 'local' }] });

    const { code, out } = dockmedic(['config', 'check', file]);

    expect(code).toBe(0);
    expect(out).toContain('is valid');
  });

  it('config check reports a key file that is missing or is not a private key', () => {
    const file = writeConfigFile(dir, {
      hosts: [
        { name: 'a', address: '10.0.0.1', privateKey: 'missing_key', hostKey: host.hostKeyFingerprint },
        { name: 'b', address: '10.0.0.2', privateKey: 'dockmedic.yaml', hostKey: host.hostKeyFingerprint },
        { name: 'c', address: '10.0.0.3', privateKey: host.privateKeyPath, hostKey: host.hostKeyFingerprint },
      ],
    });

    const { code, out } = dockmedic(['config', 'check', file]);

    expect(code).toBe(1);
    expect(out).toMatch(/hosts\[0\]\.privateKey: .*missing_key cannot be read \(ENOENT\)/);
    expect(out).toMatch(/hosts\[1\]\.privateKey: .*dockmedic.yaml is not a private key/);
    expect(out).not.toContain('hosts[2]');
  });

  it('the bot refuses to start on a bad file', () => {
    const file = writeConfigFile(dir, { hosts: [{ name: 'x', address: 'local', surprise: 1 }] });

    const { code, out } = dockmedic(['bot', '--config', file], {
      SLACK_BOT_TOKEN: 'xoxb-x',
      SLACK_SIGNING_SECRET: 's',
      REDIS_URL: 'redis://127.0.0.1:1',
    });

    expect(code).toBe(1);
    expect(out).toMatch(/surprise/);
  });

  it('a worker on its own refuses to start without the approval secret, and says how to make one', () => {
    const file = writeConfigFile(dir, { hosts: [{ name: 'x', address: 'local' }] });

    const { code, out } = dockmedic(['worker', '--config', file], {
      REDIS_URL: 'redis://127.0.0.1:1',
      DOCKMEDIC_APPROVAL_SECRET: '',
    });

    expect(code).toBe(64);
    expect(out).toMatch(/DOCKMEDIC_APPROVAL_SECRET.*openssl rand -hex 32/s);
  });

  it('hosts test reports reachability, host key and Docker version, and refuses a wrong key', () => {
    const file = writeConfigFile(dir, {
      hosts: [
        labHostEntry(host),
        labHostEntry(host, { name: 'impostor', hostKey: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }),
      ],
    });

    const { code, out } = dockmedic(['hosts', 'test', '--config', file]);

    expect(code).toBe(1);
    expect(out).toMatch(
      new RegExp(`ok\\s+cli1 .*${host.hostKeyFingerprint.replace(/[+/]/g, '.')}.*docker \\d+\\.\\d+`),
    );
    expect(out).toMatch(/FAIL\s+impostor .*does not match the pinned key/);
  });
});

describe('dockmedic check', () => {
  let dir: string;
  let host: LabHost;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dm-check-'));
    host = await startLabHost({ name: 'chk1', diskMiB: 128 });
  });

  afterAll(async () => {
    await host?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 on a healthy disk, 2 once it is crit, with the finding in the table and in JSON', async () => {
    const file = writeConfigFile(dir, { hosts: [labHostEntry(host)] });

    const healthy = dockmedic(['check', 'chk1', 'disk-usage', 'inode-usage', '--config', file]);
    await host.fillDisk(96);
    const full = dockmedic(['check', 'chk1', 'disk-usage', '--config', file]);
    const json = dockmedic(['check', 'chk1', 'disk-usage', '--json', '--config', file]);

    expect(healthy.code).toBe(0);
    expect(healthy.out).toMatch(/OK\s+disk-usage/);
    expect(full.code).toBe(2);
    expect(full.out).toMatch(/CRIT\s+disk-usage\s+\/var\/lib\/docker is 9\d% full/);
    expect(json.code).toBe(2);
    const parsed = JSON.parse(json.out.slice(json.out.indexOf('{')));
    expect(parsed).toMatchObject({ host: 'chk1', worst: 'crit' });
  });

  it('refuses an unknown check id with the list of known ones', () => {
    const file = writeConfigFile(dir, { hosts: [labHostEntry(host)] });

    const { code, out } = dockmedic(['check', 'chk1', 'no-such-check', '--config', file]);

    expect(code).toBe(1);
    expect(out).toMatch(/no check called "no-such-check".*disk-usage/);
  });
});

describe('docker-compose.yml', () => {
  it("validates with Debian's docker-compose", () => {
    const result = spawnSync('docker-compose', ['-f', path.join(ROOT, 'docker-compose.yml'), 'config', '-q'], {
      encoding: 'utf8',
      env: { ...process.env, SLACK_BOT_TOKEN: 'xoxb-x' },
    });

    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
