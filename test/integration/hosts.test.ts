// The host layer against a real OpenSSH sshd and a real dockerd on 127.0.0.1 (no mocks of ssh2).

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostConfig } from '../../src/config/schema.ts';
import { DockmedicError } from '../../src/errors.ts';
import { createHostPool } from '../../src/hosts/pool.ts';
import { probeHost } from '../../src/hosts/probe.ts';
import { sh } from '../../src/hosts/shell.ts';
import type { SshConnection } from '../../src/hosts/sshConnection.ts';
import type { ConnectionSettings, HostPool } from '../../src/hosts/types.ts';
import { startTestDockerd, type TestDockerd } from '../support/dockerd.ts';
import { freePort, startSilentServer, startTestSshd, type TestSshd } from '../support/sshd.ts';

const settings: ConnectionSettings = {
  timeouts: { connect: 2000, command: 10_000, keepalive: 5000 },
  hostConcurrency: 4,
};

let sshd: TestSshd;
let dockerd: TestDockerd;
const pools: HostPool[] = [];

function hostEntry(overrides: Record<string, unknown> = {}): HostConfig {
  return HostConfig.parse({
    name: 'web-1',
    address: sshd.address,
    port: sshd.port,
    user: 'root',
    privateKey: sshd.privateKeyPath,
    hostKey: sshd.hostKeyFingerprint,
    dockerSocket: dockerd.socket,
    ...overrides,
  });
}

function newPool(overrides: Partial<ConnectionSettings> = {}): HostPool {
  const pool = createHostPool({ ...settings, ...overrides });
  pools.push(pool);
  return pool;
}

async function rejection(promise: Promise<unknown>): Promise<DockmedicError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DockmedicError) return error;
    throw error;
  }
  throw new Error('expected a DockmedicError');
}

function countOf(items: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}

beforeAll(async () => {
  [sshd, dockerd] = await Promise.all([startTestSshd(), startTestDockerd()]);
});

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.closeAll()));
  await Promise.all([sshd?.destroy(), dockerd?.destroy()]);
});

describe('SshConnection exec', () => {
  it('returns stdout, stderr and the exit code', async () => {
    // Arrange
    const connection = await newPool().acquire(hostEntry());
    // Act
    const result = await connection.exec(sh`printf out; printf err >&2; exit 3`);
    // Assert
    expect(result).toEqual({ stdout: 'out', stderr: 'err', code: 3 });
    expect(connection.transport).toBe('ssh');
  });

  it('measures a cold connect + exec and a warm exec', async () => {
    const pool = newPool();
    const coldStart = performance.now();
    const connection = await pool.acquire(hostEntry());
    await connection.exec(sh`true`);
    const cold = performance.now() - coldStart;
    const warmStart = performance.now();
    await (await pool.acquire(hostEntry())).exec(sh`true`);
    const warm = performance.now() - warmStart;
    console.log(`cold connect+exec ${cold.toFixed(1)} ms, warm exec ${warm.toFixed(1)} ms`);
    expect(warm).toBeLessThan(cold);
  });

  it('runs 10 concurrent commands with hostConcurrency 4 without hitting MaxSessions', async () => {
    // Arrange
    const connection = await newPool().acquire(hostEntry());
    // Act
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, n) => connection.exec(sh`sleep 0.2; printf %s ${n}`)),
    );
    // Assert
    expect(results.map((result) => result.stdout)).toEqual(Array.from({ length: 10 }, (_, n) => String(n)));
    expect(results.every((result) => result.code === 0)).toBe(true);
  });

  it('fails a slow command with dm_host_timeout at once', async () => {
    // Arrange
    const connection = await newPool().acquire(hostEntry());
    const started = Date.now();
    // Act
    const error = await rejection(connection.exec(sh`sleep 30`, { timeoutMs: 500 }));
    // Assert
    expect(Date.now() - started).toBeLessThan(1500);
    expect(error.code).toBe('dm_host_timeout');
    expect(error.retryable).toBe(true);
  });

  it('frees the slot of a timed-out command that died', async () => {
    // Arrange: the command dies by itself shortly after our deadline (sshd ignores signals on root logins).
    const connection = await newPool({ hostConcurrency: 1 }).acquire(hostEntry());
    await rejection(connection.exec(sh`sleep 1`, { timeoutMs: 300 }));
    // Act
    const after = await connection.exec(sh`printf still-ok`, { timeoutMs: 5000 });
    // Assert
    expect(after.stdout).toBe('still-ok');
    expect((connection as SshConnection).alive).toBe(true);
  });

  it('replaces the connection when a timed-out command will not die', async () => {
    // Arrange
    const pool = newPool({ hostConcurrency: 1 });
    const first = (await pool.acquire(hostEntry())) as SshConnection;
    await rejection(first.exec(sh`sleep 30`, { timeoutMs: 300 }));
    // Act: past the kill grace period the connection retires.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const second = await pool.acquire(hostEntry());
    // Assert
    expect(first.alive).toBe(false);
    expect(second).not.toBe(first);
    expect((await second.exec(sh`printf fresh`)).stdout).toBe('fresh');
  });

  it('caps output at 8 MiB and marks it truncated', async () => {
    const connection = await newPool().acquire(hostEntry());
    const result = await connection.exec(sh`head -c 9000000 /dev/zero | tr '\\0' x`);
    expect(result.code).toBe(0);
    expect(result.truncated).toBe(true);
    expect(result.stdout.length).toBe(8 * 1024 * 1024);
  });

  it('does not hang on a command that reads stdin', async () => {
    const connection = await newPool().acquire(hostEntry());
    const result = await connection.exec(sh`cat`, { timeoutMs: 3000 });
    expect(result.code).toBe(0);
  });
});

