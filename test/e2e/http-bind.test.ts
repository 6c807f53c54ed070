// Where the bot's HTTP port listens and who may read /metrics. Tests may only send traffic to
// 127.0.0.0/8, so a foreign peer is shown through the bind address and through the route guard
// with a peer address that is not loopback.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { metricsRoute } from '../../src/metrics.ts';
import { createSlackApp, isLoopback, loopbackOnly, type SlackApp } from '../../src/slack/app.ts';
import { type LocalSlack, startLocalSlack } from '../../src/slack/local/localSlack.ts';

const SIGNING_SECRET = 'bind-secret';
const BOT_TOKEN = 'xoxb-bind';
const APP_TOKEN = 'xapp-1-bind';

const started: Array<{ app: SlackApp; slack: LocalSlack }> = [];

afterEach(async () => {
  for (const { app, slack } of started.splice(0)) {
    await app.stop();
    await slack.close();
  }
});

async function start(mode: 'socket' | 'http', host?: string): Promise<SlackApp> {
  const slack = await startLocalSlack({
    signingSecret: SIGNING_SECRET,
    botToken: BOT_TOKEN,
    appToken: mode === 'socket' ? APP_TOKEN : undefined,
  });
  const app = await createSlackApp({
    env: {
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_APP_TOKEN: mode === 'socket' ? APP_TOKEN : undefined,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      PORT: 0,
    },
    port: 0,
    host,
    onCommand: async () => ({ text: 'ok' }),
    onAction: async () => undefined,
    routes: [metricsRoute()],
  });
  await app.start();
  started.push({ app, slack });
  return app;
}

async function status(app: SlackApp, path: string, address = '127.0.0.1'): Promise<number> {
  return (await fetch(`http://${address}:${app.port}${path}`)).status;
}

describe('the HTTP port', () => {
  it('listens on 127.0.0.1 only in Socket Mode, where it serves nothing Slack needs', async () => {
    const app = await start('socket');

    expect(app.address).toBe('127.0.0.1');
    expect(await status(app, '/metrics')).toBe(200);
    expect(await status(app, '/healthz')).toBe(200);
  });

  it('listens on every interface in HTTP mode, and still serves /metrics to this machine', async () => {
    const app = await start('http');

    expect(['::', '0.0.0.0']).toContain(app.address);
    expect(await status(app, '/metrics')).toBe(200);
  });

  it('listens where DOCKMEDIC_HTTP_HOST says, in either mode', async () => {
    const socket = await start('socket', '127.0.0.2');
    const http = await start('http', '127.0.0.3');

    expect(socket.address).toBe('127.0.0.2');
    expect(http.address).toBe('127.0.0.3');
    expect(await status(socket, '/metrics', '127.0.0.2')).toBe(200);
    expect(await status(http, '/healthz', '127.0.0.3')).toBe(200);
  });
});

describe('loopbackOnly', () => {
  function call(remoteAddress: string): { status?: number; body: string; served: boolean } {
    const result: { status?: number; body: string; served: boolean } = { body: '', served: false };
    const req = { socket: { remoteAddress } } as unknown as IncomingMessage;
    const res = {
      writeHead(code: number) {
        result.status = code;
        return this;
      },
      end(body?: string) {
        result.body = body ?? '';
        return this;
      },
    } as unknown as ServerResponse;
    loopbackOnly(() => {
      result.served = true;
    })(req, res);
    return result;
  }

  it.each(['10.1.2.3', '192.168.0.7', '::ffff:10.0.0.1', '2001:db8::1'])('refuses /metrics to %s', (peer) => {
    const result = call(peer);

    expect(result).toMatchObject({ status: 403, served: false });
    expect(result.body).toContain('DOCKMEDIC_HTTP_HOST');
  });

  it.each(['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1'])('serves %s', (peer) => {
    expect(call(peer).served).toBe(true);
    expect(isLoopback(peer)).toBe(true);
  });

  it('guards /metrics and not /healthz', () => {
    expect(metricsRoute().loopbackOnly).toBe(true);
  });
});
