// A local Slack that speaks Slack's real protocol to the real Bolt app: the Web API under /api/, file
// uploads, response_url, Socket Mode over a websocket, and signed HTTP requests to the app. E2E tests
// and `dockmedic console` use it, so what they exercise is the app as Slack would drive it.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { signedHeaders } from '../signing.ts';
import {
  blockActionsPayload,
  type ClickInput,
  LOCAL_APP_ID,
  LOCAL_TEAM,
  type SlashCommandInput,
  slashCommandFields,
} from './payloads.ts';
import { type LocalSlackEvent, MessageStore, type StoredMessage } from './store.ts';

export interface ApiCall {
  method: string;
  // biome-ignore lint/suspicious/noExplicitAny: a recorded call is whatever the app sent; tests inspect it freely.
  body: any;
  at: number;
}

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
}

export interface LocalSlack {
  apiUrl: string;
  mode: 'http' | 'socket';
  calls: ApiCall[];
  // biome-ignore lint/suspicious/noExplicitAny: stored as the app sent it.
  responses: Array<{ id: string; body: any; at: number }>;
  setBotUrl(url: string): void;
  /** The next `times` calls of `method` answer 429 with retry-after: 1. */
  rateLimit(method: string, times: number): void;
  slashCommand(input: SlashCommandInput): Promise<HttpResult>;
  clickButton(input: ClickInput): Promise<HttpResult>;
  sendRaw(body: string, headers: Record<string, string>): Promise<HttpResult>;
  messages(channel: string): StoredMessage[];
  subscribe(listener: (event: LocalSlackEvent) => void): () => void;
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

interface ResponseContext {
  channel: string;
  user: string;
  /** The message a `replace_original` answer replaces: the clicked message, or the command's ack. */
  messageTs?: string;
}

const JSON_FIELDS = new Set(['blocks', 'attachments', 'files', 'metadata']);

export async function startLocalSlack(options: LocalSlackOptions): Promise<LocalSlack> {
  const slack = new LocalSlackServer(options);
  await slack.listen();
  return slack;
}

class LocalSlackServer implements LocalSlack {
  apiUrl = '';
  readonly mode: 'http' | 'socket';
  readonly calls: ApiCall[] = [];
  readonly responses: LocalSlack['responses'] = [];
  private baseUrl = '';
  private botUrl: string | undefined;
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private socket: WebSocket | undefined;
  private readonly store = new MessageStore();
  private readonly rateLimits = new Map<string, number>();
  private readonly responseContexts = new Map<string, ResponseContext>();
  private readonly pendingAcks = new Map<string, (payload: unknown) => void>();
  private readonly uploads = new Map<string, { title: string; content: string }>();
  private readonly pinger: NodeJS.Timeout;
  private fileSequence = 0;

