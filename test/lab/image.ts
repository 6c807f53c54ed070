import { chmod, copyFile, mkdir, mkdtemp, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { LAB_DIR } from './paths.ts';
import { runOk } from './proc.ts';

/** The tag every docker lab host has: there is no registry, so images come from this local import. */
export const BUSYBOX_IMAGE = 'busybox:local';

const BUSYBOX_BINARY = '/bin/busybox';

/** Applets the tests and fixes use; each is a symlink to the static busybox binary. */
const APPLETS = [
  'sh',
  'ls',
  'cat',
  'sleep',
  'yes',
  'head',
  'dd',
  'df',
  'echo',
  'id',
  'touch',
  'mkdir',
  'rm',
  'wc',
  'find',
  'du',
  'env',
  'printf',
  'true',
  'false',
  'tail',
  'grep',
  'kill',
  'ps',
  'stat',
  'chmod',
  'ln',
  'mv',
  'cp',
  'tr',
  'seq',
  'date',
  'hostname',
  'uname',
  'wget',
  'nc',
  'tee',
  'sync',
  'fallocate',
];

let tarPromise: Promise<string> | undefined;

/**
 * Returns the path of a tar of a minimal busybox root filesystem, built once and cached in LAB_DIR
 * (the name carries busybox's size and mtime, so an upgraded busybox gets a fresh tar).
 */
export function ensureBusyboxTar(): Promise<string> {
  tarPromise ??= buildBusyboxTar().catch((error: unknown) => {
    tarPromise = undefined;
    throw new Error(`while building the busybox image tar: ${(error as Error).message}`);
  });
  return tarPromise;
}

async function buildBusyboxTar(): Promise<string> {
  const info = await stat(BUSYBOX_BINARY).catch(() => {
    throw new Error(`${BUSYBOX_BINARY} is missing: run scripts/ensure-deps.sh (package busybox-static)`);
  });
  const tarPath = path.join(LAB_DIR, `busybox-${info.size}-${Math.floor(info.mtimeMs)}.tar`);
  const existing = await stat(tarPath).catch(() => undefined);
  if (existing && existing.size > 0) return tarPath;

  await mkdir(LAB_DIR, { recursive: true });
  const workDir = await mkdtemp(path.join(LAB_DIR, 'busybox-rootfs-'));
  try {
    const rootfs = path.join(workDir, 'rootfs');
    for (const dir of ['bin', 'usr/bin', 'etc', 'tmp', 'root', 'proc', 'sys', 'dev', 'var/log']) {
      await mkdir(path.join(rootfs, dir), { recursive: true });
    }
    await chmod(path.join(rootfs, 'tmp'), 0o1777);
    await copyFile(BUSYBOX_BINARY, path.join(rootfs, 'bin/busybox'));
    await chmod(path.join(rootfs, 'bin/busybox'), 0o755);
    for (const applet of APPLETS) await symlink('busybox', path.join(rootfs, 'bin', applet));
    // Scripts often start with #!/usr/bin/env sh.
    await symlink('../../bin/busybox', path.join(rootfs, 'usr/bin/env'));
    await writeFile(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    await writeFile(path.join(rootfs, 'etc/group'), 'root:x:0:\n');
    const partial = path.join(workDir, 'busybox.tar');
    await runOk('tar', ['--numeric-owner', '--owner=0', '--group=0', '-C', rootfs, '-cf', partial, '.']);
    // rename is atomic: a parallel builder in another process sees either no tar or a whole one.
    await rename(partial, tarPath);
    return tarPath;
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}
