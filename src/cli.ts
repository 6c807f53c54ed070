import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { accessProblems } from '../commands/index.ts';
import { approvalSignerFor } from './approvals/signature.ts';
import { type DockmedicEnv, readEnv, slackModeOf } from './config/env.ts';
import { fileProblems, fileWarnings } from './config/files.ts';
import { ConfigError } from './config/load.ts';
import { broadcastReload, listenForReload } from './config/reloadChannel.ts';
import type { ConfigSource } from './config/source.ts';
import { FileConfigSource, StaticConfigSource } from './config/source.ts';
import { DEMO_CHANNEL, DEMO_USERS, startDemo } from './embedded/demo.ts';
import { startEmbeddedRedis } from './embedded/redis.ts';
import { userMessageOf } from './errors.ts';
import { createHostPool } from './hosts/pool.ts';
import { probeHost } from './hosts/probe.ts';
import { log, securityLog } from './log.ts';
import { freePort } from './net.ts';
import { startRuntime } from './runtime.ts';
import { runConsole } from './slack/local/console.ts';
import { startLocalSlack } from './slack/local/localSlack.ts';
import { runTerminalCheck } from './terminalCheck.ts';

const USAGE = `dockmedic — diagnose and fix Docker hosts from Slack

Usage: dockmedic <command> [--config FILE]
  start            bot and workers in one process (no Slack tokens: a local console chat)
  bot              the Slack side only (needs REDIS_URL)
  worker           a worker only (needs REDIS_URL); run as many as you like
  console          a local chat with the bot, no Slack needed
  check HOST [CHECK…] [--json]
                   run checks from a terminal; exit 0 ok/info, 1 warn, 2 crit
  hosts [test]     list hosts, or connect to each and report reachability, host key, Docker version
  config check     validate dockmedic.yaml and list every problem
  config reload    validate it, then make every running process reload it (schedules follow)

Config: --config FILE, or DOCKMEDIC_CONFIG, or ./dockmedic.yaml; none at all starts the demo lab.`;

/** Usage errors exit 64 (sysexits EX_USAGE): 1 and 2 mean warn and crit for `dockmedic check`. */
const EX_USAGE = 64;

const say = (line: string) => process.stdout.write(`${line}\n`);

function configFile(flag: string | undefined, env: DockmedicEnv): string | undefined {
  if (flag) return flag;
  if (env.DOCKMEDIC_CONFIG) return env.DOCKMEDIC_CONFIG;
  return existsSync('dockmedic.yaml') ? 'dockmedic.yaml' : undefined;
}

/** The config file, checked against the schema and what only the registries know (access.commands). */
function openConfig(file: string): FileConfigSource {
  return new FileConfigSource(file, undefined, accessProblems);
}

