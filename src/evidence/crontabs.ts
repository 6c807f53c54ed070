// The lines of every crontab that mention docker, and what a `-t` in them means: read by the
// tty-in-cron check and rewritten by the cron-drop-tty fix.

import { sh } from '../hosts/shell.ts';
import type { EvidenceContext } from './context.ts';

export interface CronLine {
  file: string;
  line: number;
  text: string;
}

export interface TtyInCronEvidence {
  /** Lines mentioning docker, from every crontab read. */
  lines: CronLine[];
}

/** Where crontabs live; the fix refuses any other file. */
export const CRONTAB_FILES = ['/etc/crontab'];
export const CRONTAB_DIRS = ['/etc/cron.d/', '/var/spool/cron/'];

/** Pure: `grep -n -H` output (`file:line:text`) into lines. */
export function parseGrep(stdout: string): CronLine[] {
  const lines: CronLine[] = [];
  for (const raw of stdout.split('\n')) {
    const match = /^(\/[^:]+):(\d+):(.*)$/.exec(raw);
    if (!match) continue;
    lines.push({ file: match[1] as string, line: Number(match[2]), text: match[3] as string });
  }
  return lines;
}

/** Options of docker run/exec that take a value as the next word (so that word is not the container). */
const VALUE_OPTIONS = new Set([
  '-e',
  '-u',
  '-w',
  '-v',
  '-p',
  '-l',
  '-m',
  '-c',
  '-h',
  '--env',
  '--env-file',
  '--user',
  '--workdir',
  '--name',
  '--volume',
  '--publish',
  '--network',
  '--entrypoint',
  '--label',
  '--memory',
  '--mount',
  '--detach-keys',
  '--add-host',
  '--log-driver',
  '--log-opt',
  '--restart',
  '--hostname',
  '--platform',
  '--cpus',
]);

export interface TtyUse {
  /** `docker exec`, `docker run`, `docker compose exec`, … */
  command: string;
  /** The option words that ask for a TTY, as written: `-it`, `-t`, `--tty`. */
  flags: string[];
  /** Their positions among the line's words. */
  positions: number[];
}

function asksForTty(word: string): boolean {
  return word === '--tty' || word === '--tty=true' || (/^-[a-zA-Z]+$/.test(word) && word.includes('t'));
}

/** Pure: docker invocations among a shell line's words whose options ask for a TTY. */
export function findTtyUses(text: string): TtyUse[] {
  const words = text.split(/\s+/).filter(Boolean);
  const uses: TtyUse[] = [];
  for (let index = 0; index < words.length; index += 1) {
    const program = words[index]?.split('/').pop();
    if (program !== 'docker' && program !== 'docker-compose') continue;
    let verbAt = index + 1;
    if (program === 'docker' && (words[verbAt] === 'compose' || words[verbAt] === 'container')) verbAt += 1;
    if (words[verbAt] !== 'exec' && words[verbAt] !== 'run') continue;
    const use: TtyUse = { command: words.slice(index, verbAt + 1).join(' '), flags: [], positions: [] };
    // Options run up to the first word that is not one: the container or image.
    for (let option = verbAt + 1; option < words.length; option += 1) {
      const word = words[option] as string;
      if (!word.startsWith('-') || word === '-' || word === '--') break;
      if (VALUE_OPTIONS.has(word)) {
        option += 1;
        continue;
      }
      if (!asksForTty(word)) continue;
      use.flags.push(word);
      use.positions.push(option);
    }
    if (use.flags.length > 0) uses.push(use);
  }
  return uses;
}

/** Pure: the option word without its TTY: `-it` → `-i`, `-t` → dropped, `-dit` → `-di`. */
export function dropTty(word: string): string | undefined {
  if (word === '--tty' || word === '--tty=true') return undefined;
  const letters = word.slice(1).replaceAll('t', '');
  return letters === '' ? undefined : `-${letters}`;
}

/** Pure: the crontab line rewritten without TTY options; everything else (spacing too) kept. */
export function rewriteLine(text: string): string {
  const positions = new Set(findTtyUses(text).flatMap((use) => use.positions));
  if (positions.size === 0) return text;
  // split with a capture group alternates word, space, word…; the first word may be ''.
  const parts = text.split(/(\s+)/);
  const out: string[] = [];
  let wordIndex = -1;
  for (let index = 0; index < parts.length; index += 1) {
    const part = parts[index] as string;
    const isWord = index % 2 === 0 && part !== '';
    if (isWord) wordIndex += 1;
    if (!isWord || !positions.has(wordIndex)) {
      out.push(part);
      continue;
    }
    const replaced = dropTty(part);
    if (replaced !== undefined) out.push(replaced);
    // A dropped word takes the space before it along.
    else out.pop();
  }
  return out.join('');
}

export async function collectCronLines(ctx: EvidenceContext): Promise<TtyInCronEvidence> {
  // Literal globs: expanded by the remote shell; -s hides files that vanish between glob and read.
  const result = await ctx.conn.exec(
    sh`for f in /etc/crontab /etc/cron.d/* /var/spool/cron/* /var/spool/cron/crontabs/*; do [ -f "$f" ] && grep -n -H -s -e docker -- "$f"; done; true`,
    { privileged: true },
  );
  return { lines: parseGrep(result.stdout) };
}
