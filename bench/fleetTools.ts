/**
 * What a fleet run is measured against, on the same hosts in the same run:
 *   floor — a bare Node script: a fresh ssh2 connection to every host at once, `df -P; df -Pi` once each;
 *   Debian's parallel-ssh and ansible ad-hoc running the same commands (small fleets of docker hosts
 *   only: hundreds of ssh and python processes at once would measure the machine, not the tools), when
 *   installed (`apt-get install pssh ansible`); a missing one is skipped and said so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'ssh2';
import type { LabHost } from '../test/lab/lab.ts';

export const FLOOR_COMMAND = 'df -P; df -Pi';

export async function time(action: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

function bareRun(host: LabHost, key: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client
      .once('ready', () => {
        client.exec(FLOOR_COMMAND, (err, stream) => {
          if (err) return reject(err);
          stream.on('data', () => {}).stderr.on('data', () => {});
          stream.on('close', () => {
            client.end();
            resolve();
          });
        });
      })
      .once('error', (error) =>
        reject(new Error(`floor: ${host.name} (${host.address}:${host.port})`, { cause: error })),
      )
      .connect({ host: host.address, port: host.port, username: 'root', privateKey: key, readyTimeout: 60_000 });
  });
}

/** Every host at once, each over a fresh ssh2 connection with its own lab key: the floor. */
export async function bareFloor(hosts: readonly LabHost[]): Promise<number> {
  const keys = hosts.map((host) => readFileSync(host.privateKeyPath));
  return await time(() => Promise.all(hosts.map((host, i) => bareRun(host, keys[i] as Buffer))));
}

/** One client key every host accepts and one known_hosts file, for the command-line tools. */
async function sharedKey(hosts: readonly LabHost[], dir: string): Promise<{ keyFile: string; knownHosts: string }> {
  const keyFile = path.join(dir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
  const pub = readFileSync(`${keyFile}.pub`, 'utf8').trim();
  await Promise.all(hosts.map((host) => host.sh(`echo '${pub}' >> /root/.ssh/authorized_keys`)));
  const knownHosts = path.join(dir, 'known_hosts');
  writeFileSync(knownHosts, hosts.map((host) => readFileSync(host.knownHostsPath, 'utf8')).join(''));
  return { keyFile, knownHosts };
}

function installed(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
}

export interface ToolTimes {
  /** ms, or undefined when the tool is not installed. */
  pssh?: number;
  ansible?: number;
}

export async function otherTools(hosts: readonly LabHost[], dir: string): Promise<ToolTimes> {
  const pssh = installed('parallel-ssh');
  const ansible = installed('ansible');
  if (!pssh && !ansible) return {};
  const { keyFile, knownHosts } = await sharedKey(hosts, dir);
  return {
    pssh: pssh ? await parallelSsh(hosts, dir, keyFile, knownHosts) : undefined,
    ansible: ansible ? await ansibleAdHoc(hosts, dir, keyFile, knownHosts) : undefined,
  };
}

async function parallelSsh(hosts: readonly LabHost[], dir: string, keyFile: string, knownHosts: string) {
  const hostsFile = path.join(dir, 'pssh-hosts');
  writeFileSync(hostsFile, hosts.map((host) => `root@${host.address}:${host.port}`).join('\n'));
  return await time(() => {
    const sshArgs = `-i ${keyFile} -o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes -o BatchMode=yes`;
    const result = spawnSync(
      'parallel-ssh',
      ['-h', hostsFile, '-p', String(hosts.length), '-t', '60', '-x', sshArgs, FLOOR_COMMAND],
      { encoding: 'utf8' },
    );
    if (result.status !== 0) throw new Error(`parallel-ssh failed: ${result.stdout}${result.stderr}`);
  });
}

async function ansibleAdHoc(hosts: readonly LabHost[], dir: string, keyFile: string, knownHosts: string) {
  const inventory = path.join(dir, 'inventory.ini');
  const lines = hosts.map(
    (h) =>
      `${h.name} ansible_host=${h.address} ansible_port=${h.port} ansible_user=root ansible_ssh_private_key_file=${keyFile}`,
  );
  writeFileSync(inventory, `[lab]\n${lines.join('\n')}\n`);
  return await time(() => {
    const result = spawnSync(
      'ansible',
      ['all', '-i', inventory, '-m', 'shell', '-a', FLOOR_COMMAND, '-f', String(hosts.length)],
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
}
