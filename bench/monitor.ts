/**
 * How many hosts one worker process can monitor: a real `dockmedic worker` process (its own PID, so
 * its CPU and RSS are its own) monitoring N sshd-only lab hosts at a shortened interval with the
 * default checks (those registered; the Docker-side ones are skipped quickly on hosts without dockerd,
 * and daemon-health fires on every host, so the alert path is exercised too — no channel is set, so
 * nothing is posted). Prints CPU per host-run and per host-check, RSS, Redis memory per host, and the
 * extrapolated hosts per core at a 60 s interval.
 *
 * benchMonitorScale runs it at several fleet sizes with the same host-run rate (so in-flight work is
 * the same and only per-host state differs) and prints the RSS per monitored host and the RSS
 * extrapolated to 1,000 hosts: `DM_BENCH_MONITOR="50 200" npm run bench -- monitor`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { getCheck, monitoredCheckIds } from '../src/checks/index.ts';
import { MonitorConfig } from '../src/config/schema.ts';
import { MONITOR_QUEUE, QUEUE_PREFIX } from '../src/queue/names.ts';
import { cleanupStaleLab, type LabHost, startLabHost } from '../test/lab/lab.ts';
import { labHostEntry } from '../test/support/stack.ts';
import { startWorkerProcess, TEST_APPROVAL_SECRET, writeConfigFile } from '../test/support/workerProcess.ts';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

function statusMiB(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
}

const rssMiB = (pid: number) => statusMiB(pid, 'VmRSS');

async function redisBytes(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
}

async function iterations(queue: Queue): Promise<number> {
  let total = 0;
  for (const scheduler of await queue.getJobSchedulers(0, -1)) total += Number(scheduler.iterationCount ?? 0);
  return total;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface MonitorFigures {
  count: number;
  intervalMs: number;
  /** Mean and peak RSS over the measured window, MiB. */
  rssMean: number;
  rssPeak: number;
  /** Of the RSS at the end: anonymous memory (heap, buffers) and file-backed (code), MiB. */
  rssAnon: number;
  rssFile: number;
  cpuPerRunMs: number;
}

