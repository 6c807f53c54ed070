import { DockmedicError } from '../src/errors.ts';

export const MAX_COMMAND_TEXT = 300;
const TOKEN = /^[A-Za-z0-9@._:/=+-]{1,64}$/;

export function badArguments(message: string): DockmedicError {
  return new DockmedicError('dm_bad_arguments', message, { userMessage: message });
}

/** Echo at most a short, printable slice of untrusted text back to the user. */
export function shown(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 40 ? `${printable.slice(0, 40)}…` : printable;
}

/**
 * Splits `/docker` text into words. Only plain words are accepted: nothing typed in Slack becomes
 * shell text anyway, but refusing metacharacters early gives a clear message instead of a
 * confusing "unknown host".
 */
export function tokenize(text: string): string[] {
  if (text.length > MAX_COMMAND_TEXT) {
    throw badArguments(
      `That command is ${text.length} characters long; dockmedic reads at most ${MAX_COMMAND_TEXT}. Type \`/docker help\` to see what it takes.`,
    );
  }
  const words = text.trim().split(/\s+/).filter(Boolean);
  for (const word of words) {
    if (TOKEN.test(word)) continue;
    throw badArguments(
      `\`${shown(word)}\` is not something dockmedic accepts: names may use letters, digits and . _ - @ only (no spaces, quotes, ; $ \` | & or newlines). Type \`/docker help\` for the commands.`,
    );
  }
  return words;
}

export function expectArgs(args: string[], usage: string, count: { min: number; max: number }): void {
  if (args.length >= count.min && args.length <= count.max) return;
  const problem = args.length < count.min ? 'is missing an argument' : 'has too many arguments';
  throw badArguments(`That ${problem}. Usage: \`/docker ${usage}\``);
}
