import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { DockmedicError } from '../errors.ts';
import { freePort } from '../net.ts';

export interface EmbeddedRedis {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

function hasRedisServer(): boolean {
  return spawnSync('sh', ['-c', 'command -v redis-server'], { stdio: 'ignore' }).status === 0;
}

/** Installs Debian's redis-server when it is missing and we may (root, apt-get present). */
export function ensureRedisServer(say: (line: string) => void): void {
  if (hasRedisServer()) return;
  const isRoot = process.getuid?.() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    throw new DockmedicError('dm_config_invalid', 'redis-server is not installed', {
      userMessage:
        'dockmedic needs Redis. Install it (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`) or set REDIS_URL=redis://host:6379.',
    });
  }
  say("redis-server is missing: installing Debian's redis-server package (apt-get install redis-server)…");
  const result = spawnSync(
    'sh',
    ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null'],
    { stdio: 'inherit' },
  );
  if (result.status !== 0) {
    throw new DockmedicError('dm_config_invalid', 'installing redis-server failed', {
      userMessage: 'Installing redis-server with apt-get failed; install it yourself or set REDIS_URL.',
    });
  }
}

/** A private Redis for one dockmedic process: loopback only, in a temp dir, never evicting job data. */
export async function startEmbeddedRedis(say: (line: string) => void = () => {}): Promise<EmbeddedRedis> {
  ensureRedisServer(say);
  const dir = mkdtempSync(path.join(tmpdir(), 'dockmedic-redis-'));
  const port = await freePort();
  const child = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
    ],
    { stdio: 'ignore', detached: false },
  );
  const url = `redis://127.0.0.1:${port}`;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // Refused connections while the server starts are expected; the loop below retries them.
  probe.on('error', () => {});
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await probe.connect();
      await probe.ping();
      break;
    } catch (cause) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill('SIGKILL');
        throw new DockmedicError('dm_queue_unavailable', 'while starting the embedded redis-server', { cause });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  probe.disconnect();
  return {
    url,
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
