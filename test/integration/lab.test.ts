import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, open, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isHostDirStale } from '../lab/cleanup.ts';
import { cleanupStaleLab, LAB_DIR, type LabHost, startLabHost, startSilentHost } from '../lab/lab.ts';
import { isAddressLockStale } from '../lab/network.ts';

interface CommandResult {
  stdout: string;
  stderr: string;
  code: number;
}

function runCommand(command: string, args: string[], input?: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ stdout: String(stdout), stderr: String(stderr), code });
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The system OpenSSH client, pinned to the lab host's key; -F /dev/null ignores the machine's config. */
function sshTo(host: LabHost, remoteCommand: string): Promise<CommandResult> {
  return runCommand('ssh', [
    '-F',
    '/dev/null',
    '-i',
    host.privateKeyPath,
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${host.knownHostsPath}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=10',
    '-p',
    String(host.port),
    `root@${host.address}`,
    remoteCommand,
  ]);
}

/** Use% column of `df -P` / `df -Pi` for the filesystem in the last output line. */
function usePercent(dfOutput: string): number {
  const lastLine = dfOutput.trim().split('\n').at(-1) ?? '';
  const match = /(\d+)%/.exec(lastLine);
  if (!match?.[1]) throw new Error(`no Use% in df output: ${dfOutput}`);
  return Number(match[1]);
}

async function labMountPoints(): Promise<string[]> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((point) => point.startsWith(LAB_DIR));
}

