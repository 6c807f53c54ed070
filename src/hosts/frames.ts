// The wire format of a batch (execBatch.ts): the script sent to `sh -s` on stdin, and the reader
// that splits what it prints back into one result per command.
//
// Every command's stdout and stderr go to two files in a private directory; once it has exited, the
// script prints one header line `<nonce>:<index>:<status>:<stdout bytes>:<stderr bytes>` and then
// exactly those bytes (`wc -c` counts them, `cat` copies them). The reader looks for a header only
// where one must start and takes bodies by length, so nothing a command prints is ever read as
// framing: not a fake header, not the nonce itself. A `<nonce>:<index>:run` line before each
// command says it started, so a script cut short tells "was running" from "never reached". Output
// that does not follow the format stops the reader (`broken`): it never guesses where a frame is.
//
// Why files rather than shell variables (`out=$(cmd; echo .)`): a variable cannot hold NUL bytes
// (dash drops them, bash warns), `${#var}` counts characters in a UTF-8 locale, capturing stdout
// and stderr apart takes descriptor juggling, and `$(…)` waits for every background child holding
// the pipe. Files keep the bytes exact and the commands' children away from the SSH channel. The
// directory comes from `mktemp -d` (mode 700; the umask 077 is only for its subshell, so the
// commands keep the login's umask) in /dev/shm first: a RAM-backed tmpfs that still has room when
// the root filesystem is full, the very fault dockmedic is asked about. Then $TMPDIR or /tmp;
// noexec does not matter for data. If neither works the script prints `<nonce>:no-tmp` and the
// commands are run one session each instead. Each command has files of its own, so a background
// child it left writing cannot spill into the next one's; they are emptied once framed (a builtin,
// no fork) and the directory is removed on exit.
//
// Each command runs as `timeout -s KILL <s> sh -c '<command>'` when a working `timeout` (coreutils,
// or busybox 1.30+) is there, so one that hangs ends with 137 and the next still runs. coreutils
// kills the command's whole process group; busybox only the `sh`, whose children may linger.

import { OutputCollector } from './output.ts';
import { quote, type ShellCommand } from './shell.ts';
import type { ExecResult } from './types.ts';

export interface ScriptCommand {
  command: ShellCommand;
  /** Whole seconds the host's `timeout` gives the command. */
  timeoutS: number;
}

const NONCE = /^[0-9a-f]{32}$/;

/** The script that runs `commands` one after the other, each one's output framed (sent on stdin). */
export function batchScript(commands: readonly ScriptCommand[], nonce: string): string {
  if (!NONCE.test(nonce)) throw new Error('a batch nonce is 32 lowercase hex digits');
  // `echo` is a builtin in every sh: the nonce is never in the argv of a process of its own.
  const lines = [
    // One compound command: the shell reads all of it before running any, so a script cut short in
    // transit runs nothing.
    '{',
    `dm_n=${nonce}`,
    'dm_d=',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion, for the host's shell
    'for dm_p in /dev/shm "${TMPDIR:-/tmp}"; do',
    '  dm_d=$(umask 077 && mktemp -d "$dm_p/dockmedic.XXXXXXXXXX" 2>/dev/null) && break',
    '  dm_d=',
    'done',
    '[ -n "$dm_d" ] || { echo "$dm_n:no-tmp"; exit 0; }',
    `trap 'rm -rf -- "$dm_d"' EXIT`,
    // A shell killed by a signal skips its EXIT trap: turn the catchable ones into an exit (a closed
    // channel is SIGPIPE on the next header). Commands get them back at their default (exec resets
    // traps). Only SIGKILL (the script's own deadline) leaves the directory behind.
    `trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 141' PIPE; trap 'exit 143' TERM`,
    'dm_t=',
    'if timeout -s KILL 5 sh -c : </dev/null >/dev/null 2>&1; then dm_t=1; fi',
    'dm_run() {',
    '  echo "$dm_n:$1:run"',
    '  dm_o=$dm_d/$1.out dm_e=$dm_d/$1.err',
    // The script's shell reports a child killed by a signal ("Killed") on its stderr, and dash
    // and busybox apply a simple command's redirections before they wait for it: in a subshell
    // that execs, the redirections are the child's alone and that report stays out of the command's.
    '  if [ -n "$dm_t" ]; then',
    '    (exec timeout -s KILL "$2" sh -c "$3") </dev/null >"$dm_o" 2>"$dm_e"',
    '  else',
    '    (exec sh -c "$3") </dev/null >"$dm_o" 2>"$dm_e"',
    '  fi',
    '  dm_rc=$?',
    '  echo "$dm_n:$1:$dm_rc:$(wc -c <"$dm_o"):$(wc -c <"$dm_e")"',
    '  cat -- "$dm_o" "$dm_e"',
    '  : >"$dm_o"; : >"$dm_e"',
    '}',
  ];
  commands.forEach(({ command, timeoutS }, index) => {
    lines.push(`dm_run ${index} ${timeoutS} ${quote(command)}`);
  });
  lines.push('}', '');
  return lines.join('\n');
}

/** A header is a few dozen bytes: a longer line where one must be is not ours. */
const MAX_HEADER_BYTES = 128;
const RUN = /^(\d+):run$/;
const DONE = /^(\d+):(\d+): *(\d+): *(\d+)$/;

