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

/**
 * The hosts a fleet summary lists, with what it says of each (`crit`, `ok`, `UNREACHABLE`, `waiting`…),
 * read from its grouped sections the way a person reads them: a title line, then the names.
 */
export function fleetRowsOf(message: StoredMessage): Map<string, string> {
  const rows = new Map<string, string>();
  const blocks = message.blocks as Array<{
    type?: string;
    text?: { text?: string };
    elements?: Array<{ text?: string }>;
  }>;
  const domain =
    blocks
      .flatMap((block) => block.elements ?? [])
      .map((element) => /host names end in `([^`]+)`/.exec(element.text ?? '')?.[1])
      .find(Boolean) ?? '';
  let label = '';
  for (const block of blocks) {
    if (block.type !== 'section') continue;
    const text = block.text?.text ?? '';
    const title = /^\S+ \*([A-Za-z]+)\*/.exec(text);
    if (title?.[1]) label = title[1];
    const names = /```([^`]*)```/.exec(text)?.[1] ?? '';
    for (const name of names.split(', ')) {
      const host = name.replace(/ ….*$/, '').trim();
      if (host) rows.set(`${host}${domain}`, label);
    }
  }
  return rows;
}