describe('test lab', () => {
  let host: LabHost;

  beforeAll(async () => {
    await cleanupStaleLab();
    host = await startLabHost({ name: 'labtest1' });
  });

  afterAll(async () => {
    await host?.destroy();
  });

  it('accepts the system ssh client with the pinned host key and shows its own loop filesystem', async () => {
    const df = await sshTo(host, 'df -P /var/lib/docker');
    expect(df.stderr).not.toMatch(/WARNING|Permanently added/);
    expect(df.code).toBe(0);
    expect(df.stdout).toMatch(/^\/dev\/loop\d+\s+\d+\s+\d+\s+\d+\s+\d+%\s+\/var\/lib\/docker$/m);

    // Its own hostname, a fresh home (no machine dotfiles), and only its own processes.
    const identity = await sshTo(host, 'hostname; ls -A /root; pgrep -c dockerd');
    expect(identity.stdout.split('\n')).toEqual(['labtest1', '.ssh', '1', '']);
  });

  it('publishes the host key fingerprint exactly as ssh-keygen -lf prints it', async () => {
    const scanned = await runCommand('ssh-keyscan', ['-t', 'ed25519', '-p', String(host.port), host.address]);
    const printed = await runCommand('ssh-keygen', ['-lf', '-'], scanned.stdout);
    expect(printed.stdout.split(/\s+/)[1]).toBe(host.hostKeyFingerprint);
    expect(host.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    const knownHosts = await readFile(host.knownHostsPath, 'utf8');
    expect(knownHosts).toContain(`[${host.address}]:${host.port} ssh-ed25519 `);
  });

  it('fills the docker filesystem to a df level and frees it again', async () => {
    await host.fillDisk(96);
    const full = await sshTo(host, 'df -P /var/lib/docker');
    expect(usePercent(full.stdout)).toBeGreaterThanOrEqual(95);

    await host.fillDisk(60);
    expect(usePercent((await host.sh('df -P /var/lib/docker')).stdout)).toBe(60);

    await host.freeDisk();
    expect(usePercent((await host.sh('df -P /var/lib/docker')).stdout)).toBeLessThan(10);
  });

  it('makes a container whose json-file log has the requested size and valid lines', async () => {
    const { containerId, logPath } = await host.makeHugeLog({ name: 'noisy', sizeMiB: 8 });
    expect(containerId).toMatch(/^[0-9a-f]{64}$/);
    expect(logPath).toBe(`/var/lib/docker/containers/${containerId}/${containerId}-json.log`);
    expect(await host.fileSize(logPath)).toBe(8 * 1024 * 1024);

    const firstLine = (await host.sh(`head -n 1 ${logPath}`)).stdout;
    const entry = JSON.parse(firstLine) as { log?: unknown; stream?: unknown; time?: unknown };
    expect(typeof entry.log).toBe('string');
    expect(entry.stream).toBe('stdout');
    const lastLine = (await host.sh(`tail -n 1 ${logPath}`)).stdout;
    expect(JSON.parse(lastLine)).toHaveProperty('log');

    // dockerd itself can read the whole file back, and the container keeps running.
    const tail = await host.docker(['logs', '--tail', '2', 'noisy']);
    expect(tail.code).toBe(0);
    expect(tail.stdout).toContain('lab-huge-log');
    const state = await host.docker(['inspect', '-f', '{{.State.Running}} {{.HostConfig.LogConfig.Type}}', 'noisy']);
    expect(state.stdout.trim()).toBe('true json-file');
  });

  it('makes dangling images with a classic build', async () => {
    await host.makeDanglingImages(2);
    const dangling = await host.docker(['images', '-f', 'dangling=true', '-q']);
    expect(dangling.stdout.trim().split('\n').length).toBeGreaterThanOrEqual(2);
  });

  it('stops dockerd (SIGTERM: socket gone; SIGKILL: stale socket) and starts it again', async () => {
    await host.stopDockerd('SIGTERM');
    expect(await host.pingDocker()).toBe(false);
    expect((await host.sh('test -e /var/run/docker.sock')).code).not.toBe(0);
    expect((await host.docker(['version'])).code).not.toBe(0);

    await host.startDockerd();
    expect(await host.pingDocker()).toBe(true);
    expect((await host.docker(['version', '--format', '{{.Server.Version}}'])).code).toBe(0);

    await host.stopDockerd('SIGKILL');
    expect(await host.pingDocker()).toBe(false);
    // The stale socket and pidfile stay behind, as after a real crash.
    expect((await host.sh('test -S /var/run/docker.sock && test -s /var/run/docker.pid')).code).toBe(0);
    expect((await sshTo(host, 'pgrep -x dockerd')).code).toBe(1);

    await host.startDockerd();
    expect(await host.pingDocker()).toBe(true);
    // Images survive a daemon restart: they live on the host's own filesystem.
    expect((await host.docker(['image', 'inspect', 'busybox:local'])).code).toBe(0);
  });

  it('exhausts inodes on a second host while blocks stay free, and destroy leaves nothing mounted', async () => {
    const small = await startLabHost({ name: 'labtest2', diskMiB: 128, inodes: 4096 });
    let destroyed = false;
    try {
      // A running container: destroy must end it and remove its cgroup from the machine's tree.
      const sleeper = await small.docker([
        'run',
        '-d',
        '--network',
        'none',
        '--name',
        'sleeper',
        'busybox:local',
        'sleep',
        '3600',
      ]);
      expect(sleeper.code).toBe(0);
      const cgroupDir = `/sys/fs/cgroup/memory/dockmedic-lab/${path.basename(small.dir)}/${sleeper.stdout.trim()}`;
      await expect(stat(cgroupDir)).resolves.toBeTruthy();

      await small.exhaustInodes();
      const inodes = await small.sh('df -Pi /var/lib/docker');
      expect(usePercent(inodes.stdout)).toBe(100);
      const blocks = await small.sh('df -P /var/lib/docker');
      expect(usePercent(blocks.stdout)).toBeLessThan(50);
      // A real symptom: nothing new can be created there.
      expect((await small.sh('touch /var/lib/docker/one-more')).stderr).toMatch(/No space left/);

      const image = path.join(small.dir, 'disk.img');
      expect((await runCommand('losetup', ['-j', image])).stdout).toContain('/dev/loop');
      const nsPid = small.nsPid;
      await small.destroy();
      destroyed = true;

      expect(await labMountPoints()).toEqual([]);
      expect((await runCommand('losetup', ['-a'])).stdout).not.toContain(small.dir);
      await expect(stat(`/proc/${nsPid}`)).rejects.toThrow();
      await expect(stat(small.dir)).rejects.toThrow();
      await expect(stat(path.dirname(cgroupDir))).rejects.toThrow();
      // The first host is untouched.
      expect(await host.pingDocker()).toBe(true);
    } finally {
      if (!destroyed) await small.destroy();
    }
  });

  it('starts several hosts in parallel on distinct addresses', async () => {
    const hosts = await Promise.all([
      startLabHost({ name: 'par1' }),
      startLabHost({ name: 'par2', docker: false }),
      startLabHost({ name: 'par3', docker: false }),
    ]);
    try {
      const endpoints = new Set(hosts.map((h) => `${h.address}:${h.port}`));
      expect(endpoints.size).toBe(3);
      const names = await Promise.all(hosts.map((h) => sshTo(h, 'hostname')));
      expect(names.map((r) => r.stdout.trim())).toEqual(['par1', 'par2', 'par3']);
    } finally {
      await Promise.all(hosts.map((h) => h.destroy()));
    }
  });

  it('has a silent host on which ssh times out during the banner exchange', async () => {
    const silent = await startSilentHost();
    try {
      expect(silent.address).toMatch(/^127\./);
      const result = await runCommand('ssh', [
        '-F',
        '/dev/null',
        '-o',
        'BatchMode=yes',
        '-o',
        'ConnectTimeout=1',
        '-p',
        String(silent.port),
        `root@${silent.address}`,
        'true',
      ]);
      expect(result.code).toBe(255);
      expect(result.stderr).toMatch(/timed out/i);
    } finally {
      await silent.close();
    }
  });

  it('cleanupStaleLab clears a dead run (folder, loop device) and keeps live hosts', async () => {
    // What a killed run leaves: a host folder whose owner is gone, with an attached loop image.
    const dir = path.join(LAB_DIR, 'hosts', 'ghost-999999-1');
    await mkdir(dir, { recursive: true });
    await writeFile(
      path.join(dir, 'owner.json'),
      JSON.stringify({
        name: 'ghost',
        owner: { pid: 999_999, startTime: '1' },
        holder: { pid: 999_998, startTime: '1' },
      }),
    );
    const image = path.join(dir, 'disk.img');
    const handle = await open(image, 'w');
    await handle.truncate(8 * 1024 * 1024);
    await handle.close();
    const attached = await runCommand('losetup', ['-f', '--show', image]);
    expect(attached.code).toBe(0);
    // ...and the empty cgroup of a container that was killed with it.
    const cgroupDir = '/sys/fs/cgroup/memory/dockmedic-lab/ghost-999999-1/0123abcd';
    await mkdir(cgroupDir, { recursive: true });

    await cleanupStaleLab();

    expect((await runCommand('losetup', ['-j', image])).stdout.trim()).toBe('');
    await expect(stat(dir)).rejects.toThrow();
    await expect(stat(path.dirname(cgroupDir))).rejects.toThrow();
    expect(await host.pingDocker()).toBe(true);
    await expect(stat(host.dir)).resolves.toBeTruthy();
  });

  it('cleanupStaleLab keeps what another process is still creating: an unwritten lock, a folder without owner.json', async () => {
    // Arrange: a private folder, so no other run's cleanup races with this test.
    const scratch = await mkdtemp(path.join(tmpdir(), 'dm-lab-stale-'));
    try {
      const lock = path.join(scratch, '127.0.10.1');
      const folder = path.join(scratch, 'nascent-999999-1');
      await writeFile(lock, '');
      await mkdir(folder);
      const dead = path.join(scratch, '127.0.10.2');
      await writeFile(dead, JSON.stringify({ pid: 999_999, startTime: '1' }));

      // Act + Assert: young and unreadable is someone's work in progress; a dead owner is stale.
      expect(await isAddressLockStale(lock)).toBe(false);
      expect(await isHostDirStale(folder)).toBe(false);
      expect(await isAddressLockStale(dead)).toBe(true);

      // An hour later the same unreadable lock and bare folder are leftovers.
      const hourAgo = new Date(Date.now() - 3_600_000);
      await utimes(lock, hourAgo, hourAgo);
      await utimes(folder, hourAgo, hourAgo);
      expect(await isAddressLockStale(lock)).toBe(true);
      expect(await isHostDirStale(folder)).toBe(true);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
