// The Web API methods dockmedic calls, answered as Slack answers them: HTTP 200 `{ok:false, error}` for
// anything refused (scopes, channel access, Block Kit limits, thread_ts), HTTP 429 with Retry-After
// for rate limits. Every refusal is also kept in `refusals`, so a test can say "nothing was refused".

import { randomUUID } from 'node:crypto';
import { type Refusal, refusalOf } from './limits.ts';
import { LOCAL_TEAM } from './payloads.ts';
import { RateLimiter, type RateLimitSetting } from './rateLimits.ts';
import type { MessageStore, StoredMessage } from './store.ts';
import type { Workspace } from './workspace.ts';

export interface ApiCall {
  method: string;
  // biome-ignore lint/suspicious/noExplicitAny: a recorded call is whatever the app sent; tests inspect it freely.
  body: any;
  at: number;
}

export interface RefusedCall {
  method: string;
  error: string;
  errors?: string[];
  channel?: string;
  at: number;
}

export interface ApiReply {
  status: number;
  headers?: Record<string, string>;
  body: Record<string, unknown>;
}

export interface WebApiOptions {
  store: MessageStore;
  workspace: Workspace;
  rateLimits?: RateLimitSetting;
  botToken: string;
  appToken?: string;
  baseUrl: () => string;
  socketUrl: () => string;
}

// biome-ignore lint/suspicious/noExplicitAny: Web API arguments arrive untyped.
type Args = any;

export class WebApi {
  readonly calls: ApiCall[] = [];
  readonly refusals: RefusedCall[] = [];
  private readonly limiter: RateLimiter;
  private readonly forced = new Map<string, number>();
  private readonly uploads = new Map<string, { title: string; content: string; uploaded: boolean }>();
  private fileSequence = 0;

  constructor(private readonly options: WebApiOptions) {
    this.limiter = new RateLimiter(options.rateLimits ?? 'slack');
  }

  /** The next `times` calls of `method` answer 429 whatever the limits say (retry-after: 1). */
  forceRateLimit(method: string, times: number): void {
    this.forced.set(method, times);
  }

  handle(method: string, body: Args, token: string | undefined): ApiReply {
    this.calls.push({ method, body, at: Date.now() });
    const forced = this.forced.get(method) ?? 0;
    if (forced > 0) {
      this.forced.set(method, forced - 1);
      return this.limited(method, body, 1);
    }
    const expected = method === 'apps.connections.open' ? this.options.appToken : this.options.botToken;
    if (!expected || token !== expected) return this.refuse(method, body, { error: 'invalid_auth' });
    const wait = this.limiter.take(method, channelOf(body));
    if (wait !== undefined) return this.limited(method, body, wait);
    const missing = this.options.workspace.missingScope(method);
    if (missing) return this.refuse(method, body, { error: 'missing_scope' }, missing);
    const result = this.answer(method, body);
    if (isRefusal(result)) return this.refuse(method, body, result);
    return { status: 200, body: { ok: true, ...result } };
  }

  /** The bytes a client POSTed to an upload_url. */
  receiveUpload(fileId: string, content: string): boolean {
    const upload = this.uploads.get(fileId);
    if (!upload) return false;
    upload.content = content;
    upload.uploaded = true;
    return true;
  }

  private limited(method: string, body: Args, seconds: number): ApiReply {
    this.refusals.push({ method, error: 'ratelimited', channel: channelOf(body), at: Date.now() });
    return { status: 429, headers: { 'retry-after': String(seconds) }, body: { ok: false, error: 'ratelimited' } };
  }

  private refuse(method: string, body: Args, refusal: Refusal, extra: Record<string, unknown> = {}): ApiReply {
    this.refusals.push({ method, ...refusal, channel: channelOf(body), at: Date.now() });
    const meta = refusal.errors ? { response_metadata: { messages: refusal.errors.map((e) => `[ERROR] ${e}`) } } : {};
    return { status: 200, body: { ok: false, ...refusal, ...extra, ...meta } };
  }

  private answer(method: string, body: Args): Record<string, unknown> | Refusal {
    switch (method) {
      case 'auth.test':
        return {
          url: `${this.options.baseUrl()}/`,
          team: LOCAL_TEAM.domain,
          user: 'dockmedic',
          team_id: LOCAL_TEAM.id,
          user_id: 'U0DOCKMEDIC',
          bot_id: 'B0DOCKMEDIC',
          is_enterprise_install: false,
        };
      case 'apps.connections.open':
        return { url: this.options.socketUrl() };
      case 'chat.postMessage':
        return this.postMessage(body);
      case 'chat.update':
        return this.update(body);
      case 'chat.postEphemeral':
        return this.postEphemeral(body);
      case 'files.getUploadURLExternal':
        return this.uploadUrl(body);
      case 'files.completeUploadExternal':
        return this.completeUpload(body);
      default:
        return { error: 'unknown_method' };
    }
  }