interface Body {
  index: number;
  code: number;
  stdout: OutputCollector;
  stderr: OutputCollector;
  /** Bytes of each stream still to come. */
  left: { stdout: number; stderr: number };
}

/** Called as each command's frame is complete, in order. */
export type OnFrame = (index: number, result: ExecResult) => void;

/** Reads a batch's stdout as it arrives: headers only where one must start, bodies by length. */
export class FrameReader {
  readonly #marker: Buffer;
  readonly #count: number;
  readonly #onFrame: OnFrame;
  #pending: Buffer = Buffer.alloc(0);
  /** Login-shell noise before the first header: each command, run alone, would have printed it. */
  readonly #preamble = new OutputCollector();
  #started = false;
  #declined = false;
  #broken: string | undefined;
  /** The next command whose `run` line is due. */
  #next = 0;
  /** The command started and not yet ended. */
  #running: number | undefined;
  #body: Body | undefined;

  constructor(nonce: string, count: number, onFrame: OnFrame) {
    this.#marker = Buffer.from(`${nonce}:`);
    this.#count = count;
    this.#onFrame = onFrame;
  }

  /** True once the script printed its first header: it did start. */
  get started(): boolean {
    return this.#started;
  }

  /** True when the script found no private directory and ran nothing (`no-tmp`). */
  get declined(): boolean {
    return this.#declined;
  }

  /** Why the output stopped making sense (a header missing where one must be), if it did. */
  get broken(): string | undefined {
    return this.#broken;
  }

  /** How many commands the script started (the `run` lines seen). */
  get reached(): number {
    return this.#next;
  }

  /** The command started whose frame is not complete, if any. */
  get running(): number | undefined {
    return this.#running;
  }

  /** What the command still running when the output ended got: its partial frame, or nothing. */
  unfinished(scriptCode: number): ExecResult | undefined {
    if (this.#running === undefined) return undefined;
    const body = this.#body;
    if (!body) return { stdout: '', stderr: '', code: scriptCode };
    return { ...resultOf(body), truncated: true };
  }

  push(chunk: Buffer): void {
    if (this.#broken !== undefined || this.#declined) return;
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    // Not `while (pending.length > 0)`: a frame with empty bodies is complete with its header.
    while (this.#step()) {}
  }

  /** One step of the parse; false when it needs more bytes or has nothing more to read. */
  #step(): boolean {
    if (this.#broken !== undefined || this.#declined) return false;
    if (!this.#started) return this.#findFirst();
    if (this.#body) return this.#readBody(this.#body);
    if (this.#next < this.#count || this.#running !== undefined) return this.#readHeader();
    // All frames are in; the script prints nothing after them.
    this.#pending = Buffer.alloc(0);
    return false;
  }

  /** Skips the noise before the first header; keeps a tail that could be the start of a split marker. */
  #findFirst(): boolean {
    const at = this.#pending.indexOf(this.#marker);
    const noiseEnd = at < 0 ? Math.max(0, this.#pending.length - this.#marker.length + 1) : at;
    this.#preamble.push(this.#pending.subarray(0, noiseEnd));
    this.#pending = this.#pending.subarray(noiseEnd);
    if (at < 0) return false;
    this.#started = true;
    return true;
  }

  #readHeader(): boolean {
    const newline = this.#pending.indexOf(0x0a);
    if (newline < 0) {
      if (this.#pending.length > MAX_HEADER_BYTES) this.#break('a header line too long');
      return false;
    }
    const line = this.#pending.subarray(0, newline);
    this.#pending = this.#pending.subarray(newline + 1);
    if (!line.subarray(0, this.#marker.length).equals(this.#marker)) {
      this.#break('no header where one must start');
      return false;
    }
    this.#header(line.subarray(this.#marker.length).toString('latin1'));
    return true;
  }

  #header(text: string): void {
    if (text === 'no-tmp' && this.#next === 0) {
      this.#declined = true;
      return;
    }
    const run = RUN.exec(text);
    if (run && this.#running === undefined && Number(run[1]) === this.#next) {
      this.#running = this.#next;
      this.#next += 1;
      return;
    }
    const done = DONE.exec(text);
    if (!done || this.#running === undefined || Number(done[1]) !== this.#running) {
      this.#break(`unexpected header ${JSON.stringify(text)}`);
      return;
    }
    const stdout = new OutputCollector();
    stdout.push(this.#preamble.bytes());
    this.#body = {
      index: this.#running,
      code: Number(done[2]),
      stdout,
      stderr: new OutputCollector(),
      left: { stdout: Number(done[3]), stderr: Number(done[4]) },
    };
  }

  #readBody(body: Body): boolean {
    for (const stream of ['stdout', 'stderr'] as const) {
      const take = Math.min(body.left[stream], this.#pending.length);
      body[stream].push(this.#pending.subarray(0, take));
      body.left[stream] -= take;
      this.#pending = this.#pending.subarray(take);
    }
    if (body.left.stdout > 0 || body.left.stderr > 0) return false;
    this.#body = undefined;
    this.#running = undefined;
    this.#onFrame(body.index, resultOf(body));
    return true;
  }

  #break(reason: string): void {
    this.#broken = reason;
    this.#pending = Buffer.alloc(0);
  }
}

function resultOf(body: Body): ExecResult {
  const result: ExecResult = { stdout: body.stdout.text(), stderr: body.stderr.text(), code: body.code };
  if (body.stdout.truncated || body.stderr.truncated) result.truncated = true;
  return result;
}
