// The Slack side of the bot: the real Bolt app over Socket Mode (SLACK_APP_TOKEN) or HTTP
// (SLACK_SIGNING_SECRET, POST /slack/events). It only validates, hands requests to onCommand/onAction
// and answers; it never touches a host. Slack wants an ack within 3 s, so the ack never waits longer
// than the budget: a slow answer follows through response_url.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { App, HTTPReceiver, type Receiver, type RespondArguments, SocketModeReceiver } from '@slack/bolt';
import { type DockmedicEnv, slackModeOf } from '../config/env.ts';
import { DockmedicError, userMessageOf } from '../errors.ts';
import { log } from '../log.ts';
import { baseActionId, OUR_ACTIONS } from './actionIds.ts';
import { createSlackOut, fitWithoutFile, prepareOutgoing, type SlackOut } from './client.ts';
import { renderError } from './render/error.ts';
import { slackLogger } from './slackLogger.ts';
import type { ActionRequest, CommandRequest, Reply } from './types.ts';

export interface SlackAppRoute {
  path: string;
  method: string;
  handler(req: IncomingMessage, res: ServerResponse): void;
  /** Answered to loopback peers only, unless the bind address was chosen (`openRoutes`). */
  loopbackOnly?: boolean;
}

export interface SlackAppOptions {
  env: DockmedicEnv;
  onCommand(req: CommandRequest): Promise<Reply>;
  onAction(req: ActionRequest): Promise<Reply | undefined>;
  /** Served on the same port in both modes (Bolt customRoutes): /metrics and the like. */
  routes?: SlackAppRoute[];
  /** HTTP mode: events and routes; Socket Mode: routes only. 0 picks a free port. */
  port: number;
  /**
   * The address the port listens on (DOCKMEDIC_HTTP_HOST). Unset: 127.0.0.1 in Socket Mode (only
   * /healthz and /metrics are served, for this machine); every interface in HTTP mode, because Slack
   * must reach /slack/events, with `loopbackOnly` routes (/metrics) refused to other peers.
   */
  host?: string;
  /** How long the ack waits for onCommand before saying "still working…". Slack allows 3 s in all. */
  ackBudgetMs?: number;
}

export interface SlackApp {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The port actually listened on (after start). */
  readonly port: number;
  /** The address actually listened on (after start), e.g. 127.0.0.1 or :: for every interface. */
  readonly address: string | undefined;
  readonly mode: 'socket' | 'http';
  /** The Web API side, for callers that want to post with the same token and API URL. */
  readonly out: SlackOut;
}

export const ACK_BUDGET_MS = 2500;
const STILL_WORKING: Reply = { text: '⏳ Still working on it…; the answer follows here.' };

export async function createSlackApp(options: SlackAppOptions): Promise<SlackApp> {
  const { env } = options;
  const mode = slackModeOf(env);
  if (mode === 'none' || !env.SLACK_BOT_TOKEN) {
    throw new DockmedicError('dm_config_invalid', 'Slack is not configured', {
      userMessage: 'Set SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP).',
    });
  }
  const out = createSlackOut({ token: env.SLACK_BOT_TOKEN, apiUrl: env.SLACK_API_URL });
  // A chosen bind address is a decision to serve there: routes then answer whoever reaches it.
  const guard = options.host === undefined;
  const customRoutes = [{ path: '/healthz', method: 'GET', handler: healthz }, ...(options.routes ?? [])].map(
    (route) => ({ ...route, handler: guard && route.loopbackOnly ? loopbackOnly(route.handler) : route.handler }),
  );
  const host = options.host ?? (mode === 'socket' ? '127.0.0.1' : undefined);
  const logger = slackLogger('bolt');
  const receiver: Receiver =
    mode === 'socket'
      ? new SocketModeReceiver({
          appToken: env.SLACK_APP_TOKEN ?? '',
          logger,
          customRoutes,
          // clientOptions reach the Socket Mode client's own WebClient: apps.connections.open goes here too.
          installerOptions: { port: options.port, clientOptions: { slackApiUrl: env.SLACK_API_URL } },
        })
      : new HTTPReceiver({
          signingSecret: env.SLACK_SIGNING_SECRET ?? '',
          endpoints: '/slack/events',
          port: options.port,
          customRoutes,
          logger,
        });
  const app = new App({
    token: env.SLACK_BOT_TOKEN,
    receiver,
    logger,
    clientOptions: { slackApiUrl: env.SLACK_API_URL },
  });
  registerCommand(app, out, options);
  registerActions(app, out, options);

  // SocketModeReceiver listens for customRoutes itself without an error handler or a way to learn the
  // port: reach its server to report EADDRINUSE instead of crashing, and to know a port picked by 0.
  const routeServer = mode === 'socket' ? (receiver as unknown as { httpServer?: Server }).httpServer : undefined;
  if (routeServer && host) {
    // The receiver calls listen(port) itself, on every interface: make it listen where we were told.
    const listen = routeServer.listen.bind(routeServer);
    routeServer.listen = ((port: number) => listen(port, host)) as Server['listen'];
  }
  let listenError: Error | undefined;
  routeServer?.on('error', (error) => {
    listenError = error;
    log.error({ err: error, port: options.port }, 'slack route server failed');
  });
  let port = options.port;
  let address: string | undefined;

  return {
    mode,
    out,
    get port() {
      return port;
    },
    get address() {
      return address;
    },
    async start() {
      if (mode === 'http') {
        const server = (await app.start(host ? { port: options.port, host } : options.port)) as Server;
        port = addressPort(server) ?? port;
        address = addressOf(server);
        log.info({ port, host: host ?? 'every interface', mode }, 'slack app listening');
        return;
      }
      try {
        await app.start();
      } catch (error) {
        routeServer?.close();
        throw new DockmedicError('dm_internal', 'while connecting to Slack over Socket Mode', { cause: error });
      }
      if (routeServer) port = (await listening(routeServer, () => listenError)) ?? port;
      address = addressOf(routeServer);
      log.info({ port, host, mode }, 'slack app connected');
    },
    async stop() {
      const closed = routeServer?.listening ? new Promise((resolve) => routeServer.once('close', resolve)) : undefined;
      await app.stop();
      await closed;
    },
  };
}

