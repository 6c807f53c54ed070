import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import type { DockmedicConfig } from '../../src/config/schema.ts';
import { StaticConfigSource } from '../../src/config/source.ts';
import { freePort } from '../../src/net.ts';
import { type Runtime, startRuntime } from '../../src/runtime.ts';
import { type LocalSlack, type LocalSlackOptions, startLocalSlack } from '../../src/slack/local/localSlack.ts';
import { labHostEntry } from '../lab/lab.ts';
import { TEST_APPROVAL_SECRET } from './workerProcess.ts';

export { freePort, labHostEntry };

export const USERS = { requester: 'UOPS1', operator: 'UOPS2', admin: 'UADMIN', viewer: 'UVIEW1' } as const;
export const CHANNEL = 'CTEST0001';

/**
 * Who may do what in every test config: one admin, two operators (so the two-person rule can be met),
 * everyone else a viewer, and a bucket no test empties by accident (the rate-limit tests set their own).
 */
export const TEST_ACCESS = {
  admins: [USERS.admin],
  operators: [USERS.requester, USERS.operator],
  viewers: ['*'],
  rateLimit: { capacity: 1000, refillEvery: '1s' },
};

export function testConfig(hosts: unknown[], extra: Record<string, unknown> = {}): DockmedicConfig {
  return parseConfig(
    {
      hosts,
      access: TEST_ACCESS,
      timeouts: { connect: '3s', command: '20s' },
      ...extra,
    },
    'test',
    process.cwd(),
  );
}

export interface Stack {
  slack: LocalSlack;
  runtime: Runtime;
  port: number;
  stop(): Promise<void>;
}

/** The real bot and worker, talking to the local Slack stand-in, in HTTP or Socket Mode. */
export async function startStack(options: {
  config: DockmedicConfig;
  mode: 'http' | 'socket';
  bot?: boolean;
  worker?: boolean;
  redisUrl?: string;
  /** Stand-in options: rate limits ('slack' by default, Slack's own), channels, scopes, ack deadline. */
  slack?: Partial<Omit<LocalSlackOptions, 'signingSecret' | 'botToken' | 'appToken'>>;
}): Promise<Stack> {
  const signingSecret = randomBytes(16).toString('hex');
  const botToken = 'xoxb-test-token';
  const appToken = options.mode === 'socket' ? 'xapp-test-token' : undefined;
  const slack = await startLocalSlack({ signingSecret, botToken, appToken, ...options.slack });
  const port = await freePort();
  const runtime = await startRuntime({
    config: new StaticConfigSource(options.config),
    redisUrl: options.redisUrl ?? inject('redisUrl'),
    bot: options.bot ?? true,
    worker: options.worker ?? true,
    env: {
      SLACK_BOT_TOKEN: botToken,
      SLACK_APP_TOKEN: appToken,
      SLACK_SIGNING_SECRET: signingSecret,
      SLACK_API_URL: slack.apiUrl,
      PORT: port,
      // Shared with workers started apart (workerEnv), so a bot-only stack's approvals verify there.
      DOCKMEDIC_APPROVAL_SECRET: TEST_APPROVAL_SECRET,
    },
    workerOptions: { lockDurationMs: 3000 },
  });
  if (options.mode === 'http') slack.setBotUrl(`http://127.0.0.1:${port}/slack/events`);
  return {
    slack,
    runtime,
    port,
    async stop() {
      await runtime.stop();
      await slack.close();
    },
  };
}
