// Shell commands asked for in the same tick go to the host as ONE remote script. Each exec opens an
// SSH session, and sshd forks a session and a shell for it: ~30–80 ms of the host's CPU, which
// dominates when many hosts are checked at once. A run's checks ask for their evidence together
// (df, daemon.json, ps, …), so one script per tick replaces most of those sessions.
//
// Each command runs in its own subshell, one after the other. Its stdout and stderr are framed by
// markers that carry a random nonce, printed by the script around it (with its exit status), and
// split back into one ExecResult per command as they arrive. The nonce is never written out whole
// in the script (two halves in two variables), so no output can forge a frame, not even `ps`
// showing this very script. Only commands with the same effective privilege and the same timeout
// share a script: sudo wraps the whole script once, and every command keeps the timeout it asked for.

import { randomBytes } from 'node:crypto';
import { OutputCollector } from './output.ts';
import type { ShellCommand } from './shell.ts';
import type { ExecOptions, ExecResult, HostConnection } from './types.ts';

/** Two halves of the nonce; the markers print them side by side, the script never does. */
export type Nonce = readonly [string, string];

export function newNonce(): Nonce {
  const hex = randomBytes(16).toString('hex');
  return [hex.slice(0, 16), hex.slice(16)];
}

function startMarker(nonce: Nonce, index: number): Buffer {
  return Buffer.from(`${nonce[0]}${nonce[1]}:${index}:<\n`);
}

/** Followed by the exit status (stdout only) and a newline. */
function endMarker(nonce: Nonce, index: number): Buffer {
  return Buffer.from(`${nonce[0]}${nonce[1]}:${index}:>`);
}

/** The script that runs `commands` in order, each in a subshell, its output framed. */
export function batchScript(commands: readonly ShellCommand[], nonce: Nonce): ShellCommand {
  const marks = (index: number, kind: string, status = '') =>
    `printf '%s%s:${index}:${kind}${status ? '%d' : ''}\\n' "$dm_n1" "$dm_n2"${status ? ` "${status}"` : ''}`;
  const lines = [`dm_n1=${nonce[0]}; dm_n2=${nonce[1]}`];
  commands.forEach((command, index) => {
    // The command goes on lines of its own: a trailing comment or a here-document cannot eat the `)`.
    lines.push(`${marks(index, '<')}; ${marks(index, '<')} >&2`);
    lines.push('(', command, ')');
    lines.push(`dm_rc=$?; ${marks(index, '>', '$dm_rc')}; ${marks(index, '>')} >&2`);
  });
  return lines.join('\n') as ShellCommand;
}

interface Frame {
  body: OutputCollector;
  /** From the end marker (stdout only). */
  code?: number;
}

/** Splits one stream of a batch (stdout or stderr) into the frames of its commands, as bytes arrive. */
export class FrameSplitter {
  readonly #nonce: Nonce;
  readonly #count: number;
  readonly #onFrame: (index: number, frame: Frame) => void;
  #pending: Buffer = Buffer.alloc(0);
  #index = 0;
  #body: OutputCollector | undefined;
  /** What the shell printed before the first frame (login-shell noise): each command saw it alone. */
  #preamble: Buffer[] = [];
  #started = false;

  constructor(nonce: Nonce, count: number, onFrame: (index: number, frame: Frame) => void) {
    this.#nonce = nonce;
    this.#count = count;
    this.#onFrame = onFrame;
  }

  /** True once the script printed its first frame: it did start. */
  get started(): boolean {
    return this.#started;
  }

  /** The command whose frame is open (started, not ended), if any. */
  get open(): { index: number; body: OutputCollector } | undefined {
    return this.#body ? { index: this.#index, body: this.#body } : undefined;
  }

