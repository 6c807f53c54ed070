// Commands inside containers (`nginx -T`, `df -P /dev/shm`) and their recent logs, through the
// Engine API over the host connection: POST /containers/{id}/exec, then start with a hijacked stream
// that is demultiplexed here. Each exec holds a channel of the host's budget, so callers run a few at
// a time (inBatches), and every exec has a deadline: a command that hangs must not hang the check.

import { PassThrough } from 'node:stream';
import type { EvidenceContext } from './context.ts';
import { dockerCall } from './docker.ts';

export const EXEC_TIMEOUT_MS = 10_000;
/** Output past this is dropped: `nginx -T` of a big site is long, but not this long. */
export const EXEC_MAX_BYTES = 1024 * 1024;
/** Execs running at once on one host (OpenSSH allows 10 channels; checks share them). */
export const EXEC_CONCURRENCY = 3;

export interface ContainerExecResult {
  stdout: string;
  stderr: string;
  /** Null when it did not finish (timeout) or could not start (no such binary: 126/127 come back as codes). */
  exitCode: number | null;
  timedOut?: boolean;
}

/** Runs `work` over `items`, `size` at a time, keeping the order. */
export async function inBatches<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) {
    results.push(...(await Promise.all(items.slice(start, start + size).map(work))));
  }
  return results;
}

function collector(limit: number): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  let size = 0;
  stream.on('data', (chunk: Buffer) => {
    if (size >= limit) return;
    chunks.push(chunk);
    size += chunk.length;
  });
  return { stream, text: () => Buffer.concat(chunks).subarray(0, limit).toString('utf8') };
}

/** Runs a command (argv, no shell) in a running container and collects its output. */
export async function execInContainer(
  ctx: EvidenceContext,
  containerId: string,
  cmd: readonly string[],
  timeoutMs = EXEC_TIMEOUT_MS,
): Promise<ContainerExecResult> {
  const short = containerId.slice(0, 12);
  const what = `exec ${cmd.join(' ')} in ${short}`;
  return dockerCall(ctx, what, async (docker) => {
    const exec = await docker.getContainer(containerId).exec({
      Cmd: [...cmd],
      AttachStdout: true,
      AttachStderr: true,
      AttachStdin: false,
      Tty: false,
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const out = collector(EXEC_MAX_BYTES);
    const err = collector(EXEC_MAX_BYTES);
    docker.modem.demuxStream(stream, out.stream, err.stream);
    let timer: NodeJS.Timeout | undefined;
    const finished = await new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
      stream.once('end', () => resolve(true));
      stream.once('close', () => resolve(true));
      stream.once('error', () => resolve(true));
    });
    clearTimeout(timer);
    // The daemon ends its side when the command exits; ending ours closes the SSH channel and gives
    // its slot back (a hijacked stream is not closed by the HTTP layer).
    stream.destroy();
    if (!finished) return { stdout: out.text(), stderr: err.text(), exitCode: null, timedOut: true };
    const state = await exec.inspect();
    return { stdout: out.text(), stderr: err.text(), exitCode: state.Running ? null : state.ExitCode };
  });
}

/**
 * Pure: the body of `GET /containers/{id}/logs` for a container without a TTY: frames of an 8-byte
 * header (stream, 0, 0, 0, big-endian length) and payload. A TTY container's log is plain text: a
 * buffer that does not start with a valid header is returned as it is.
 */
export function demuxLogs(body: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= body.length) {
    const kind = body[offset];
    const valid = (kind === 0 || kind === 1 || kind === 2) && body.readUIntBE(offset + 1, 3) === 0;
    if (!valid) break;
    const length = body.readUInt32BE(offset + 4);
    parts.push(body.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  if (offset === 0 && body.length > 0) return body.toString('utf8');
  return Buffer.concat(parts).toString('utf8');
}

/** The last `tail` lines a container logged in the last `sinceSeconds`, stdout and stderr together. */
export async function recentLogs(
  ctx: EvidenceContext,
  containerId: string,
  options: { tail: number; sinceSeconds: number },
): Promise<string> {
  const since = Math.floor(Date.now() / 1000) - options.sinceSeconds;
  const body: unknown = await dockerCall(ctx, `GET /containers/${containerId.slice(0, 12)}/logs`, (docker) =>
    docker.getContainer(containerId).logs({ stdout: true, stderr: true, follow: false, tail: options.tail, since }),
  );
  if (Buffer.isBuffer(body)) return demuxLogs(body);
  return typeof body === 'string' ? body : '';
}
