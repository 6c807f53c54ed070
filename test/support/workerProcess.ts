import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

const BIN = path.resolve(import.meta.dirname, '../../bin/dockmedic.js');

export function writeConfigFile(dir: string, config: Record<string, unknown>): string {
  const file = path.join(dir, 'dockmedic.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  /** Resolves once the process says its workers run (a loaded machine may take many seconds to boot it). */
  ready(timeoutMs?: number): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** `dockmedic worker` as its own process, so a test can kill it by PID mid-job. */
export function startWorkerProcess(options: { configFile: string; env: Record<string, string> }): WorkerProcess {
  return startDockmedicProcess({ role: 'worker', ...options });
}

/**
 * `dockmedic bot` or `worker` as its own process. `preload` names test modules loaded first (through
 * tsx) that may patch the product in that process only, e.g. to die at a chosen moment.
 */
export function startDockmedicProcess(options: {
  role: 'bot' | 'worker';
  configFile: string;
  env: Record<string, string>;
  preload?: string[];
}): WorkerProcess {
  const preload = (options.preload ?? []).flatMap((file) => ['--import', file]);
  const execArgs = preload.length > 0 ? ['--import', 'tsx', ...preload] : [];
  const child = spawn(process.execPath, [...execArgs, BIN, options.role, '--config', options.configFile], {
    env: { ...process.env, ...options.env, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  return {
    child,
    output: () => output,
    async ready(timeoutMs = 90_000) {
      await waitUntil(
        () => {
          if (child.exitCode !== null) throw new Error(`the worker exited at start: ${output}`);
          return /worker started|dockmedic started/.test(output);
        },
        timeoutMs,
        'the worker process to start',
      );
    },
    async kill(signal = 'SIGKILL') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(signal);
      await exited;
    },
  };
}

export async function waitUntil(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** The approval secret every test bot and worker shares (a bot or worker run alone needs one). */
export const TEST_APPROVAL_SECRET = 'test-approval-secret-0123456789abcdef';

/**
 * The environment of a `dockmedic worker` process that talks to the run's Redis and a local Slack;
 * a 2 s job lock makes a killed worker's job move to another one quickly.
 */
export function workerEnv(redisUrl: string, slackApiUrl: string): Record<string, string> {
  return {
    REDIS_URL: redisUrl,
    SLACK_BOT_TOKEN: 'xoxb-test-token',
    SLACK_API_URL: slackApiUrl,
    DOCKMEDIC_JOB_LOCK: '2s',
    DOCKMEDIC_APPROVAL_SECRET: TEST_APPROVAL_SECRET,
  };
}
