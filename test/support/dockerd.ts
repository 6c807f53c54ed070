// A private dockerd for the hosts integration tests, started with the flags DESIGN.md found to work
// here, with its own data/exec root, pidfile and socket under a tmp dir. Stopped by PID.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestDockerd {
  socket: string;
  dir: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startTestDockerd(): Promise<TestDockerd> {
  // A short path: unix socket paths are limited to ~107 bytes and containerd nests below exec-root.
  const dir = mkdtempSync(path.join(tmpdir(), 'dmd-'));
  const socket = path.join(dir, 'docker.sock');
  let child: ChildProcess | undefined;
  const start = async () => {
    const logFd = openSync(path.join(dir, 'dockerd.log'), 'a');
    child = spawn(
      'dockerd',
      [
        '--data-root',
        path.join(dir, 'data'),
        '--exec-root',
        path.join(dir, 'exec'),
        '--pidfile',
        path.join(dir, 'dockerd.pid'),
        '-H',
        `unix://${socket}`,
        '--storage-driver=vfs',
        '--iptables=false',
        '--bridge=none',
      ],
      { stdio: ['ignore', logFd, logFd] },
    );
    await waitForSocket(socket, child, path.join(dir, 'dockerd.log'));
  };
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  };
  await start();
  return {
    socket,
    dir,
    stop,
    start,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForSocket(socket: string, child: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`dockerd exited at start:\n${readFileSync(logPath, 'utf8')}`);
    if (existsSync(socket) && (await answersPing(socket))) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`dockerd did not answer on ${socket} within 60 s`);
}

function answersPing(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const conn = net.connect(socket);
    conn.once('connect', () => {
      conn.end('GET /_ping HTTP/1.0\r\n\r\n');
    });
    let body = '';
    conn.on('data', (chunk) => {
      body += chunk.toString();
    });
    conn.once('close', () => resolve(body.includes('200 OK')));
    conn.once('error', () => resolve(false));
  });
}
