import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, readdir, readFile, rename, rm, rmdir, statfs, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BUSYBOX_IMAGE, ensureBusyboxTar } from './image.ts';
import {
  type HostProcess,
  listHostProcesses,
  type NamespaceHolder,
  runInHost,
  startNamespaceHolder,
} from './namespace.ts';
import { allocateAddress, claimAddress, pickSshPort, readSshBanner, releaseAddress } from './network.ts';
import { HOSTS_DIR } from './paths.ts';
import {
  errorMessage,
  identifyProcess,
  isProcessAlive,
  type RunResult,
  run,
  runOk,
  shellQuote,
  waitFor,
} from './proc.ts';

export interface LabHostOptions {
  /** e.g. 'h1'; also the host's `hostname`. */
  name: string;
  /** 127.0.0.x; default: a free one from 127.0.10.1 upward. */
  ip?: string;
  /** start dockerd in the host (default true). */
  docker?: boolean;
  /**
   * size of the ext4 loop image mounted at /var/lib/docker inside the host (default 256). A host
   * without docker gets no image unless diskMiB is given (sshd-only hosts stay cheap).
   */
  diskMiB?: number;
  /** mkfs.ext4 -N value (default: mkfs default). */
  inodes?: number;
  /** tmpfs size for the host's /tmp (default 64). */
  tmpMiB?: number;
}

export interface LabHost {
  name: string;
  address: string;
  port: number;
  user: 'root';
  /** ed25519 client key that sshd accepts for root. */
  privateKeyPath: string;
  /** 'SHA256:...' exactly as `ssh-keygen -lf` prints the ed25519 host key's fingerprint. */
  hostKeyFingerprint: string;
  /** known_hosts with the host key for `[address]:port` (and plain `address` when the port is 22). */
  knownHostsPath: string;
  dockerRoot: string;
  /** dockerd's socket inside the host's mount namespace. */
  dockerSocket: string;
  /** pid (machine pid namespace) of the host's init; its mount, pid and UTS namespaces are the host's. */
  nsPid: number;
  /** the host's folder on the machine (keys, disk image, owner.json). */
  dir: string;
  /** `sh -c script` inside the host (mount, pid and UTS namespaces), as root, with a clean environment. */
  sh(script: string): Promise<RunResult>;
  /** docker CLI inside the host against this host's daemon. */
  docker(args: string[]): Promise<RunResult>;
  /** true when dockerd answers GET /_ping. */
  pingDocker(): Promise<boolean>;
  fillDisk(percent: number): Promise<void>;
  freeDisk(): Promise<void>;
  exhaustInodes(): Promise<void>;
  freeInodes(): Promise<void>;
  makeHugeLog(opts: { name: string; sizeMiB: number }): Promise<{ containerId: string; logPath: string }>;
  makeDanglingImages(count: number): Promise<void>;
  stopDockerd(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  startDockerd(): Promise<void>;
  fileSize(path: string): Promise<number>;
  destroy(): Promise<void>;
}

/** What owner.json in a host's folder says; cleanupStaleLab reads it to tell live hosts from leftovers. */
export interface HostOwnerRecord {
  name: string;
  owner: { pid: number; startTime: string };
  holder?: { pid: number; startTime: string };
  address?: string;
  port?: number;
}

const DOCKER_ROOT = '/var/lib/docker';
const DOCKER_SOCKET = '/var/run/docker.sock';
/** The same socket without the /var/run symlink: paths read via /proc/PID/root must avoid absolute symlinks. */
const DOCKER_SOCKET_REAL = '/run/docker.sock';
const DOCKERD_LOG = '/var/log/docker.log';
const SSHD_LOG = '/var/log/sshd.log';
const DOCKERD_START_TIMEOUT_MS = 30_000;
const SSHD_START_TIMEOUT_MS = 10_000;
const MIB = 1024 * 1024;
const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/**
 * dockerd reads /etc/docker/daemon.json by default, so a plain `dockerd` (as a watchdog or fix would
 * start it on a host without an init system) gets the same safe settings as the lab's own start:
 * no iptables, bridge, ip_forward or masquerading changes in the machine's shared network namespace.
 * No log-opts: containers get json-file logs without max-size, as on a default install.
 */
const DAEMON_JSON = {
  'data-root': DOCKER_ROOT,
  'exec-root': '/run/docker',
  pidfile: '/run/docker.pid',
  hosts: [`unix://${DOCKER_SOCKET}`],
  'storage-driver': 'vfs',
  iptables: false,
  'ip-forward': false,
  'ip-masq': false,
  bridge: 'none',
  // Seconds dockerd waits for containers on shutdown: keeps SIGTERM and destroy() quick.
  'shutdown-timeout': 2,
};

/** The per-host cgroup parent lets destroy/cleanup remove exactly this host's container cgroups. */
function daemonJson(cgroupParent: string): Record<string, unknown> {
  return { ...DAEMON_JSON, 'cgroup-parent': cgroupParent };
}

let hostCounter = 0;

export async function startLabHost(opts: LabHostOptions): Promise<LabHost> {
  if (!NAME_PATTERN.test(opts.name)) {
    throw new Error(`lab host name ${JSON.stringify(opts.name)} must match ${NAME_PATTERN}`);
  }
  if (opts.ip !== undefined && !/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(opts.ip)) {
    throw new Error(`lab host ${opts.name}: ip ${opts.ip} is not in 127.0.0.0/8 (lab traffic stays local)`);
  }
  const host = new LabHostImpl(opts);
  try {
    await host.start();
  } catch (error) {
    await host.destroy().catch(() => {});
    const message = errorMessage(error);
    // Steps already say "while <doing what> on lab host <name>": do not say it twice.
    if (message.includes(`on lab host ${opts.name}:`)) throw error;
    throw new Error(`while starting lab host ${opts.name}: ${message}`, { cause: error });
  }
  return host;
}

class LabHostImpl implements LabHost {
  readonly name: string;
  readonly user = 'root' as const;
  readonly dockerRoot = DOCKER_ROOT;
  readonly dockerSocket = DOCKER_SOCKET;
  readonly dir: string;
  readonly privateKeyPath: string;
  readonly knownHostsPath: string;
  address = '';
  port = 0;
  hostKeyFingerprint = '';
  nsPid = 0;

