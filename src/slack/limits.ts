// Slack's limits for messages and Block Kit. A payload over any of them is refused by Slack
// (invalid_blocks, msg_too_long, msg_blocks_too_long), so renderers stay under them and the client
// checks again. One of them is undocumented: Slack refuses a message whose blocks hold more than about
// 12,000 characters of text in all (msg_blocks_too_long); we keep messages under MESSAGE_TEXT_BUDGET.

export const SLACK_LIMITS = {
  messageText: 40_000,
  blocks: 50,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  /** Text in all blocks of a message together (undocumented; bolt-js #2509, #2867). */
  blocksText: 12_000,
} as const;

/** What our messages hold at most in block text: Slack's ~12,000 with a margin. */
export const MESSAGE_TEXT_BUDGET = 11_000;

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

/** Why Slack would refuse this message, or undefined when it fits (within our text budget). */
export function slackLimitProblem(message: SlackMessageLike): string | undefined {
  if (message.text.length > SLACK_LIMITS.messageText) return `text has ${message.text.length} characters`;
  const blocks = message.blocks ?? [];
  if (blocks.length > SLACK_LIMITS.blocks) return `${blocks.length} blocks`;
  const actionIds = new Set<string>();
  for (const block of blocks) {
    const problem = blockProblem(block, actionIds);
    if (problem) return problem;
  }
  const total = blocksTextLength(blocks);
  if (total > MESSAGE_TEXT_BUDGET) return `blocks hold ${total} characters of text`;
  return undefined;
}

/** Characters of text in these blocks, counted as Slack counts them for msg_blocks_too_long. */
export function blocksTextLength(blocks: readonly unknown[]): number {
  let total = 0;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isRecord(value)) return;
    if ((value.type === 'mrkdwn' || value.type === 'plain_text') && typeof value.text === 'string') {
      total += value.text.length;
      return;
    }
    for (const child of Object.values(value)) if (typeof child === 'object') visit(child);
  };
  visit(blocks);
  return total;
}

function blockProblem(block: unknown, actionIds: Set<string>): string | undefined {
  if (!isRecord(block)) return 'a block is not an object';
  const text = textOf(block.text);
  if (block.type === 'header' && text.length > SLACK_LIMITS.headerText) return 'header text too long';
  if (block.type === 'section' && text.length > SLACK_LIMITS.sectionText) return 'section text too long';
  if (block.type === 'section' && block.text !== undefined && text.length === 0) return 'empty section text';
  const fields = Array.isArray(block.fields) ? block.fields : [];
  if (fields.length > SLACK_LIMITS.sectionFields) return 'too many fields';
  if (fields.some((field) => textOf(field).length > SLACK_LIMITS.fieldText)) return 'field text too long';
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
    const actionId = typeof element.action_id === 'string' ? element.action_id : undefined;
    if (actionId && actionIds.has(actionId)) return `action_id ${actionId} twice`;
    if (actionId) actionIds.add(actionId);
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
