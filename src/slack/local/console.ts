// `dockmedic console`: a chat with the bot in a terminal, through the local Slack stand-in, so the
// real app (signatures, acks, buttons, response_url) is what you talk to. Works interactively and with
// piped scripts: after the script ends it waits for the bot to finish answering, then returns.

import { createInterface } from 'node:readline';
import { mrkdwnToPlain, type PlainButton, toPlainText } from '../render/plainText.ts';
import type { LocalSlack } from './localSlack.ts';
import type { LocalSlackEvent, StoredMessage } from './store.ts';

export interface ConsoleOptions {
  localSlack: LocalSlack;
  channelId: string;
  userId: string;
  /** `as U…` switches users: only in the demo (embedded defaults), never against a real config. */
  switchUsers?: boolean;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  /** Jobs still running (e.g. the queue's active + waiting count): the end of a script waits for them. */
  outstanding?: () => number | Promise<number>;
  /** After a script ends: quiet time that means the bot is done, and the longest wait. */
  idleMs?: number;
  drainTimeoutMs?: number;
}

interface NumberedButton extends PlainButton {
  channel: string;
  messageTs: string;
}

const HELP = [
  'Type a slash command as in Slack, e.g. `/docker help` or `/docker diskcheck web-1`.',
  '  press N     press button [N]',
  '  as U0123    act as another Slack user (demo only)',
  '  in C0123    type in another conversation (G… private channel, D… DM: the bot is not in them)',
  '  /invite @dockmedic   invite the bot into this conversation',
  '  wait N      wait N seconds for the bot (useful in scripts)',
  '  help        this text',
  '  quit        leave',
];