/** Works, but should not be so (a key others may read): said at start, and by `config check`. */
function warnAboutFiles(config: ConfigSource): void {
  for (const warning of fileWarnings(config.current())) {
    log.warn({ warning }, 'config warning');
    process.stderr.write(`warning: ${warning}\n`);
  }
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

/** Runs `fn` with a Redis: REDIS_URL, or a private one started (and stopped) here. */
async function withRedis<T>(env: DockmedicEnv, fn: (url: string) => Promise<T>): Promise<T> {
  if (env.REDIS_URL) return await fn(env.REDIS_URL);
  const redis = await startEmbeddedRedis(say);
  say(`Started a private Redis for this run on ${redis.socket} (set REDIS_URL to use your own).`);
  try {
    return await fn(redis.url);
  } finally {
    await redis.stop();
  }
}

async function runConsoleMode(file: string | undefined, env: DockmedicEnv): Promise<number> {
  // The console is a chat: JSON log lines between messages only get in the way (LOG_LEVEL still wins).
  // Security events are still in the audit streams (`/docker audit`).
  if (!process.env.LOG_LEVEL) {
    log.level = 'warn';
    securityLog.level = 'silent';
  }
  return await withRedis(env, async (redisUrl) => {
    const demo = file ? undefined : await startDemo(say);
    const config: ConfigSource = file ? openConfig(file) : new StaticConfigSource(demo!.config);
    if (file) warnAboutFiles(config);
    const signingSecret = randomBytes(16).toString('hex');
    const botToken = 'xoxb-local-console';
    const localSlack = await startLocalSlack({ signingSecret, botToken });
    const port = await freePort();
    const runtime = await startRuntime({
      config,
      redisUrl,
      bot: true,
      worker: true,
      env: {
        ...env,
        SLACK_BOT_TOKEN: botToken,
        SLACK_SIGNING_SECRET: signingSecret,
        SLACK_APP_TOKEN: undefined,
        SLACK_API_URL: localSlack.apiUrl,
        PORT: port,
        // Only the local stand-in talks to this bot.
        DOCKMEDIC_HTTP_HOST: '127.0.0.1',
      },
    });
    localSlack.setBotUrl(`http://127.0.0.1:${port}/slack/events`);
    try {
      if (demo) for (const line of demo.intro) say(`  ${line}`);
      if (demo) {
        say(
          `You are ${DEMO_USERS.requester} (an operator). Type \`as ${DEMO_USERS.secondOperator}\` to act as a second operator, \`as ${DEMO_USERS.admin}\` as an admin.`,
        );
      } else {
        say(
          `You are ${DEMO_USERS.requester}, with whatever role ${file} gives that id. \`as\` works only in the demo.`,
        );
      }
      const firstHost = config.current().hosts[0]?.name ?? 'HOST';
      say(`Try: /docker diskcheck ${firstHost}`);
      await runConsole({
        localSlack,
        channelId: DEMO_CHANNEL,
        userId: DEMO_USERS.requester,
        // Acting as someone else is how the demo shows the two-person rule; against a real config it
        // would let anyone at this terminal approve fixes as an admin.
        switchUsers: demo !== undefined,
        input: process.stdin,
        output: process.stdout,
      });
      return 0;
    } finally {
      await runtime.stop();
      await localSlack.close();
      await demo?.stop();
    }
  });
}

async function runService(file: string | undefined, env: DockmedicEnv, roles: { bot: boolean; worker: boolean }) {
  if (!file) {
    say('No config file: pass --config FILE, set DOCKMEDIC_CONFIG, or put dockmedic.yaml here.');
    return EX_USAGE;
  }
  if (roles.bot && slackModeOf(env) === 'none') {
    say(
      'Slack is not configured: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP).',
    );
    return EX_USAGE;
  }
  const config = openConfig(file);
  warnAboutFiles(config);
  try {
    // A bot or a worker on its own must share DOCKMEDIC_APPROVAL_SECRET with the others: said before anything starts.
    approvalSignerFor(env.DOCKMEDIC_APPROVAL_SECRET, roles);
  } catch (error) {
    say(userMessageOf(error));
    return EX_USAGE;
  }
  return await withRedis(env, async (redisUrl) => {
    const runtime = await startRuntime({ config, env, redisUrl, ...roles });
    const reload = () => {
      try {
        config.reload();
        say('config reloaded');
        // Hosts added, removed or re-timed get their schedules now, none left behind.
        runtime.syncSchedules().catch((error: unknown) => say(`schedules not synced: ${userMessageOf(error)}`));
      } catch (error) {
        say(`config not reloaded: ${userMessageOf(error)}`);
      }
    };
    process.on('SIGHUP', reload);
    const stopListening = await listenForReload(new Redis(redisUrl, { maxRetriesPerRequest: null }), reload);
    say(
      `dockmedic ${roles.bot && roles.worker ? 'started' : roles.bot ? 'bot started' : 'worker started'}${runtime.port ? ` on port ${runtime.port}` : ''}`,
    );
    await waitForSignal();
    stopListening();
    await runtime.stop();
    return 0;
  });
}

async function runHosts(file: string | undefined, test: boolean): Promise<number> {
  if (!file) {
    say('No config file: pass --config FILE or set DOCKMEDIC_CONFIG.');
    return EX_USAGE;
  }
  const config = openConfig(file).current();
  if (!test) {
    for (const host of config.hosts) say(`${host.name}\t${host.address}:${host.port}\t${host.groups.join(',')}`);
    return 0;
  }
  const pool = createHostPool({ timeouts: config.timeouts, hostConcurrency: config.hostConcurrency });
  try {
    const results = await Promise.all(config.hosts.map((host) => probeHost(pool, host)));
    for (const r of results) {
      say(
        r.reachable
          ? `ok    ${r.host}  ${r.ms} ms  key ${r.hostKey ?? '?'}  docker ${r.dockerVersion ?? 'not answering'}`
          : `FAIL  ${r.host}  ${r.ms} ms  ${r.error}`,
      );
    }
    return results.every((r) => r.reachable) ? 0 : 1;
  } finally {
    await pool.closeAll();
  }
}

/** `dockmedic config reload`: validate the file here, then ask every running process to reload it. */
async function reloadEverywhere(target: string | undefined, env: DockmedicEnv): Promise<number> {
  if (!target) {
    say('No config file to reload: dockmedic config reload FILE');
    return EX_USAGE;
  }
  openConfig(target);
  if (!env.REDIS_URL) {
    say(`${target} is valid. Set REDIS_URL to reach the running processes, or send them SIGHUP.`);
    return EX_USAGE;
  }
  const publisher = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    const listeners = await broadcastReload(publisher);
    say(`${target} is valid; ${listeners} running dockmedic process(es) were asked to reload it.`);
    return 0;
  } finally {
    publisher.disconnect();
  }
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
      json: { type: 'boolean' },
    },
  });
  const [command = 'start', ...rest] = positionals;
  try {
    const env = readEnv();
    const file = configFile(values.config, env);
    if (values.help || command === 'help') {
      say(USAGE);
      return 0;
    }
    switch (command) {
      case 'start':
        return slackModeOf(env) === 'none'
          ? await runConsoleMode(file, env)
          : await runService(file, env, { bot: true, worker: true });
      case 'console':
        return await runConsoleMode(file, env);
      case 'bot':
        return await runService(file, env, { bot: true, worker: false });
      case 'worker':
        return await runService(file, env, { bot: false, worker: true });
      case 'check': {
        if (!file || !rest[0]) {
          say('Usage: dockmedic check HOST [CHECK…] [--json] --config FILE');
          return EX_USAGE;
        }
        return await runTerminalCheck(openConfig(file).current(), rest[0], rest.slice(1), Boolean(values.json), say);
      }
      case 'hosts':
        return await runHosts(file, rest[0] === 'test');
      case 'config': {
        if (rest[0] === 'reload') return await reloadEverywhere(rest[1] ?? file, env);
        if (rest[0] !== 'check') break;
        const target = rest[1] ?? file;
        if (!target) {
          say('No config file to check: dockmedic config check FILE');
          return EX_USAGE;
        }
        const checked = openConfig(target).current();
        const problems = fileProblems(checked);
        for (const warning of fileWarnings(checked)) process.stderr.write(`warning: ${warning}\n`);
        if (problems.length > 0) {
          process.stderr.write(
            `${target} names files that will not work:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`,
          );
          return 1;
        }
        say(`${target} is valid.`);
        return 0;
      }
    }
    say(USAGE);
    return EX_USAGE;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 1;
    }
    process.stderr.write(`dockmedic: ${userMessageOf(error)}\n`);
    if (!(error instanceof Error && 'code' in error)) process.stderr.write(`${(error as Error)?.stack ?? error}\n`);
    return 1;
  }
}
