// A local Slack that speaks Slack's real protocol to the real Bolt app: the Web API under /api/, file
// uploads, response_url, Socket Mode over a websocket, and signed HTTP requests to the app. It refuses
// what Slack refuses (limits.ts: Block Kit; workspace.ts: scopes and channel membership; rateLimits.ts:
// 429 + Retry-After; responseUrls.ts: 5 uses in 30 minutes; a late ack is operation_timeout). E2E tests
// and `dockmedic console` use it, so what they exercise is the app as Slack would drive it.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signedHeaders } from '../signing.ts';
import { parseApiBody, parseMaybeJson, readBody, sendJson, uploadedContent } from './http.ts';
import { refusalOf } from './limits.ts';
import { blockActionsPayload, type ClickInput, type SlashCommandInput, slashCommandFields } from './payloads.ts';
import type { RateLimitSetting } from './rateLimits.ts';
import { type ResponseUrlLimits, ResponseUrls, SLACK_RESPONSE_URL_LIMITS } from './responseUrls.ts';
import { SocketModeServer } from './socketMode.ts';
import { type LocalSlackEvent, MessageStore, type StoredMessage } from './store.ts';
import { type ApiCall, type RefusedCall, WebApi } from './webApi.ts';
import { type ChannelSpec, manifestScopes, Workspace } from './workspace.ts';

export type { ApiCall, RefusedCall } from './webApi.ts';

export interface HttpResult {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the app's answer, parsed from JSON when it is JSON.
  body: any;
}

export interface LocalSlackOptions {
  signingSecret: string;
  botToken: string;
  /** Set: the app connects over Socket Mode and requests go as envelopes; unset: signed HTTP. */
  appToken?: string;
  /** 'slack' (default): Slack's rate limits; 'off': none; or rules per method laid over Slack's. */
  rateLimits?: RateLimitSetting;
  /** The bot token's scopes; default: manifest.yml's bot scopes. */
  scopes?: string[];
  /** Conversations with their kind and membership; undeclared C… ids are public channels the bot is not in. */
  channels?: ChannelSpec[];
  /** How long Slack waits for an ack (HTTP answer or Socket Mode envelope ack); Slack's is 3000 ms. */
  ackDeadlineMs?: number;
  /** response_url uses and lifetime; Slack's are 5 uses within 30 minutes. */
  responseUrl?: Partial<ResponseUrlLimits>;
}

export interface LocalSlack {
  apiUrl: string;
  mode: 'http' | 'socket';
  calls: ApiCall[];
  /** Every call Slack refused or rate limited, every late ack, every refused response_url post. */
  refusals: RefusedCall[];
  // biome-ignore lint/suspicious/noExplicitAny: stored as the app sent it.
  responses: Array<{ id: string; body: any; at: number }>;
  setBotUrl(url: string): void;
  /** The next `times` calls of `method` answer 429 with retry-after: 1, whatever the limits. */
  rateLimit(method: string, times: number): void;
  /** Conversations: `/invite @dockmedic`, removing the bot, archiving, declaring one. */
  invite(channel: string): void;
  removeBot(channel: string): void;
  archive(channel: string): void;
  declareChannel(spec: ChannelSpec): void;
  slashCommand(input: SlashCommandInput): Promise<HttpResult>;
  clickButton(input: ClickInput): Promise<HttpResult>;
  sendRaw(body: string, headers: Record<string, string>): Promise<HttpResult>;
  messages(channel: string): StoredMessage[];
  subscribe(listener: (event: LocalSlackEvent) => void): () => void;
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export const SLACK_ACK_DEADLINE_MS = 3000;
const LATE: HttpResult = { status: 504, body: { ok: false, error: 'operation_timeout' } };

export async function startLocalSlack(options: LocalSlackOptions): Promise<LocalSlack> {
  const slack = new LocalSlackServer(options);
  await slack.listen();
  return slack;
}

class LocalSlackServer implements LocalSlack {
  apiUrl = '';
  readonly mode: 'http' | 'socket';
  private baseUrl = '';
  private botUrl: string | undefined;
  private readonly server: Server;
  private readonly sockets = new SocketModeServer((find) => this.waitFor(find, 5000));
  private readonly store = new MessageStore();
  private readonly workspace: Workspace;
  private readonly web: WebApi;
  private readonly responseUrls: ResponseUrls;
  private readonly ackDeadlineMs: number;

  constructor(private readonly options: LocalSlackOptions) {
    this.mode = options.appToken ? 'socket' : 'http';
    this.ackDeadlineMs = options.ackDeadlineMs ?? SLACK_ACK_DEADLINE_MS;
    this.workspace = new Workspace(options.scopes ?? manifestScopes(), options.channels);
    this.web = new WebApi({
      store: this.store,
      workspace: this.workspace,
      rateLimits: options.rateLimits,
      botToken: options.botToken,
      appToken: options.appToken,
      baseUrl: () => this.baseUrl,
      socketUrl: () => `${this.baseUrl.replace(/^http/, 'ws')}/socket/${randomUUID()}`,
    });
    this.responseUrls = new ResponseUrls(this.store, { ...SLACK_RESPONSE_URL_LIMITS, ...options.responseUrl });
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
    this.server.on('upgrade', (req, socket, head) => this.sockets.upgrade(req, socket, head));
  }

  get calls(): ApiCall[] {
    return this.web.calls;
  }

  get refusals(): RefusedCall[] {
    return this.web.refusals;
  }

  get responses(): LocalSlack['responses'] {
    return this.responseUrls.received;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.apiUrl = `${this.baseUrl}/api/`;
  }

  setBotUrl(url: string): void {
    const parsed = new URL(url);
    if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/slack/events';
    this.botUrl = parsed.toString();
  }

