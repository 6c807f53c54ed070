// `docker exec -it` / `docker run -t` in a crontab (seed § 13, 14): cron gives the job no
// terminal, so docker fails with "the input device is not a TTY" and a backup made that way is
// empty. -i alone keeps stdin open for a pipe, which is what such jobs need.

import { sh } from '../hosts/shell.ts';
import type { Check, CheckContext, Finding } from './types.ts';

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

export async function collectCronLines(ctx: CheckContext): Promise<TtyInCronEvidence> {
  // Literal globs: expanded by the remote shell; -s hides files that vanish between glob and read.
  const result = await ctx.conn.exec(
    sh`for f in /etc/crontab /etc/cron.d/* /var/spool/cron/* /var/spool/cron/crontabs/*; do [ -f "$f" ] && grep -n -H -s -e docker -- "$f"; done; true`,
    { privileged: true },
  );
  return { lines: parseGrep(result.stdout) };
}

export function judgeTtyInCron(evidence: TtyInCronEvidence): Finding[] {
  const findings: Finding[] = [];
  for (const entry of evidence.lines) {
    if (/^\s*#/.test(entry.text)) continue;
    const uses = findTtyUses(entry.text);
    if (uses.length === 0) continue;
    const flags = uses.flatMap((use) => use.flags);
    const rewritten = rewriteLine(entry.text);
    findings.push({
      check: 'tty-in-cron',
      severity: 'warn',
      summary: `${entry.file} line ${entry.line}: \`${uses[0]?.command}\` with ${flags.join(' ')} in a cron job: "the input device is not a TTY"`,
      detail: [
        'cron runs jobs without a terminal: docker fails with "the input device is not a TTY" and the job produces nothing (an empty backup, say). Drop -t; keep -i when the job pipes data in or out.',
        `In ${entry.file}, line ${entry.line}:`,
        `- ${entry.text.trim()}`,
        `+ ${rewritten.trim()}`,
      ].join('\n'),
      evidence: [`${entry.file}:${entry.line}: ${entry.text.trim()}`],
      fixes: [
        {
          fix: 'cron-drop-tty',
          label: `Drop ${flags.join(' ')} from ${entry.file} line ${entry.line} (backup kept)`,
          params: { file: entry.file, line: entry.line },
        },
      ],
    });
  }
  if (findings.length > 0) return findings;
  return [
    {
      check: 'tty-in-cron',
      severity: 'ok',
      summary:
        evidence.lines.length === 0
          ? 'No crontab runs docker'
          : `${evidence.lines.length} crontab line(s) run docker, none with a TTY option`,
      evidence: evidence.lines.slice(0, 5).map((entry) => `${entry.file}:${entry.line}: ${entry.text.trim()}`),
    },
  ];
}

export const ttyInCronCheck: Check<TtyInCronEvidence> = {
  id: 'tty-in-cron',
  title: 'TTY options in cron jobs',
  collect: collectCronLines,
  judge: judgeTtyInCron,
};