function registerCommand(app: App, out: SlackOut, options: SlackAppOptions): void {
  const budget = options.ackBudgetMs ?? ACK_BUDGET_MS;
  app.command('/docker', async ({ command, ack }) => {
    const request: CommandRequest = {
      userId: command.user_id,
      channelId: command.channel_id,
      text: command.text ?? '',
      responseUrl: command.response_url,
    };
    const settled = settle(() => options.onCommand(request));
    let timer: NodeJS.Timeout | undefined;
    const budgetSpent = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), budget);
    });
    const first = await Promise.race([settled, budgetSpent]);
    clearTimeout(timer);
    if (first) {
      await ack(ackBody(replyOf(first)));
      return;
    }
    await ack(ackBody(STILL_WORKING));
    const late = await settled;
    if (!request.responseUrl) return;
    const reply = replyOf(late);
    await out
      .respond(request.responseUrl, { ...reply, replaceOriginal: !reply.inChannel })
      .catch((error: unknown) => log.warn({ err: error, user: request.userId }, 'could not send a late command reply'));
  });
}

function registerActions(app: App, out: SlackOut, options: SlackAppOptions): void {
  app.action(OUR_ACTIONS, async ({ action, body, ack }) => {
    // Ack first: the button press is accepted; what it leads to is told to the clicker afterwards.
    await ack();
    if (body.type !== 'block_actions' || action.type !== 'button' || !('action_id' in action)) return;
    const request: ActionRequest = {
      actionId: baseActionId(action.action_id),
      value: action.value ?? '',
      userId: body.user.id,
      channelId: body.channel?.id ?? body.container?.channel_id ?? '',
      messageTs: body.message?.ts ?? body.container?.message_ts,
      threadTs: body.message?.thread_ts,
      responseUrl: body.response_url,
    };
    const settled = await settle(() => options.onAction(request));
    if (!settled.ok) log.warn({ err: settled.error, user: request.userId }, 'action handler failed');
    const reply = settled.ok ? settled.reply : renderError(userMessageOf(settled.error));
    if (!reply) return;
    const sent = request.responseUrl
      ? out.respond(request.responseUrl, { ...reply, inChannel: false, replaceOriginal: false })
      : out.postEphemeral(request.channelId, request.userId, reply);
    await sent.catch((error: unknown) =>
      log.warn({ err: error, user: request.userId }, 'could not answer a button press'),
    );
  });
}

function ackBody(reply: Reply): RespondArguments {
  const message = fitWithoutFile(prepareOutgoing({ text: reply.text, blocks: reply.blocks }));
  const body: Record<string, unknown> = {
    text: message.text,
    response_type: reply.inChannel ? 'in_channel' : 'ephemeral',
  };
  if (message.blocks) body.blocks = message.blocks;
  return body as RespondArguments;
}

function replyOf(settled: { ok: true; reply: Reply } | { ok: false; error: unknown }): Reply {
  if (settled.ok) return settled.reply;
  log.warn({ err: settled.error }, 'command handler failed');
  return renderError(userMessageOf(settled.error));
}

/** Never rejects; a handler that throws synchronously is caught too. */
async function settle<T>(run: () => Promise<T>): Promise<{ ok: true; reply: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, reply: await run() };
  } catch (error) {
    return { ok: false, error };
  }
}

function healthz(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ ok: true }));
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6 (what a dual-stack listener reports). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/** Wraps a route so that peers other than this machine get 403 and what to set instead. */
export function loopbackOnly(handler: SlackAppRoute['handler']): SlackAppRoute['handler'] {
  return (req, res) => {
    if (isLoopback(req.socket.remoteAddress)) return handler(req, res);
    res.writeHead(403, { 'content-type': 'text/plain' });
    res.end('This path answers only on loopback. Set DOCKMEDIC_HTTP_HOST to the address it should be served on.\n');
  };
}

function addressOf(server: Server | undefined): string | undefined {
  const bound = server?.address();
  return typeof bound === 'object' && bound ? bound.address : undefined;
}

function addressPort(server: Server | undefined): number | undefined {
  const address = server?.address();
  return typeof address === 'object' && address ? address.port : undefined;
}

async function listening(server: Server, failed: () => Error | undefined): Promise<number | undefined> {
  const deadline = Date.now() + 5000;
  while (!server.listening && Date.now() < deadline) {
    const error = failed();
    if (error) throw new DockmedicError('dm_internal', 'while opening the health/metrics port', { cause: error });
    await sleep(10);
  }
  return addressPort(server);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