describe('SshConnection host keys and login', () => {
  it('refuses a wrong pinned key and names the offered fingerprint', async () => {
    // Arrange
    const host = hostEntry({ hostKey: `SHA256:${'A'.repeat(43)}` });
    // Act
    const error = await rejection(newPool().acquire(host));
    // Assert
    expect(error.code).toBe('dm_host_key_mismatch');
    expect(error.retryable).toBe(false);
    expect(error.userMessage).toContain(`web-1 offered host key ${sshd.hostKeyFingerprint}`);
  });

  it('accepts a hashed knownHosts entry', async () => {
    const host = hostEntry({ hostKey: undefined, knownHosts: sshd.knownHostsPath });
    const connection = await newPool().acquire(host);
    expect((await connection.exec(sh`printf ok`)).stdout).toBe('ok');
  });

  it('refuses a key missing from knownHosts', async () => {
    const file = path.join(sshd.dir, 'known_hosts_other');
    writeFileSync(
      file,
      `[${sshd.address}]:${sshd.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeFakeFakeFakeFakeFakeFakeFakeFakeFakeFak\n`,
    );
    const error = await rejection(newPool().acquire(hostEntry({ hostKey: undefined, knownHosts: file })));
    expect(error.code).toBe('dm_host_key_mismatch');
  });

  it('says dm_auth_failed for an unreadable private key', async () => {
    const error = await rejection(newPool().acquire(hostEntry({ privateKey: '/nonexistent/id_ed25519' })));
    expect(error.code).toBe('dm_auth_failed');
    expect(error.userMessage).toContain('privateKey');
  });

  it('says dm_auth_failed for a file that is not a private key', async () => {
    const error = await rejection(newPool().acquire(hostEntry({ privateKey: sshd.knownHostsPath })));
    expect(error.code).toBe('dm_auth_failed');
    expect(error.userMessage).toContain('cannot be used');
  });

  it('says dm_auth_failed for a key the host does not accept', async () => {
    // The host key file is a valid private key that is not in authorized_keys.
    const stranger = path.join(sshd.dir, 'stranger_key');
    copyFileSync(path.join(sshd.dir, 'ssh_host_ed25519_key'), stranger);
    chmodSync(stranger, 0o600);
    const error = await rejection(newPool().acquire(hostEntry({ privateKey: stranger })));
    expect(error.code).toBe('dm_auth_failed');
    expect(error.retryable).toBe(false);
  });
});

