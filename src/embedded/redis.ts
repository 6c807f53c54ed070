import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { DockmedicError } from '../errors.ts';

export interface EmbeddedRedis {
  /** Secret: it carries the password. Show `socket` to people instead. */
  url: string;
  socket: string;
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

/**
 * A private Redis for one dockmedic process: no TCP port at all, only a unix socket in a fresh 0700
 * directory (so only this user can reach it), and a random password on top (so even a process of
 * this user that finds the socket cannot use it without being handed the URL). Never evicts job data.
 * The URL is ioredis's socket form, `/dir/redis.sock?password=…`, which REDIS_URL accepts too: child
 * processes (tests' workers) get it through the environment.
 */
export async function startEmbeddedRedis(say: (line: string) => void = () => {}): Promise<EmbeddedRedis> {
  ensureRedisServer(say);
  // mkdtemp creates the directory 0700 whatever the umask.
  const dir = mkdtempSync(path.join(tmpdir(), 'dockmedic-redis-'));
  chmodSync(dir, 0o700);
  const socket = path.join(dir, 'redis.sock');
  const password = randomBytes(24).toString('hex');
  // The password goes in a config file (0600), not on the command line where `ps` would show it.
  const configFile = path.join(dir, 'redis.conf');
  writeFileSync(
    configFile,
    [
      'port 0',
      `unixsocket ${socket}`,
      'unixsocketperm 700',
      `dir ${dir}`,
      'save ""',
      'appendonly no',
      'maxmemory-policy noeviction',
      `requirepass ${password}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const child = spawn('redis-server', [configFile], { stdio: 'ignore', detached: false });
  const url = `${socket}?password=${password}`;
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
        rmSync(dir, { recursive: true, force: true });
        throw new DockmedicError('dm_queue_unavailable', 'while starting the embedded redis-server', { cause });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  probe.disconnect();
  return {
    url,
    socket,
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
