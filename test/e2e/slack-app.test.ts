import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DockmedicError } from '../../src/errors.ts';
import { createSlackApp, type SlackApp } from '../../src/slack/app.ts';
import { createSlackOut } from '../../src/slack/client.ts';
import { type LocalSlack, startLocalSlack } from '../../src/slack/local/localSlack.ts';
import { renderHostReport } from '../../src/slack/render/hostReport.ts';
import { slackSignature } from '../../src/slack/signing.ts';
import type { ActionRequest, CommandRequest, Reply } from '../../src/slack/types.ts';
import { sampleReport } from '../support/slackFixtures.ts';

const SIGNING_SECRET = 'local-signing-secret';
const BOT_TOKEN = 'xoxb-e2e-bot-token';
const APP_TOKEN = 'xapp-1-e2e-app-token';
const CHANNEL = 'C0E2E0001';
const USER = 'U0OPS';

describe.each(['http', 'socket'] as const)('createSlackApp in %s mode', (mode) => {
  let slack: LocalSlack;
  let app: SlackApp;
  let commands: CommandRequest[];
  let actions: ActionRequest[];
  let onCommand: (req: CommandRequest) => Promise<Reply>;
  let onAction: (req: ActionRequest) => Promise<Reply | undefined>;

  beforeAll(async () => {
    slack = await startLocalSlack({
      signingSecret: SIGNING_SECRET,
      botToken: BOT_TOKEN,
      appToken: mode === 'socket' ? APP_TOKEN : undefined,
    });
    app = await createSlackApp({
      env: {
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_APP_TOKEN: mode === 'socket' ? APP_TOKEN : undefined,
        SLACK_SIGNING_SECRET: SIGNING_SECRET,
        SLACK_API_URL: slack.apiUrl,
        PORT: 0,
      },
      port: 0,
      onCommand: (req) => onCommand(req),
      onAction: (req) => onAction(req),
    });
    await app.start();
    slack.setBotUrl(`http://127.0.0.1:${app.port}`);
  });

  afterAll(async () => {
    await app.stop();
    await slack.close();
  });

  beforeEach(() => {
    commands = [];
    actions = [];
    onCommand = async (req) => {
      commands.push(req);
      return { text: `checking ${req.text}` };
    };
    onAction = async (req) => {
      actions.push(req);
      return { text: `you pressed ${req.actionId} on ${req.value}` };
    };
  });

  it('hands a slash command to onCommand and acks with its reply', async () => {
    const result = await slack.slashCommand({ text: 'diskcheck web-1', userId: USER, channelId: CHANNEL });

    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ text: 'checking diskcheck web-1', response_type: 'ephemeral' });
    expect(commands).toEqual([expect.objectContaining({ text: 'diskcheck web-1', userId: USER, channelId: CHANNEL })]);
    expect(commands[0]?.responseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/response\//);
  });

  it('acks a failing command with its user message only', async () => {
    onCommand = async () => {
      throw new DockmedicError('dm_unknown_host', 'host nope not in config', {
        userMessage: 'There is no host called nope.',
      });
    };
    const ours = await slack.slashCommand({ text: 'diskcheck nope', userId: USER, channelId: CHANNEL });
    onCommand = async () => {
      throw new Error('ECONNREFUSED 10.0.0.1:6379 internal detail');
    };
    const foreign = await slack.slashCommand({ text: 'diskcheck web-1', userId: USER, channelId: CHANNEL });

    expect(ours.body.text).toContain('There is no host called nope.');
    expect(foreign.status).toBe(200);
    expect(JSON.stringify(foreign.body)).not.toContain('ECONNREFUSED');
  });

  it('acks a slow command in time and sends the answer through response_url', async () => {
    onCommand = async () => {
      await new Promise((resolve) => setTimeout(resolve, 3200));
      return { text: 'the slow answer' };
    };
    const started = Date.now();

    const result = await slack.slashCommand({ text: 'diskcheck web-1', userId: USER, channelId: CHANNEL });

    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.body.text).toContain('Still working');
    const answered = await slack.waitFor(() => slack.messages(CHANNEL).find((m) => m.text === 'the slow answer'), 5000);
    expect(answered.visibleTo).toBe(USER);
  });

  it('redacts secrets in acks', async () => {
    onCommand = async () => ({ text: 'env: DB_PASSWORD=hunter2 SLACK_BOT_TOKEN=xoxb-1234-abcd' });

    const result = await slack.slashCommand({ text: 'env web-1', userId: USER, channelId: CHANNEL });

    expect(result.body.text).toBe('env: DB_PASSWORD=•••• SLACK_BOT_TOKEN=••••');
  });

  it('hands a button press to onAction and answers the clicker privately', async () => {
    const report = renderHostReport(sampleReport(), [
      { approvalId: 'apr_1', label: 'Truncate log of web (30 MiB)', risk: 'risky' },
      { approvalId: 'apr_2', label: 'Prune dangling images', risk: 'safe' },
    ]);
    const posted = await app.out.postMessage(CHANNEL, report);

    const result = await slack.clickButton({
      actionId: 'dm_approve:2',
      value: 'apr_2',
      userId: 'U0ADMIN',
      channelId: CHANNEL,
      messageTs: posted.ts,
    });

    expect(result.status).toBe(200);
    await slack.waitFor(() => slack.responses.length > 0 && actions.length > 0);
    expect(actions[0]).toMatchObject({
      actionId: 'dm_approve',
      value: 'apr_2',
      userId: 'U0ADMIN',
      channelId: CHANNEL,
      messageTs: posted.ts,
    });
    const response = await slack.waitFor(() => slack.responses.find((r) => r.body.text?.includes('apr_2')));
    expect(response.body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
  });

  it('speaks the transport of its mode', () => {
    const opened = slack.calls.filter((call) => call.method === 'apps.connections.open');

    expect(opened.length).toBe(mode === 'socket' ? 1 : 0);
    expect(app.mode).toBe(mode);
  });

  it('serves /healthz on its port', async () => {
    const response = await fetch(`http://127.0.0.1:${app.port}/healthz`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
  });

  it.skipIf(mode === 'socket')('refuses unsigned and stale requests with 401', async () => {
    const body = new URLSearchParams({
      command: '/docker',
      text: 'help',
      user_id: USER,
      channel_id: CHANNEL,
    }).toString();
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const stale = Math.floor(Date.now() / 1000) - 600;

    const unsigned = await slack.sendRaw(body, form);
    const badSignature = await slack.sendRaw(body, {
      ...form,
      'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)),
      'x-slack-signature': slackSignature('wrong-secret', Math.floor(Date.now() / 1000), body),
    });
    const old = await slack.sendRaw(body, {
      ...form,
      'x-slack-request-timestamp': String(stale),
      'x-slack-signature': slackSignature(SIGNING_SECRET, stale, body),
    });

    expect([unsigned.status, badSignature.status, old.status]).toEqual([401, 401, 401]);
    expect(commands).toEqual([]);
  });
});