  private readonly withDocker: boolean;
  private readonly diskMiB: number | undefined;
  private readonly inodes: number | undefined;
  private readonly tmpMiB: number;
  private holder: NamespaceHolder | undefined;
  private destroyed = false;

  constructor(opts: LabHostOptions) {
    this.name = opts.name;
    this.withDocker = opts.docker ?? true;
    this.diskMiB = opts.diskMiB ?? (this.withDocker ? 256 : undefined);
    this.inodes = opts.inodes;
    this.tmpMiB = opts.tmpMiB ?? 64;
    this.address = opts.ip ?? '';
    hostCounter += 1;
    this.dir = path.join(HOSTS_DIR, `${opts.name}-${process.pid}-${hostCounter}`);
    this.privateKeyPath = path.join(this.dir, 'id_ed25519');
    this.knownHostsPath = path.join(this.dir, 'known_hosts');
  }

  /** Root of the host's mount namespace as seen from the machine (no absolute symlinks below it!). */
  private get rootPath(): string {
    return `/proc/${this.nsPid}/root`;
  }

  async start(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.writeOwnerRecord();
    if (this.address) await claimAddress(this.address);
    else this.address = await allocateAddress();

    const [, , port] = await Promise.all([
      generateKey(path.join(this.dir, 'ssh_host_ed25519_key'), `lab-${this.name}-hostkey`),
      generateKey(this.privateKeyPath, `lab-${this.name}-client`),
      pickSshPort(this.address),
      this.diskMiB === undefined ? undefined : this.makeDiskImage(this.diskMiB),
      this.withDocker ? ensureBusyboxTar() : undefined,
      // Mount points on the machine's root filesystem (the docker.io package creates them too).
      mkdir(DOCKER_ROOT, { recursive: true }),
      mkdir('/etc/docker', { recursive: true }),
    ]);
    this.port = port;
    this.hostKeyFingerprint = await fingerprintOf(path.join(this.dir, 'ssh_host_ed25519_key.pub'));
    await writeFile(
      path.join(this.dir, 'daemon.json'),
      `${JSON.stringify(daemonJson(labCgroupParent(this.dir)), null, 2)}\n`,
    );
    await writeFile(path.join(this.dir, 'sshd_config'), this.sshdConfig());

    this.holder = await startNamespaceHolder();
    this.nsPid = this.holder.initPid;
    await this.writeOwnerRecord();
    await this.step('mounting its filesystems', () => this.setUpMounts());
    await Promise.all([
      this.step('starting sshd', () => this.startSshd()),
      this.withDocker ? this.startDockerdAndImportImage() : undefined,
    ]);
    await this.writeKnownHosts();
    await this.writeOwnerRecord();
  }

