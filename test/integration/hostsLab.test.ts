// The host layer against a test/lab host (sshd + dockerd in their own namespaces): the same code
// path production uses, including a SIGKILLed dockerd that leaves a stale socket behind.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostConfig } from '../../src/config/schema.ts';
import { DockmedicError } from '../../src/errors.ts';
import { createHostPool } from '../../src/hosts/pool.ts';
import { probeHost } from '../../src/hosts/probe.ts';
import { sh } from '../../src/hosts/shell.ts';
import type { HostPool } from '../../src/hosts/types.ts';
import { type LabHost, startLabHost } from '../lab/lab.ts';

let lab: LabHost;
let pool: HostPool;

function hostEntry(): HostConfig {
  return HostConfig.parse({
    name: 'lab-1',
    address: lab.address,
    port: lab.port,
    user: lab.user,
    privateKey: lab.privateKeyPath,
    knownHosts: lab.knownHostsPath,
    dockerSocket: lab.dockerSocket,
  });
}

beforeAll(async () => {
  lab = await startLabHost({ name: 'hostslab', docker: true });
  pool = createHostPool({ timeouts: { connect: 5000, command: 10_000, keepalive: 5000 }, hostConcurrency: 4 });
});

afterAll(async () => {
  await pool?.closeAll();
  await lab?.destroy();
});

describe('host layer on a lab host', () => {
  it('probes ssh, host key and Docker', async () => {
    const result = await probeHost(pool, hostEntry());
    expect(result).toMatchObject({ host: 'lab-1', reachable: true, hostKey: lab.hostKeyFingerprint });
    expect(result.dockerVersion).toMatch(/^\d+\.\d+/);
  });

  it('runs commands in the host', async () => {
    const connection = await pool.acquire(hostEntry());
    const result = await connection.exec(sh`hostname; exit 2`);
    expect(result.code).toBe(2);
    expect(result.stdout.trim()).toBe('hostslab');
  });

  it.each(['SIGTERM', 'SIGKILL'] as const)('maps dockerd stopped by %s to dm_docker_unavailable', async (signal) => {
    // Arrange
    const docker = (await pool.acquire(hostEntry())).docker();
    await lab.stopDockerd(signal);
    try {
      const started = Date.now();
      // Act
      const error = await docker.ping().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      // Assert
      expect(error).toBeInstanceOf(DockmedicError);
      expect((error as DockmedicError).code).toBe('dm_docker_unavailable');
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await lab.startDockerd();
    }
    expect(String(await docker.ping())).toBe('OK');
  });
});
