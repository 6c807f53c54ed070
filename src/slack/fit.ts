// Making a message fit Slack: what is cut from a long message (the blocks that fit, in order, and every
// row of buttons, so nothing offered is lost), the plain text of the whole for a file, and the last
// guard against broadcast pings in anything we send.

import { blocksTextLength, isRecord, MESSAGE_TEXT_BUDGET, SLACK_LIMITS, truncate } from './limits.ts';
import { toPlainText } from './render/plainText.ts';

export interface MessageLike {
  text: string;
  blocks?: unknown[];
}

/** The `text` of a message cut short: it is a notification fallback, not the place for the whole. */
const SHORT_TEXT = 1500;

/**
 * A message over Slack's limits, cut to fit: header and blocks in order while they fit in the text
 * budget, then `note` (a context block), then every actions block. A message without blocks keeps the
 * start of its text and the note.
 */
export function cutToFit<T extends MessageLike>(msg: T, note: string): T {
  const blocks = msg.blocks ?? [];
  const text = truncate(msg.text, SHORT_TEXT);
  if (blocks.length === 0) return { ...msg, text: `${text}\n_${note}_`, blocks: undefined };
  const buttons = blocks.filter((block) => isRecord(block) && block.type === 'actions').slice(0, 20);
  const noteBlock = { type: 'context', elements: [{ type: 'mrkdwn', text: note }] };
  let budget = MESSAGE_TEXT_BUDGET - blocksTextLength(buttons) - note.length;
  const room = SLACK_LIMITS.blocks - buttons.length - 1;
  const kept: unknown[] = [];
  for (const block of blocks) {
    if (isRecord(block) && block.type === 'actions') continue;
    const clamped = clampBlock(block);
    const size = blocksTextLength([clamped]);
    if (kept.length >= room || size > budget) break;
    kept.push(clamped);
    budget -= size;
  }
  return { ...msg, text, blocks: [...kept, noteBlock, ...buttons] };
}

/** The whole message as plain text for a file: blocks read as a person would, without code fences. */
export function plainTextOf(msg: MessageLike): string {
  const full = msg.blocks && msg.blocks.length > 0 ? toPlainText(msg.blocks) : msg.text;
  return full
    .split('\n')
    .filter((line) => line.trim() !== '```')
    .map((line) => line.replace(/^```|```$/g, ''))
    .join('\n');
}

/**
 * Nothing we send may ping a channel: `<!channel>`, `<!here>`, `<!everyone>` and user groups are never
 * ours, so wherever Slack would parse them (`text`, mrkdwn text objects) they are escaped. Renderers
 * escape host output already; this catches what slipped through.
 */
export function withoutBroadcasts<T>(payload: T): T {
  const neutral = (text: string) => text.replace(/<!/g, '&lt;!');
  const visit = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(visit);
    if (!isRecord(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      const parsed = key === 'text' && typeof child === 'string' && value.type === 'mrkdwn';
      out[key] = parsed ? neutral(child as string) : visit(child);
    }
    return out;
  };
  if (!isRecord(payload)) return payload;
  const out = visit(payload) as Record<string, unknown>;
  if (typeof out.text === 'string') out.text = neutral(out.text);
  return out as T;
}

/** A block over its own limits (a renderer's bug) is cut rather than refused. */
function clampBlock(block: unknown): unknown {
  if (!isRecord(block) || !isRecord(block.text) || typeof block.text.text !== 'string') return block;
  const max = block.type === 'header' ? SLACK_LIMITS.headerText : SLACK_LIMITS.sectionText;
  if (block.text.text.length <= max) return block;
  return { ...block, text: { ...block.text, text: truncate(block.text.text, max) } };
}
