// The stand-in's ack deadline, as Slack enforces it: an app that answers a slash command or a button
// after 3 s has failed (the user sees operation_timeout), over HTTP and over Socket Mode alike.

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type LocalSlack, startLocalSlack } from '../../src/slack/local/localSlack.ts';

const BOT_TOKEN = 'xoxb-deadline';
const APP_TOKEN = 'xapp-deadline';
const CHANNEL = 'C0DEADLINE';

/** An "app" over HTTP that answers every request after `delayMs`. */
async function slowHttpApp(delayMs: number): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ text: 'done, late' }));
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** An "app" over Socket Mode that acks every envelope after `delayMs`. */
async function slowSocketApp(slack: LocalSlack, delayMs: number): Promise<WebSocket> {
  const opened = await fetch(`${slack.apiUrl}apps.connections.open`, {
    method: 'POST',
    headers: { authorization: `Bearer ${APP_TOKEN}` },
  });
  const { url } = (await opened.json()) as { url: string };
  const socket = new WebSocket(url);
  socket.on('message', (data) => {
    const envelope = JSON.parse(String(data)) as { envelope_id?: string };
    if (!envelope.envelope_id) return;
    setTimeout(() => socket.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: {} })), delayMs);
  });
  await new Promise((resolve) => socket.once('open', resolve));
  return socket;
}

describe('the local Slack ack deadline', () => {
  let slack: LocalSlack | undefined;
  let server: Server | undefined;
  let socket: WebSocket | undefined;

  afterEach(async () => {
    socket?.terminate();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    await slack?.close();
    [slack, server, socket] = [undefined, undefined, undefined];
  });

  it.each([
    ['HTTP', 3300, 504],
    ['HTTP', 200, 200],
    ['Socket Mode', 3300, 504],
    ['Socket Mode', 200, 200],
  ])('over %s, an ack after %i ms answers %i', async (mode, delayMs, status) => {
    slack = await startLocalSlack({
      signingSecret: 'secret',
      botToken: BOT_TOKEN,
      appToken: mode === 'HTTP' ? undefined : APP_TOKEN,
    });
    if (mode === 'HTTP') {
      server = await slowHttpApp(delayMs);
      slack.setBotUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`);
    } else {
      socket = await slowSocketApp(slack, delayMs);
    }
    const started = Date.now();

    const result = await slack.slashCommand({ text: 'help', userId: 'U0OPS', channelId: CHANNEL });

    expect(result.status).toBe(status);
    expect(Date.now() - started).toBeLessThan(3300);
    const late = slack.refusals.filter((refusal) => refusal.error === 'operation_timeout');
    expect(late).toHaveLength(status === 504 ? 1 : 0);
    if (status === 504) expect(slack.messages(CHANNEL).filter((m) => m.kind === 'ack')).toEqual([]);
  });
});
