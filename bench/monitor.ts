/**
 * How many hosts one worker process can monitor: a real `dockmedic worker` process (its own PID, so
 * its CPU and RSS are its own) monitoring N sshd-only lab hosts at a shortened interval with the
 * default checks (those registered; the Docker-side ones are skipped quickly on hosts without dockerd,
 * and daemon-health fires on every host, so the alert path is exercised too — no channel is set, so
 * nothing is posted). Prints CPU per host-run and per host-check, RSS, Redis memory per host, and
 * where the worker's memory goes (bench/memoryProbe.mjs: heap before and after a full GC, heap
 * spaces, open handles; DM_BENCH_HEAP_SNAPSHOT=DIR adds a heap snapshot of each size there, for
 * bench/heapSummary.ts).
 *
 * benchMonitorScale measures an idle worker (no hosts) first, the baseline of the same run, then each
 * fleet size at the same host-run rate (so in-flight work is the same and only per-host state
 * differs), and prints each beside the baseline: `DM_BENCH_MONITOR="50 1000" npm run bench -- monitor`
 * measures 1,000 hosts for real (~2 GB of lab hosts, ~5 minutes to start them).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { getCheck, monitoredCheckIds } from '../src/checks/index.ts';
import { MonitorConfig } from '../src/config/schema.ts';
import { MONITOR_QUEUE, QUEUE_PREFIX } from '../src/queue/names.ts';
import { MONITOR_JOB } from '../src/queue/schedulers.ts';
import { type LabHost, labHostEntry } from '../test/lab/lab.ts';
import { startWorkerProcess, TEST_APPROVAL_SECRET, writeConfigFile } from '../test/support/workerProcess.ts';
import { destroyLabFleet, startLabFleet } from './labFleet.ts';
import { percentile } from './stats.ts';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const PROBE = pathToFileURL(path.join(import.meta.dirname, 'memoryProbe.mjs')).href;
/** The goal per worker process. */
const RSS_GOAL_MB = 300;
const MB_PER_MIB = 1.048576;

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

/** Wall time of the last monitor runs (the queue keeps 200 completed jobs), ms. */
async function runWallTimes(queue: Queue): Promise<number[]> {
  const jobs = await queue.getJobs(['completed'], 0, 199);
  return jobs
    .filter((job) => job.name === MONITOR_JOB && job.processedOn && job.finishedOn)
    .map((job) => (job.finishedOn as number) - (job.processedOn as number));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What bench/memoryProbe.mjs writes, in MiB. */
export interface MemoryReport {
  before: Record<string, number>;
  afterGc: Record<string, number>;
  heapSpaces: Record<string, number>;
  resources: Record<string, number>;
  snapshot?: string;
}

export interface MonitorFigures {
  count: number;
  intervalMs: number;
  /** Mean and peak RSS over the measured window, MiB. */
  rssMean: number;
  rssPeak: number;
  /** Of the RSS at the end: anonymous memory (heap, buffers) and file-backed (code), MiB. */
  rssAnon: number;
  rssFile: number;
  /** Worker CPU over the window, % of one core. */
  cpuPercent: number;
  cpuPerRunMs: number;
  runs: number;
  expectedRuns: number;
  /** Wall time of one host run (the last 200), p50 and p99, ms: with the monitor's concurrency, the run rate one worker can reach. */
  runWallP50: number;
  runWallP99: number;
  memory?: MemoryReport;
}

/** Asks the probe in the worker for its report and waits for the file (a heap snapshot takes a while). */
async function memoryReport(pid: number, file: string): Promise<MemoryReport | undefined> {
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    await sleep(250);
    if (!existsSync(file)) continue;
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as MemoryReport;
    } catch {
      // Still being written.
    }
  }
  return undefined;
}