export async function benchMonitor(
  redisUrl: string,
  count = 50,
  intervalMs = 2000,
  measureMs = 60_000,
): Promise<MonitorFigures> {
  await cleanupStaleLab();
  const hosts: LabHost[] = [];
  for (let start = 0; start < count; start += 10) {
    const batch = Array.from({ length: Math.min(10, count - start) }, (_, i) =>
      startLabHost({ name: `b${start + i + 1}`, docker: false }),
    );
    hosts.push(...(await Promise.all(batch)));
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'dm-bench-monitor-'));
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(MONITOR_QUEUE, { connection: redis, prefix: QUEUE_PREFIX });
  const checks = monitoredCheckIds(MonitorConfig.parse({}).checks);
  const registered = checks.filter((id) => getCheck(id));
  try {
    await redis.flushdb();
    const memBefore = await redisBytes(redis);
    const configFile = writeConfigFile(dir, {
      hosts: hosts.map((host) => labHostEntry(host)),
      monitor: { interval: `${intervalMs / 1000}s` },
      timeouts: { connect: '5s', command: '20s' },
    });
    const worker = startWorkerProcess({
      configFile,
      env: { REDIS_URL: redisUrl, LOG_LEVEL: 'warn', DOCKMEDIC_APPROVAL_SECRET: TEST_APPROVAL_SECRET },
    });
    const pid = worker.child.pid as number;
    try {
      // Connections opened, first alerts fired: steady state from here.
      await sleep(Math.max(15_000, 2 * intervalMs));
      const cpu0 = cpuSeconds(pid);
      const runs0 = await iterations(queue);
      const t0 = Date.now();
      let rssPeak = 0;
      let rssSum = 0;
      let samples = 0;
      while (Date.now() - t0 < measureMs) {
        await sleep(1000);
        const rss = rssMiB(pid);
        rssPeak = Math.max(rssPeak, rss);
        rssSum += rss;
        samples += 1;
      }
      const rssMean = rssSum / Math.max(1, samples);
      const rssAnon = statusMiB(pid, 'RssAnon');
      const rssFile = statusMiB(pid, 'RssFile');
      const cpu = cpuSeconds(pid) - cpu0;
      const runs = (await iterations(queue)) - runs0;
      const waiting = await queue.getWaitingCount();
      const memPerHost = ((await redisBytes(redis)) - memBefore) / count;
      const perRun = cpu / Math.max(1, runs);
      const expected = (count * (Date.now() - t0)) / intervalMs;
      const print = (label: string, value: string) => console.log(`  ${label.padEnd(34)} ${value}`);
      console.log(
        `\nmonitor: 1 worker process, ${count} sshd-only lab hosts, interval ${intervalMs / 1000} s, ${measureMs / 1000} s measured`,
      );
      print(
        'checks per run (registered)',
        `${registered.length}: ${registered.join(', ')} (of ${checks.length} default)`,
      );
      print('host runs done / expected', `${runs} / ${Math.round(expected)} (waiting at end: ${waiting})`);
      print('worker CPU', `${cpu.toFixed(2)} s (${((cpu * 100_000) / (Date.now() - t0)).toFixed(1)} % of one core)`);
      print('CPU per host run', `${(perRun * 1000).toFixed(2)} ms`);
      print('CPU per host-check', `${((perRun * 1000) / registered.length).toFixed(2)} ms`);
      print('worker RSS (mean / peak)', `${rssMean.toFixed(0)} / ${rssPeak.toFixed(0)} MiB`);
      print('  of which anon / file-backed', `${rssAnon.toFixed(0)} / ${rssFile.toFixed(0)} MiB (at the end)`);
      print('Redis memory per host', `${(memPerHost / 1024).toFixed(1)} KiB`);
      print('hosts per core at 60 s', `${Math.floor(60 / perRun)} (CPU only; SSH round trips overlap)`);
      return { count, intervalMs, rssMean, rssPeak, rssAnon, rssFile, cpuPerRunMs: perRun * 1000 };
    } finally {
      await worker.kill('SIGTERM');
    }
  } finally {
    await queue.close();
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
    await Promise.allSettled(hosts.map((host) => host.destroy()));
  }
}

/**
 * The same benchmark at several fleet sizes, each at `runsPerSecond` host runs a second (50 hosts at
 * 2 s, 200 at 8 s for the default 25/s; 1,000 hosts at 60 s is 16.7/s). The RSS slope between the
 * smallest and the largest fleet is the memory one more monitored host costs.
 */
export async function benchMonitorScale(redisUrl: string, counts: number[], runsPerSecond = 25): Promise<void> {
  const figures: MonitorFigures[] = [];
  for (const count of counts) {
    const intervalMs = Math.max(1000, Math.round((count / runsPerSecond) * 1000));
    figures.push(await benchMonitor(redisUrl, count, intervalMs));
  }
  const small = figures[0];
  const large = figures[figures.length - 1];
  if (!small || !large || large.count === small.count) return;
  const slope = (large.rssMean - small.rssMean) / (large.count - small.count);
  const at1000 = large.rssMean + slope * (1000 - large.count);
  const peakAt1000 = large.rssPeak + slope * (1000 - large.count);
  console.log(`\nmonitor RSS by fleet size (same ${runsPerSecond} host runs/s):`);
  for (const f of figures) {
    console.log(
      `  ${String(f.count).padStart(5)} hosts @ ${f.intervalMs / 1000} s   RSS mean ${f.rssMean.toFixed(0)} MiB, peak ${f.rssPeak.toFixed(0)} MiB (anon ${f.rssAnon.toFixed(0)}, file ${f.rssFile.toFixed(0)})`,
    );
  }
  console.log(`  RSS per monitored host             ${(slope * 1024).toFixed(0)} KiB`);
  console.log(
    `  extrapolated to 1,000 hosts        ${at1000.toFixed(0)} MiB mean, ${peakAt1000.toFixed(0)} MiB peak (goal < 300 MB)`,
  );
}
