// The batch script runs in a real `sh` on this machine (LocalConnection): each command's result
// through a batch must equal what the same command gives when run alone.

import { describe, expect, it } from 'vitest';
import { HostConfig } from '../../../src/config/schema.ts';
import { isDockmedicError } from '../../../src/errors.ts';
import { batchingConnection, batchScript, FrameSplitter, newNonce, runBatch } from '../../../src/hosts/execBatch.ts';
import { LocalConnection } from '../../../src/hosts/localConnection.ts';
import { type ShellCommand, sh } from '../../../src/hosts/shell.ts';
import type { ExecOptions, ExecResult, HostConnection } from '../../../src/hosts/types.ts';

const SETTINGS = { timeouts: { connect: 5_000, command: 10_000, keepalive: 10_000 }, hostConcurrency: 8 };

function localConn(sudo = false): LocalConnection {
  return new LocalConnection(HostConfig.parse({ name: 'batch-test', address: 'local', sudo }), SETTINGS);
}

interface Call {
  command: string;
  options: ExecOptions;
}

/** Runs on this machine and records what was sent; `privileged` is dropped (no sudo here). */
function recording(base: HostConnection, change: Partial<Pick<HostConnection, 'exec'>> = {}) {
  const calls: Call[] = [];
  const conn: HostConnection = {
    host: base.host,
    transport: 'ssh',
    docker: () => base.docker(),
    exec(command: ShellCommand, options: ExecOptions = {}) {
      calls.push({ command, options });
      if (change.exec) return change.exec(command, options);
      const { privileged: _dropped, ...rest } = options;
      return base.exec(command, rest);
    },
  };
  return { conn, calls };
}

const cmd = (text: string) => text as ShellCommand;

/** [what, command, sessions used]: a command that kills `$$` kills the script, so the next one runs alone. */
const HOSTILE: Array<[string, ShellCommand, number?]> = [
  ['plain lines', sh`printf 'a\nb\n'`],
  ['no trailing newline', sh`printf abc`],
  ['nothing at all', sh`true`],
  ['stderr only', sh`echo oops >&2`],
  ['stdout and stderr interleaved, no newlines', sh`printf o1; printf e1 >&2; printf o2; printf e2 >&2`],
  ['a non-zero exit', cmd('echo before; exit 3')],
  ['false', sh`false`],
  ['a shell killed by a signal ($$ is the whole script)', cmd('kill -9 $$'), 2],
  ['binary-ish bytes', cmd(String.raw`printf '\001\002\377\376\000x\r\n\033[0m'`)],
  ['a UTF-8 character cut by the end', cmd(String.raw`printf 'ok \342\234'`)],
  ['text shaped like a marker', cmd(String.raw`printf '0123456789abcdef0123456789abcdef:0:>0\n0:>1\n:1:<\n'`)],
  ['this very script (what ps would show)', cmd(`tr '\\000' ' ' < /proc/$PPID/cmdline; echo`)],
  ['a trailing comment', cmd('echo hi # ) and a comment')],
  ['a here-document', cmd('cat <<EOF\nline one\n)\nEOF')],
  ['exit in the middle', cmd('echo one; exit 0; echo never')],
  ['reading stdin', cmd('cat; echo done')],
  ['output larger than a pipe buffer', cmd(`head -c 300000 /dev/zero | tr '\\000' a; printf '\\n'`)],
];