  rateLimit(method: string, times: number): void {
    this.web.forceRateLimit(method, times);
  }

  invite(channel: string): void {
    this.workspace.invite(channel);
  }

  removeBot(channel: string): void {
    this.workspace.remove(channel);
  }

  archive(channel: string): void {
    this.workspace.archive(channel);
  }

  declareChannel(spec: ChannelSpec): void {
    this.workspace.declare(spec);
  }

  messages(channel: string): StoredMessage[] {
    return this.store.inChannel(channel);
  }

  subscribe(listener: (event: LocalSlackEvent) => void): () => void {
    return this.store.subscribe(listener);
  }

  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    return this.store.waitFor(predicate, timeoutMs);
  }

  async slashCommand(input: SlashCommandInput): Promise<HttpResult> {
    const responseId = this.responseUrls.issue({ channel: input.channelId, user: input.userId });
    const fields = slashCommandFields(input, `${this.baseUrl}/response/${responseId}`, randomUUID());
    const result =
      this.mode === 'socket'
        ? await this.deliver('slash_commands', fields)
        : await this.postSigned(new URLSearchParams(fields).toString());
    if (result.status === 200) this.storeAck(result.body, responseId, input);
    return result;
  }

  async clickButton(input: ClickInput): Promise<HttpResult> {
    const clicked = this.store.find(input.channelId, input.messageTs);
    const responseId = this.responseUrls.issue({
      channel: input.channelId,
      user: input.userId,
      messageTs: input.messageTs,
    });
    const message = clicked
      ? { ...clicked, ephemeral: clicked.kind !== 'message' && clicked.kind !== 'file' }
      : undefined;
    const payload = blockActionsPayload(input, message, `${this.baseUrl}/response/${responseId}`, randomUUID());
    if (this.mode === 'socket') return await this.deliver('interactive', payload);
    return await this.postSigned(new URLSearchParams({ payload: JSON.stringify(payload) }).toString());
  }

  async sendRaw(body: string, headers: Record<string, string>): Promise<HttpResult> {
    if (!this.botUrl) throw new Error('local Slack: setBotUrl() first (HTTP mode)');
    const response = await fetch(this.botUrl, { method: 'POST', headers, body });
    const text = await response.text();
    return { status: response.status, body: parseMaybeJson(text) };
  }

  async close(): Promise<void> {
    await this.sockets.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- app → Slack ----------------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const raw = await readBody(req);
    if (url.pathname.startsWith('/api/')) {
      const body = await parseApiBody(req.headers['content-type'] ?? '', raw);
      const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '') || body.token;
      const reply = this.web.handle(url.pathname.slice(5), body, token);
      res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
      res.end(JSON.stringify(reply.body));
      return;
    }
    if (url.pathname.startsWith('/upload/')) return await this.upload(url.pathname.slice(8), req, raw, res);
    if (url.pathname.startsWith('/response/')) {
      const answer = this.responseUrls.post(url.pathname.slice(10), parseMaybeJson(raw.toString('utf8')));
      if (answer.status !== 200) {
        const error = String(answer.body.error);
        this.web.refusals.push({ method: 'response_url', error, at: Date.now() });
      }
      return sendJson(res, answer.status, answer.body);
    }
    sendJson(res, 404, { ok: false, error: 'not_found' });
  }

  private async upload(fileId: string, req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    this.web.calls.push({ method: 'files.upload (upload_url)', body: { fileId, bytes: raw.length }, at: Date.now() });
    const content = await uploadedContent(req.headers['content-type'] ?? '', raw);
    if (!this.web.receiveUpload(fileId, content)) return sendJson(res, 404, { ok: false, error: 'file_not_found' });
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${raw.length}`);
  }

  // ---- Slack → app ----------------------------------------------------------------------------

  /** HTTP mode: Slack gives up on an answer after the ack deadline and tells the user it timed out. */
  private async postSigned(rawBody: string): Promise<HttpResult> {
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      ...signedHeaders(this.options.signingSecret, rawBody),
    };
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.ackDeadlineMs);
    });
    const answered = this.sendRaw(rawBody, headers);
    answered.catch(() => undefined);
    const result = await Promise.race([answered, deadline]);
    clearTimeout(timer);
    return result ?? this.late();
  }

  /** Socket Mode: an envelope down the websocket; the app acks with `{envelope_id, payload}` in time. */
  private async deliver(type: string, payload: unknown): Promise<HttpResult> {
    const ack = await this.sockets.deliver(type, payload, this.ackDeadlineMs);
    if (ack === undefined) return this.late();
    return { status: 200, body: Object.keys(ack).length > 0 ? ack : undefined };
  }

  private late(): HttpResult {
    this.web.refusals.push({ method: 'ack', error: 'operation_timeout', at: Date.now() });
    return LATE;
  }

  // biome-ignore lint/suspicious/noExplicitAny: the ack is whatever the app answered.
  private storeAck(body: any, responseId: string, input: SlashCommandInput): void {
    if (!body || (typeof body !== 'object' && typeof body !== 'string')) return;
    const answer = typeof body === 'string' ? { text: body } : body;
    if (!answer.text && !answer.blocks) return;
    const refused = refusalOf(answer.text, answer.blocks);
    if (refused) {
      // Slack shows the user an error instead of an ack it cannot display.
      this.web.refusals.push({ method: 'ack', ...refused, channel: input.channelId, at: Date.now() });
      return;
    }
    const inChannel = answer.response_type === 'in_channel';
    const message = this.store.add({
      channel: input.channelId,
      text: answer.text ?? '',
      blocks: answer.blocks ?? [],
      kind: 'ack',
      visibleTo: inChannel ? undefined : input.userId,
    });
    this.responseUrls.setMessage(responseId, message.ts);
  }
}
