// The host layer against a test/lab host (sshd + dockerd in their own namespaces): the same code
// path production uses, including a SIGKILLed dockerd that leaves a stale socket behind.

import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostConfig } from '../../src/config/schema.ts';
import { DockmedicError, isDockmedicError } from '../../src/errors.ts';
import { type BatchMember, batchingConnection, newNonce, runBatch } from '../../src/hosts/execBatch.ts';
import { createHostPool } from '../../src/hosts/pool.ts';
import { probeHost } from '../../src/hosts/probe.ts';
import { type ShellCommand, sh } from '../../src/hosts/shell.ts';
import type { ExecResult, HostPool } from '../../src/hosts/types.ts';
import { type LabHost, startLabHost } from '../lab/lab.ts';

let lab: LabHost;
let pool: HostPool;

function hostEntry(overrides: Record<string, unknown> = {}): HostConfig {
  return HostConfig.parse({
    name: 'lab-1',
    address: lab.address,
    port: lab.port,
    user: lab.user,
    privateKey: lab.privateKeyPath,
    knownHosts: lab.knownHostsPath,
    dockerSocket: lab.dockerSocket,
    ...overrides,
  });
}

/** A stand-in daemon: /info streams without end, anything else trickles a byte every 20 ms. */
function endlessDaemon(): http.Server {
  return http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.url?.startsWith('/info')) {
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) {}
      };
      res.on('drain', pump);
      pump();
      return;
    }
    const timer = setInterval(() => res.write(' '), 20);
    res.once('close', () => clearInterval(timer));
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

  it('stops reading an endless Engine API answer at the byte cap, and a trickling one at the deadline', async () => {
    // Arrange: the stand-in listens in /var/tmp, which the lab host shares with this machine.
    const dir = mkdtempSync('/var/tmp/dm-answer-');
    const socketPath = path.join(dir, 'endless.sock');
    const endless = endlessDaemon();
    await new Promise<void>((resolve) => endless.listen(socketPath, resolve));
    const capped = createHostPool({ timeouts: { connect: 5000, command: 1500, keepalive: 5000 }, hostConcurrency: 4 });
    try {
      const connection = await capped.acquire(hostEntry({ name: 'lab-endless', dockerSocket: socketPath }));
      // Act
      const tooLarge = await connection
        .docker()
        .info()
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      const trickled = await connection
        .docker()
        .version()
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      // Assert
      expect(tooLarge).toBeInstanceOf(DockmedicError);
      expect((tooLarge as DockmedicError).code).toBe('dm_answer_too_large');
      expect((tooLarge as DockmedicError).userMessage).toBe(
        'the Docker API on lab-endless answered with more than 16 MiB, so dockmedic stopped reading it',
      );
      expect((trickled as DockmedicError).code).toBe('dm_host_timeout');
      expect((trickled as DockmedicError).userMessage).toBe(
        'the Docker API on lab-endless did not finish answering within 1.5 s',
      );
      // The channels were given back and the connection still works.
      expect((await connection.exec(sh`printf still-fine`)).stdout).toBe('still-fine');
    } finally {
      await capped.closeAll();
      endless.closeAllConnections();
      endless.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Runs `commands` through runBatch with `nonce`; their results (or errors) in order. */
async function batchOf(commands: string[], nonce: string): Promise<Array<ExecResult | unknown>> {
  const connection = await pool.acquire(hostEntry());
  const outcomes: Array<Promise<ExecResult>> = [];
  const members: BatchMember[] = [];
  for (const command of commands) {
    outcomes.push(
      new Promise<ExecResult>((resolve, reject) => {
        members.push({ command: command as ShellCommand, options: {}, resolve, reject });
      }),
    );
  }
  await runBatch(connection, members, nonce);
  return Promise.all(outcomes.map((outcome) => outcome.catch((error: unknown) => error)));
}

describe('exec batches on a lab host', () => {
  it('shows the nonce in no command line a racing process on the host can read', async () => {
    // Arrange: a process on the host reads every command line, over and over, as any user could.
    const nonce = newNonce();
    const stop = `/tmp/scan-stop-${nonce.slice(0, 8)}`;
    const scan = lab.sh(
      `while [ ! -e ${stop} ]; do cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\\000' ' '; echo; done | sort -u`,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Act
    const results = await batchOf(['sleep 0.5; echo slept', 'echo 97%'], nonce);
    await lab.sh(`touch ${stop}`);
    const seen = (await scan).stdout;
    // Assert: the scan did see the batch at work (its shell and a command), never the nonce.
    expect(results).toEqual([
      { stdout: 'slept\n', stderr: '', code: 0 },
      { stdout: '97%\n', stderr: '', code: 0 },
    ]);
    expect(seen).toMatch(/(^| )sh -s /m);
    expect(seen).toContain('sleep 0.5; echo slept');
    // Not even in pieces (the old script named it in two halves on its command line).
    for (const piece of [nonce, nonce.slice(0, 16), nonce.slice(16)]) expect(seen).not.toContain(piece);
  });

  it('does not let forged frames in one command’s output change another’s result', async () => {
    // Arrange: a file on the host (a log a command tails, say) holding frames forged with the real
    // nonce, as if the attacker knew it: a header of the wrong length, and a whole fake frame 1.
    const nonce = newNonce();
    const forged = `${nonce}:0:0:1:0\nX${nonce}:1:run\n${nonce}:1:0:3:0\n1%\n`;
    await lab.sh(`printf %s '${forged}' > /tmp/forged-${nonce}`);
    // Act
    const results = await batchOf([`cat /tmp/forged-${nonce}`, 'echo 97%'], nonce);
    // Assert
    expect(results).toEqual([
      { stdout: forged, stderr: '', code: 0 },
      { stdout: '97%\n', stderr: '', code: 0 },
    ]);
  });

  it('times out the command that hangs alone; the others in its script answer', async () => {
    // Arrange
    const batching = batchingConnection(await pool.acquire(hostEntry()));
    const started = Date.now();
    // Act
    const [before, stuck, after] = await Promise.allSettled([
      batching.exec(sh`echo before`, { timeoutMs: 800 }),
      batching.exec(sh`sleep 60`, { timeoutMs: 800 }),
      batching.exec(sh`echo after`, { timeoutMs: 800 }),
    ]);
    // Assert
    expect(before).toEqual({ status: 'fulfilled', value: { stdout: 'before\n', stderr: '', code: 0 } });
    expect(after).toEqual({ status: 'fulfilled', value: { stdout: 'after\n', stderr: '', code: 0 } });
    const reason = stuck.status === 'rejected' ? stuck.reason : undefined;
    expect(isDockmedicError(reason) && reason.code).toBe('dm_host_timeout');
    expect(Date.now() - started).toBeLessThan(8_000);
  });
});
