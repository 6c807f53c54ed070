/**
 * diskcheck on a lab host, cold (first connection) and warm (pooled), beside the floor measured in
 * the same run: a bare ssh2 connection running `df -P; df -Pi` (cold), and the same on an open
 * connection (warm).
 */
import { readFileSync } from 'node:fs';
import { Client } from 'ssh2';
import { CHECKS, DISKCHECK_CHECKS } from '../src/checks/index.ts';
import { runChecks } from '../src/checks/run.ts';
import { parseConfig } from '../src/config/load.ts';
import { createHostPool } from '../src/hosts/pool.ts';
import { cleanupStaleLab, startLabHost } from '../test/lab/lab.ts';
import { labHostEntry } from '../test/support/stack.ts';
import { ms, summary } from './stats.ts';

const WARM_RUNS = 20;

function bareConnect(host: { address: string; port: number; privateKeyPath: string }): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once('ready', () => resolve(client)).once('error', reject);
    client.connect({
      host: host.address,
      port: host.port,
      username: 'root',
      privateKey: readFileSync(host.privateKeyPath),
    });
  });
}

function bareExec(client: Client, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, stream) => {
      if (err) return reject(err);
      stream.on('data', () => {}).stderr.on('data', () => {});
      stream.on('close', () => resolve());
    });
  });
}

async function time(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

export async function benchDiskcheck(): Promise<void> {
  await cleanupStaleLab();
  const host = await startLabHost({ name: 'bench1', diskMiB: 256 });
  try {
    await host.makeHugeLog({ name: 'chatty', sizeMiB: 8 });
    await host.makeDanglingImages(1);
    const config = parseConfig({ hosts: [labHostEntry(host)] }, 'bench', process.cwd());
    const hostConfig = config.hosts[0]!;
    const ids = [...DISKCHECK_CHECKS];

    let client: Client | undefined;
    const floorCold = await time(async () => {
      client = await bareConnect(host);
      await bareExec(client, 'df -P; df -Pi');
    });
    const floorWarm: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) floorWarm.push(await time(() => bareExec(client!, 'df -P; df -Pi')));
    client?.end();

    const pool = createHostPool({ timeouts: config.timeouts, hostConcurrency: config.hostConcurrency });
    const cold = await time(async () => runChecks(await pool.acquire(hostConfig), ids));
    const warm: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++)
      warm.push(await time(async () => runChecks(await pool.acquire(hostConfig), ids)));
    const everyCheck = CHECKS.map((check) => check.id);
    const doctor: number[] = [];
    for (let i = 0; i < WARM_RUNS; i++) {
      doctor.push(await time(async () => runChecks(await pool.acquire(hostConfig), everyCheck)));
    }
    await pool.closeAll();

    const warmP50 = summary(warm).p50;
    const floorP50 = summary(floorWarm).p50;
    console.log(`\ndiskcheck (${ids.length} checks) on one lab host, ${WARM_RUNS} warm runs`);
    console.log(`  floor cold: bare ssh2 connect + df -P; df -Pi      ${ms(floorCold).padStart(9)}`);
    console.log(
      `  diskcheck cold (first connection)                 ${ms(cold).padStart(9)}  ${(cold / floorCold).toFixed(2)}x floor`,
    );
    console.log(`  floor warm p50: df -P; df -Pi on an open conn      ${ms(floorP50).padStart(9)}`);
    console.log(
      `  diskcheck warm p50 (pooled)                       ${ms(warmP50).padStart(9)}  ${(warmP50 / floorP50).toFixed(2)}x floor  p99 ${ms(summary(warm).p99)}`,
    );
    const doctorP50 = summary(doctor).p50;
    console.log(
      `  doctor warm p50 (${everyCheck.length} checks)                  ${ms(doctorP50).padStart(9)}  ${(doctorP50 / floorP50).toFixed(2)}x floor  p99 ${ms(summary(doctor).p99)}`,
    );
    console.log(`  target warm diskcheck < 1 s: ${warmP50 < 1000 ? 'met' : 'NOT met'}`);
  } finally {
    await host.destroy();
  }
}
