import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../config/load.ts';
import type { DockmedicConfig } from '../config/schema.ts';

export const DEMO_USERS = { requester: 'UDEMOOPS1', secondOperator: 'UDEMOOPS2', admin: 'UDEMOADMIN' } as const;
export const DEMO_CHANNEL = 'CDEMO0001';

export interface Demo {
  config: DockmedicConfig;
  /** What the newcomer is told about the demo hosts. */
  intro: string[];
  stop(): Promise<void>;
}

/**
 * The demo's people: every demo user is an operator or admin, so the newcomer can try every command
 * (logs too) and both sides of the two-person rule; anyone else typed with `as` is refused, as in
 * production (viewers default to nobody). A roomier bucket than the default, for trying things fast.
 */
function demoAccess() {
  return {
    admins: [DEMO_USERS.admin],
    operators: [DEMO_USERS.requester, DEMO_USERS.secondOperator],
    viewers: [],
    rateLimit: { capacity: 30, refillEvery: '10s' },
    twoPersonRule: true,
    approvalTtl: '15m',
  };
}

/** The lab needs root, Linux and the Debian packages scripts/ensure-deps.sh installs. */
export function canRunLab(): boolean {
  return process.platform === 'linux' && process.getuid?.() === 0 && existsSync('/usr/bin/unshare');
}

/**
 * Two real hosts with real faults — a nearly full Docker disk and a container with a huge log — so
 * the first thing a newcomer sees is a real finding and a real fix. Without root, this machine.
 */
function localDemo(): Demo {
  const config = parseConfig(
    { hosts: [{ name: 'local', address: 'local' }], access: demoAccess() },
    'demo',
    process.cwd(),
  );
  return { config, intro: ['local: this machine'], stop: async () => {} };
}

/** The lab's Debian packages (dockerd, sshd, busybox…), installed by the same script the tests use. */
function ensureLabPackages(say: (line: string) => void): boolean {
  const script = path.resolve(import.meta.dirname, '../../scripts/ensure-deps.sh');
  say("Checking the lab's Debian packages (scripts/ensure-deps.sh installs any that are missing)…");
  const result = spawnSync('bash', [script], { stdio: ['ignore', 'inherit', 'inherit'] });
  return result.status === 0;
}

export async function startDemo(say: (line: string) => void): Promise<Demo> {
  if (!canRunLab()) {
    say('Not root on Linux: the demo checks this machine (`address: local`) instead of lab hosts.');
    return localDemo();
  }
  if (!ensureLabPackages(say)) {
    say('The lab packages could not be installed: the demo checks this machine (`address: local`) instead.');
    return localDemo();
  }
  try {
    return await startLabDemo(say);
  } catch (error) {
    say(
      `The lab hosts did not start (${(error as Error).message.split('\n')[0]}): the demo checks this machine instead.`,
    );
    return localDemo();
  }
}

async function startLabDemo(say: (line: string) => void): Promise<Demo> {
  say('Starting two lab hosts (sshd + dockerd in private mount namespaces on 127.0.0.x)…');
  const lab = await import('../../test/lab/lab.ts');
  const { addDataDisk } = await import('../../test/lab/faults/data-root.ts');
  await lab.cleanupStaleLab();
  const [full, logs] = await Promise.all([
    lab.startLabHost({ name: 'demo-full', diskMiB: 256 }),
    lab.startLabHost({ name: 'demo-logs', diskMiB: 512 }),
  ]);
  try {
    // The full disk also holds a log: on a crit filesystem its biggest logs are offered for truncation.
    // A roomy /data beside it (in the host only) is where the data-root runbook offers to move Docker.
    await Promise.all([
      full.makeHugeLog({ name: 'web', sizeMiB: 24 }).then(() => full.fillDisk(96)),
      addDataDisk(full, { sizeMiB: 2048, mount: '/data' }),
      logs.makeHugeLog({ name: 'chatty-api', sizeMiB: 80 }),
      logs.makeDanglingImages(2),
    ]);
  } catch (error) {
    await Promise.allSettled([full.destroy(), logs.destroy()]);
    throw error;
  }
  const config = parseConfig(
    {
      hosts: [lab.labHostEntry(full, { groups: ['demo'] }), lab.labHostEntry(logs, { groups: ['demo'] })],
      access: demoAccess(),
    },
    'demo',
    process.cwd(),
  );
  return {
    config,
    intro: [
      `demo-full: ${full.address}:${full.port}, its /var/lib/docker is 96 % full, partly a container log`,
      `demo-logs: ${logs.address}:${logs.port}, a container "chatty-api" with an 80 MiB log and dangling images`,
    ],
    async stop() {
      await Promise.allSettled([full.destroy(), logs.destroy()]);
    },
  };
}
