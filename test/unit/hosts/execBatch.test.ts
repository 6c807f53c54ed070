// The batch script runs in a real `sh` on this machine (LocalConnection): each command's result
// through a batch must equal what the same command gives when run alone.

import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HostConfig } from '../../../src/config/schema.ts';
import { isDockmedicError } from '../../../src/errors.ts';
import { type BatchMember, batchingConnection, newNonce, runBatch } from '../../../src/hosts/execBatch.ts';
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

/** Members for runBatch whose outcomes land in `outcomes`, in order. */
function members(commands: readonly ShellCommand[], options: ExecOptions = {}) {
  const list: BatchMember[] = [];
  const outcomes: Array<PromiseSettledResult<ExecResult>> = [];
  const settled = commands.map(
    (command, index) =>
      new Promise<void>((done) => {
        list.push({
          command,
          options,
          resolve: (value) => {
            outcomes[index] = { status: 'fulfilled', value };
            done();
          },
          reject: (reason) => {
            outcomes[index] = { status: 'rejected', reason };
            done();
          },
        });
      }),
  );
  return { list, outcomes, all: () => Promise.all(settled) };
}

/** [what, command]: each comes back from a batch exactly as it does alone, in the batch's one session. */
const HOSTILE: Array<[string, ShellCommand]> = [
  ['plain lines', sh`printf 'a\nb\n'`],
  ['no trailing newline', sh`printf abc`],
  ['trailing newlines', sh`printf 'abc\n\n\n'`],
  ['nothing at all', sh`true`],
  ['stderr only', sh`echo oops >&2`],
  ['stdout and stderr interleaved, no newlines', sh`printf o1; printf e1 >&2; printf o2; printf e2 >&2`],
  ['a non-zero exit', cmd('echo before; exit 3')],
  ['false', sh`false`],
  ['a shell killed by a signal', cmd('kill -9 $$')],
  ['binary bytes, NUL included', cmd(String.raw`printf '\001\002\377\376\000x\r\n\033[0m\000'`)],
  ['a UTF-8 character cut by the end', cmd(String.raw`printf 'ok \342\234'`)],
  ['text shaped like a header', cmd(String.raw`printf '0123456789abcdef0123456789abcdef:0:0:99:0\n1:run\n:1:0:0:0\n'`)],
  ['a trailing comment', cmd('echo hi # ) and a comment')],
  ['a here-document', cmd('cat <<EOF\nline one\n)\nEOF')],
  ['exit in the middle', cmd('echo one; exit 0; echo never')],
  ['reading stdin', cmd('cat; echo done')],
  ['output larger than a pipe buffer', cmd(`head -c 300000 /dev/zero | tr '\\000' a; printf '\\n'`)],
];

