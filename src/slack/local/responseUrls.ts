// response_url as Slack hands it out: good for 5 uses within 30 minutes of the command or click, then
// `used_url` / `expired_url`. What is posted there must pass the same Block Kit checks as a message.

import { randomUUID } from 'node:crypto';
import { refusalOf } from './limits.ts';
import type { MessageStore } from './store.ts';

export interface ResponseContext {
  channel: string;
  user: string;
  /** The message a `replace_original` answer replaces: the clicked message, or the command's ack. */
  messageTs?: string;
}

export interface ResponseUrlLimits {
  uses: number;
  ttlMs: number;
}

export const SLACK_RESPONSE_URL_LIMITS: ResponseUrlLimits = { uses: 5, ttlMs: 30 * 60_000 };

interface Entry extends ResponseContext {
  createdAt: number;
  used: number;
}

export interface ResponseAnswer {
  status: number;
  body: Record<string, unknown>;
}

export class ResponseUrls {
  // biome-ignore lint/suspicious/noExplicitAny: stored as the app sent it.
  readonly received: Array<{ id: string; body: any; at: number }> = [];
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: MessageStore,
    private readonly limits: ResponseUrlLimits = SLACK_RESPONSE_URL_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  issue(context: ResponseContext): string {
    const id = randomUUID();
    this.entries.set(id, { ...context, createdAt: this.now(), used: 0 });
    return id;
  }

  /** The ack of a slash command is the message a later `replace_original` replaces. */
  setMessage(id: string, messageTs: string): void {
    const entry = this.entries.get(id);
    if (entry) entry.messageTs = messageTs;
  }

  // biome-ignore lint/suspicious/noExplicitAny: the app's JSON, whatever it is.
  post(id: string, body: any): ResponseAnswer {
    const entry = this.entries.get(id);
    if (!entry || this.now() - entry.createdAt > this.limits.ttlMs) return refused(404, 'expired_url');
    if (entry.used >= this.limits.uses) return refused(404, 'used_url');
    if (typeof body !== 'object' || body === null) return refused(400, 'invalid_payload');
    const original = this.store.find(entry.channel, entry.messageTs);
    if (!body.delete_original) {
      const content = refusalOf(body.text, body.blocks);
      if (content) return refused(400, content.error, content.errors);
    }
    entry.used += 1;
    this.received.push({ id, body, at: Date.now() });
    if (body.delete_original && original) {
      this.store.remove(original);
    } else if (body.replace_original && original) {
      this.store.edit(original, body.text ?? '', body.blocks ?? []);
    } else {
      this.store.add({
        channel: entry.channel,
        text: body.text ?? '',
        blocks: body.blocks ?? [],
        kind: 'response',
        visibleTo: body.response_type === 'in_channel' ? undefined : entry.user,
      });
    }
    return { status: 200, body: { ok: true } };
  }
}

function refused(status: number, error: string, errors?: string[]): ResponseAnswer {
  return { status, body: { ok: false, error, ...(errors ? { errors } : {}) } };
}
