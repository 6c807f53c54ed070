import { type ChildProcess, spawn } from 'node:child_process';
import { access, readdir, readFile, readlink } from 'node:fs/promises';
import { SYSTEM_PATH } from './paths.ts';
import { identifyProcess, type ProcessIdentity, type RunOptions, type RunResult, run, waitFor } from './proc.ts';

/**
 * A lab host's namespaces are held by a tiny init (tini) that unshare starts as pid 1 of a new pid,
 * mount and UTS namespace:
 * - mount: the host's own /run, /tmp, /root, /var/log, /etc/docker and /var/lib/docker;
 * - pid: `ps`/`pgrep dockerd` over ssh see only this host's processes (several lab hosts and maybe
 *   the machine's own dockerd run side by side), and killing pid 1 ends every process of the host,
 *   containers included, so nothing can keep the loop mount busy after destroy;
 * - UTS: `hostname` answers the lab host's name.
 * tini reaps orphans: dockerd started detached is re-parented to it, and a dead daemon must not stay
 * behind as a zombie that `kill -0` and the process table still report.
 */
export interface NamespaceHolder {
  /** pid (in the machine's pid namespace) of the init process whose namespaces are the host's. */
  initPid: number;
  init: ProcessIdentity;
  /** inode link of the host's pid namespace, e.g. 'pid:[4026532301]', to find its processes. */
  pidNamespace: string;
  exited: Promise<void>;
  child: ChildProcess;
}

const TINI_CANDIDATES = ['/usr/bin/tini', '/usr/bin/tini-static', '/usr/bin/docker-init'];

async function findTini(): Promise<string> {
  for (const candidate of TINI_CANDIDATES) {
    const found = await access(candidate).then(
      () => true,
      () => false,
    );
    if (found) return candidate;
  }
  throw new Error(`none of ${TINI_CANDIDATES.join(', ')} exists: run scripts/ensure-deps.sh (package tini)`);
}

export async function startNamespaceHolder(): Promise<NamespaceHolder> {
  const tini = await findTini();
  // setpriv --pdeathsig: if this test process dies without destroy(), unshare is killed, and
  // --kill-child passes that on to pid 1 of the host, which ends the whole host.
  const child = spawn(
    'setpriv',
    [
      '--pdeathsig',
      'KILL',
      'unshare',
      '--mount',
      '--pid',
      '--uts',
      '--fork',
      '--mount-proc',
      '--propagation',
      'private',
      '--kill-child',
      tini,
      '-s',
      '--',
      'sleep',
      'infinity',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: SYSTEM_PATH } },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  let hasExited = false;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', () => {
      hasExited = true;
      resolve();
    });
    child.on('error', () => {
      hasExited = true;
      resolve();
    });
  });
  // Started without await in between: a holder must never keep a test process alive.
  child.unref();
  const unsharePid = child.pid;
  if (unsharePid === undefined) throw new Error(`could not start unshare: ${stderr}`);

  const initPid = await waitFor('the namespace holder (tini) to start', 10_000, async () => {
    if (hasExited) throw new Error(`unshare exited at once: ${stderr.trim() || 'no message'}`);
    const children = await readFile(`/proc/${unsharePid}/task/${unsharePid}/children`, 'utf8').catch(() => '');
    const first = Number.parseInt(children.trim().split(' ')[0] ?? '', 10);
    if (!Number.isFinite(first)) return undefined;
    // Until exec, the forked child is still "unshare"; after it, the mounts (/proc) are done.
    const comm = await readFile(`/proc/${first}/comm`, 'utf8').catch(() => '');
    return comm.trim().startsWith('tini') || comm.trim() === 'docker-init' ? first : undefined;
  });
  const init = await identifyProcess(initPid);
  if (!init) throw new Error('the namespace holder died right after starting');
  const pidNamespace = await readlink(`/proc/${initPid}/ns/pid`);
  return { initPid, init, pidNamespace, exited, child };
}

/** Environment for everything run inside a host: nothing of the test runner's environment leaks in. */
export const HOST_ENV: NodeJS.ProcessEnv = {
  PATH: SYSTEM_PATH,
  HOME: '/root',
  USER: 'root',
  LOGNAME: 'root',
  SHELL: '/bin/sh',
  LANG: 'C.UTF-8',
};

/** Runs a program inside the host's mount, pid and UTS namespaces. */
export function runInHost(
  initPid: number,
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return run('nsenter', ['-t', String(initPid), '-m', '-u', '-p', '--', command, ...args], {
    env: HOST_ENV,
    ...options,
  });
}

export interface HostProcess {
  /** pid in the machine's pid namespace (what process.kill needs). */
  pid: number;
  /** pid as the host itself sees it (what its pidfiles contain). */
  hostPid: number;
  comm: string;
  rssKiB: number;
}

/** Lists the processes of one host by comparing pid-namespace links in the machine's /proc. */
export async function listHostProcesses(pidNamespace: string): Promise<HostProcess[]> {
  const entries = await readdir('/proc');
  const found = await Promise.all(
    entries
      .filter((entry) => /^\d+$/.test(entry))
      .map(async (entry): Promise<HostProcess | undefined> => {
        const ns = await readlink(`/proc/${entry}/ns/pid`).catch(() => '');
        if (ns !== pidNamespace) return undefined;
        const status = await readFile(`/proc/${entry}/status`, 'utf8').catch(() => '');
        if (!status || /^State:\s+Z/m.test(status)) return undefined;
        const nsPids = /^NSpid:\s+(.+)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [];
        const comm = /^Name:\s+(.+)$/m.exec(status)?.[1] ?? '';
        const rss = Number.parseInt(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? '0', 10);
        return {
          pid: Number(entry),
          hostPid: Number(nsPids[nsPids.length - 1] ?? entry),
          comm,
          rssKiB: rss,
        };
      }),
  );
  return found.filter((entry): entry is HostProcess => entry !== undefined);
}