export async function runConsole(options: ConsoleOptions): Promise<void> {
  const { localSlack, output } = options;
  let channelId = options.channelId;
  const interactive = Boolean((options.input as { isTTY?: boolean }).isTTY);
  const buttons: NumberedButton[] = [];
  let userId = options.userId;
  let inFlight = 0;
  let lastActivity = Date.now();
  const say = (line: string) => output.write(`${line}\n`);

  const unsubscribe = localSlack.subscribe((event) => {
    lastActivity = Date.now();
    say(describeEvent(event, buttons));
  });
  // What Slack refused shows too: a console is where you find out what real Slack would say.
  let refusalsSeen = localSlack.refusals.length;
  const refusals = setInterval(() => {
    for (const refusal of localSlack.refusals.slice(refusalsSeen)) {
      say(`(Slack refused ${refusal.method}: ${refusal.error}${refusal.channel ? ` in ${refusal.channel}` : ''})`);
    }
    refusalsSeen = localSlack.refusals.length;
  }, 200);
  refusals.unref();

  const track = async (what: Promise<unknown>) => {
    inFlight += 1;
    lastActivity = Date.now();
    try {
      await what;
    } catch (error) {
      say(`(could not reach the bot: ${error instanceof Error ? error.message : String(error)})`);
    } finally {
      inFlight -= 1;
      lastActivity = Date.now();
    }
  };

  async function handle(line: string): Promise<'quit' | undefined> {
    const trimmed = line.trim();
    if (trimmed === '') return undefined;
    if (!interactive) say(`${userId}> ${trimmed}`);
    if (trimmed === 'quit' || trimmed === 'exit') return 'quit';
    if (trimmed === 'help') {
      for (const helpLine of HELP) say(helpLine);
      return undefined;
    }
    const slash = /^\/docker(?:\s+(.*))?$/.exec(trimmed);
    if (slash) {
      // Not awaited: like Slack, you may type on while the bot works. The ack prints when it comes.
      void track(sendCommand(slash[1] ?? ''));
      return undefined;
    }
    const press = /^press\s+(\d+)$/.exec(trimmed);
    if (press) {
      const button = buttons[Number(press[1]) - 1];
      if (!button) say(`There is no button [${press[1]}].`);
      else await track(pressButton(button));
      return undefined;
    }
    if (/^\/invite\s+@?dockmedic$/i.test(trimmed)) {
      localSlack.invite(channelId);
      say(`dockmedic joined ${channelId}.`);
      return undefined;
    }
    const inChannel = /^in\s+([A-Z0-9]+)$/i.exec(trimmed);
    if (inChannel?.[1]) {
      channelId = inChannel[1].toUpperCase();
      say(`You are now typing in ${channelId}.`);
      return undefined;
    }
    const as = /^as\s+([A-Z0-9]+)$/i.exec(trimmed);
    if (as?.[1] && !options.switchUsers) {
      say(
        `\`as\` works only in the demo (no dockmedic.yaml). With a config file you stay ${userId}: acting as someone else would let this terminal approve fixes in their name.`,
      );
      return undefined;
    }
    if (as?.[1]) {
      userId = as[1].toUpperCase();
      say(`You are now ${userId}.`);
      return undefined;
    }
    const wait = /^wait\s+(\d+(?:\.\d+)?)$/.exec(trimmed);
    if (wait) {
      await sleep(Number(wait[1]) * 1000);
      return undefined;
    }
    say('Unknown input; type `help`.');
    return undefined;
  }

  async function sendCommand(text: string): Promise<void> {
    const result = await localSlack.slashCommand({ text, userId, channelId });
    if (result.status !== 200) say(`(Slack would say: "/docker failed with the error \\"${result.status}\\"")`);
  }

  async function pressButton(button: NumberedButton): Promise<void> {
    say(`(${userId} pressed "${button.text}")`);
    const result = await localSlack.clickButton({
      actionId: button.actionId,
      value: button.value,
      userId,
      channelId: button.channel,
      messageTs: button.messageTs,
    });
    if (result.status !== 200) say(`(the button press failed: status ${result.status})`);
  }

  say(`You are ${userId} in channel ${channelId}. Type \`help\` for what you can do.`);
  const lines = createInterface({ input: options.input, terminal: false });
  let quit = false;
  for await (const line of lines) {
    if ((await handle(line)) === 'quit') {
      quit = true;
      break;
    }
  }
  lines.close();
  if (!quit) await drain();
  while (inFlight > 0) await sleep(50);
  clearInterval(refusals);
  unsubscribe();

  /** The script ended: wait for answers still coming (outstanding jobs, then a quiet spell). */
  async function drain(): Promise<void> {
    const idleMs = options.idleMs ?? 3000;
    const deadline = Date.now() + (options.drainTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      const busy = inFlight > 0 || (options.outstanding ? await options.outstanding() : 0) > 0;
      if (busy) lastActivity = Date.now();
      else if (Date.now() - lastActivity >= idleMs) return;
      await sleep(100);
    }
    say('(stopped waiting for the bot)');
  }
}

function describeEvent(event: LocalSlackEvent, buttons: NumberedButton[]): string {
  const message = event.message;
  if (event.type === 'deleted') return `(bot deleted message ${message.ts})`;
  const onButton = (button: PlainButton) => {
    buttons.push({ ...button, channel: message.channel, messageTs: message.ts });
    return `  [${buttons.length}] ${button.text}`;
  };
  const heading = `${event.type === 'updated' ? '✎ bot edited' : 'bot'} ${audience(message)}`;
  return `\n── ${heading} ──\n${body(message, onButton)}`;
}

function audience(message: StoredMessage): string {
  const where = message.threadTs ? `in thread ${message.threadTs}` : `in ${message.channel}`;
  const who = message.visibleTo ? ` (only ${message.visibleTo} sees this)` : '';
  return `${where} · ${message.ts}${who}`;
}

function body(message: StoredMessage, onButton: (button: PlainButton) => string): string {
  if (message.kind === 'file' && message.file) {
    const lines = message.file.content.split('\n');
    const shown = lines.slice(0, 40).join('\n');
    const more = lines.length > 40 ? `\n… ${lines.length - 40} more lines in the file` : '';
    return `📎 ${message.file.title} (${message.file.content.length} characters)\n${shown}${more}`;
  }
  if (message.blocks.length > 0) return toPlainText(message.blocks, { onButton });
  return mrkdwnToPlain(message.text);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
