// Shell commands asked for in the same tick go to the host as ONE remote script. Each exec opens an
// SSH session, and sshd forks a session and a shell for it: ~30–80 ms of the host's CPU, which
// dominates when many hosts are checked at once. A run's checks ask for their evidence together
// (df, daemon.json, ps, …), so one script per tick replaces most of those sessions.
//
// The script goes to `sh -s` on stdin, never on the command line: any user on the host can read a
// command line (/proc/<pid>/cmdline, `ps`), and the random nonce in the frames of its output must
// stay secret, or a process racing on the host could print frames of its own (a 97 % full disk
// reading as 1 %). The frames are length-prefixed besides (frames.ts), so not even a command's own
// output can open or close one. Commands run one after the other, each with its own deadline: its
// clock starts when the one before it ended, the host's `timeout` ends it a second after that, and
// the script as a whole gets the sum. One command that hangs times out alone; the others answer.
// Only commands with the same effective privilege share a script: sudo wraps the whole script once.

import { randomBytes } from 'node:crypto';
import { Timeouts } from '../config/schema.ts';
import { isDockmedicError } from '../errors.ts';
import { log } from '../log.ts';
import { batchScript, FrameReader } from './frames.ts';
import { batchOutputError, commandTimeoutError } from './hostErrors.ts';
import { type ShellCommand, sh } from './shell.ts';
import type { ExecOptions, ExecResult, HostConnection } from './types.ts';

/** 128 random bits as hex: what a frame header starts with. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/** For a connection that does not say its default (test doubles): the config's own default. */
const DEFAULT_TIMEOUT_MS = Timeouts.parse({}).command;
/** The script's deadline on top of its commands' own: login, mktemp, moving the frames. */
const SCRIPT_SLACK_MS = 5_000;

/**
 * Whole seconds for the host's `timeout`, one more than asked: our own timer fires first and
 * reports the timeout, the host's only stops the command so the next one can run.
 */
function remoteSeconds(timeoutMs: number): number {
  return Math.ceil(timeoutMs / 1000) + 1;
}

export interface BatchMember {
  command: ShellCommand;
  options: ExecOptions;
  resolve: (result: ExecResult) => void;
  reject: (error: unknown) => void;
}

/** Settles each member once, and runs the deadline of the one whose turn it is. */
class Members {
  readonly #conn: HostConnection;
  readonly #members: readonly BatchMember[];
  readonly #settled: boolean[];
  readonly #timeouts: readonly number[];
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(conn: HostConnection, members: readonly BatchMember[]) {
    this.#conn = conn;
    this.#members = members;
    this.#settled = members.map(() => false);
    const fallback = conn.commandTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#timeouts = members.map((member) => member.options.timeoutMs ?? fallback);
  }

  timeoutOf(index: number): number {
    return this.#timeouts[index] ?? DEFAULT_TIMEOUT_MS;
  }

