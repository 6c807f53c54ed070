// Engine API answers are bounded whatever the daemon does: a stand-in daemon on a unix socket that
// streams without end, or trickles a byte at a time, ends the request with a clear error.

import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HostConfig } from '../../../src/config/schema.ts';
import { DockmedicError } from '../../../src/errors.ts';
import { ANSWER_MAX_BYTES } from '../../../src/hosts/answerLimits.ts';
import { Limiter } from '../../../src/hosts/limiter.ts';
import { createLocalDocker } from '../../../src/hosts/localConnection.ts';
import { waitUntil } from '../../support/workerProcess.ts';

let dir: string;
let server: http.Server;
const closedByClient: string[] = [];

/** /info streams JSON-ish bytes forever; /version trickles a byte every 20 ms; /_ping answers. */
function fakeDaemon(): http.Server {
  return http.createServer((req, res) => {
    req.socket.once('close', () => closedByClient.push(req.url ?? ''));
    if (req.url?.startsWith('/_ping')) {
      res.end('OK');
      return;
    }
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

function docker(options: { timeoutMs: number; maxBytes?: number }) {
  const host = HostConfig.parse({ name: 'fake-1', address: 'local', dockerSocket: path.join(dir, 'docker.sock') });
  return createLocalDocker(host, new Limiter(4), options.timeoutMs, options.maxBytes);
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

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'dm-answer-'));
  server = fakeDaemon();
  await new Promise<void>((resolve) => server.listen(path.join(dir, 'docker.sock'), resolve));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('Engine API answer limits (local socket)', () => {
  it('stops reading an endless answer at the byte cap, with dm_answer_too_large', async () => {
    // Arrange: the real cap, and a deadline far beyond what reading 16 MiB takes here.
    const client = docker({ timeoutMs: 30_000 });
    const started = Date.now();
    // Act
    const error = await rejection(client.info());
    // Assert
    expect(error.code).toBe('dm_answer_too_large');
    expect(error.userMessage).toBe(
      'the Docker API on fake-1 answered with more than 16 MiB, so dockmedic stopped reading it',
    );
    expect(ANSWER_MAX_BYTES).toBe(16 * 1024 * 1024);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('ends an answer that trickles on past the deadline, though it is never silent', async () => {
    // Arrange: a byte every 20 ms keeps any idle timer happy.
    const client = docker({ timeoutMs: 500 });
    const started = Date.now();
    // Act
    const error = await rejection(client.version());
    // Assert
    expect(error.code).toBe('dm_host_timeout');
    expect(error.userMessage).toBe('the Docker API on fake-1 did not finish answering within 500 ms');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('closes the connection it gave up on, and still answers the next request', async () => {
    // Arrange
    const client = docker({ timeoutMs: 5000, maxBytes: 256 * 1024 });
    closedByClient.length = 0;
    // Act
    const error = await rejection(client.info());
    const pong = await client.ping();
    // Assert
    expect(error.code).toBe('dm_answer_too_large');
    expect(String(pong)).toBe('OK');
    await waitUntil(() => closedByClient.includes('/info'), 5000, 'the daemon to see its connection closed');
  });
});