describe('batchingConnection', () => {
  it.each(HOSTILE)('frames %s exactly as the command alone gives it', async (_name, command) => {
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

    expect(calls).toHaveLength(1);
    expect(result).toEqual(alone);
    expect(before).toEqual({ stdout: 'neighbour-before\n', stderr: '', code: 0 });
    expect(after).toEqual({ stdout: '', stderr: 'neighbour-after', code: 7 });
  });

  it('answers a last command that printed nothing, as it ended', async () => {
    const { conn } = recording(localConn());
    const batching = batchingConnection(conn);

    const results = await Promise.all([batching.exec(sh`echo a`), batching.exec(sh`true`)]);

    expect(results).toEqual([
      { stdout: 'a\n', stderr: '', code: 0 },
      { stdout: '', stderr: '', code: 0 },
    ]);
  });

  it('keeps what a command’s background child writes late out of the next command’s output', async () => {
    const { conn } = recording(localConn());
    const batching = batchingConnection(conn);

    const results = await Promise.all([
      batching.exec(cmd('(sleep 0.3; echo late) & echo now')),
      batching.exec(cmd('sleep 0.6; echo next')),
    ]);

    // Unlike alone, the batch does not wait for the child: the command's answer ends when it exits.
    expect(results).toEqual([
      { stdout: 'now\n', stderr: '', code: 0 },
      { stdout: 'next\n', stderr: '', code: 0 },
    ]);
  });

  it('sends the script on stdin, with no trace of the nonce on the command line', async () => {
    const { conn, calls } = recording(localConn());
    const batching = batchingConnection(conn);

    await Promise.all([batching.exec(sh`echo a`), batching.exec(sh`echo b`)]);

    expect(calls).toHaveLength(1);
    expect(calls[0]?.command).toBe('sh -s');
    const nonce = /^dm_n=([0-9a-f]{32})$/m.exec(calls[0]?.options.input ?? '')?.[1];
    expect(nonce).toMatch(/^[0-9a-f]{32}$/);
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

  it('shares one script across timeouts and gives the script their sum', async () => {
    const { conn, calls } = recording(localConn());
    const batching = batchingConnection(conn);

    await Promise.all([
      batching.exec(sh`echo a`, { timeoutMs: 5_000 }),
      batching.exec(sh`echo b`),
      batching.exec(sh`echo c`, { timeoutMs: 1_500 }),
    ]);

    // On the host each gets its whole seconds plus one (6, 31 from the default 30 s, 3); the script 5 s more.
    expect(calls).toHaveLength(1);
    expect(calls[0]?.options.timeoutMs).toBe((6 + 31 + 3) * 1000 + 5_000);
    expect(calls[0]?.options.input).toMatch(/^dm_run 0 6 .*\ndm_run 1 31 .*\ndm_run 2 3 /m);
  });

  it('times out only the command that hangs; the ones before and after it answer', async () => {
    const { conn, calls } = recording(localConn());
    const batching = batchingConnection(conn);
    const started = Date.now();

    const [quick, stuck, after] = await Promise.allSettled([
      batching.exec(sh`echo quick`, { timeoutMs: 400 }),
      batching.exec(sh`sleep 30`, { timeoutMs: 400 }),
      batching.exec(sh`echo after`, { timeoutMs: 400 }),
    ]);

    expect(quick).toEqual({ status: 'fulfilled', value: { stdout: 'quick\n', stderr: '', code: 0 } });
    expect(after).toEqual({ status: 'fulfilled', value: { stdout: 'after\n', stderr: '', code: 0 } });
    expect(stuck.status).toBe('rejected');
    const reason = (stuck as PromiseRejectedResult).reason;
    expect(isDockmedicError(reason) && [reason.code, reason.userMessage]).toEqual([
      'dm_host_timeout',
      'a command on batch-test did not finish within 400 ms',
    ]);
    // The host's `timeout` ended it after 2 s (whole seconds, one more than asked), not 30.
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(calls).toHaveLength(1);
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
  it('returns verbatim a body holding the real nonce, headers and all', async () => {
    const { conn } = recording(localConn());
    const nonce = newNonce();
    const forged = `${nonce}:1:0:2:0\nok${nonce}:1:run\n${nonce}:0:0:5:0\n`;
    const batch = members([sh`printf %s ${forged}`, sh`printf real`]);

    await runBatch(conn, batch.list, nonce);
    await batch.all();

    expect(batch.outcomes).toEqual([
      { status: 'fulfilled', value: { stdout: forged, stderr: '', code: 0 } },
      { status: 'fulfilled', value: { stdout: 'real', stderr: '', code: 0 } },
    ]);
  });

  it('puts the nonce in no process’s command line while the batch runs', async () => {
    const { conn } = recording(localConn());
    const nonce = newNonce();
    // Reads every command line on this machine from inside the batch, as a racing process would.
    // The first command waits until the scan has seen it: on a busy machine a fixed sleep may pass unseen.
    const flag = path.join(tmpdir(), `dm-nonce-scan-${process.pid}-${Date.now()}`);
    const batch = members([
      sh`while [ ! -e ${flag} ]; do sleep 0.05; done`,
      cmd(String.raw`cat /proc/[0-9]*/cmdline 2>/dev/null | tr '\000' ' '`),
      sh`sleep 0.2`,
    ]);
    let seen = '';
    const scan = setInterval(() => {
      for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
        try {
          seen += `${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replaceAll('\0', ' ')}\n`;
        } catch {
          // gone already
        }
      }
      if (seen.includes(flag) && !existsSync(flag)) writeFileSync(flag, '');
    }, 20);

    await runBatch(conn, batch.list, nonce);
    await batch.all();
    clearInterval(scan);
    rmSync(flag, { force: true });

    const listing = batch.outcomes[1];
    // The batch's own processes are there to see: `sh -s`, then each command's `sh -c`.
    expect(listing?.status === 'fulfilled' && listing.value.stdout).toContain('sh -s');
    expect(listing?.status === 'fulfilled' && listing.value.stdout).not.toContain(nonce);
    expect(seen).toContain(flag);
    // Not even in pieces (the old script named it in two halves on its command line).
    for (const piece of [nonce, nonce.slice(0, 16), nonce.slice(16)]) expect(seen).not.toContain(piece);
  });

  it('runs alone a command the script never reached, from a connection that does not stream', async () => {
    const local = localConn();
    const nonce = newNonce();
    const { conn, calls } = recording(local, {
      async exec(command, options) {
        // The shell died after the first command: only its frame came back.
        if (command !== sh`echo second`) {
          const full = await local.exec(command, { input: options?.input });
          const cut = full.stdout.indexOf(`${nonce}:1:run`);
          return { stdout: full.stdout.slice(0, cut), stderr: '', code: 137 };
        }
        return local.exec(command, options);
      },
    });
    const batch = members([sh`echo first`, sh`echo second`]);

    await runBatch(conn, batch.list, nonce);
    await batch.all();

    expect(batch.outcomes).toEqual([
      { status: 'fulfilled', value: { stdout: 'first\n', stderr: '', code: 0 } },
      { status: 'fulfilled', value: { stdout: 'second\n', stderr: '', code: 0 } },
    ]);
    expect(calls.map((call) => call.command).at(-1)).toBe('echo second');
  });

  it('gives a command that was running when the shell died the script’s status, and never reruns it', async () => {
    const nonce = newNonce();
    const local = localConn();
    const { conn, calls } = recording(local, {
      async exec(command, options) {
        if (options?.input === undefined) return local.exec(command, options);
        return { stdout: `${nonce}:0:run\n${nonce}:0:0:3:0\none${nonce}:1:run\n`, stderr: '', code: 137 };
      },
    });
    const batch = members([sh`echo one`, sh`rm -f /some/file`, sh`echo three`]);

    await runBatch(conn, batch.list, nonce);
    await batch.all();

    expect(batch.outcomes).toEqual([
      { status: 'fulfilled', value: { stdout: 'one', stderr: '', code: 0 } },
      { status: 'fulfilled', value: { stdout: '', stderr: '', code: 137 } },
      { status: 'fulfilled', value: { stdout: 'three\n', stderr: '', code: 0 } },
    ]);
    expect(calls.map((call) => call.command)).toEqual(['sh -s', 'echo three']);
  });

  it('runs each command alone when the host has no private directory for the output', async () => {
    const local = localConn();
    const nonce = newNonce();
    const { conn, calls } = recording(local, {
      async exec(command, options) {
        if (options?.input !== undefined) return { stdout: `${nonce}:no-tmp\n`, stderr: '', code: 0 };
        return local.exec(command, options);
      },
    });
    const batch = members([sh`echo a`, sh`echo b`]);

    await runBatch(conn, batch.list, nonce);
    await batch.all();

    expect(batch.outcomes.map((outcome) => outcome.status === 'fulfilled' && outcome.value.stdout)).toEqual([
      'a\n',
      'b\n',
    ]);
    expect(calls.map((call) => call.command)).toEqual(['sh -s', 'echo a', 'echo b']);
  });

  it('rejects what comes after output that breaks the format, instead of guessing', async () => {
    const nonce = newNonce();
    // Frame 0 says 2 bytes and brings 5: where frame 1's header must start there is none.
    const stdout = `${nonce}:0:run\n${nonce}:0:0:2:0\nabcde${nonce}:1:run\n${nonce}:1:0:1:0\nx`;
    const { conn, calls } = recording(localConn(), { exec: async () => ({ stdout, stderr: '', code: 0 }) });
    const batch = members([sh`echo a`, sh`echo b`]);

    await runBatch(conn, batch.list, nonce);
    await batch.all();

    expect(batch.outcomes[0]).toEqual({ status: 'fulfilled', value: { stdout: 'ab', stderr: '', code: 0 } });
    const second = batch.outcomes[1] as PromiseRejectedResult;
    expect(isDockmedicError(second.reason) && second.reason.code).toBe('dm_command_failed');
    expect(calls).toHaveLength(1);
  });

  it('gives each waiting command its own timeout when the script as a whole times out', async () => {
    // The script's own deadline passes first (a host that gives no slot, say).
    const { conn } = recording(localConn(), { exec: () => localConn().exec(sh`sleep 5`, { timeoutMs: 300 }) });
    const batch = members([sh`echo a`, sh`echo b`], { timeoutMs: 60_000 });

    await runBatch(conn, batch.list, newNonce());
    await batch.all();

    for (const outcome of batch.outcomes) {
      const reason = (outcome as PromiseRejectedResult).reason;
      expect(isDockmedicError(reason) && [reason.code, reason.userMessage]).toEqual([
        'dm_host_timeout',
        'a command on batch-test did not finish within 1m 00s',
      ]);
    }
  });
});
