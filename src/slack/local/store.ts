// The local Slack's memory of a conversation: messages in channels and threads, ephemerals, acks and
// uploads, with change events for the console and a waitFor for tests. Each message also says whom it
// would notify (`mentions`), so a test can tell that nothing a host printed pinged anyone.

import { mentionsOf } from './limits.ts';

export interface StoredMessage {
  ts: string;
  channel: string;
  threadTs?: string;
  text: string;
  blocks: unknown[];
  /** message: posted to the channel; ephemeral/ack/response: what the app answered a person; file: an upload. */
  kind: 'message' | 'ephemeral' | 'ack' | 'response' | 'file';
  /** Set when only this user sees it (ephemerals, acks, ephemeral responses). */
  visibleTo?: string;
  edited?: boolean;
  file?: { id: string; title: string; content: string };
  /** Who Slack would notify for it: '@channel', '@here', '@everyone', '@U123'… (text and mrkdwn blocks). */
  mentions: string[];
}

export interface LocalSlackEvent {
  type: 'posted' | 'updated' | 'deleted';
  message: StoredMessage;
}

export class MessageStore {
  private readonly messages: StoredMessage[] = [];
  private readonly listeners = new Set<(event: LocalSlackEvent) => void>();
  private sequence = 0;
  // Slack timestamps are "seconds.sequence" strings; keeping the seconds fixed keeps them ordered.
  private readonly epoch = Math.floor(Date.now() / 1000);

  inChannel(channel: string): StoredMessage[] {
    return this.messages.filter((message) => message.channel === channel);
  }

  find(channel: string, ts: string | undefined): StoredMessage | undefined {
    return this.messages.find((message) => message.channel === channel && message.ts === ts);
  }

  subscribe(listener: (event: LocalSlackEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5000): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = (): boolean => {
        const value = predicate();
        if (value === undefined || value === null || value === false) return false;
        cleanup();
        resolve(value);
        return true;
      };
      const poll = setInterval(check, 25);
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`local Slack: condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      const unsubscribe = this.subscribe(() => void check());
      const cleanup = () => {
        clearInterval(poll);
        clearTimeout(timer);
        unsubscribe();
      };
      check();
    });
  }

  add(fields: Omit<StoredMessage, 'ts' | 'mentions'>): StoredMessage {
    this.sequence += 1;
    const message: StoredMessage = {
      ts: `${this.epoch}.${String(this.sequence).padStart(6, '0')}`,
      ...fields,
      mentions: mentionsOf(fields.text, fields.blocks),
    };
    if (message.threadTs === undefined) delete message.threadTs;
    if (message.visibleTo === undefined) delete message.visibleTo;
    this.messages.push(message);
    this.emit({ type: 'posted', message });
    return message;
  }

  edit(message: StoredMessage, text: string, blocks: unknown[]): void {
    message.text = text;
    message.blocks = blocks;
    message.edited = true;
    message.mentions = [...new Set([...message.mentions, ...mentionsOf(text, blocks)])];
    this.emit({ type: 'updated', message });
  }

  remove(message: StoredMessage): void {
    this.messages.splice(this.messages.indexOf(message), 1);
    this.emit({ type: 'deleted', message });
  }

  private emit(event: LocalSlackEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
