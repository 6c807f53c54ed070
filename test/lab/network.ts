import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { IP_LOCKS_DIR, LAB_DIR } from './paths.ts';
import { identifyProcess, isProcessAlive, type ProcessIdentity } from './proc.ts';

/** Addresses handed out by this process and not yet released (the lock files say the same on disk). */
const addressesInUse = new Set<string>();

/** Lab addresses start at 127.0.10.1: low 127.0.0.x addresses are often used by the machine itself. */
function* candidateAddresses(): Generator<string> {
  for (let third = 10; third < 250; third++) {
    for (let fourth = 1; fourth < 255; fourth++) yield `127.0.${third}.${fourth}`;
  }
}

function lockPath(address: string): string {
  return path.join(IP_LOCKS_DIR, address);
}

/**
 * Takes the cross-process lock for an address. The lock file appears with its owner already in it
 * (written aside, then hard-linked into place, which fails when the name exists), so two test
 * processes starting hosts at the same time never get the same address, and another process's
 * cleanupStaleLab never finds it empty and takes it for a dead owner's. A lock left by a dead
 * process is not stolen here (that could race with another process stealing it too):
 * cleanupStaleLab removes those, and allocation simply moves on to the next address.
 */
async function tryLockAddress(address: string): Promise<boolean> {
  const me = await identifyProcess(process.pid);
  // Aside, outside the locks folder: cleanups of older labs take any unreadable file there for stale.
  const aside = path.join(LAB_DIR, `.ip-lock-${address}-${process.pid}.tmp`);
  await writeFile(aside, JSON.stringify(me));
  try {
    await link(aside, lockPath(address));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(aside).catch(() => {});
  }
}

export async function readAddressLockOwner(file: string): Promise<ProcessIdentity | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ProcessIdentity;
  } catch {
    return undefined;
  }
}

/** Returns a 127.0.0.x address nobody else in this machine's lab uses, locked for this process. */
export async function allocateAddress(): Promise<string> {
  await mkdir(IP_LOCKS_DIR, { recursive: true });
  for (const address of candidateAddresses()) {
    if (addressesInUse.has(address)) continue;
    // Mark before the await: parallel startLabHost calls in this process must not pick the same one.
    addressesInUse.add(address);
    if (await tryLockAddress(address)) return address;
    addressesInUse.delete(address);
  }
  throw new Error('no free lab address left in 127.0.10.1-127.0.249.254 (run cleanupStaleLab?)');
}

/** For an address the caller chose: lock it if we can, but use it either way (ports are probed). */
export async function claimAddress(address: string): Promise<void> {
  await mkdir(IP_LOCKS_DIR, { recursive: true });
  if (addressesInUse.has(address)) return;
  addressesInUse.add(address);
  if (!(await tryLockAddress(address))) addressesInUse.delete(address);
}

export async function releaseAddress(address: string): Promise<void> {
  if (!addressesInUse.delete(address)) return;
  const owner = await readAddressLockOwner(lockPath(address));
  if (owner?.pid !== process.pid) return;
  await unlink(lockPath(address)).catch(() => {});
}

/** A lock whose owner cannot be read yet may be one being written (older labs wrote it after creating it). */
const UNREADABLE_LOCK_GRACE_MS = 60_000;

export async function isAddressLockStale(file: string): Promise<boolean> {
  const owner = await readAddressLockOwner(file);
  if (owner) return !(await isProcessAlive(owner));
  const info = await stat(file).catch(() => undefined);
  return !info || Date.now() - info.mtimeMs > UNREADABLE_LOCK_GRACE_MS;
}

/** Tries to listen on address:port; resolves with the port actually bound, or undefined if refused. */
function probeListen(address: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host: address, port, exclusive: true }, () => {
      const bound = server.address();
      const boundPort = typeof bound === 'object' && bound ? bound.port : undefined;
      server.close(() => resolve(boundPort));
    });
  });
}

/**
 * Picks a port sshd can listen on: 22 when it is free on that address (as on a real host), else one
 * the kernel says is free. Never assumes: the machine's own sshd may listen on 0.0.0.0:22.
 */
export async function pickSshPort(address: string, avoid: readonly number[] = []): Promise<number> {
  if (!avoid.includes(22) && (await probeListen(address, 22)) === 22) return 22;
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await probeListen(address, 0);
    if (port !== undefined && !avoid.includes(port)) return port;
  }
  throw new Error(`could not find a free TCP port on ${address}`);
}

/** Connects and reads the first line; true when it is an SSH identification string. */
export function readSshBanner(address: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    let received = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\n')) finish(received.startsWith('SSH-'));
    });
    socket.on('end', () => finish(false));
  });
}

export interface SilentHost {
  address: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A TCP server that accepts connections and never sends the SSH banner: a client must time out on
 * it (the handshake never starts), unlike a refused connection, which fails at once.
 */
export async function startSilentHost(): Promise<SilentHost> {
  const address = await allocateAddress();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: address, port: 0 }, () => resolve());
    });
  } catch (error) {
    await releaseAddress(address);
    throw new Error(`while starting the silent host on ${address}: ${(error as Error).message}`);
  }
  const bound = server.address();
  if (typeof bound !== 'object' || !bound) throw new Error('silent host: server has no address');
  let closed = false;
  return {
    address,
    port: bound.port,
    async close() {
      if (closed) return;
      closed = true;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await releaseAddress(address);
    },
  };
}
