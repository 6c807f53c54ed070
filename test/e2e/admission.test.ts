// The whole pipeline (signed slash command → bot → Redis → worker → Slack) with stand-in Docker
// daemons on unix sockets: one that answers at once, one that never answers, one whose answer never
// ends. Shows the role defaults, the token bucket and the in-flight claims as users meet them, the
// worker clearing claims when a job ends, and the job and answer limits ending stuck jobs.

import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyStackRedis } from '../support/redis.ts';
import { textOf, waitForMessage } from '../support/slackMessages.ts';
import { CHANNEL, type Stack, startStack, TEST_ACCESS, testConfig, USERS } from '../support/stack.ts';
import { waitUntil } from '../support/workerProcess.ts';

let dir: string;
let stack: Stack;
const servers: net.Server[] = [];

/** Answers what `ps` asks: no containers, a daemon whose root dir does not exist on this machine. */
function quickDaemon(): http.Server {
  return http.createServer((req, res) => {
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url?.startsWith('/_ping')) return res.end('OK');
    if (req.url?.startsWith('/containers/json')) return json(200, []);
    if (req.url?.startsWith('/info')) {
      return json(200, { Driver: 'vfs', DockerRootDir: path.join(dir, 'no-docker-root'), ServerVersion: '0-fake' });
    }
    return json(404, { message: 'not in this stand-in' });
  });
}

/** A daemon that streams its container list without end. */
function endlessDaemon(): http.Server {
  return http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = () => {
      while (!res.destroyed && res.write(chunk)) {}
    };
    res.on('drain', pump);
    pump();
  });
}

async function listen(server: net.Server, name: string): Promise<string> {
  const socket = path.join(dir, name);
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  servers.push(server);
  return socket;
}

async function ask(text: string, userId: string): Promise<string> {
  const ack = await stack.slack.slashCommand({ text, userId, channelId: CHANNEL });
  expect(ack.status).toBe(200);
  return JSON.stringify(ack.body);
}

function posted(match: RegExp, timeoutMs = 30_000) {
  return waitForMessage(stack.slack, CHANNEL, (m) => m.kind === 'message' && match.test(textOf(m)), timeoutMs);
}

/** Asks again until the answer is no longer "still running": the worker cleared the claim. */
async function askOnceEnded(text: string, userId: string): Promise<string> {
  let reply = '';
  await waitUntil(
    async () => {
      reply = await ask(text, userId);
      return !reply.includes('is still running');
    },
    30_000,
    `${text} to end`,
  );
  return reply;
}

beforeAll(async () => {
  await emptyStackRedis();
  dir = mkdtempSync(path.join(tmpdir(), 'dm-admission-'));
  const quick = await listen(quickDaemon(), 'quick.sock');
  const silent = await listen(
    net.createServer(() => {}),
    'silent.sock',
  );
  const endless = await listen(endlessDaemon(), 'endless.sock');
  const local = (name: string, dockerSocket: string, groups: string[] = []) => ({
    name,
    address: 'local',
    dockerSocket,
    groups,
  });
  const config = testConfig(
    [
      local('quick-1', quick, ['quick']),
      local('quick-2', quick, ['quick']),
      local('silent-1', silent),
      local('endless-1', endless),
    ],
    {
      // A job may take 2 s in all; a Docker request alone could wait 20 s: the job deadline comes first.
      timeouts: { connect: '3s', command: '20s', job: '2s' },
      access: { ...TEST_ACCESS, rateLimit: { capacity: 3, refillEvery: '1h' } },
    },
  );
  stack = await startStack({ config, mode: 'http' });
});

afterAll(async () => {
  await stack?.stop();
  for (const server of servers) {
    (server as http.Server).closeAllConnections?.();
    server.close();
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('admission through Slack', () => {
  it('refuses container logs to a viewer by default', async () => {
    const reply = await ask('logs quick-1 web', USERS.viewer);

    expect(reply).toContain('`/docker logs` needs the operator role, and you are a viewer');
  });

  it('clears the claim when a job ends, so the same request may be asked again', async () => {
    // Arrange
    expect(await ask('ps quick-1', USERS.viewer)).toContain('Queued ps on quick-1');
    // Act
    const again = await askOnceEnded('ps quick-1', USERS.viewer);
    // Assert
    expect(again).toContain('Queued ps on quick-1');
    await posted(/quick-1/);
  });

  it('gives up a job past timeouts.job, tells the requester, and takes the request again', async () => {
    // Arrange
    const first = await ask('ps silent-1', USERS.operator);
    const requestId = /\((rq-[a-z0-9]+)\)/.exec(first)?.[1];
    // Act
    const duplicate = await ask('ps silent-1', USERS.operator);
    const told = await posted(/ps on silent-1 failed/, 30_000);
    const again = await askOnceEnded('ps silent-1', USERS.operator);
    // Assert
    expect(requestId).toBeDefined();
    expect(duplicate).toContain(`Your \`/docker ps silent-1\` is still running (${requestId})`);
    expect(textOf(told)).toContain('it did not finish within 2 s (timeouts.job), so dockmedic gave up on it');
    expect(again).toContain('Queued ps on silent-1');
  });

  it('ends a job whose Docker answer never ends, and says why', async () => {
    // Act
    await ask('ps endless-1', USERS.admin);
    const told = await posted(/ps on endless-1 failed/, 30_000);
    // Assert
    expect(textOf(told)).toContain('the Docker API on endless-1 answered with more than 16 MiB');
  });

  it('holds a fleet claim until its last host answered, and meters fleets by the bucket', async () => {
    // Arrange: 3 tokens; `@quick` is 2 hosts and costs 2.
    expect(await ask('ps @quick', USERS.requester)).toContain('Queued ps on @quick (2 hosts)');
    // Act
    const afterFleet = await askOnceEnded('ps @quick', USERS.requester);
    const single = await ask('ps quick-2', USERS.requester);
    const over = await ask('ps quick-1', USERS.requester);
    // Assert
    expect(afterFleet).toMatch(/Slow down: you ran 1 command in the last [^;]+; try again in \d+ s/);
    expect(afterFleet).toContain('costs 2 of your 3 tokens');
    expect(single).toContain('Queued ps on quick-2');
    expect(over).toMatch(/Slow down: you ran 2 commands in the last/);
  });
});