  /** Prefixes errors with what was being done, e.g. "while starting sshd on lab host h1: ...". */
  private async step<T>(what: string, action: () => Promise<T>): Promise<T> {
    try {
      return await action();
    } catch (error) {
      throw new Error(`while ${what} on lab host ${this.name}: ${errorMessage(error)}`, { cause: error });
    }
  }

  private async writeOwnerRecord(): Promise<void> {
    const owner = await identifyProcess(process.pid);
    if (!owner) throw new Error('cannot read this process in /proc');
    const record: HostOwnerRecord = {
      name: this.name,
      owner,
      holder: this.holder?.init,
      address: this.address || undefined,
      port: this.port || undefined,
    };
    // Written whole or not at all: another run's cleanupStaleLab reading a half-written owner.json
    // would take this live host for a leftover and delete its folder mid-start.
    const file = path.join(this.dir, 'owner.json');
    await writeFile(`${file}.tmp`, `${JSON.stringify(record, null, 2)}\n`);
    await rename(`${file}.tmp`, file);
  }

  private async makeDiskImage(sizeMiB: number): Promise<void> {
    const image = path.join(this.dir, 'disk.img');
    // Sparse file: costs no disk space until docker writes into it.
    const handle = await open(image, 'w');
    await handle.truncate(sizeMiB * MIB);
    await handle.close();
    const inodeArgs = this.inodes === undefined ? [] : ['-N', String(this.inodes)];
    await runOk('mkfs.ext4', ['-q', '-F', ...inodeArgs, image]).catch((error: unknown) => {
      throw new Error(`while making the ${sizeMiB} MiB ext4 image for lab host ${this.name}: ${errorMessage(error)}`);
    });
  }

  private sshdConfig(): string {
    return [
      `ListenAddress ${this.address}:${this.port}`,
      'HostKey /run/lab/ssh_host_ed25519_key',
      'PidFile /run/sshd.pid',
      'PermitRootLogin prohibit-password',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'AuthorizedKeysFile /root/.ssh/authorized_keys',
      'UsePAM no',
      'StrictModes no',
      'MaxSessions 10',
      // Tests open many connections at once; the default 10:30:100 drops some unauthenticated ones.
      'MaxStartups 100:30:200',
      'UseDNS no',
      'PrintMotd no',
      'PrintLastLog no',
      'AllowTcpForwarding yes',
      'AllowStreamLocalForwarding yes',
      'Subsystem sftp internal-sftp',
      'LogLevel INFO',
      '',
    ].join('\n');
  }

  /**
   * Mounts the host's private filesystems. Order matters: the host folder may live under the
   * machine's /tmp, which the host's own /tmp hides, so files are copied in before /tmp is mounted.
   */
  private async setUpMounts(): Promise<void> {
    const dir = shellQuote(this.dir);
    const lines = [
      'set -e',
      'mount -t tmpfs -o size=32m,mode=755 lab-run /run',
      'mkdir -p /run/sshd /run/lab',
      `cp ${dir}/sshd_config ${dir}/ssh_host_ed25519_key ${dir}/ssh_host_ed25519_key.pub /run/lab/`,
      'chmod 600 /run/lab/ssh_host_ed25519_key',
      'mount -t tmpfs -o size=32m,mode=755 lab-log /var/log',
      'mount -t tmpfs -o size=1m,mode=755 lab-etc-docker /etc/docker',
      `cp ${dir}/daemon.json /etc/docker/daemon.json`,
      // A fresh home: the machine's dotfiles must not change what remote shells do.
      'mount -t tmpfs -o size=8m,mode=700 lab-root /root',
      'mkdir -m 700 /root/.ssh',
      `cp ${dir}/id_ed25519.pub /root/.ssh/authorized_keys`,
      this.diskMiB === undefined ? '' : `mount -o loop ${dir}/disk.img ${DOCKER_ROOT}`,
      `mount -t tmpfs -o size=${this.tmpMiB}m,mode=1777 lab-tmp /tmp`,
      `hostname ${shellQuote(this.name)}`,
    ];
    const result = await runInHost(this.nsPid, 'sh', ['-c', lines.filter(Boolean).join('\n')]);
    if (result.code !== 0) throw new Error(result.stderr.trim() || `setup script exited with ${result.code}`);
  }

