// Slack's documented limits for messages and Block Kit. A payload over any of them is refused by
// Slack (invalid_blocks, msg_too_long), so renderers stay under them and the client checks again.

export const SLACK_LIMITS = {
  messageText: 40_000,
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
} as const;

export const ELLIPSIS = '…';

/** Cuts `text` to at most `max` characters, ending in "…" when something was cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return ELLIPSIS.slice(0, max);
  return `${text.slice(0, max - 1)}${ELLIPSIS}`;
}

export interface SlackMessageLike {
  text: string;
  blocks?: unknown[];
}

/** Why Slack would refuse this message, or undefined when it fits. */
export function slackLimitProblem(message: SlackMessageLike): string | undefined {
  if (message.text.length > SLACK_LIMITS.messageText) return `text has ${message.text.length} characters`;
  const blocks = message.blocks ?? [];
  if (blocks.length > SLACK_LIMITS.blocks) return `${blocks.length} blocks`;
  for (const block of blocks) {
    const problem = blockProblem(block);
    if (problem) return problem;
  }
  return undefined;
}

function blockProblem(block: unknown): string | undefined {
  if (!isRecord(block)) return 'a block is not an object';
  const text = textOf(block.text);
  if (block.type === 'header' && text.length > SLACK_LIMITS.headerText) return 'header text too long';
  if (block.type === 'section' && text.length > SLACK_LIMITS.sectionText) return 'section text too long';
  const elements = Array.isArray(block.elements) ? block.elements : [];
  if (block.type === 'context' && elements.length > SLACK_LIMITS.contextElements) return 'too many context elements';
  if (block.type !== 'actions') return undefined;
  if (elements.length > SLACK_LIMITS.actionsElements) return 'too many buttons';
  for (const element of elements) {
    if (!isRecord(element)) continue;
    if (textOf(element.text).length > SLACK_LIMITS.buttonText) return 'button text too long';
    if (typeof element.value === 'string' && element.value.length > SLACK_LIMITS.buttonValue) {
      return 'button value too long';
    }
  }
  return undefined;
}

function textOf(value: unknown): string {
  if (isRecord(value) && typeof value.text === 'string') return value.text;
  return '';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
