import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackApp, type SlackApp } from '../../src/slack/app.ts';
import { runConsole } from '../../src/slack/local/console.ts';
import { type LocalSlack, startLocalSlack } from '../../src/slack/local/localSlack.ts';
import { renderHostReport } from '../../src/slack/render/hostReport.ts';
import type { ActionRequest } from '../../src/slack/types.ts';
import { sampleReport } from '../support/slackFixtures.ts';

const SIGNING_SECRET = 'console-secret';
const BOT_TOKEN = 'xoxb-console';
const CHANNEL = 'C0CONSOLE';

describe('runConsole', () => {
  let slack: LocalSlack;
  let app: SlackApp;
  const actions: ActionRequest[] = [];

  beforeAll(async () => {
    slack = await startLocalSlack({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN });
    app = await createSlackApp({
      env: { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: slack.apiUrl, PORT: 0 },
      port: 0,
      onCommand: async (req) => {
        // Like the real command path: ack now, post the report to the channel a moment later.
        setTimeout(() => {
          const report = renderHostReport(sampleReport(), [
            { approvalId: 'apr_log', label: 'Truncate log of web (30 MiB)', risk: 'risky' },
          ]);
          void app.out.postMessage(req.channelId, report);
        }, 300);
        return { text: `Checking ${req.text}…` };
      },
      onAction: async (req) => {
        actions.push(req);
        return { text: `Approved ${req.value} as ${req.userId}` };
      },
    });
    await app.start();
    slack.setBotUrl(`http://127.0.0.1:${app.port}/slack/events`);
  });

  afterAll(async () => {
    await app.stop();
    await slack.close();
  });

  it('runs a piped script: command, numbered buttons, switching user, and waits for late answers', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const printed: string[] = [];
    output.on('data', (chunk: Buffer) => printed.push(chunk.toString()));
    input.end(['/docker diskcheck web-1', 'wait 1', 'as U0ADMIN', 'press 1', ''].join('\n'));

    await runConsole({
      localSlack: slack,
      channelId: CHANNEL,
      userId: 'U0OPS',
      switchUsers: true,
      input,
      output,
      idleMs: 500,
    });

    const transcript = printed.join('');
    if (process.env.SHOW_TRANSCRIPT) console.log(transcript);
    expect(transcript).toContain('Checking diskcheck web-1…');
    expect(transcript).toContain('== 🔴 web-1 · diskcheck ==');
    expect(transcript).toContain('[1] Truncate log of web (30 MiB) · risky');
    expect(transcript).toContain('You are now U0ADMIN.');
    expect(transcript).toContain('Approved apr_log as U0ADMIN');
    expect(actions).toEqual([expect.objectContaining({ actionId: 'dm_approve', value: 'apr_log', userId: 'U0ADMIN' })]);
  });

  it('waits for answers that arrive after the script ended', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const printed: string[] = [];
    output.on('data', (chunk: Buffer) => printed.push(chunk.toString()));
    input.end('/docker diskcheck web-2\n');

    await runConsole({ localSlack: slack, channelId: 'C0LATE001', userId: 'U0OPS', input, output, idleMs: 800 });

    expect(printed.join('')).toContain('== 🔴 web-1 · diskcheck ==');
  });
});
