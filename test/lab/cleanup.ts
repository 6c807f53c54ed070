import { readdir, readFile, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { type HostOwnerRecord, removeLabCgroups } from './host.ts';
import { isAddressLockStale } from './network.ts';
import { HOSTS_DIR, IP_LOCKS_DIR, LAB_DIR } from './paths.ts';
import { errorMessage, isProcessAlive, run } from './proc.ts';

/**
 * Clears what an earlier, killed run left behind, and nothing that is still in use:
 * - host folders whose owner process and namespace holder are both gone (a folder whose holder
 *   still lives is left alone: new hosts get new folders, so there is no collision);
 * - loop devices backed by images in those folders, and mounts under LAB_DIR in this namespace;
 * - address locks of dead processes, half-built image folders.
 * It never kills a process: the processes of a finished session are already gone.
 */
export async function cleanupStaleLab(): Promise<void> {
  const problems: string[] = [];
  const staleDirs = await findStaleHostDirs();
  await unmountUnder(LAB_DIR, staleDirs, problems);
  await detachStaleLoopDevices(staleDirs, problems);
  for (const dir of staleDirs) {
    await removeLabCgroups(dir).catch((error: unknown) => problems.push(errorMessage(error)));
    await rm(dir, { recursive: true, force: true }).catch((error: unknown) =>
      problems.push(`cannot remove ${dir}: ${errorMessage(error)}`),
    );
  }
  await removeStaleAddressLocks();
  await removeHalfBuiltImages();
  if (problems.length > 0) throw new Error(`while cleaning up the stale lab in ${LAB_DIR}: ${problems.join('; ')}`);
}

async function findStaleHostDirs(): Promise<string[]> {
  const entries = await readdir(HOSTS_DIR).catch(() => [] as string[]);
  const stale: string[] = [];
  for (const entry of entries) {
    const dir = path.join(HOSTS_DIR, entry);
    const record = await readOwnerRecord(dir);
    // Hosts of this very process are live even before their owner.json is complete.
    if (record?.owner.pid === process.pid) continue;
    if (record && (await isProcessAlive(record.owner))) continue;
    if (record?.holder && (await isProcessAlive(record.holder))) continue;
    // A folder without its owner.json yet is a host being started by another run right now.
    if (!record && (await isYoung(dir))) continue;
    stale.push(dir);
  }
  return stale;
}

async function isYoung(dir: string): Promise<boolean> {
  const info = await stat(dir).catch(() => undefined);
  return info !== undefined && Date.now() - info.mtimeMs < 60_000;
}

async function readOwnerRecord(dir: string): Promise<HostOwnerRecord | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, 'owner.json'), 'utf8')) as HostOwnerRecord;
  } catch {
    return undefined;
  }
}

function isInside(file: string, dir: string): boolean {
  return file === dir || file.startsWith(`${dir}/`);
}

/** Unescapes the octal escapes (\040 for space...) /proc/self/mountinfo uses in paths. */
function unescapeMountPath(value: string): string {
  return value.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/**
 * Lab hosts mount only inside their private namespaces, which vanish with their processes; a mount
 * under LAB_DIR in this namespace can only be a leftover (of an older lab or a manual experiment).
 * Mounts inside a live host's folder are kept.
 */
async function unmountUnder(root: string, staleDirs: readonly string[], problems: string[]): Promise<void> {
  const liveDirs = (await readdir(HOSTS_DIR).catch(() => [] as string[]))
    .map((entry) => path.join(HOSTS_DIR, entry))
    .filter((dir) => !staleDirs.includes(dir));
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const mountPoints = mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => Boolean(point))
    .map(unescapeMountPath)
    .filter((point) => isInside(point, root) && !liveDirs.some((dir) => isInside(point, dir)))
    // Deepest first, so nested mounts come off before their parents.
    .sort((a, b) => b.length - a.length);
  for (const point of mountPoints) {
    const result = await run('umount', ['-l', point]);
    if (result.code !== 0) problems.push(`cannot unmount ${point}: ${result.stderr.trim()}`);
  }
}

interface LoopDevice {
  name: string;
  'back-file': string | null;
}

async function detachStaleLoopDevices(staleDirs: readonly string[], problems: string[]): Promise<void> {
  const result = await run('losetup', ['--list', '--json', '--output', 'NAME,BACK-FILE']);
  if (result.code !== 0 || !result.stdout.trim()) return;
  const devices = (JSON.parse(result.stdout) as { loopdevices?: LoopDevice[] }).loopdevices ?? [];
  const liveDirs = (await readdir(HOSTS_DIR).catch(() => [] as string[]))
    .map((entry) => path.join(HOSTS_DIR, entry))
    .filter((dir) => !staleDirs.includes(dir));
  for (const device of devices) {
    // A deleted backing file shows as "/path (deleted)".
    const backFile = device['back-file']?.replace(/ \(deleted\)$/, '');
    if (!backFile || !isInside(backFile, LAB_DIR)) continue;
    if (liveDirs.some((dir) => isInside(backFile, dir))) continue;
    const detached = await run('losetup', ['-d', device.name]);
    if (detached.code !== 0) problems.push(`cannot detach ${device.name} (${backFile}): ${detached.stderr.trim()}`);
  }
}

async function removeStaleAddressLocks(): Promise<void> {
  const entries = await readdir(IP_LOCKS_DIR).catch(() => [] as string[]);
  for (const entry of entries) {
    const file = path.join(IP_LOCKS_DIR, entry);
    if (await isAddressLockStale(file)) await unlink(file).catch(() => {});
  }
}

async function removeHalfBuiltImages(): Promise<void> {
  const entries = await readdir(LAB_DIR).catch(() => [] as string[]);
  for (const entry of entries) {
    // Folders of a builder that died mid-way; a live builder's folder is younger than a minute.
    if (!entry.startsWith('busybox-rootfs-')) continue;
    const dir = path.join(LAB_DIR, entry);
    const info = await stat(dir).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > 60_000) await rm(dir, { recursive: true, force: true });
  }
}
