import type { LocalSlack } from '../../src/slack/local/localSlack.ts';
import type { StoredMessage } from '../../src/slack/local/store.ts';

export interface FoundButton {
  actionId: string;
  value: string;
  text: string;
}

export function buttonsOf(message: StoredMessage): FoundButton[] {
  const found: FoundButton[] = [];
  for (const block of message.blocks as Array<{ type?: string; elements?: unknown[] }>) {
    if (block.type !== 'actions') continue;
    for (const element of (block.elements ?? []) as Array<{
      type?: string;
      action_id: string;
      value: string;
      text?: { text?: string };
    }>) {
      if (element.type !== 'button') continue;
      found.push({ actionId: element.action_id, value: element.value, text: element.text?.text ?? '' });
    }
  }
  return found;
}

/** All text of a message, blocks included, for assertions. */
export function textOf(message: StoredMessage): string {
  return `${message.text}\n${JSON.stringify(message.blocks)}`;
}

export function channelMessages(slack: LocalSlack, channel: string, kind: StoredMessage['kind'] = 'message') {
  return slack.messages(channel).filter((m) => m.kind === kind);
}

/** Waits for a message in the channel (or a thread) whose text matches. */
export function waitForMessage(
  slack: LocalSlack,
  channel: string,
  match: (message: StoredMessage) => boolean,
  timeoutMs = 30_000,
): Promise<StoredMessage> {
  return slack.waitFor(() => slack.messages(channel).find(match), timeoutMs);
}
