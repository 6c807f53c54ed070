// `/docker logs HOST CONTAINER [--tail N]`: the container is resolved through the Engine API, its
// log read with `GET /containers/{id}/logs` (no shell involved), cleaned of terminal control codes
// and redacted here, before anything leaves the worker. Long output goes to Slack as a file.

import type { Readable } from 'node:stream';
import { z } from 'zod';
import { DockmedicError } from '../../src/errors.ts';
import type { EvidenceContext } from '../../src/evidence/context.ts';
import { createContext } from '../../src/evidence/context.ts';
import { dockerCall } from '../../src/evidence/docker.ts';
import { formatBytes } from '../../src/format.ts';
import { redactText } from '../../src/redact.ts';
import { fitsInline, renderLogs } from '../../src/slack/render/logs.ts';
import { resolveContainer } from './containerRef.ts';
import type { JobHandler } from './types.ts';

/** What one request may read: 5000 lines of json-file log are at most ~80 MiB, far more than anyone reads in Slack. */
export const LOG_BYTES_CAP = 4 * 1024 * 1024;
const DEFAULT_TAIL = 100;

const LogInspect = z.looseObject({
  Id: z.string().regex(/^[0-9a-f]{64}$/),
  Name: z.string(),
  Config: z.looseObject({ Tty: z.boolean().optional() }),
  HostConfig: z.looseObject({ LogConfig: z.looseObject({ Type: z.string() }).optional() }).optional(),
});

/**
 * Pure: a non-TTY container's log arrives multiplexed, each frame an 8-byte header (stream type 0-2,
 * three zero bytes, big-endian length) and its payload. A cut last frame keeps what arrived.
 */
export function demuxLogStream(buffer: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const type = buffer[offset] as number;
    if (type > 2 || buffer[offset + 1] !== 0 || buffer[offset + 2] !== 0 || buffer[offset + 3] !== 0) break;
    const size = buffer.readUInt32BE(offset + 4);
    parts.push(buffer.subarray(offset + 8, Math.min(buffer.length, offset + 8 + size)));
    offset += 8 + size;
  }
  // Not a framed stream after all (a TTY container, or an answer in another shape): keep it raw.
  if (offset === 0 && buffer.length > 0) return buffer.toString('utf8');
  return Buffer.concat(parts).toString('utf8');
}

// CSI and OSC escape sequences, then any other control character but tab and newline: matching
// control characters is the point of these two.
// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape codes are what is removed
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** Pure: terminal codes out, carriage returns out, secrets redacted; one string per line. */
export function cleanLogLines(text: string): string[] {
  const clean = redactText(text.replace(ANSI, '').replace(/\r\n?/g, '\n').replace(CONTROL, ''));
  const lines = clean.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** Reads at most `cap` bytes of the stream; past that the rest is dropped and the answer marked cut. */
function readCapped(stream: Readable, cap: number): Promise<{ buffer: Buffer; cut: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let cut = false;
    stream.on('data', (chunk: Buffer) => {
      if (cut) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size <= cap) return;
      cut = true;
      stream.destroy();
      resolve({ buffer: Buffer.concat(chunks).subarray(0, cap), cut });
    });
    stream.on('end', () => resolve({ buffer: Buffer.concat(chunks), cut }));
    stream.on('close', () => resolve({ buffer: Buffer.concat(chunks), cut }));
    stream.on('error', (error) => (cut ? undefined : reject(error)));
  });
}

async function readLogs(ctx: EvidenceContext, id: string, tail: number): Promise<{ buffer: Buffer; cut: boolean }> {
  return await dockerCall(ctx, `GET /containers/${id.slice(0, 12)}/logs`, async (docker) => {
    // dockerode buffers a non-follow answer whole; as a stream it can be capped.
    const stream = await new Promise<Readable>((resolve, reject) => {
      docker.modem.dial(
        {
          path: `/containers/${id}/logs?`,
          method: 'GET',
          isStream: true,
          options: { stdout: true, stderr: true, tail: String(tail), timestamps: false },
          statusCodes: { 200: true, 404: 'no such container', 500: 'server error', 501: 'not implemented' },
        },
        (error, result) => (error ? reject(error) : resolve(result as Readable)),
      );
    });
    return await readCapped(stream, LOG_BYTES_CAP);
  });
}

async function inspectForLogs(ctx: EvidenceContext, id: string) {
  const raw: unknown = await dockerCall(ctx, `GET /containers/${id.slice(0, 12)}/json`, (docker) =>
    docker.getContainer(id).inspect(),
  );
  const parsed = LogInspect.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new DockmedicError('dm_command_failed', `unexpected inspect answer for ${id}`, {
    userMessage: `the Docker Engine API on ${ctx.conn.host.name} described the container in an unexpected shape`,
  });
}

export const logsJob: JobHandler = async ({ conn, job }) => {
  const ref = job.args.container;
  if (!ref) {
    throw new DockmedicError('dm_bad_arguments', 'logs job without a container', {
      userMessage: 'No container was named. Usage: `/docker logs HOST CONTAINER [--tail N]`',
    });
  }
  const tail = job.args.tail ?? DEFAULT_TAIL;
  const ctx = createContext(conn);
  const container = await resolveContainer(ctx, ref);
  const details = await inspectForLogs(ctx, container.id);
  const name = details.Name.replace(/^\//, '');
  const driver = details.HostConfig?.LogConfig?.Type;
  if (driver === 'none') {
    throw new DockmedicError('dm_bad_arguments', `container ${name} logs to driver none`, {
      userMessage: `\`${name}\` on ${conn.host.name} uses the \`none\` log driver: Docker keeps no log for it.`,
    });
  }
  const { buffer, cut } = await readLogs(ctx, container.id, tail);
  const text = details.Config.Tty ? buffer.toString('utf8') : demuxLogStream(buffer);
  const lines = cleanLogLines(text);
  const full = lines.join('\n');
  const view = {
    host: conn.host.name,
    container: { id: container.id, name, ...(container.state ? { state: container.state } : {}) },
    tail,
    lines,
    ...(cut
      ? {
          cutNote: `the last ${tail} lines hold more than ${formatBytes(LOG_BYTES_CAP)}: only their oldest ${formatBytes(LOG_BYTES_CAP)} were read; ask for a smaller --tail to see the newest`,
        }
      : {}),
  };
  const long = !fitsInline(lines);
  return {
    worst: 'ok',
    headline: `${lines.length} log line(s) of ${name}`,
    proposals: [],
    render: () => renderLogs({ ...view, fileAttached: long }),
    ...(long
      ? {
          files: [
            {
              title: `${name} on ${conn.host.name}: last ${lines.length} log line(s)`,
              filename: `${conn.host.name}-${name}.log`,
              content: `${full}\n`,
            },
          ],
        }
      : {}),
  };
};
