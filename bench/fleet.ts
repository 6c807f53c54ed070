/**
 * `diskcheck @bench` (a fleet run) over N lab hosts with dockerd, through the real pipeline (signed slash command →
 * Redis → worker → SSH + Docker API → local Slack summary), cold (first connections) and warm
 * (pooled), beside, in the same run and against the same hosts:
 *   floor — a bare Node script: ssh2 connections to every host at once, `df -P; df -Pi` once each;
 *   Debian's parallel-ssh running the same commands; Debian's ansible ad-hoc (-m shell, forks = hosts).
 * diskcheck collects far more than df (six checks, Engine API calls); the goal is warm ≤ 1.5× floor
 * and faster than parallel-ssh, cold ≤ 3× floor.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'ssh2';
import { parseConfig } from '../src/config/load.ts';
import { cleanupStaleLab, type LabHost, startLabHost } from '../test/lab/lab.ts';
import { labHostEntry, startStack, USERS } from '../test/support/stack.ts';

const CHANNEL = 'CBENCH0001';

function bareRun(host: LabHost, key: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client
      .once('ready', () => {
        client.exec('df -P; df -Pi', (err, stream) => {
          if (err) return reject(err);
          stream.on('data', () => {}).stderr.on('data', () => {});
          stream.on('close', () => {
            client.end();
            resolve();
          });
        });
      })
      .once('error', reject)
      .connect({ host: host.address, port: host.port, username: 'root', privateKey: key });
  });
}

async function time(action: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

/** One `diskcheck TARGET` through the whole pipeline, until its summary reads all hosts answered. */
async function fleetRun(stack: Awaited<ReturnType<typeof startStack>>, target: string, total: number) {
  const before = stack.slack.messages(CHANNEL).length;
  return await time(async () => {
    await stack.slack.slashCommand({ text: `diskcheck ${target}`, userId: USERS.requester, channelId: CHANNEL });
    await stack.slack.waitFor(
      () =>
        stack.slack
          .messages(CHANNEL)
          .slice(before)
          .some((m) => m.kind === 'message' && !m.threadTs && m.text.includes(`${total}/${total} hosts answered`)),
      120_000,
    );
  });
}

export async function benchFleet(redisUrl: string, count: number): Promise<void> {
  await cleanupStaleLab();
  const dir = mkdtempSync(path.join(tmpdir(), 'dm-bench-fleet-'));
  const hosts = await Promise.all(
    Array.from({ length: count + 1 }, (_, i) => startLabHost({ name: `b${i}`, diskMiB: 96 })),
  );
  // b0 only warms the process up (code paths, JIT) so "cold" measures first connections, not first runs.
  const warmup = hosts.shift() as LabHost;
  try {
    // One shared client key and known_hosts file for the other tools.
    const keyFile = path.join(dir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
    const pub = readFileSync(`${keyFile}.pub`, 'utf8').trim();
    await Promise.all(hosts.map((host) => host.sh(`echo '${pub}' >> /root/.ssh/authorized_keys`)));
    const knownHosts = path.join(dir, 'known_hosts');
    writeFileSync(knownHosts, hosts.map((host) => readFileSync(host.knownHostsPath, 'utf8')).join(''));
    const key = readFileSync(keyFile);

    const floor = await time(() => Promise.all(hosts.map((host) => bareRun(host, key))));

    const hostsFile = path.join(dir, 'pssh-hosts');
    writeFileSync(hostsFile, hosts.map((host) => `root@${host.address}:${host.port}`).join('\n'));
    const pssh = await time(() => {
      const result = spawnSync(
        'parallel-ssh',
        [
          '-h',
          hostsFile,
          '-p',
          String(count),
          '-t',
          '60',
          '-x',
          `-i ${keyFile} -o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes -o BatchMode=yes`,
          'df -P; df -Pi',
        ],
        { encoding: 'utf8' },
      );
      if (result.status !== 0) throw new Error(`parallel-ssh failed: ${result.stdout}${result.stderr}`);
    });

    const inventory = path.join(dir, 'inventory.ini');
    writeFileSync(
      inventory,
      `[lab]\n${hosts.map((h) => `${h.name} ansible_host=${h.address} ansible_port=${h.port} ansible_user=root ansible_ssh_private_key_file=${keyFile}`).join('\n')}\n`,
    );
    const ansible = await time(() => {
      const result = spawnSync(
        'ansible',
        ['all', '-i', inventory, '-m', 'shell', '-a', 'df -P; df -Pi', '-f', String(count)],
        {
          encoding: 'utf8',
          env: {
            ...process.env,
            ANSIBLE_SSH_ARGS: `-o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes -o ControlMaster=no`,
            ANSIBLE_PYTHON_INTERPRETER: '/usr/bin/python3',
            ANSIBLE_LOCAL_TEMP: path.join(dir, 'ansible-tmp'),
            ANSIBLE_HOME: path.join(dir, 'ansible-home'),
          },
        },
      );
      if (result.status !== 0)
        throw new Error(`ansible failed: ${result.stdout.slice(-2000)}${result.stderr.slice(-2000)}`);
    });

    const config = parseConfig(
      {
        hosts: [
          labHostEntry(warmup, { groups: ['solo'] }),
          ...hosts.map((host) => labHostEntry(host, { groups: ['bench'] })),
        ],
        access: { viewers: ['*'], rateLimit: { capacity: 1000, refillEvery: '1s' } },
      },
      'bench',
      dir,
    );
    const stack = await startStack({ config, mode: 'http', redisUrl });
    let cold: number;
    let warm: number;
    try {
      await fleetRun(stack, '@solo', 1);
      cold = await fleetRun(stack, '@bench', count);
      warm = await fleetRun(stack, '@bench', count);
    } finally {
      await stack.stop();
    }
    const ratio = (value: number) => `${(value / floor).toFixed(2)}x floor`;
    const row = (name: string, value: number) =>
      `  ${name.padEnd(44)} ${`${value.toFixed(0)} ms`.padStart(9)}  ${ratio(value)}`;
    console.log(`\nFleet over ${count} lab hosts with dockerd`);
    console.log(row('floor: bare ssh2, df -P; df -Pi on each', floor));
    console.log(row('parallel-ssh (same commands)', pssh));
    console.log(row('ansible ad-hoc -m shell (forks = hosts)', ansible));
    console.log(row('dockmedic diskcheck @bench, cold (new conns)', cold));
    console.log(row('dockmedic diskcheck @bench, warm (pooled)', warm));
    console.log(
      `  goals: warm ≤ 1.5x floor ${warm <= 1.5 * floor ? 'met' : 'NOT met'}; warm < parallel-ssh ${warm < pssh ? 'met' : 'NOT met'}; cold ≤ 3x floor ${cold <= 3 * floor ? 'met' : 'NOT met'}`,
    );
  } finally {
    await Promise.allSettled([warmup, ...hosts].map((host) => host.destroy()));
    rmSync(dir, { recursive: true, force: true });
  }
}
