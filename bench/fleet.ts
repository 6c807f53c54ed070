/**
 * `diskcheck @bench` (a fleet run) over N lab hosts through the real pipeline (signed slash command →
 * Redis → worker → SSH + Docker API → the local Slack stand-in), cold (first connections) and warm
 * (pooled), beside the floor measured in the same run on the same hosts (bench/fleetTools.ts).
 *
 * Up to 30 hosts are docker hosts (about what 2 cores carry), measured against parallel-ssh and
 * ansible too; bigger fleets (`DM_BENCH_FLEET="200 500"`) are sshd-only hosts (~2 MB each), where
 * diskcheck finds dockerd missing on every host: each posts its detail in the summary's thread, which
 * is the Slack-heavy case. `DM_BENCH_FLEET_HOSTS=sshd` makes every size sshd-only.
 *
 * Each run prints the time until the summary is complete (every row final), the Slack Web API calls
 * it made by method and the 429s it met (counted by bench/slackMeter.ts), with strict rate limits
 * asked of the stand-in (`DM_BENCH_SLACK_LIMITS=off` to not ask). Goals for docker fleets: warm ≤ 1.5x
 * floor and faster than parallel-ssh, cold ≤ 3x floor.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { parseConfig } from '../src/config/load.ts';
import type { DockmedicConfig } from '../src/config/schema.ts';
import { StaticConfigSource } from '../src/config/source.ts';
import { freePort } from '../src/net.ts';
import { MONITOR_QUEUE, QUEUE_PREFIX } from '../src/queue/names.ts';
import { type Runtime, startRuntime } from '../src/runtime.ts';
import type { LocalSlackEvent } from '../src/slack/local/store.ts';
import type { LabHost } from '../test/lab/lab.ts';
import { labHostEntry } from '../test/lab/lab.ts';
import { bareFloor, otherTools, type ToolTimes } from './fleetTools.ts';
import { destroyLabFleet, startLabFleet } from './labFleet.ts';
import { formatTally, type MeteredSlack, standInCalls, startMeteredSlack, totalOf } from './slackMeter.ts';

const CHANNEL = 'CBENCH0001';
const REQUESTER = 'UBENCH1';
/** Docker hosts cost ~34 MB and some idle CPU each: past this, fleets are sshd-only. */
const DOCKER_HOSTS_MAX = 30;

interface BenchStack {
  metered: MeteredSlack;
  runtime: Runtime;
  stop(): Promise<void>;
}

/**
 * The bot and a worker in this process, talking to the metered stand-in. The monitor queue is paused
 * first: its schedulers' first tick would otherwise open a connection to every host at start (no
 * "cold" run left) and compete with the fleet run.
 */
async function startBenchStack(config: DockmedicConfig, redisUrl: string, strict: boolean): Promise<BenchStack> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
  await redis.flushdb();
  const monitor = new Queue(MONITOR_QUEUE, { connection: redis, prefix: QUEUE_PREFIX });
  await monitor.pause();
  const signingSecret = randomBytes(16).toString('hex');
  const botToken = 'xoxb-bench-token';
  const metered = await startMeteredSlack({ signingSecret, botToken, strict, channels: [CHANNEL] });
  const port = await freePort();
  const runtime = await startRuntime({
    config: new StaticConfigSource(config),
    redisUrl,
    bot: true,
    worker: true,
    env: {
      SLACK_BOT_TOKEN: botToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: metered.meter.apiUrl,
      PORT: port,
    },
  });
  metered.slack.setBotUrl(`http://127.0.0.1:${port}/slack/events`);
  return {
    metered,
    runtime,
    async stop() {
      await runtime.stop();
      await metered.close();
      await monitor.obliterate({ force: true }).catch(() => {});
      await monitor.close();
      redis.disconnect();
    },
  };
}

export interface FleetRunFigures {
  ms: number;
  complete: boolean;
  /** Rows final when the run ended (all of them when complete). */
  answered: number;
  summaryRenders: number;
  threadPosts: number;
  calls: string;
  callCount: number;
  limited: number;
  uploads: number;
  responses: number;
}

/** Until the summary says every host answered; waits longer than strict posting (1/s) could take. */
function runTimeoutMs(total: number): number {
  return 120_000 + 2_000 * total;
}

/**
 * One `diskcheck TARGET` through the whole pipeline, timed until the summary reads `total/total
 * hosts answered` (every row final), seen the moment the stand-in stores it; then, once Slack calls
 * stop, what the run asked of Slack.
 */