  private async startSshd(): Promise<void> {
    const triedPorts: number[] = [];
    for (let attempt = 1; ; attempt++) {
      const sshdPid = await this.launchDetached('/usr/sbin/sshd -D -e -f /run/lab/sshd_config', SSHD_LOG);
      const outcome = await waitFor('sshd to answer', SSHD_START_TIMEOUT_MS, async () => {
        // A banner alone could be another process's sshd on the same address and port (a race on
        // the port probe): only ours, having said it listens there, counts.
        if ((await this.sshdListening()) && (await readSshBanner(this.address, this.port, 500))) return 'up' as const;
        return (await this.isHostPidAlive(sshdPid)) ? undefined : ('died' as const);
      }).catch(async (error: unknown) => {
        throw new Error(`${errorMessage(error)}; sshd log: ${await this.tail(SSHD_LOG)}`);
      });
      if (outcome === 'up') return;
      const log = await this.tail(SSHD_LOG);
      // The port was free when probed but someone took it since: pick another one and retry.
      if (attempt < 3 && /Address already in use|Cannot bind any address/i.test(log)) {
        triedPorts.push(this.port);
        this.port = await pickSshPort(this.address, triedPorts);
        await writeFile(`${this.rootPath}/run/lab/sshd_config`, this.sshdConfig());
        continue;
      }
      throw new Error(`sshd exited on ${this.address}:${this.port}; its log: ${log}`);
    }
  }

  /** Whether this host's own sshd logged that it listens on the host's address and port. */
  private async sshdListening(): Promise<boolean> {
    const text = await readFile(`${this.rootPath}${SSHD_LOG}`, 'utf8').catch(() => '');
    return text.includes(`Server listening on ${this.address} port ${this.port}.`);
  }

  private async writeKnownHosts(): Promise<void> {
    const publicKey = (await readFile(path.join(this.dir, 'ssh_host_ed25519_key.pub'), 'utf8')).trim();
    const [type, key] = publicKey.split(/\s+/);
    const lines = [`[${this.address}]:${this.port} ${type} ${key}`];
    // OpenSSH looks up port 22 under the bare address, other ports under [address]:port.
    if (this.port === 22) lines.push(`${this.address} ${type} ${key}`);
    await writeFile(this.knownHostsPath, `${lines.join('\n')}\n`);
  }

  private async startDockerdAndImportImage(): Promise<void> {
    await this.startDockerd();
    await this.step('importing busybox:local', async () => {
      const tar = await ensureBusyboxTar();
      const result = await runInHost(
        this.nsPid,
        'docker',
        ['-H', `unix://${DOCKER_SOCKET}`, 'import', '-', BUSYBOX_IMAGE],
        {
          input: createReadStream(tar),
        },
      );
      if (result.code !== 0) throw new Error(`docker import failed: ${result.stderr.trim()}`);
    });
  }

  /**
   * Starts a program inside the host as a daemon would be: own session, no terminal, log file.
   * Returns its pid as the host sees it (setsid execs in place: a background child of a
   * non-interactive sh is no process-group leader, so setsid does not fork).
   */
  private async launchDetached(commandLine: string, logFile: string): Promise<number> {
    const script = `cd / && setsid ${commandLine} >>${logFile} 2>&1 </dev/null & echo $!`;
    const result = await runInHost(this.nsPid, 'sh', ['-c', script]);
    const hostPid = Number.parseInt(result.stdout.trim(), 10);
    if (result.code !== 0 || !Number.isInteger(hostPid)) {
      throw new Error(`could not launch ${commandLine}: ${result.stderr.trim() || result.stdout.trim()}`);
    }
    return hostPid;
  }