export async function benchMonitor(
  redisUrl: string,
  count = 50,
  intervalMs = 2000,
  measureMs = Math.max(60_000, 2 * intervalMs),
): Promise<MonitorFigures> {
  // Per host: the worker's pooled connection.
  const hosts: LabHost[] = count === 0 ? [] : await startLabFleet(count, { prefix: 'm', docker: false, fdsPerHost: 2 });
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
    const reportFile = path.join(dir, 'memory.json');
    const snapshotDir = process.env.DM_BENCH_HEAP_SNAPSHOT;
    const worker = startWorkerProcess({
      configFile,
      env: {
        REDIS_URL: redisUrl,
        DOCKMEDIC_APPROVAL_SECRET: TEST_APPROVAL_SECRET,
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc --import=${PROBE}`.trim(),
        DM_BENCH_MEMORY_REPORT: reportFile,
        ...(snapshotDir ? { DM_BENCH_HEAP_SNAPSHOT: path.resolve(snapshotDir, `monitor-${count}.heapsnapshot`) } : {}),
      },
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
      const elapsed = Date.now() - t0;
      const cpu = cpuSeconds(pid) - cpu0;
      const runs = (await iterations(queue)) - runs0;
      const figures: MonitorFigures = {
        count,
        intervalMs,
        rssMean: rssSum / Math.max(1, samples),
        rssPeak,
        rssAnon: statusMiB(pid, 'RssAnon'),
        rssFile: statusMiB(pid, 'RssFile'),
        cpuPercent: (cpu * 100_000) / elapsed,
        cpuPerRunMs: runs > 0 ? (cpu * 1000) / runs : 0,
        runs,
        runWallP50: Number.NaN,
        runWallP99: Number.NaN,
        expectedRuns: count === 0 ? 0 : (count * elapsed) / intervalMs,
      };
      const wall = await runWallTimes(queue);
      figures.runWallP50 = percentile(wall, 50);
      figures.runWallP99 = percentile(wall, 99);
      const waiting = await queue.getWaitingCount();
      const memPerHost = count === 0 ? 0 : ((await redisBytes(redis)) - memBefore) / count;
      figures.memory = await memoryReport(pid, reportFile);
      printMonitor(figures, registered, checks.length, measureMs, { waiting, memPerHost });
      return figures;
    } finally {
      await worker.kill('SIGTERM');
    }
  } finally {
    await queue.close();
    redis.disconnect();
    rmSync(dir, { recursive: true, force: true });
    await destroyLabFleet(hosts);
  }
}

function printMonitor(
  f: MonitorFigures,
  registered: string[],
  defaults: number,
  measureMs: number,
  extra: { waiting: number; memPerHost: number },
): void {
  const print = (label: string, value: string) => console.log(`  ${label.padEnd(34)} ${value}`);
  const what =
    f.count === 0 ? 'no hosts (idle baseline)' : `${f.count} sshd-only lab hosts, interval ${f.intervalMs / 1000} s`;
  console.log(`\nmonitor: 1 worker process, ${what}, ${measureMs / 1000} s measured`);
  if (f.count > 0) {
    print('checks per run (registered)', `${registered.length}: ${registered.join(', ')} (of ${defaults} default)`);
    print('host runs done / expected', `${f.runs} / ${Math.round(f.expectedRuns)} (waiting at end: ${extra.waiting})`);
    print('host run wall time p50 / p99', `${f.runWallP50.toFixed(0)} / ${f.runWallP99.toFixed(0)} ms (last 200 runs)`);
    print('CPU per host run', `${f.cpuPerRunMs.toFixed(2)} ms`);
    print('CPU per host-check', `${(f.cpuPerRunMs / registered.length).toFixed(2)} ms`);
    print('Redis memory per host', `${(extra.memPerHost / 1024).toFixed(1)} KiB`);
  }
  print('worker CPU', `${f.cpuPercent.toFixed(1)} % of one core`);
  print('worker RSS (mean / peak)', `${f.rssMean.toFixed(0)} / ${f.rssPeak.toFixed(0)} MiB`);
  print('  of which anon / file-backed', `${f.rssAnon.toFixed(0)} / ${f.rssFile.toFixed(0)} MiB (at the end)`);
  const m = f.memory;
  if (!m) return;
  const heap = (u: Record<string, number>) =>
    `heap used ${u.heapUsed} of ${u.heapTotal}, external ${u.external} (array buffers ${u.arrayBuffers}), rss ${u.rss}`;
  print('  memoryUsage() MiB', heap(m.before));
  print('  after a full GC', heap(m.afterGc));
  const spaces = Object.entries(m.heapSpaces)
    .filter(([, mib]) => mib >= 1)
    .map(([space, mib]) => `${space.replace(/_space$/, '')} ${mib}`);
  print('  heap spaces after GC, MiB', spaces.join(', '));
  const handles = Object.entries(m.resources)
    .sort((a, b) => b[1] - a[1])
    .map(([type, n]) => `${type} ${n}`);
  print('  open handles', handles.join(', '));
  if (m.snapshot) print('  heap snapshot', m.snapshot);
}

/** 1,000 hosts at the default 60 s interval: the rate every fleet size is measured at. */
const DEFAULT_RUNS_PER_SECOND = 1000 / 60;

/**
 * An idle worker (the baseline), then the same benchmark at each fleet size, each at `runsPerSecond`
 * host runs a second (by default 1,000 hosts at the default 60 s interval; 50 hosts at 3 s), so
 * in-flight work is the same and only per-host state differs. Prints each size beside the baseline,
 * and the memory one more monitored host costs.
 */
export async function benchMonitorScale(
  redisUrl: string,
  counts: number[],
  runsPerSecond = DEFAULT_RUNS_PER_SECOND,
): Promise<void> {
  const idle = await benchMonitor(redisUrl, 0, 60_000, 30_000);
  const figures: MonitorFigures[] = [];
  for (const count of counts) {
    const intervalMs = Math.max(1000, Math.round((count / runsPerSecond) * 1000));
    figures.push(await benchMonitor(redisUrl, count, intervalMs));
  }
  console.log(
    `\nmonitor by fleet size (same ${runsPerSecond.toFixed(1)} host runs/s), beside an idle worker of the same run:`,
  );
  console.log(
    `  idle worker                      RSS mean ${idle.rssMean.toFixed(0)} MiB, peak ${idle.rssPeak.toFixed(0)} MiB, CPU ${idle.cpuPercent.toFixed(1)} %`,
  );
  for (const f of figures) {
    const perHost = ((f.rssMean - idle.rssMean) * 1024) / f.count;
    const peakMb = f.rssPeak * MB_PER_MIB;
    console.log(
      `  ${String(f.count).padStart(5)} hosts @ ${`${f.intervalMs / 1000} s`.padEnd(6)}      RSS mean ${f.rssMean.toFixed(0)} MiB (${(f.rssMean / idle.rssMean).toFixed(2)}x idle, +${perHost.toFixed(0)} KiB per host), peak ${f.rssPeak.toFixed(0)} MiB = ${peakMb.toFixed(0)} MB: goal < ${RSS_GOAL_MB} MB ${peakMb < RSS_GOAL_MB ? 'met' : 'NOT met'}`,
    );
    console.log(
      `  ${''.padEnd(32)} CPU ${f.cpuPercent.toFixed(1)} % of a core (${(f.cpuPercent / Math.max(0.1, idle.cpuPercent)).toFixed(1)}x idle), ${f.cpuPerRunMs.toFixed(2)} ms per host run`,
    );
  }
  const small = figures[0];
  const large = figures[figures.length - 1];
  if (!small || !large || large.count === small.count) return;
  // Between two fleets at the same run rate, in-flight work (and its garbage) is the same: the slope
  // is what one more monitored host holds.
  const slope = ((large.rssMean - small.rssMean) * 1024) / (large.count - small.count);
  console.log(`  RSS per monitored host, ${small.count} → ${large.count} hosts: ${slope.toFixed(0)} KiB`);
}
