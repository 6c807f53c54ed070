// The local Slack's workspace: which conversations exist, which ones the bot is in, and the scopes the
// app was installed with (manifest.yml's bot scopes unless a test says otherwise). Slack refuses a post
// where the bot may not write: a private channel or a DM it is not in, a public channel it is not in
// without chat:write.public, an archived channel, an id it does not know.

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type ConversationKind = 'public' | 'private' | 'im' | 'mpim';

export interface ChannelSpec {
  id: string;
  kind?: ConversationKind;
  /** Whether the bot is a member (invited, or the DM is with the bot). Default false. */
  botMember?: boolean;
  archived?: boolean;
}

interface Conversation {
  id: string;
  kind: ConversationKind;
  botMember: boolean;
  archived: boolean;
}

/** Slack's conversation ids: C (channels), G (older private channels and group DMs), D (DMs). */
const CONVERSATION_ID = /^[CGD][A-Z0-9]{8,}$/;

/** What each Web API method needs of the bot token. */
export const METHOD_SCOPES: Readonly<Record<string, string>> = {
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.delete': 'chat:write',
  'chat.postEphemeral': 'chat:write',
  'files.getUploadURLExternal': 'files:write',
  'files.completeUploadExternal': 'files:write',
  'conversations.info': 'channels:read',
  'conversations.join': 'channels:join',
};

/** The bot scopes manifest.yml asks for (the app as it would be installed from it). */
export function manifestScopes(file = new URL('../../../manifest.yml', import.meta.url)): string[] {
  const manifest = parse(readFileSync(file, 'utf8')) as { oauth_config?: { scopes?: { bot?: unknown } } };
  const bot = manifest.oauth_config?.scopes?.bot;
  return Array.isArray(bot) ? bot.map(String) : [];
}

export class Workspace {
  private readonly conversations = new Map<string, Conversation>();
  readonly scopes: ReadonlySet<string>;

  constructor(scopes: readonly string[], channels: readonly ChannelSpec[] = []) {
    this.scopes = new Set(scopes);
    for (const spec of channels) this.declare(spec);
  }

  declare(spec: ChannelSpec): void {
    this.conversations.set(spec.id, {
      id: spec.id,
      kind: spec.kind ?? kindOfId(spec.id),
      botMember: spec.botMember ?? false,
      archived: spec.archived ?? false,
    });
  }

  /**
   * A declared conversation, or one made up from its id the first time it is seen: a well-formed C…
   * id is a public channel, G… a private channel, D… a DM, none of them with the bot in it.
   */
  get(id: string): Conversation | undefined {
    const known = this.conversations.get(id);
    if (known) return known;
    if (!CONVERSATION_ID.test(id)) return undefined;
    const made = { id, kind: kindOfId(id), botMember: false, archived: false };
    this.conversations.set(id, made);
    return made;
  }

  /** `/invite @dockmedic` in that conversation. */
  invite(id: string): void {
    const conversation = this.get(id);
    if (conversation) conversation.botMember = true;
  }

  /** `/remove @dockmedic` (or the bot was kicked). */
  remove(id: string): void {
    const conversation = this.get(id);
    if (conversation) conversation.botMember = false;
  }

  archive(id: string): void {
    const conversation = this.get(id);
    if (conversation) conversation.archived = true;
  }

  /** The error Slack answers `method` with, for the bot token, or undefined when it is allowed. */
  missingScope(method: string): { needed: string; provided: string } | undefined {
    const needed = METHOD_SCOPES[method];
    if (!needed || this.scopes.has(needed)) return undefined;
    return { needed, provided: [...this.scopes].join(',') };
  }

  /** Why the bot may not write in `channel`, as Slack says it, or undefined when it may. */
  writeRefusal(channel: unknown): string | undefined {
    if (typeof channel !== 'string' || channel === '') return 'channel_not_found';
    const conversation = this.get(channel);
    if (!conversation) return 'channel_not_found';
    if (conversation.archived) return 'is_archived';
    if (conversation.botMember) return undefined;
    if (conversation.kind === 'public' && this.scopes.has('chat:write.public')) return undefined;
    return 'not_in_channel';
  }
}

function kindOfId(id: string): ConversationKind {
  if (id.startsWith('D')) return 'im';
  if (id.startsWith('G')) return 'private';
  return 'public';
}