  /** Whether a process the host knows as `hostPid` still runs (whatever its name is right now). */
  private async isHostPidAlive(hostPid: number): Promise<boolean> {
    if (!this.holder) return false;
    const all = await listHostProcesses(this.holder.pidNamespace);
    return all.some((p) => p.hostPid === hostPid);
  }

  private async findProcesses(comm: string): Promise<HostProcess[]> {
    if (!this.holder) return [];
    const all = await listHostProcesses(this.holder.pidNamespace);
    return all.filter((p) => p.comm === comm);
  }

  /** The last lines of a log file inside the host, for error messages. */
  private async tail(file: string, lines = 15): Promise<string> {
    try {
      const text = await readFile(`${this.rootPath}${file}`, 'utf8');
      const last = text.trimEnd().split('\n').slice(-lines).join('\n');
      return last ? `\n${last}` : '(empty)';
    } catch (error) {
      return `(cannot read ${file}: ${errorMessage(error)})`;
    }
  }

  // ---- commands ----

  sh(script: string): Promise<RunResult> {
    return runInHost(this.nsPid, 'sh', ['-c', script]);
  }

  docker(args: string[]): Promise<RunResult> {
    return runInHost(this.nsPid, 'docker', ['-H', `unix://${DOCKER_SOCKET}`, ...args]);
  }

  pingDocker(): Promise<boolean> {
    return new Promise((resolve) => {
      const request = http.get(
        { socketPath: `${this.rootPath}${DOCKER_SOCKET_REAL}`, path: '/_ping', timeout: 2000 },
        (response) => {
          response.resume();
          resolve(response.statusCode === 200);
        },
      );
      request.on('timeout', () => request.destroy());
      request.on('error', () => resolve(false));
    });
  }

  async fileSize(file: string): Promise<number> {
    // stat inside the host: its paths may go through symlinks such as /var/run -> /run.
    const result = await this.sh(`stat -c %s -- ${shellQuote(file)}`);
    if (result.code !== 0) {
      throw new Error(`while reading the size of ${file} on lab host ${this.name}: ${result.stderr.trim()}`);
    }
    return Number.parseInt(result.stdout.trim(), 10);
  }

  // ---- dockerd ----

  async startDockerd(): Promise<void> {
    await this.step('starting dockerd', async () => {
      if (await this.pingDocker()) return;
      const dockerdPid = await this.launchDetached('dockerd', DOCKERD_LOG);
      let lastLivenessCheck = Date.now();
      await waitFor(`dockerd to answer _ping on ${DOCKER_SOCKET}`, DOCKERD_START_TIMEOUT_MS, async () => {
        if (await this.pingDocker()) return true;
        // Fail fast when the daemon died instead of polling for 30 s (checked every 300 ms: cheap).
        if (Date.now() - lastLivenessCheck > 300) {
          lastLivenessCheck = Date.now();
          if (!(await this.isHostPidAlive(dockerdPid)) && !(await this.pingDocker())) {
            throw new Error('dockerd exited');
          }
        }
        return undefined;
      }).catch(async (error: unknown) => {
        throw new Error(`${errorMessage(error)}; last lines of ${DOCKERD_LOG}:${await this.tail(DOCKERD_LOG)}`);
      });
    });
  }

  async stopDockerd(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    await this.step(`stopping dockerd with ${signal}`, async () => {
      const daemons = await this.findProcesses('dockerd');
      if (daemons.length === 0) return;
      for (const daemon of daemons) process.kill(daemon.pid, signal);
      await waitFor('dockerd to exit', 30_000, async () =>
        (await this.findProcesses('dockerd')).length === 0 ? true : undefined,
      );
    });
  }

  // ---- faults ----

  private async dockerFsStats(): Promise<{ usedPercent: number; used: number; total: number; bsize: number }> {
    const stats = await statfs(`${this.rootPath}${DOCKER_ROOT}`);
    const used = stats.blocks - stats.bfree;
    // df's Use%: used / (used + available to non-root), rounded up.
    const total = used + stats.bavail;
    const usedPercent = total === 0 ? 100 : Math.ceil((used * 100) / total);
    return { usedPercent, used, total, bsize: stats.bsize };
  }

