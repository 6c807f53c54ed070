// What Slack refuses in a message, checked the way Slack checks it, independently of the product's own
// limits (src/slack/limits.ts): a stand-in that shared the product's checks would agree with its bugs.
// Block Kit limits are Slack's documented ones; the ~12,000-character total of block text is not
// documented (msg_blocks_too_long, see bolt-js #2509 and #2867) and is measured the way it shows.

export const BLOCK_KIT = {
  blocks: 50,
  blockId: 255,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  /** Total characters of text in all blocks of one message: past this, msg_blocks_too_long. */
  blocksText: 12_000,
  /** The top-level `text` of a message: past this, msg_too_long. */
  messageText: 40_000,
} as const;

export interface Refusal {
  error: string;
  /** Slack's own detail strings, e.g. "must be less than 3001 characters [json-pointer:/blocks/2/text/text]". */
  errors?: string[];
}

type Json = Record<string, unknown>;

const BLOCK_TYPES = new Set(['section', 'header', 'context', 'divider', 'actions', 'image', 'rich_text']);

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Checker {
  readonly problems: string[] = [];
  textTotal = 0;
  private readonly blockIds = new Set<string>();
  private readonly actionIds = new Set<string>();

  fail(problem: string, pointer: string): undefined {
    this.problems.push(`${problem} [json-pointer:${pointer}]`);
    return undefined;
  }

  /** A text object: `types` it may be, its length 1..max. */
  text(value: unknown, pointer: string, max: number, types: readonly string[] = ['plain_text', 'mrkdwn']): undefined {
    if (!isObject(value)) return this.fail('must be a text object', pointer);
    if (typeof value.type !== 'string' || !types.includes(value.type)) {
      return this.fail(`must be one of ${types.join(', ')}`, `${pointer}/type`);
    }
    if (typeof value.text !== 'string') return this.fail('must be a string', `${pointer}/text`);
    this.textTotal += value.text.length;
    if (value.text.length === 0) this.fail('must be more than 0 characters', `${pointer}/text`);
    if (value.text.length > max) this.fail(`must be less than ${max + 1} characters`, `${pointer}/text`);
  }

  blockId(block: Json, pointer: string): undefined {
    if (block.block_id === undefined) return;
    const id = String(block.block_id);
    if (id.length > BLOCK_KIT.blockId) this.fail(`must be less than ${BLOCK_KIT.blockId + 1} characters`, pointer);
    if (this.blockIds.has(id)) this.fail(`duplicate block_id ${id}`, `${pointer}/block_id`);
    this.blockIds.add(id);
  }

  element(element: unknown, pointer: string): undefined {
    if (!isObject(element)) return this.fail('must be an object', pointer);
    if (element.type !== 'button') return;
    this.text(element.text, `${pointer}/text`, BLOCK_KIT.buttonText, ['plain_text']);
    const actionId = element.action_id === undefined ? undefined : String(element.action_id);
    if (actionId !== undefined) {
      if (actionId.length > BLOCK_KIT.actionId) this.fail('action_id too long', `${pointer}/action_id`);
      // Slack wants each action_id unique; the same id twice in one message is refused.
      if (this.actionIds.has(actionId)) this.fail(`duplicate action_id ${actionId}`, `${pointer}/action_id`);
      this.actionIds.add(actionId);
    }
    if (typeof element.value === 'string' && element.value.length > BLOCK_KIT.buttonValue) {
      this.fail(`must be less than ${BLOCK_KIT.buttonValue + 1} characters`, `${pointer}/value`);
    }
    if (typeof element.url === 'string' && element.url.length > BLOCK_KIT.buttonUrl) {
      this.fail(`must be less than ${BLOCK_KIT.buttonUrl + 1} characters`, `${pointer}/url`);
    }
    if (element.style !== undefined && element.style !== 'primary' && element.style !== 'danger') {
      this.fail('must be primary or danger', `${pointer}/style`);
    }
  }

  block(block: unknown, pointer: string): undefined {
    if (!isObject(block) || typeof block.type !== 'string' || !BLOCK_TYPES.has(block.type)) {
      return this.fail('failed to match all allowed schemas', pointer);
    }
    this.blockId(block, pointer);
    const elements = Array.isArray(block.elements) ? block.elements : undefined;
    switch (block.type) {
      case 'header':
        return this.text(block.text, `${pointer}/text`, BLOCK_KIT.headerText, ['plain_text']);
      case 'section':
        return this.section(block, pointer);
      case 'context':
        if (!elements || elements.length === 0) return this.fail('must have elements', `${pointer}/elements`);
        if (elements.length > BLOCK_KIT.contextElements) this.fail('too many elements', `${pointer}/elements`);
        for (const [index, element] of elements.entries()) {
          const at = `${pointer}/elements/${index}`;
          if (isObject(element) && element.type === 'image') continue;
          this.text(element, at, BLOCK_KIT.sectionText);
        }
        return;
      case 'actions':
        if (!elements || elements.length === 0) return this.fail('must have elements', `${pointer}/elements`);
        if (elements.length > BLOCK_KIT.actionsElements) this.fail('too many elements', `${pointer}/elements`);
        for (const [index, element] of elements.entries()) this.element(element, `${pointer}/elements/${index}`);
        return;
      default:
        return;
    }
  }

  section(block: Json, pointer: string): undefined {
    const fields = Array.isArray(block.fields) ? block.fields : undefined;
    if (block.text === undefined && !fields) return this.fail('must provide text or fields', pointer);
    if (block.text !== undefined) this.text(block.text, `${pointer}/text`, BLOCK_KIT.sectionText);
    if (fields) {
      if (fields.length > BLOCK_KIT.sectionFields) this.fail('too many fields', `${pointer}/fields`);
      for (const [index, field] of fields.entries())
        this.text(field, `${pointer}/fields/${index}`, BLOCK_KIT.fieldText);
    }
    if (block.accessory !== undefined) this.element(block.accessory, `${pointer}/accessory`);
  }
}

