// Argument parsers shared by the subcommands that take one host, a container, an image or `--tail`.
// Every value is checked against the job payload's own zod schema here, so a bad one gets a clear
// answer at once instead of a job that fails on the worker.

import { ContainerRef, ImageRef } from '../src/queue/payloads.ts';
import { badArguments, shown } from './parse.ts';

export const TAIL_DEFAULT = 100;
export const TAIL_MAX = 5000;

/** logs and image-deps look at one host's containers or images: a fleet target makes no sense there. */
export function singleHost(target: string, command: string): string {
  if (target !== 'all' && !target.startsWith('@')) return target;
  throw badArguments(
    `\`/docker ${command}\` works on one host at a time, not on \`${shown(target)}\`. Name a host (see \`/docker hosts\`).`,
  );
}

export function containerArg(word: string): string {
  const parsed = ContainerRef.safeParse(word);
  if (parsed.success) return parsed.data;
  throw badArguments(
    `\`${shown(word)}\` is not a container name or id: use a name like \`web\` or an id prefix like \`3f2a1b\` (letters, digits, _ . -).`,
  );
}

export function imageArg(word: string): string {
  const parsed = ImageRef.safeParse(word);
  if (parsed.success) return parsed.data;
  throw badArguments(
    `\`${shown(word)}\` is not an image reference: use a name like \`nginx:1.25\` or an image id like \`sha256:3f2a…\` (at least 12 hex digits).`,
  );
}

function tailValue(text: string | undefined): number {
  if (text === undefined) throw badArguments(`\`--tail\` needs a number of lines: 1 to ${TAIL_MAX}.`);
  const lines = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (lines >= 1 && lines <= TAIL_MAX) return lines;
  throw badArguments(`\`--tail ${shown(text)}\` is not a number of lines from 1 to ${TAIL_MAX}.`);
}

/**
 * Takes `--tail N` (or `--tail=N`) out of the words, wherever it stands; the rest are positional.
 * Any other `-…` word is refused, so a typo is not mistaken for a container name.
 */
export function takeTail(words: readonly string[]): { tail: number; rest: string[] } {
  let tail: number | undefined;
  const rest: string[] = [];
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index] as string;
    const inline = /^--tail=(.*)$/.exec(word);
    if (word !== '--tail' && !inline && word.startsWith('-')) {
      throw badArguments(`\`${shown(word)}\` is not an option of this command; the only one is \`--tail N\`.`);
    }
    if (word !== '--tail' && !inline) {
      rest.push(word);
      continue;
    }
    if (tail !== undefined) throw badArguments('`--tail` is given twice; give it once.');
    if (inline) {
      tail = tailValue(inline[1]);
      continue;
    }
    tail = tailValue(words[index + 1]);
    index += 1;
  }
  return { tail: tail ?? TAIL_DEFAULT, rest };
}