  async fillDisk(percent: number): Promise<void> {
    await this.step(`filling ${DOCKER_ROOT} to ${percent}%`, async () => {
      if (!(percent >= 0 && percent <= 100)) throw new Error('percent must be between 0 and 100');
      const fill = `${DOCKER_ROOT}/lab-fill`;
      await rm(`${this.rootPath}${fill}`, { force: true });
      // fallocate reserves blocks without writing them: instant, and counted by df like real data.
      // Metadata (extent blocks) can make one pass fall short, so top up until df agrees.
      for (let pass = 0; pass < 5; pass++) {
        const stats = await this.dockerFsStats();
        if (stats.usedPercent >= percent) return;
        // The fewest used blocks for which df's rounded-up Use% reaches `percent` (not overshooting it).
        const missingBlocks = Math.floor(((percent - 1) * stats.total) / 100) + 1 - stats.used;
        const current = await this.fileSizeIfExists(fill);
        const result = await this.sh(`fallocate -o ${current} -l ${Math.max(1, missingBlocks) * stats.bsize} ${fill}`);
        if (result.code !== 0) throw new Error(`fallocate failed: ${result.stderr.trim()}`);
      }
      const stats = await this.dockerFsStats();
      if (stats.usedPercent < percent) throw new Error(`df still shows only ${stats.usedPercent}%`);
    });
  }

  private async fileSizeIfExists(file: string): Promise<number> {
    const handle = await open(`${this.rootPath}${file}`, 'r').catch(() => undefined);
    if (!handle) return 0;
    try {
      return (await handle.stat()).size;
    } finally {
      await handle.close();
    }
  }

  async freeDisk(): Promise<void> {
    await rm(`${this.rootPath}${DOCKER_ROOT}/lab-fill`, { force: true });
  }