describe('createSlackOut against the local Slack', () => {
  let slack: LocalSlack;

  beforeAll(async () => {
    slack = await startLocalSlack({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN });
  });

  afterAll(async () => {
    await slack.close();
  });

  it('retries a rate-limited post after retry-after', async () => {
    const out = createSlackOut({ token: BOT_TOKEN, apiUrl: slack.apiUrl });
    slack.rateLimit('chat.postMessage', 1);
    const started = Date.now();

    const posted = await out.postMessage('C0RATE001', { text: 'after the rate limit' });

    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(
      slack.calls.filter((call) => call.method === 'chat.postMessage' && call.body.channel === 'C0RATE001'),
    ).toHaveLength(2);
    expect(slack.messages('C0RATE001').map((m) => m.text)).toEqual(['after the rate limit']);
    expect(posted.ts).toBe(slack.messages('C0RATE001')[0]?.ts);
  });

  it('turns a 60 kB message into a short message and a file upload', async () => {
    const out = createSlackOut({ token: BOT_TOKEN, apiUrl: slack.apiUrl });
    const text = `big report\n${'0123456789abcdef\n'.repeat(3750)}`;

    const posted = await out.postMessage('C0BIG0001', { text });

    const methods = slack.calls.map((call) => call.method);
    expect(methods).toEqual(
      expect.arrayContaining([
        'files.getUploadURLExternal',
        'files.upload (upload_url)',
        'files.completeUploadExternal',
      ]),
    );
    const [short, file] = slack.messages('C0BIG0001');
    expect(short?.ts).toBe(posted.ts);
    expect(short?.text.length).toBeLessThan(2000);
    expect(file?.kind).toBe('file');
    expect(file?.threadTs).toBe(posted.ts);
    expect(file?.file?.content).toBe(text);
  });

  it('redacts every outgoing payload', async () => {
    const out = createSlackOut({ token: BOT_TOKEN, apiUrl: slack.apiUrl });
    const secret = 'POSTGRES_PASSWORD=hunter2 and AKIAIOSFODNN7EXAMPLE';

    await out.postMessage('C0RED0001', {
      text: secret,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: secret } }],
    });
    const ts = slack.messages('C0RED0001')[0]?.ts ?? '';
    await out.update('C0RED0001', ts, { text: `edited ${secret}` });
    await out.postEphemeral('C0RED0001', USER, { text: secret });

    const sent = JSON.stringify(slack.calls.filter((call) => call.method.startsWith('chat.')));
    expect(sent).not.toContain('hunter2');
    expect(sent).not.toContain('AKIAIOSFODNN7EXAMPLE');
    expect(sent).toContain('POSTGRES_PASSWORD=••••');
  });

  it('refuses a response_url that is not http(s)', async () => {
    const out = createSlackOut({ token: BOT_TOKEN, apiUrl: slack.apiUrl });

    await expect(out.respond('file:///etc/passwd', { text: 'x' })).rejects.toThrow(/protocol/);
  });
});