  private postMessage(body: Args): Record<string, unknown> | Refusal {
    const refused =
      this.options.workspace.writeRefusal(body.channel) ?? this.threadRefusal(body.channel, body.thread_ts);
    if (refused) return { error: refused };
    const content = refusalOf(body.text, body.blocks);
    if (content) return content;
    const message = this.options.store.add({
      channel: body.channel,
      threadTs: body.thread_ts || undefined,
      text: body.text ?? '',
      blocks: blocksOf(body.blocks),
      kind: 'message',
    });
    return {
      channel: message.channel,
      ts: message.ts,
      message: { type: 'message', text: message.text, ts: message.ts },
    };
  }

  private update(body: Args): Record<string, unknown> | Refusal {
    if (!this.options.workspace.get(String(body.channel ?? ''))) return { error: 'channel_not_found' };
    const message = this.options.store.find(body.channel, body.ts);
    if (!message) return { error: 'message_not_found' };
    if (message.kind !== 'message') return { error: 'cant_update_message' };
    const text = body.text ?? message.text;
    const blocks = body.blocks === undefined ? message.blocks : blocksOf(body.blocks);
    const content = refusalOf(text, body.blocks === undefined ? message.blocks : body.blocks);
    if (content) return content;
    this.options.store.edit(message, text, blocks);
    return { channel: message.channel, ts: message.ts, text: message.text };
  }

  private postEphemeral(body: Args): Record<string, unknown> | Refusal {
    const refused = this.options.workspace.writeRefusal(body.channel);
    if (refused) return { error: refused };
    if (!body.user) return { error: 'user_not_in_channel' };
    const content = refusalOf(body.text, body.blocks);
    if (content) return content;
    const message = this.options.store.add({
      channel: body.channel,
      text: body.text ?? '',
      blocks: blocksOf(body.blocks),
      kind: 'ephemeral',
      visibleTo: body.user,
    });
    return { message_ts: message.ts };
  }

  private uploadUrl(body: Args): Record<string, unknown> | Refusal {
    if (!body.filename || body.length === undefined) return { error: 'invalid_arguments' };
    const id = `F${String(this.fileSequence++).padStart(8, '0')}${randomUUID().slice(0, 2).toUpperCase()}`;
    this.uploads.set(id, { title: String(body.filename), content: '', uploaded: false });
    return { upload_url: `${this.options.baseUrl()}/upload/${id}`, file_id: id };
  }

  private completeUpload(body: Args): Record<string, unknown> | Refusal {
    const files: Array<{ id: string; title?: string }> = parseList(body.files);
    if (files.length === 0) return { error: 'invalid_arguments' };
    if (body.channel_id) {
      const refused =
        this.options.workspace.writeRefusal(body.channel_id) ?? this.threadRefusal(body.channel_id, body.thread_ts);
      if (refused) return { error: refused };
    }
    const shared = [];
    for (const file of files) {
      const upload = this.uploads.get(file.id);
      if (!upload?.uploaded) return { error: 'file_not_found' };
      const title = file.title ?? upload.title;
      shared.push({ id: file.id, title, name: upload.title });
      if (!body.channel_id) continue;
      this.options.store.add({
        channel: body.channel_id,
        threadTs: body.thread_ts || undefined,
        text: body.initial_comment ?? `📎 ${title}`,
        blocks: [],
        kind: 'file',
        file: { id: file.id, title, content: upload.content },
      });
    }
    return { files: shared };
  }

  /** thread_ts must be a top-level message of that channel: "never use a reply's ts; use its parent". */
  private threadRefusal(channel: string, threadTs: unknown): string | undefined {
    if (threadTs === undefined || threadTs === null || threadTs === '') return undefined;
    const parent: StoredMessage | undefined = this.options.store.find(channel, String(threadTs));
    if (!parent || parent.threadTs !== undefined || parent.visibleTo !== undefined) return 'invalid_thread_ts';
    return undefined;
  }
}

function isRefusal(result: Record<string, unknown> | Refusal): result is Refusal {
  return typeof result.error === 'string';
}

function channelOf(body: Args): string | undefined {
  const channel = body?.channel ?? body?.channel_id;
  return typeof channel === 'string' ? channel : undefined;
}

function blocksOf(raw: unknown): unknown[] {
  if (Array.isArray(raw)) return raw;
  if (typeof raw !== 'string' || raw === '') return [];
  try {
    const parsed = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

function parseList(raw: unknown): Array<{ id: string; title?: string }> {
  const value = typeof raw === 'string' ? safeJson(raw) : raw;
  return Array.isArray(value) ? value : [];
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