  /** The frame now open, with the bytes still held back while looking for its end marker. */
  partial(): OutputCollector | undefined {
    if (!this.#body) return undefined;
    this.#body.push(this.#pending);
    this.#pending = Buffer.alloc(0);
    return this.#body;
  }

  push(chunk: Buffer): void {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    while (this.#index < this.#count && this.#step()) {}
  }

  /** One step of the parse; false when it needs more bytes. */
  #step(): boolean {
    if (!this.#body) return this.#findStart();
    return this.#findEnd(this.#body);
  }

  #findStart(): boolean {
    const marker = startMarker(this.#nonce, this.#index);
    const at = this.#pending.indexOf(marker);
    // Keep what could be the start of a split marker; bytes before it are noise.
    const noiseEnd = at < 0 ? Math.max(0, this.#pending.length - marker.length + 1) : at;
    if (!this.#started && noiseEnd > 0) this.#preamble.push(this.#pending.subarray(0, noiseEnd));
    if (at < 0) {
      this.#pending = this.#pending.subarray(noiseEnd);
      return false;
    }
    this.#pending = this.#pending.subarray(at + marker.length);
    this.#started = true;
    this.#body = new OutputCollector();
    for (const part of this.#preamble) this.#body.push(part);
    return true;
  }

  #findEnd(body: OutputCollector): boolean {
    const marker = endMarker(this.#nonce, this.#index);
    const at = this.#pending.indexOf(marker);
    if (at < 0) {
      const keep = Math.min(this.#pending.length, marker.length - 1);
      body.push(this.#pending.subarray(0, this.#pending.length - keep));
      this.#pending = this.#pending.subarray(this.#pending.length - keep);
      return false;
    }
    const newline = this.#pending.indexOf(0x0a, at + marker.length);
    if (newline < 0) {
      body.push(this.#pending.subarray(0, at));
      this.#pending = this.#pending.subarray(at);
      return false;
    }
    body.push(this.#pending.subarray(0, at));
    const status = this.#pending.subarray(at + marker.length, newline).toString('latin1');
    this.#pending = this.#pending.subarray(newline + 1);
    this.#body = undefined;
    const index = this.#index;
    this.#index += 1;
    this.#onFrame(index, /^\d+$/.test(status) ? { body, code: Number(status) } : { body });
    return true;
  }
}

interface Member {
  command: ShellCommand;
  options: ExecOptions;
  resolve: (result: ExecResult) => void;
  reject: (error: unknown) => void;
}

function resultOf(stdout: Frame, stderr: Frame, fallbackCode: number): ExecResult {
  const result: ExecResult = {
    stdout: stdout.body.text(),
    stderr: stderr.body.text(),
    code: stdout.code ?? fallbackCode,
  };
  if (stdout.body.truncated || stderr.body.truncated) result.truncated = true;
  return result;
}

/** Runs `members` as one script on `conn`; settles each member as its frames complete. */
export async function runBatch(conn: HostConnection, members: readonly Member[], nonce: Nonce = newNonce()) {
  const count = members.length;
  const outs: Array<Frame | undefined> = new Array(count);
  const errs: Array<Frame | undefined> = new Array(count);
  const settled = new Array<boolean>(count).fill(false);
  const settleIfDone = (index: number) => {
    const out = outs[index];
    const err = errs[index];
    if (!out || !err || settled[index]) return;
    settled[index] = true;
    members[index]?.resolve(resultOf(out, err, 0));
  };
  const stdout = new FrameSplitter(nonce, count, (index, frame) => {
    outs[index] = frame;
    settleIfDone(index);
  });
  const stderr = new FrameSplitter(nonce, count, (index, frame) => {
    errs[index] = frame;
    settleIfDone(index);
  });
  let streamed = false;
  const timeoutMs = members[0]?.options.timeoutMs;
  const options: ExecOptions = {
    privileged: members.some((member) => member.options.privileged),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    onOutput: (stream, chunk) => {
      streamed = true;
      (stream === 'stdout' ? stdout : stderr).push(chunk);
    },
  };
  let batch: ExecResult;
  try {
    batch = await conn.exec(
      batchScript(
        members.map((member) => member.command),
        nonce,
      ),
      options,
    );
  } catch (error) {
    // The link dropped or the batch timed out: every command not yet answered gets that error.
    members.forEach((member, index) => {
      if (!settled[index]) member.reject(error);
    });
    return;
  }
  // A connection that does not stream: split the whole output now.
  if (!streamed) {
    stdout.push(Buffer.from(batch.stdout, 'utf8'));
    stderr.push(Buffer.from(batch.stderr, 'utf8'));
  }
  settleRest(conn, members, { outs, errs, settled, stdout, stderr, batch });
}

interface BatchEnd {
  outs: Array<Frame | undefined>;
  errs: Array<Frame | undefined>;
  settled: boolean[];
  stdout: FrameSplitter;
  stderr: FrameSplitter;
  batch: ExecResult;
}

/** Commands the batch did not answer for: it never started, stopped mid-way, or stopped before them. */
function settleRest(conn: HostConnection, members: readonly Member[], end: BatchEnd): void {
  for (const [index, member] of members.entries()) {
    if (end.settled[index]) continue;
    end.settled[index] = true;
    settleOne(conn, member, index, end);
  }
}

function settleOne(conn: HostConnection, member: Member, index: number, end: BatchEnd): void {
  // Nothing ran (sudo or the shell refused): each command alone would have got just this.
  if (!end.stdout.started) {
    member.resolve({ ...end.batch });
    return;
  }
  const out = end.outs[index] ?? openFrame(end.stdout, index);
  const err = end.errs[index] ?? openFrame(end.stderr, index);
  if (!out && !err) {
    // Never started: run it alone, as it would have been without batching.
    conn.exec(member.command, member.options).then(member.resolve, member.reject);
    return;
  }
  // Started but cut short (the shell died): what it printed, with the script's status.
  const empty = { body: new OutputCollector() };
  const result = resultOf(out ?? empty, err ?? empty, end.batch.code);
  if (end.batch.truncated) result.truncated = true;
  member.resolve(result);
}

function openFrame(splitter: FrameSplitter, index: number): Frame | undefined {
  if (splitter.open?.index !== index) return undefined;
  const body = splitter.partial();
  return body ? { body } : undefined;
}

/** Whether batching pays: an SSH exec costs a session and a shell on the host, a local one a fork. */
export function worthBatching(conn: HostConnection): boolean {
  return conn.transport === 'ssh';
}

/**
 * A HostConnection whose exec calls made in the same tick share one remote script per privilege
 * and timeout. Docker API calls pass through. A batch of one is sent as it is.
 */
export function batchingConnection(conn: HostConnection): HostConnection {
  const groups = new Map<string, Member[]>();
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
    exec(command: ShellCommand, options: ExecOptions = {}): Promise<ExecResult> {
      // A caller that watches its own output gets a session of its own.
      if (options.onOutput) return conn.exec(command, options);
      // Without sudo, `privileged` changes nothing on the host: those commands share a script too.
      const wrapped = options.privileged === true && conn.host.sudo;
      const key = `${wrapped ? 'sudo' : 'plain'}:${options.timeoutMs ?? 'default'}`;
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