  async exhaustInodes(): Promise<void> {
    await this.step(`exhausting the inodes of ${DOCKER_ROOT}`, async () => {
      const dir = `${this.rootPath}${DOCKER_ROOT}/lab-inodes`;
      await mkdir(dir, { recursive: true });
      let next = 0;
      let full = false;
      const createOne = async (): Promise<void> => {
        const handle = await open(`${dir}/f${next++}`, 'wx').catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOSPC') {
            full = true;
            return undefined;
          }
          if (error.code === 'EEXIST') return undefined;
          throw error;
        });
        await handle?.close();
      };
      // Empty files cost an inode each and no data blocks; batches keep it fast (~65k files/s).
      while (!full) await Promise.all(Array.from({ length: 256 }, createOne));
      const stats = await statfs(`${this.rootPath}${DOCKER_ROOT}`);
      if (stats.ffree > 0) {
        throw new Error(`file creation failed with ENOSPC but ${stats.ffree} inodes are still free (blocks full?)`);
      }
    });
  }

  async freeInodes(): Promise<void> {
    await rm(`${this.rootPath}${DOCKER_ROOT}/lab-inodes`, { recursive: true, force: true });
  }

  async makeHugeLog(opts: { name: string; sizeMiB: number }): Promise<{ containerId: string; logPath: string }> {
    return this.step(`making a ${opts.sizeMiB} MiB container log`, async () => {
      if (!(opts.sizeMiB > 0)) throw new Error('sizeMiB must be positive');
      const target = Math.round(opts.sizeMiB * MIB);
      // json-file turns each 221-byte line into ~290 bytes; aim below the target and top up exactly.
      const rawBytes = Math.floor(target / 1.36);
      const line = `INFO lab-huge-log GET /api/items?page=1 200 ${'x'.repeat(170)}`;
      const marker = 'lab-huge-log-written';
      // The trap makes `docker stop` and daemon shutdown quick: pid 1 would otherwise ignore SIGTERM.
      const script = `trap 'exit 0' TERM INT; yes '${line}' | head -c ${rawBytes}; echo; echo ${marker}; sleep 3600 & wait`;
      const started = await this.docker([
        'run',
        '-d',
        '--name',
        opts.name,
        '--network',
        'none',
        '--log-driver',
        'json-file',
        BUSYBOX_IMAGE,
        'sh',
        '-c',
        script,
      ]);
      if (started.code !== 0) throw new Error(`docker run failed: ${started.stderr.trim()}`);
      const containerId = started.stdout.trim();
      const inspected = await this.docker(['inspect', '-f', '{{.LogPath}}', containerId]);
      const logPath = inspected.stdout.trim();
      if (inspected.code !== 0 || !logPath) throw new Error(`docker inspect failed: ${inspected.stderr.trim()}`);
      const hostLogPath = `${this.rootPath}${logPath}`;
      await waitFor(
        'the container to write its log',
        120_000,
        async () => ((await readTail(hostLogPath, 256)).includes(`"${marker}\\n"`) ? true : undefined),
        50,
      );
      await topUpJsonLog(hostLogPath, target);
      return { containerId, logPath };
    });
  }

  async makeDanglingImages(count: number): Promise<void> {
    await this.step(`making ${count} dangling images`, async () => {
      const tag = 'lab-dangling:latest';
      const exists = (await this.docker(['image', 'inspect', tag])).code === 0;
      // Each build moves the tag; the image it moved away from becomes <none>:<none>.
      const builds = exists ? count : count + 1;
      const context = path.join(this.dir, 'build-context');
      await mkdir(context, { recursive: true });
      await writeFile(path.join(context, 'Dockerfile'), `FROM ${BUSYBOX_IMAGE}\nCOPY blob /lab-blob\n`);
      for (let i = 0; i < builds; i++) {
        // Random content makes every build a new image; COPY (no RUN) avoids starting a container,
        // which halves the build time (~1 s each here).
        await writeFile(path.join(context, 'blob'), randomBytes(300 * 1024));
        const { stdout: tar } = await runBuffer('tar', ['-C', context, '-cf', '-', '.']);
        const result = await runInHost(
          this.nsPid,
          'env',
          ['DOCKER_BUILDKIT=0', 'docker', '-H', `unix://${DOCKER_SOCKET}`, 'build', '-q', '-t', tag, '-'],
          { input: tar },
        );
        if (result.code !== 0) throw new Error(`docker build failed: ${result.stderr.trim()}`);
      }
      await rm(context, { recursive: true, force: true });
    });
  }

  // ---- teardown ----

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    const problems: string[] = [];
    const holder = this.holder;
    if (holder && (await isProcessAlive(holder.init))) {
      // Killing pid 1 of the host's pid namespace ends every process in it, containers included;
      // their mounts and the loop device go with the namespace, their cgroups are removed below.
      process.kill(holder.initPid, 'SIGKILL');
      await Promise.race([holder.exited, delay(10_000)]);
    }
    await removeLabCgroups(this.dir).catch((error: unknown) => problems.push(errorMessage(error)));
    if (this.diskMiB !== undefined) {
      await detachLoopDevices(path.join(this.dir, 'disk.img')).catch((error: unknown) =>
        problems.push(errorMessage(error)),
      );
    }
    await rm(this.dir, { recursive: true, force: true });
    if (this.address) await releaseAddress(this.address);
    if (problems.length > 0) throw new Error(`while destroying lab host ${this.name}: ${problems.join('; ')}`);
  }
}

/** Runs a program and returns its stdout as bytes (a tar stream must not go through utf8). */
function runBuffer(command: string, args: readonly string[]): Promise<{ stdout: Buffer }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: 'buffer', maxBuffer: 64 * MIB }, (error, stdout, stderr) => {
      if (error)
        reject(new Error(`${command} ${args.join(' ')} failed: ${stderr.toString('utf8').trim() || error.message}`));
      else resolve({ stdout });
    });
  });
}

async function generateKey(file: string, comment: string): Promise<void> {
  await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
}

async function fingerprintOf(publicKeyFile: string): Promise<string> {
  const { stdout } = await runOk('ssh-keygen', ['-lf', publicKeyFile]);
  const fingerprint = stdout.trim().split(/\s+/)[1];
  if (!fingerprint?.startsWith('SHA256:')) throw new Error(`unexpected ssh-keygen -lf output: ${stdout}`);
  return fingerprint;
}