  /** Starts the clock of `index`: the batch just began, or the command before it ended. */
  startTurn(index: number): void {
    clearTimeout(this.#timer);
    if (this.#stopped || index >= this.#members.length || this.#settled[index]) return;
    const timeoutMs = this.timeoutOf(index);
    this.#timer = setTimeout(() => this.reject(index, commandTimeoutError(this.#conn.host, timeoutMs)), timeoutMs);
  }

  /** The script ended: no more clocks (what is left is settled from what came back). */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
  }

  resolve(index: number, result: ExecResult): void {
    if (this.#settle(index)) this.#members[index]?.resolve(result);
  }

  reject(index: number, error: unknown): void {
    if (this.#settle(index)) this.#members[index]?.reject(error);
  }

  /** Runs member `index` in a session of its own, as it would have run without batching. */
  runAlone(index: number): void {
    const member = this.#members[index];
    if (!member || !this.#settle(index)) return;
    this.#conn.exec(member.command, member.options).then(member.resolve, member.reject);
  }

  unsettled(): number[] {
    return this.#members.flatMap((_member, index) => (this.#settled[index] ? [] : [index]));
  }

  #settle(index: number): boolean {
    if (this.#settled[index]) return false;
    this.#settled[index] = true;
    return true;
  }
}

/** Runs `members` as one script on `conn`; settles each member as its frame completes. */
export async function runBatch(
  conn: HostConnection,
  members: readonly BatchMember[],
  nonce: string = newNonce(),
): Promise<void> {
  const book = new Members(conn, members);
  const reader = new FrameReader(nonce, members.length, (index, result) => {
    book.resolve(index, result);
    book.startTurn(index + 1);
  });
  const commands = members.map((member, index) => ({
    command: member.command,
    timeoutS: remoteSeconds(book.timeoutOf(index)),
  }));
  let scriptMs = SCRIPT_SLACK_MS;
  for (const { timeoutS } of commands) scriptMs += timeoutS * 1000;
  let streamed = false;
  const options: ExecOptions = {
    privileged: members.some((member) => member.options.privileged),
    timeoutMs: scriptMs,
    input: batchScript(commands, nonce),
    onOutput: (stream, chunk) => {
      streamed = true;
      if (stream === 'stdout') reader.push(chunk);
    },
  };
  book.startTurn(0);
  let batch: ExecResult;
  try {
    // Privileged on a sudo host, this is `sudo -n sh -c 'sh -s'`: the script reaches it through sudo's stdin.
    batch = await conn.exec(sh`sh -s`, options);
  } catch (error) {
    book.stop();
    // The link dropped or the script ran out of time: every command not yet answered gets that,
    // a timeout as its own.
    for (const index of book.unsettled()) {
      const timedOut = isDockmedicError(error) && error.code === 'dm_host_timeout';
      book.reject(index, timedOut ? commandTimeoutError(conn.host, book.timeoutOf(index)) : error);
    }
    return;
  }
  book.stop();
  // A connection that does not stream: read the whole output now.
  if (!streamed) reader.push(Buffer.from(batch.stdout, 'utf8'));
  settleRest(conn, book, reader, batch);
}

/** Commands the batch did not answer for: it never started, stopped mid-way, or stopped before them. */
function settleRest(conn: HostConnection, book: Members, reader: FrameReader, batch: ExecResult): void {
  if (reader.broken !== undefined) {
    log.warn({ host: conn.host.name, reason: reader.broken }, 'batch output unreadable');
  }
  for (const index of book.unsettled()) {
    // Nothing ran (sudo or the shell refused): each command alone would have got just this.
    if (!reader.started) {
      book.resolve(index, { ...batch });
      continue;
    }
    // No private directory for the output on the host: nothing ran, so each runs alone.
    if (reader.declined) {
      book.runAlone(index);
      continue;
    }
    if (reader.broken !== undefined) {
      book.reject(index, batchOutputError(conn.host, reader.broken));
      continue;
    }
    // Never reached (the script stopped before it): run it alone, as it would have run unbatched.
    if (index >= reader.reached) {
      book.runAlone(index);
      continue;
    }
    // Started but cut short (the shell died): what came of it, with the script's status.
    book.resolve(index, reader.unfinished(batch.code) ?? { stdout: '', stderr: '', code: batch.code });
  }
}

/** Whether batching pays: an SSH exec costs a session and a shell on the host, a local one a fork. */
export function worthBatching(conn: HostConnection): boolean {
  return conn.transport === 'ssh';
}

/**
 * A HostConnection whose exec calls made in the same tick share one remote script per privilege.
 * Docker API calls pass through. A batch of one is sent as it is.
 */
export function batchingConnection(conn: HostConnection): HostConnection {
  const groups = new Map<string, BatchMember[]>();
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    const batches = [...groups.values()];
    groups.clear();
    for (const members of batches) {
      const [only] = members;
      if (members.length === 1 && only) {
        conn.exec(only.command, only.options).then(only.resolve, only.reject);
        continue;
      }
      void runBatch(conn, members);
    }
  };
  return {
    get host() {
      return conn.host;
    },
    get transport() {
      return conn.transport;
    },
    get commandTimeoutMs() {
      return conn.commandTimeoutMs;
    },
    exec(command: ShellCommand, options: ExecOptions = {}): Promise<ExecResult> {
      // A caller that watches its own output or feeds stdin gets a session of its own.
      if (options.onOutput || options.input !== undefined) return conn.exec(command, options);
      // Without sudo, `privileged` changes nothing on the host: those commands share a script too.
      const key = options.privileged === true && conn.host.sudo ? 'sudo' : 'plain';
      return new Promise<ExecResult>((resolve, reject) => {
        let group = groups.get(key);
        if (!group) {
          group = [];
          groups.set(key, group);
        }
        group.push({ command, options, resolve, reject });
        if (scheduled) return;
        scheduled = true;
        // After this tick's promise callbacks: checks that start together land in one batch.
        setImmediate(flush);
      });
    },
    docker: () => conn.docker(),
  };
}