describe('SshConnection connect failures', () => {
  it('times out on a silent host within the connect timeout', async () => {
    // Arrange
    const silent = await startSilentServer();
    const started = Date.now();
    try {
      // Act
      const error = await rejection(
        newPool({ timeouts: { ...settings.timeouts, connect: 1500 } }).acquire(
          hostEntry({ address: silent.address, port: silent.port }),
        ),
      );
      // Assert
      expect(error.code).toBe('dm_host_timeout');
      expect(error.retryable).toBe(true);
      expect(error.userMessage).toBe('web-1 did not answer within 1.5 s');
      expect(Date.now() - started).toBeLessThan(1500 + 1000);
    } finally {
      await silent.close();
    }
  });

  it('fails fast with dm_host_unreachable when the connection is refused', async () => {
    const port = await freePort();
    const started = Date.now();
    const error = await rejection(newPool().acquire(hostEntry({ port })));
    expect(error.code).toBe('dm_host_unreachable');
    expect(error.retryable).toBe(true);
    expect(error.userMessage).toContain('ECONNREFUSED');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('HostPool', () => {
  it('shares one connect between concurrent acquires', async () => {
    const pool = newPool();
    const [a, b, c] = await Promise.all([
      pool.acquire(hostEntry()),
      pool.acquire(hostEntry()),
      pool.acquire(hostEntry()),
    ]);
    expect(a).toBe(b);
    expect(b).toBe(c);
  });

  it('fails in-flight commands and reconnects after sshd restarts', async () => {
    // Arrange
    const pool = newPool();
    const first = await pool.acquire(hostEntry());
    const inFlight = rejection(first.exec(sh`sleep 20`));
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Act
    await sshd.restart();
    const error = await inFlight;
    const second = await pool.acquire(hostEntry());
    // Assert
    expect(error.code).toBe('dm_host_unreachable');
    expect(error.retryable).toBe(true);
    expect(second).not.toBe(first);
    expect((await second.exec(sh`printf back`)).stdout).toBe('back');
  });

  it('opens a new connection when the host entry changed', async () => {
    const pool = newPool();
    const first = await pool.acquire(hostEntry());
    const second = await pool.acquire(hostEntry({ groups: ['prod'] }));
    expect(second).not.toBe(first);
    expect((first as SshConnection).alive).toBe(false);
  });

  it('closes everything on closeAll and refuses new work', async () => {
    const pool = createHostPool(settings);
    const connection = (await pool.acquire(hostEntry())) as SshConnection;
    await pool.closeAll();
    expect(connection.alive).toBe(false);
    await expect(pool.acquire(hostEntry())).rejects.toThrow(/closed/);
  });
});

describe('Docker API over SSH', () => {
  it('answers /_ping, /info and /system/df over the ssh connection', async () => {
    // Arrange
    const docker = (await newPool().acquire(hostEntry())).docker();
    // Act
    const ping = await docker.ping();
    const info = await docker.info();
    const df = await docker.df();
    // Assert
    expect(String(ping)).toBe('OK');
    expect(info.Driver).toBe('vfs');
    expect(df).toHaveProperty('LayersSize');
  });

  it('still answers after 50 aborted and timed-out requests', async () => {
    // Arrange: a short request timeout so the hanging requests end quickly.
    const pool = newPool({ hostConcurrency: 2, timeouts: { ...settings.timeouts, command: 400 } });
    const docker = (await pool.acquire(hostEntry())).docker();
    const outcomes: string[] = [];
    // Act
    for (let round = 0; round < 25; round += 1) {
      // Aborted mid-flight.
      const controller = new AbortController();
      const listing = docker.listContainers({ all: true, abortSignal: controller.signal });
      setTimeout(() => controller.abort(), round % 5);
      outcomes.push(
        await listing.then(
          () => 'done',
          (error: Error) => error.name,
        ),
      );
      // A request the daemon never finishes (an event stream), ended by the silence timeout.
      const events = await docker.getEvents();
      const ended = await new Promise<string>((resolve) => {
        events.on('error', (error: Error) => resolve((error as DockmedicError).code ?? error.message));
        events.on('close', () => resolve('closed'));
        events.resume();
      });
      outcomes.push(ended);
    }
    const info = await docker.info();
    // Assert
    console.log('outcomes of the 50 broken requests', countOf(outcomes));
    expect(outcomes).toHaveLength(50);
    expect(info.Driver).toBe('vfs');
  });

  it('gives slots back for large responses that are never read', async () => {
    // Arrange: an image of ~2 MB whose export is far more than the stream buffers hold, so the
    // channel is paused by backpressure when the reader gives up (the ssh2 drain hazard).
    const pool = newPool({ hostConcurrency: 2 });
    const docker = (await pool.acquire(hostEntry())).docker();
    const rootfs = path.join(sshd.dir, 'rootfs');
    mkdirSync(rootfs, { recursive: true });
    writeFileSync(path.join(rootfs, 'blob'), randomBytes(2 * 1024 * 1024));
    execFileSync('tar', ['-C', rootfs, '-cf', path.join(sshd.dir, 'big.tar'), '.']);
    const imported = (await docker.importImage(path.join(sshd.dir, 'big.tar'), {
      repo: 'dm-big',
      tag: 'local',
    })) as Readable;
    await new Promise((resolve, reject) => imported.on('end', resolve).on('error', reject).resume());
    // Act
    for (let n = 0; n < 10; n += 1) {
      const exported = (await docker.getImage('dm-big:local').get()) as Readable;
      await new Promise((resolve) => setTimeout(resolve, 50));
      exported.destroy();
    }
    // Assert
    expect(String(await docker.ping())).toBe('OK');
  });

  it('ends a request the daemon never answers with dm_host_timeout', async () => {
    // Arrange: a socket that accepts and stays silent, standing in for a wedged dockerd.
    const socketPath = path.join(sshd.dir, 'silent.sock');
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(socketPath, resolve));
    const pool = newPool({ timeouts: { ...settings.timeouts, command: 500 } });
    const docker = (await pool.acquire(hostEntry({ dockerSocket: socketPath }))).docker();
    const started = Date.now();
    try {
      // Act
      const error = await rejection(docker.info());
      // Assert
      expect(error.code).toBe('dm_host_timeout');
      expect(error.retryable).toBe(true);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      silent.close();
    }
  });

  it('reports a stopped dockerd as dm_docker_unavailable without hanging', async () => {
    // Arrange
    const connection = await newPool().acquire(hostEntry());
    await dockerd.stop();
    try {
      const started = Date.now();
      // Act
      const error = await rejection(connection.docker().ping());
      // Assert
      expect(error.code).toBe('dm_docker_unavailable');
      expect(error.userMessage).toBe(`dockerd is not running on web-1 (nothing answers on ${dockerd.socket})`);
      expect(Date.now() - started).toBeLessThan(1000);
      expect((await connection.exec(sh`printf ssh-still-fine`)).stdout).toBe('ssh-still-fine');
    } finally {
      await dockerd.start();
    }
    expect(String(await connection.docker().ping())).toBe('OK');
  });
});

describe('probeHost', () => {
  it('reports reachability, host key and Docker version', async () => {
    const result = await probeHost(newPool(), hostEntry());
    expect(result).toMatchObject({ host: 'web-1', reachable: true, hostKey: sshd.hostKeyFingerprint });
    expect(result.dockerVersion).toMatch(/^\d+\.\d+/);
    expect(result.error).toBeUndefined();
  });

  it('reports an unreachable host without throwing', async () => {
    const result = await probeHost(newPool(), hostEntry({ port: await freePort() }));
    expect(result.reachable).toBe(false);
    expect(result.error).toContain('cannot reach web-1');
  });
});

describe('LocalConnection', () => {
  function localEntry(overrides: Record<string, unknown> = {}): HostConfig {
    return HostConfig.parse({ name: 'here', address: 'local', dockerSocket: dockerd.socket, ...overrides });
  }

  it('runs commands with exit codes and a timeout', async () => {
    const connection = await newPool().acquire(localEntry());
    expect(connection.transport).toBe('local');
    expect(await connection.exec(sh`printf out; printf err >&2; exit 4`)).toEqual({
      stdout: 'out',
      stderr: 'err',
      code: 4,
    });
    const error = await rejection(connection.exec(sh`sleep 30 | cat`, { timeoutMs: 300 }));
    expect(error.code).toBe('dm_host_timeout');
  });

  it('talks to the local Docker socket', async () => {
    const docker = (await newPool().acquire(localEntry())).docker();
    expect(String(await docker.ping())).toBe('OK');
    expect((await docker.info()).Driver).toBe('vfs');
  });

  it('maps a missing socket to dm_docker_unavailable', async () => {
    const docker = (await newPool().acquire(localEntry({ dockerSocket: '/nonexistent/docker.sock' }))).docker();
    const error = await rejection(docker.ping());
    expect(error.code).toBe('dm_docker_unavailable');
  });
});