async function readTail(file: string, bytes: number): Promise<string> {
  const handle = await open(file, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    const length = Math.min(bytes, size);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Appends json-file lines (the format dockerd writes) until the file is exactly `target` bytes.
 * The container already wrote the bulk through dockerd; this only tops up the last few percent.
 */
async function topUpJsonLog(file: string, target: number): Promise<void> {
  const handle = await open(file, 'r');
  const size = (await handle.stat()).size;
  await handle.close();
  let remaining = target - size;
  if (remaining <= 0) return;
  const time = new Date().toISOString();
  const jsonLine = (text: string): string => `${JSON.stringify({ log: `${text}\n`, stream: 'stdout', time })}\n`;
  const base = jsonLine('').length;
  const maxText = 400;
  const chunks: string[] = [];
  let pending = 0;
  while (remaining > 0) {
    let textLength: number;
    if (remaining <= base + maxText) textLength = remaining - base;
    else if (remaining - (base + maxText) >= base) textLength = maxText;
    else textLength = remaining - 2 * base; // leaves exactly one empty line's worth
    if (textLength < 0) throw new Error(`cannot top up the log by ${remaining} bytes (less than one line)`);
    const entry = jsonLine(`INFO lab-huge-log ${'y'.repeat(Math.max(0, textLength - 18))}`.slice(0, textLength));
    chunks.push(entry);
    pending += entry.length;
    remaining -= entry.length;
    if (pending >= MIB) {
      await appendFile(file, chunks.join(''));
      chunks.length = 0;
      pending = 0;
    }
  }
  if (chunks.length > 0) await appendFile(file, chunks.join(''));
}

/** Detaches loop devices still backed by an image (mount -o loop sets autoclear; this is the fallback). */
export async function detachLoopDevices(image: string): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const { stdout } = await run('losetup', ['-j', image]);
    const devices = stdout
      .split('\n')
      .map((line) => line.split(':')[0]?.trim())
      .filter((device): device is string => Boolean(device));
    if (devices.length === 0) return;
    // The kernel drops an autoclear loop device shortly after the last mount goes away: wait a bit.
    if (Date.now() < deadline) {
      await delay(50);
      continue;
    }
    for (const device of devices) await run('losetup', ['-d', device]);
    const after = await run('losetup', ['-j', image]);
    if (after.stdout.trim()) throw new Error(`loop device still attached to ${image}: ${after.stdout.trim()}`);
    return;
  }
}

/**
 * Each lab host's containers get their own cgroup parent, /dockmedic-lab/<host folder name>: the
 * cgroup tree is machine-wide, and a host killed hard (destroy, or its test process dying) leaves
 * empty container cgroups behind that must be told apart from other daemons' containers.
 */
export function labCgroupParent(hostDir: string): string {
  return `/dockmedic-lab/${path.basename(hostDir)}`;
}

/** Removes a lab host's (empty) cgroups in every cgroup v1 controller and in the v2 tree. */
export async function removeLabCgroups(hostDir: string): Promise<void> {
  const controllers = await readdir('/sys/fs/cgroup').catch(() => [] as string[]);
  const roots = ['/sys/fs/cgroup', ...controllers.map((controller) => `/sys/fs/cgroup/${controller}`)];
  const leftovers: string[] = [];
  for (const root of roots) {
    const dir = `${root}${labCgroupParent(hostDir)}`;
    if (!(await removeCgroupTree(dir))) leftovers.push(dir);
  }
  if (leftovers.length > 0) throw new Error(`cgroups still in use: ${leftovers.join(', ')}`);
}

/** rmdir depth-first (cgroup directories are removed with rmdir, not by deleting their files). */
async function removeCgroupTree(dir: string): Promise<boolean> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return true;
  for (const entry of entries) {
    if (entry.isDirectory()) await removeCgroupTree(path.join(dir, entry.name));
  }
  // Processes of a just-killed host may take a moment to leave their cgroup.
  for (let attempt = 0; attempt < 20; attempt++) {
    const removed = await rmdir(dir).then(
      () => true,
      (error: NodeJS.ErrnoException) => error.code === 'ENOENT',
    );
    if (removed) return true;
    await delay(50);
  }
  return false;
}