/** Blocks arrive as an array (JSON bodies) or a JSON string (form bodies). */
export function parseBlocks(raw: unknown): unknown[] | Refusal | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      return { error: 'invalid_blocks_format', errors: ['blocks must be a JSON array'] };
    }
  }
  if (!Array.isArray(value)) return { error: 'invalid_blocks_format', errors: ['blocks must be an array'] };
  return value;
}

/** Why Slack would refuse a message with this `text` and `blocks`, or undefined when it takes it. */
export function refusalOf(text: unknown, rawBlocks: unknown): Refusal | undefined {
  const blocks = parseBlocks(rawBlocks);
  if (blocks && !Array.isArray(blocks)) return blocks;
  const textValue = typeof text === 'string' ? text : '';
  if (textValue.trim() === '' && (!blocks || blocks.length === 0)) return { error: 'no_text' };
  if (textValue.length > BLOCK_KIT.messageText) return { error: 'msg_too_long' };
  if (!blocks) return undefined;
  const checker = new Checker();
  if (blocks.length > BLOCK_KIT.blocks) checker.fail(`must be less than ${BLOCK_KIT.blocks + 1} items`, '/blocks');
  for (const [index, block] of blocks.entries()) checker.block(block, `/blocks/${index}`);
  if (checker.problems.length > 0) return { error: 'invalid_blocks', errors: checker.problems };
  if (checker.textTotal > BLOCK_KIT.blocksText) {
    return { error: 'msg_blocks_too_long', errors: [`blocks hold ${checker.textTotal} characters of text`] };
  }
  return undefined;
}

/**
 * Who a message would notify, as Slack parses mrkdwn: `<!channel>`, `<!here>`, `<!everyone>`,
 * `<!subteam^S1>` and `<@U1>`. Plain-text objects (headers, buttons) are not parsed for mentions.
 */
export function mentionsOf(text: string, blocks: unknown[]): string[] {
  const found = new Set<string>();
  const scan = (value: string) => {
    for (const match of value.matchAll(
      /<(!(?:channel|here|everyone|subteam\^[A-Z0-9]+)|@[UW][A-Z0-9]+)(?:\|[^>]*)?>/g,
    )) {
      found.add(match[1]?.startsWith('!') ? `@${match[1].slice(1)}` : (match[1] ?? ''));
    }
  };
  scan(text);
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (!isObject(value)) return;
    if (value.type === 'mrkdwn' && typeof value.text === 'string') scan(value.text);
    for (const child of Object.values(value)) if (typeof child === 'object') visit(child);
  };
  visit(blocks);
  return [...found];
}