async function fleetRun(stack: BenchStack, target: string, total: number): Promise<FleetRunFigures> {
  const { slack, meter } = stack.metered;
  const marks = { meter: meter.calls.length, calls: slack.calls.length, responses: slack.responses.length };
  const head = new RegExp(`^diskcheck ${target}: (\\d+)/(\\d+) hosts answered`);
  let summaryTs: string | undefined;
  let answered = 0;
  let summaryRenders = 0;
  let threadPosts = 0;
  let doneAt: number | undefined;
  const onEvent = ({ type, message }: LocalSlackEvent) => {
    if (message.channel !== CHANNEL) return;
    if (message.threadTs !== undefined) {
      if (message.threadTs === summaryTs && type === 'posted') threadPosts += 1;
      return;
    }
    const match = message.kind === 'message' ? head.exec(message.text) : null;
    if (!match) return;
    summaryTs ??= message.ts;
    if (message.ts !== summaryTs) return;
    summaryRenders += 1;
    answered = Number(match[1]);
    if (answered === total && Number(match[2]) === total) doneAt ??= performance.now();
  };
  const unsubscribe = slack.subscribe(onEvent);
  const started = performance.now();
  let complete = true;
  try {
    await slack.slashCommand({ text: `diskcheck ${target}`, userId: REQUESTER, channelId: CHANNEL });
    await slack
      .waitFor(() => doneAt, runTimeoutMs(total))
      .catch(() => {
        complete = false;
      });
    const ms = (doneAt ?? performance.now()) - started;
    await quiet(() => meter.calls.length, 1000);
    const tally = meter.tally(marks.meter);
    const { calls, limited } = totalOf(tally);
    const { uploads, responses } = standInCalls(slack, marks.calls, marks.responses);
    return {
      ms,
      complete,
      answered,
      summaryRenders,
      threadPosts,
      calls: formatTally(tally),
      callCount: calls,
      limited,
      uploads,
      responses,
    };
  } finally {
    unsubscribe();
  }
}

/** Waits until `count()` has not changed for `forMs` (stragglers: a last render, an ack update). */
async function quiet(count: () => number, forMs: number): Promise<void> {
  let last = count();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, forMs));
    const now = count();
    if (now === last) return;
    last = now;
  }
}

export async function benchFleet(redisUrl: string, count: number): Promise<void> {
  const docker = count <= DOCKER_HOSTS_MAX && process.env.DM_BENCH_FLEET_HOSTS !== 'sshd';
  const strict = process.env.DM_BENCH_SLACK_LIMITS !== 'off';
  const kind = docker ? 'docker' : 'sshd-only';
  console.log(`\nFleet diskcheck over ${count} ${kind} lab hosts`);
  // Per host: the floor's connection, the worker's pooled one, a spare for the tools.
  const all = await startLabFleet(count + 1, { prefix: 'b', docker, diskMiB: docker ? 96 : undefined, fdsPerHost: 3 });
  // b0 only warms the process up (code paths, JIT) so "cold" measures first connections, not first runs.
  const warmup = all[0] as LabHost;
  const hosts = all.slice(1);
  const dir = mkdtempSync(path.join(tmpdir(), 'dm-bench-fleet-'));
  try {
    const floor = await bareFloor(hosts);
    const tools = docker ? await otherTools(hosts, dir) : undefined;
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
    const stack = await startBenchStack(config, redisUrl, strict);
    let cold: FleetRunFigures;
    let warm: FleetRunFigures;
    try {
      await fleetRun(stack, '@solo', 1);
      cold = await fleetRun(stack, '@bench', count);
      warm = await fleetRun(stack, '@bench', count);
    } finally {
      await stack.stop();
    }
    printFleet(count, floor, tools, { cold, warm }, strict ? stack.metered.rateLimits : 'off');
  } finally {
    await destroyLabFleet(all);
    rmSync(dir, { recursive: true, force: true });
  }
}

function printFleet(
  count: number,
  floor: number,
  tools: ToolTimes | undefined,
  runs: { cold: FleetRunFigures; warm: FleetRunFigures },
  rateLimits: string,
): void {
  const ratio = (value: number) => `${(value / floor).toFixed(2)}x floor`;
  const row = (name: string, value: number) =>
    `  ${name.padEnd(52)} ${`${value.toFixed(0)} ms`.padStart(9)}  ${ratio(value)}`;
  console.log(`  Slack stand-in rate limits: ${rateLimits}`);
  console.log(row(`floor: bare ssh2, df -P; df -Pi on each, all at once`, floor));
  const tool = (name: string, value: number | undefined, pkg: string) =>
    console.log(value === undefined ? `  ${name.padEnd(52)} not installed (apt-get install ${pkg})` : row(name, value));
  if (tools) {
    tool('parallel-ssh (same commands)', tools.pssh, 'pssh');
    tool('ansible ad-hoc -m shell (forks = hosts)', tools.ansible, 'ansible');
  }
  for (const [name, run] of [
    ['cold (new conns)', runs.cold],
    ['warm (pooled)', runs.warm],
  ] as const) {
    const label = `dockmedic diskcheck @bench, ${name}${run.complete ? '' : `: INCOMPLETE, ${run.answered}/${count}`}`;
    console.log(row(label, run.ms));
    console.log(`      Slack Web API calls: ${run.callCount}, 429s met: ${run.limited}: ${run.calls}`);
    console.log(
      `      summary renders seen: ${run.summaryRenders}; thread posts: ${run.threadPosts}; upload_url posts: ${run.uploads}; response_url answers: ${run.responses}`,
    );
  }
  if (!tools) return;
  const { cold, warm } = runs;
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const versusPssh = tools.pssh === undefined ? 'not measured' : met(warm.ms < tools.pssh);
  console.log(
    `  goals: warm ≤ 1.5x floor ${met(warm.ms <= 1.5 * floor)}; warm < parallel-ssh ${versusPssh}; cold ≤ 3x floor ${met(cold.ms <= 3 * floor)}`,
  );
}
