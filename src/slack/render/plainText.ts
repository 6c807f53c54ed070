// Block Kit to plain text: for the console, for logs, and for the `text` fallback Slack shows in
// notifications. Mentions, links and entities are turned back into what a person would read.

import { isRecord } from '../limits.ts';

export interface PlainButton {
  actionId: string;
  value: string;
  text: string;
  style?: string;
}

export interface PlainTextOptions {
  /** How to print a button; the console numbers them. Default: `[label]`. */
  onButton?: (button: PlainButton) => string;
}

export function toPlainText(blocks: unknown[], options: PlainTextOptions = {}): string {
  const lines: string[] = [];
  for (const block of blocks) {
    const line = blockText(block, options);
    if (line !== undefined) lines.push(line);
  }
  return lines.join('\n');
}

function blockText(block: unknown, options: PlainTextOptions): string | undefined {
  if (!isRecord(block)) return undefined;
  const elements = Array.isArray(block.elements) ? block.elements : [];
  switch (block.type) {
    case 'header':
      return `== ${plain(block.text)} ==`;
    case 'section':
      return sectionText(block);
    case 'context':
      return elements.map((element) => plain(element)).join(' · ');
    case 'divider':
      return '—'.repeat(20);
    case 'actions':
      return elements.map((element) => buttonText(element, options)).join('\n');
    default:
      return undefined;
  }
}

function sectionText(block: Record<string, unknown>): string {
  const parts = [plain(block.text)];
  if (Array.isArray(block.fields)) parts.push(...block.fields.map((field) => plain(field)));
  return parts.filter((part) => part !== '').join('\n');
}

function buttonText(element: unknown, options: PlainTextOptions): string {
  if (!isRecord(element)) return '';
  const button: PlainButton = {
    actionId: String(element.action_id ?? ''),
    value: String(element.value ?? ''),
    text: plain(element.text),
  };
  if (typeof element.style === 'string') button.style = element.style;
  return options.onButton ? options.onButton(button) : `[${button.text}]`;
}

function plain(value: unknown): string {
  if (!isRecord(value) || typeof value.text !== 'string') return '';
  return value.type === 'mrkdwn' ? mrkdwnToPlain(value.text) : value.text;
}

/** `<@U1>` → @U1, `<#C1|ops>` → #ops, `<https://x|x>` → x (https://x), then &lt; &gt; &amp;. */
export function mrkdwnToPlain(text: string): string {
  return text
    .replace(/<@([A-Z0-9]+)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<#([A-Z0-9]+)(?:\|([^>]*))?>/g, (_whole, id: string, name?: string) => `#${name ?? id}`)
    .replace(/<!([a-z]+)(?:\|[^>]*)?>/g, '@$1')
    .replace(/<([^|>]+)\|([^>]+)>/g, '$2 ($1)')
    .replace(/<([^>]+)>/g, '$1')
    .replace(/:([a-z0-9_+-]+):/g, (whole, name: string) => SHORTCODES[name] ?? whole)
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

// The few emoji shortcodes our own messages use; others stay as typed.
const SHORTCODES: Record<string, string> = {
  white_check_mark: '✅',
  warning: '⚠️',
  red_circle: '🔴',
  x: '❌',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  information_source: 'ℹ️',
  no_entry_sign: '🚫',
};