  constructor(private readonly options: LocalSlackOptions) {
    this.mode = options.appToken ? 'socket' : 'http';
    this.server = createServer((req, res) => {
      this.route(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(error));
      });
    });
    this.server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/socket/')) return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.acceptSocket(ws));
    });
    // Slack pings its Socket Mode clients; the client's server-ping watchdog expects it.
    this.pinger = setInterval(() => this.socket?.ping(), 10_000);
    this.pinger.unref();
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
    this.rateLimits.set(method, times);
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
    const responseId = this.newResponseUrl({ channel: input.channelId, user: input.userId });
    const fields = slashCommandFields(input, `${this.baseUrl}/response/${responseId}`, randomUUID());
    const result =
      this.mode === 'socket'
        ? await this.deliver('slash_commands', fields)
        : await this.postSigned(new URLSearchParams(fields).toString());
    this.storeAck(result.body, responseId, input);
    return result;
  }

  async clickButton(input: ClickInput): Promise<HttpResult> {
    const clicked = this.store.find(input.channelId, input.messageTs);
    const responseId = this.newResponseUrl({
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
    clearInterval(this.pinger);
    for (const resolve of this.pendingAcks.values()) resolve(undefined);
    this.pendingAcks.clear();
    for (const client of this.wss.clients) client.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- app → Slack ----------------------------------------------------------------------------

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl);
    const raw = await readBody(req);
    if (url.pathname.startsWith('/api/')) return await this.webApi(url.pathname.slice(5), req, raw, res);
    if (url.pathname.startsWith('/upload/')) return await this.upload(url.pathname.slice(8), req, raw, res);
    if (url.pathname.startsWith('/response/')) return this.response(url.pathname.slice(10), raw, res);
    sendJson(res, 404, { ok: false, error: 'not_found' });
  }

  private async webApi(method: string, req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    const body = await parseApiBody(req.headers['content-type'] ?? '', raw);
    this.calls.push({ method, body, at: Date.now() });
    const limited = this.rateLimits.get(method) ?? 0;
    if (limited > 0) {
      this.rateLimits.set(method, limited - 1);
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    const expected = method === 'apps.connections.open' ? this.options.appToken : this.options.botToken;
    const given = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '') || body.token;
    if (!expected || given !== expected) return sendJson(res, 200, { ok: false, error: 'invalid_auth' });
    sendJson(res, 200, this.answer(method, body));
  }

  // biome-ignore lint/suspicious/noExplicitAny: Web API arguments arrive untyped.
  private answer(method: string, body: any): Record<string, unknown> {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: `${this.baseUrl}/`,
          team: LOCAL_TEAM.domain,
          user: 'dockmedic',
          team_id: LOCAL_TEAM.id,
          user_id: 'U0DOCKMEDIC',
          bot_id: 'B0DOCKMEDIC',
          is_enterprise_install: false,
        };
      case 'apps.connections.open':
        return {
          ok: true,
          url: `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/socket/${randomUUID()}`,
        };
      case 'chat.postMessage': {
        if (!body.channel) return { ok: false, error: 'channel_not_found' };
        const message = this.store.add({
          channel: body.channel,
          threadTs: body.thread_ts,
          text: body.text ?? '',
          blocks: body.blocks ?? [],
          kind: 'message',
        });
        return {
          ok: true,
          channel: message.channel,
          ts: message.ts,
          message: { type: 'message', text: message.text, ts: message.ts },
        };
      }
      case 'chat.update': {
        const message = this.store.find(body.channel, body.ts);
        if (!message) return { ok: false, error: 'message_not_found' };
        this.store.edit(message, body.text ?? message.text, body.blocks ?? message.blocks);
        return { ok: true, channel: message.channel, ts: message.ts, text: message.text };
      }
      case 'chat.postEphemeral': {
        const message = this.store.add({
          channel: body.channel,
          text: body.text ?? '',
          blocks: body.blocks ?? [],
          kind: 'ephemeral',
          visibleTo: body.user,
        });
        return { ok: true, message_ts: message.ts };
      }
      case 'files.getUploadURLExternal': {
        const id = `F${String(this.fileSequence++).padStart(8, '0')}`;
        this.uploads.set(id, { title: String(body.filename ?? id), content: '' });
        return { ok: true, upload_url: `${this.baseUrl}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal':
        return this.completeUpload(body);
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  // biome-ignore lint/suspicious/noExplicitAny: Web API arguments arrive untyped.
  private completeUpload(body: any): Record<string, unknown> {
    const files: Array<{ id: string; title?: string }> = Array.isArray(body.files) ? body.files : [];
    const shared = [];
    for (const file of files) {
      const upload = this.uploads.get(file.id);
      if (!upload) return { ok: false, error: 'file_not_found' };
      const title = file.title ?? upload.title;
      shared.push({ id: file.id, title, name: upload.title });
      if (!body.channel_id) continue;
      this.store.add({
        channel: body.channel_id,
        threadTs: body.thread_ts,
        text: body.initial_comment ?? `📎 ${title}`,
        blocks: [],
        kind: 'file',
        file: { id: file.id, title, content: upload.content },
      });
    }
    return { ok: true, files: shared };
  }

  private async upload(fileId: string, req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
    const upload = this.uploads.get(fileId);
    this.calls.push({ method: 'files.upload (upload_url)', body: { fileId, bytes: raw.length }, at: Date.now() });
    if (!upload) return sendJson(res, 404, { ok: false, error: 'file_not_found' });
    upload.content = await uploadedContent(req.headers['content-type'] ?? '', raw);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`OK - ${raw.length}`);
  }

  private response(id: string, raw: Buffer, res: ServerResponse): void {
    const context = this.responseContexts.get(id);
    if (!context) {
      sendJson(res, 404, { ok: false, error: 'expired_url' });
      return;
    }
    const body = parseMaybeJson(raw.toString('utf8')) ?? {};
    this.responses.push({ id, body, at: Date.now() });
    sendJson(res, 200, { ok: true });
    const original = this.store.find(context.channel, context.messageTs);
    if (body.delete_original && original) {
      this.store.remove(original);
      return;
    }
    if (body.replace_original && original) {
      this.store.edit(original, body.text ?? '', body.blocks ?? []);
      return;
    }
    const inChannel = body.response_type === 'in_channel';
    this.store.add({
      channel: context.channel,
      text: body.text ?? '',
      blocks: body.blocks ?? [],
      kind: 'response',
      visibleTo: inChannel ? undefined : context.user,
    });
  }

  // ---- Slack → app ----------------------------------------------------------------------------

  private async postSigned(rawBody: string): Promise<HttpResult> {
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      ...signedHeaders(this.options.signingSecret, rawBody),
    };
    return await this.sendRaw(rawBody, headers);
  }

  /** Socket Mode: an envelope down the websocket; the app acks with `{envelope_id, payload}`. */
  private async deliver(type: string, payload: unknown): Promise<HttpResult> {
    const socket = this.socket ?? (await this.waitFor(() => this.socket, 5000));
    const envelopeId = randomUUID();
    const acked = new Promise<unknown>((resolve) => {
      this.pendingAcks.set(envelopeId, resolve);
      setTimeout(() => resolve(undefined), 5000).unref();
    });
    socket.send(JSON.stringify({ envelope_id: envelopeId, type, payload, accepts_response_payload: true }));
    const ack = await acked;
    this.pendingAcks.delete(envelopeId);
    if (ack === undefined) return { status: 504, body: undefined };
    const body = ack as Record<string, unknown>;
    return { status: 200, body: Object.keys(body).length > 0 ? body : undefined };
  }

  private acceptSocket(ws: WebSocket): void {
    this.socket = ws;
    ws.on('message', (data) => {
      const message = parseMaybeJson(String(data));
      const resolve = message?.envelope_id ? this.pendingAcks.get(message.envelope_id) : undefined;
      resolve?.(message.payload ?? {});
    });
    ws.on('close', () => {
      if (this.socket === ws) this.socket = undefined;
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        debug_info: { host: 'local-slack', approximate_connection_time: 18_060 },
        connection_info: { app_id: LOCAL_APP_ID },
      }),
    );
  }

  // ---- the message store -----------------------------------------------------------------------

  // biome-ignore lint/suspicious/noExplicitAny: the ack is whatever the app answered.
  private storeAck(body: any, responseId: string, input: SlashCommandInput): void {
    if (!body || (typeof body !== 'object' && typeof body !== 'string')) return;
    const answer = typeof body === 'string' ? { text: body } : body;
    if (!answer.text && !answer.blocks) return;
    const inChannel = answer.response_type === 'in_channel';
    const message = this.store.add({
      channel: input.channelId,
      text: answer.text ?? '',
      blocks: answer.blocks ?? [],
      kind: 'ack',
      visibleTo: inChannel ? undefined : input.userId,
    });
    const context = this.responseContexts.get(responseId);
    if (context) context.messageTs = message.ts;
  }

  private newResponseUrl(context: ResponseContext): string {
    const id = randomUUID();
    this.responseContexts.set(id, context);
    return id;
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

// biome-ignore lint/suspicious/noExplicitAny: Web API arguments arrive untyped.
async function parseApiBody(contentType: string, raw: Buffer): Promise<any> {
  if (contentType.includes('application/json')) return parseMaybeJson(raw.toString('utf8')) ?? {};
  const fields: Record<string, unknown> = {};
  if (contentType.includes('multipart/form-data')) {
    const form = await new Request('http://local/', {
      method: 'POST',
      headers: { 'content-type': contentType },
      body: new Uint8Array(raw),
    }).formData();
    for (const [key, value] of form.entries())
      fields[key] = typeof value === 'string' ? value : `<file ${value.size} bytes>`;
    return fields;
  }
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) {
    fields[key] = JSON_FIELDS.has(key) ? (parseMaybeJson(value) ?? value) : value;
  }
  return fields;
}

/** The WebClient posts the file as multipart (field `body`); other clients may post it raw. */
async function uploadedContent(contentType: string, raw: Buffer): Promise<string> {
  if (!contentType.includes('multipart/form-data')) return raw.toString('utf8');
  const form = await new Request('http://local/', {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: new Uint8Array(raw),
  }).formData();
  for (const value of form.values()) {
    if (typeof value !== 'string') return await value.text();
  }
  return '';
}

// biome-ignore lint/suspicious/noExplicitAny: JSON of unknown shape.
function parseMaybeJson(text: string): any {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
