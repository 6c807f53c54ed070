// A tiny private sshd for the hosts integration tests (until test/lab offers the same): OpenSSH on
// 127.0.0.1 with a free port, its own ed25519 host key and an authorized key for root, everything in
// a tmp dir. Only processes started here are ever signalled, by PID.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/net.ts';

export interface TestSshd {
  address: string;
  port: number;
  user: 'root';
  privateKeyPath: string;
  hostKeyFingerprint: string;
  /** A known_hosts file with a hashed entry for `[127.0.0.1]:port`. */
  knownHostsPath: string;
  dir: string;
  /** Kills every session of this sshd and starts it again on the same port. */
  restart(): Promise<void>;
  destroy(): Promise<void>;
}

export { freePort };

export async function startTestSshd(): Promise<TestSshd> {
  const dir = mkdtempSync(path.join(tmpdir(), 'dm-sshd-'));
  const address = '127.0.0.1';
  const port = await freePort();
  const hostKeyPath = path.join(dir, 'ssh_host_ed25519_key');
  const privateKeyPath = path.join(dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKeyPath]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', privateKeyPath]);
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(`${privateKeyPath}.pub`));
  const hostKeyFingerprint = execFileSync('ssh-keygen', ['-lf', `${hostKeyPath}.pub`], { encoding: 'utf8' }).split(
    ' ',
  )[1] as string;
  const knownHostsPath = path.join(dir, 'known_hosts');
  const publicKey = readFileSync(`${hostKeyPath}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  writeFileSync(knownHostsPath, `[${address}]:${port} ${publicKey}\n`);
  execFileSync('ssh-keygen', ['-q', '-H', '-f', knownHostsPath], { stdio: 'ignore' });
  const configPath = path.join(dir, 'sshd_config');
  writeFileSync(
    configPath,
    [
      `ListenAddress ${address}:${port}`,
      `HostKey ${hostKeyPath}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'UsePAM no',
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'AllowStreamLocalForwarding yes',
      'MaxSessions 10',
      `LogLevel ${process.env.SSHD_LOGLEVEL ?? 'ERROR'}`,
      '',
    ].join('\n'),
  );
  // sshd insists on its privilege separation directory.
  mkdirSync('/run/sshd', { recursive: true });

  let child = await launch(configPath, address, port);
  return {
    address,
    port,
    user: 'root',
    privateKeyPath,
    hostKeyFingerprint,
    knownHostsPath,
    dir,
    async restart() {
      await stop(child);
      child = await launch(configPath, address, port);
    },
    async destroy() {
      await stop(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function launch(configPath: string, address: string, port: number): Promise<ChildProcess> {
  // A private mount namespace with an empty /root: the machine's own dotfiles (pyenv's init takes a
  // lock on every login, and a login killed mid-way leaves it stale) must not change what remote
  // shells do, or make every later login hang. `unshare` and `sh` exec, so the PID stays sshd's.
  const script = 'mount -t tmpfs -o mode=0700 tmpfs /root && exec /usr/sbin/sshd -D -e -f "$0"';
  const child = spawn('unshare', ['--mount', '--propagation', 'private', '/bin/sh', '-c', script, configPath], {
    stdio: ['ignore', 'ignore', process.env.SSHD_LOGLEVEL ? 'inherit' : 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`sshd exited at start: ${stderr}`);
    if (await accepts(address, port)) return child;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`sshd did not listen on ${address}:${port} within 10 s: ${stderr}`);
}

function accepts(address: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Stops sshd and its per-connection children (found through /proc by parent PID). */
async function stop(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const pids = [...descendantsOf(child.pid), child.pid];
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

function descendantsOf(rootPid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parentOf.set(Number(name), ppid);
    } catch {
      // the process ended while we looked
    }
  }
  const found: number[] = [];
  let frontier = [rootPid];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const [pid, ppid] of parentOf) if (frontier.includes(ppid)) next.push(pid);
    found.push(...next);
    frontier = next;
  }
  return found;
}

/** A TCP server that accepts connections and never says a word (an SSH handshake that hangs). */
export async function startSilentServer(): Promise<{ address: string; port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: '127.0.0.1',
    port,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
