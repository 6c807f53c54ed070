import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL, freePort, type Stack, startStack, testConfig, USERS } from '../support/stack.ts';

describe('the bot with Redis down', () => {
  let stack: Stack;

  beforeAll(async () => {
    // A port nothing listens on: every Redis call fails.
    const closedPort = await freePort();
    stack = await startStack({
      config: testConfig([{ name: 'box', address: 'local' }]),
      mode: 'http',
      worker: false,
      redisUrl: `redis://127.0.0.1:${closedPort}`,
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('acks within 3 s with an error that says nothing was started and what to do', async () => {
    const started = Date.now();
    const ack = await stack.slack.slashCommand({ text: 'diskcheck box', userId: USERS.requester, channelId: CHANNEL });
    const elapsed = Date.now() - started;

    expect(ack.status).toBe(200);
    expect(elapsed).toBeLessThan(3000);
    const body = JSON.stringify(ack.body);
    expect(body).toMatch(/cannot reach its queue \(Redis\)/);
    expect(body).toMatch(/nothing was started/);
  });

  it('still answers commands that need no Redis', async () => {
    const ack = await stack.slack.slashCommand({ text: 'help', userId: USERS.requester, channelId: CHANNEL });

    expect(JSON.stringify(ack.body)).toContain('diskcheck');
  });
});