describe('batchingConnection', () => {
  it.each(HOSTILE)('frames %s exactly as the command alone gives it', async (_name, command, sessions = 1) => {
    const local = localConn();
    const { conn, calls } = recording(local);
    const batching = batchingConnection(conn);
    const alone = await local.exec(command);

    // Neighbours on both sides, so the frame is not the first or the last.
    const [before, result, after] = await Promise.all([
      batching.exec(sh`echo neighbour-before`),
      batching.exec(command),
      batching.exec(cmd('printf neighbour-after >&2; exit 7')),
    ]);

    expect(calls).toHaveLength(sessions);
    expect(result).toEqual(alone);
    expect(before).toEqual({ stdout: 'neighbour-before\n', stderr: '', code: 0 });
    expect(after).toEqual({ stdout: '', stderr: 'neighbour-after', code: 7 });
  });

  it('sends a batch of one as it is', async () => {
    const { conn, calls } = recording(localConn());

    const result = await batchingConnection(conn).exec(sh`echo alone`);

    expect(calls).toEqual([{ command: 'echo alone', options: {} }]);
    expect(result).toEqual({ stdout: 'alone\n', stderr: '', code: 0 });
  });

  it.each([
    ['without sudo, privileged and not share one script', false, 1],
    ['with sudo, privileged commands get their own script (sudo wraps it once)', true, 2],
  ])('%s', async (_name, sudo, scripts) => {
    const { conn, calls } = recording(localConn(sudo));
    const batching = batchingConnection(conn);

    const results = await Promise.all([
      batching.exec(sh`echo a`, { privileged: true }),
      batching.exec(sh`echo b`),
      batching.exec(sh`echo c`, { privileged: true }),
      batching.exec(sh`echo d`),
    ]);

    expect(results.map((result) => result.stdout)).toEqual(['a\n', 'b\n', 'c\n', 'd\n']);
    expect(calls).toHaveLength(scripts);
    if (sudo) expect(calls.map((call) => call.options.privileged)).toEqual([true, false]);
  });

  it('keeps commands with different timeouts apart, each batch with its members’ timeout', async () => {
    const { conn, calls } = recording(localConn());
    const batching = batchingConnection(conn);

    await Promise.all([
      batching.exec(sh`echo a`, { timeoutMs: 5_000 }),
      batching.exec(sh`echo b`),
      batching.exec(sh`echo c`, { timeoutMs: 5_000 }),
    ]);

    const timeouts = calls.map((call) => call.options.timeoutMs);
    expect(timeouts.sort()).toEqual([5_000, undefined]);
  });

  it('answers a command as soon as its frame ends, and times out the one that hangs', async () => {
    const { conn } = recording(localConn());
    const batching = batchingConnection(conn);
    const started = Date.now();

    const [quick, stuck] = await Promise.allSettled([
      batching.exec(sh`echo quick`, { timeoutMs: 400 }),
      batching.exec(sh`sleep 5`, { timeoutMs: 400 }),
    ]);

    expect(quick).toEqual({ status: 'fulfilled', value: { stdout: 'quick\n', stderr: '', code: 0 } });
    expect(stuck.status).toBe('rejected');
    const reason = (stuck as PromiseRejectedResult).reason;
    expect(isDockmedicError(reason) && reason.code).toBe('dm_host_timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('gives every command the error when the batch fails as a whole', async () => {
    const lost = new Error('connection lost');
    const { conn } = recording(localConn(), { exec: () => Promise.reject(lost) });
    const batching = batchingConnection(conn);

    const outcomes = await Promise.allSettled([batching.exec(sh`echo a`), batching.exec(sh`echo b`)]);

    expect(outcomes).toEqual([
      { status: 'rejected', reason: lost },
      { status: 'rejected', reason: lost },
    ]);
  });

  it('gives every command the batch’s own answer when the script never started (sudo refused)', async () => {
    const refused: ExecResult = { stdout: '', stderr: 'sudo: a password is required\n', code: 1 };
    const { conn } = recording(localConn(true), { exec: async () => refused });
    const batching = batchingConnection(conn);

    const results = await Promise.all([
      batching.exec(sh`cat /etc/shadow`, { privileged: true }),
      batching.exec(sh`ls /root`, { privileged: true }),
    ]);

    expect(results).toEqual([refused, refused]);
  });
});

describe('runBatch', () => {
  it('runs alone a command the script never reached, from a connection that does not stream', async () => {
    const local = localConn();
    const nonce = newNonce();
    const { conn, calls } = recording(local, {
      async exec(command, options) {
        // The shell died after the first command: only its frames came back.
        if (command !== sh`echo second`) {
          const full = await local.exec(command);
          const cut = full.stdout.indexOf(`${nonce[0]}${nonce[1]}:1:<`);
          return { stdout: full.stdout.slice(0, cut), stderr: '', code: 137 };
        }
        return local.exec(command, options);
      },
    });
    const results: ExecResult[] = [];

    await runBatch(
      conn,
      [sh`echo first`, sh`echo second`].map((command, index) => ({
        command,
        options: {},
        resolve: (result: ExecResult) => {
          results[index] = result;
        },
        reject: () => {},
      })),
      nonce,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(results[0]).toEqual({ stdout: 'first\n', stderr: '', code: 0 });
    expect(results[1]).toEqual({ stdout: 'second\n', stderr: '', code: 0 });
    expect(calls.map((call) => call.command).at(-1)).toBe('echo second');
  });
});

describe('FrameSplitter', () => {
  it('finds markers split across chunks one byte at a time', () => {
    const nonce = newNonce();
    const frames: Array<[number, string, number | undefined]> = [];
    const splitter = new FrameSplitter(nonce, 2, (index, frame) => frames.push([index, frame.body.text(), frame.code]));
    const mark = `${nonce[0]}${nonce[1]}`;
    const text = `noise\n${mark}:0:<\nabc${mark}:0:>0\n${mark}:1:<\nx\ny${mark}:1:>42\n`;

    for (const byte of Buffer.from(text)) splitter.push(Buffer.from([byte]));

    expect(frames).toEqual([
      [0, 'noise\nabc', 0],
      [1, 'noise\nx\ny', 42],
    ]);
  });

  it('never writes the whole nonce into the script', () => {
    const nonce = newNonce();

    const script = batchScript([sh`echo a`, sh`echo b`], nonce);

    expect(script).not.toContain(`${nonce[0]}${nonce[1]}`);
    expect(newNonce()).not.toEqual(nonce);
  });
});
