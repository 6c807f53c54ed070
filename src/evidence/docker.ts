// Engine API evidence shared by the checks of one run. Every call goes through `dockerCall`, so a
// daemon that does not answer becomes one error code (dm_docker_unavailable) whatever the transport
// said ("connect ENOENT", "Channel open failure", …): the runner turns that into one clear finding.

import type Docker from 'dockerode';
import { z } from 'zod';
import { DockmedicError, isDockmedicError } from '../errors.ts';
import type { EvidenceContext } from './context.ts';

/** Transport errors that mean "nothing answers on the socket", not "the request was wrong". */
const ABSENT_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE']);
const ABSENT_MESSAGES = /Channel open failure|socket hang up|connect ECONNREFUSED|connect ENOENT/i;

export function isDockerUnavailable(error: unknown): boolean {
  return isDockmedicError(error) && error.code === 'dm_docker_unavailable';
}

/** The DockmedicError inside an error or its cause chain, if the host layer already classified it. */
function classified(error: unknown): DockmedicError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth += 1) {
    if (isDockmedicError(current)) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function looksAbsent(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && ABSENT_CODES.has(code)) return true;
  return error instanceof Error && ABSENT_MESSAGES.test(error.message);
}

/** Runs one Engine API call; `what` names it for messages ("GET /info"). */
export async function dockerCall<T>(
  ctx: EvidenceContext,
  what: string,
  call: (docker: Docker) => Promise<T>,
): Promise<T> {
  const host = ctx.conn.host;
  try {
    return await call(ctx.conn.docker());
  } catch (error) {
    const known = classified(error);
    if (known) throw known;
    if (looksAbsent(error)) {
      throw new DockmedicError('dm_docker_unavailable', `while calling ${what} on ${host.name}`, {
        cause: error,
        retryable: true,
        userMessage: `dockerd is not running on ${host.name} (nothing answers on ${host.dockerSocket})`,
      });
    }
    const status = (error as { statusCode?: unknown }).statusCode;
    const reason = error instanceof Error ? error.message : String(error);
    throw new DockmedicError('dm_command_failed', `while calling ${what} on ${host.name}: ${reason}`, {
      cause: error,
      userMessage: `the Docker Engine API on ${host.name} refused ${what}${typeof status === 'number' ? ` (HTTP ${status})` : ''}`,
    });
  }
}

/** `GET /_ping`, once per run: docker-side checks fail fast and alike when dockerd is down. */
export function pingDocker(ctx: EvidenceContext): Promise<void> {
  return ctx.memo('docker:ping', async () => {
    await dockerCall(ctx, 'GET /_ping', (docker) => docker.ping());
  });
}

/** The fields of `GET /info` the checks read; the rest is kept but not trusted. */
export const DockerInfo = z.looseObject({
  ServerVersion: z.string().optional(),
  Driver: z.string(),
  DriverStatus: z.array(z.array(z.string())).nullish(),
  DockerRootDir: z.string().startsWith('/'),
  LoggingDriver: z.string().optional(),
  Name: z.string().optional(),
});
export type DockerInfo = z.infer<typeof DockerInfo>;

export function dockerInfo(ctx: EvidenceContext): Promise<DockerInfo> {
  return ctx.memo('docker:info', async () => {
    // No separate _ping first: /info fails the same way when dockerd is down, one round trip sooner.
    const raw: unknown = await dockerCall(ctx, 'GET /info', (docker) => docker.info());
    return parseApi(DockerInfo, raw, 'GET /info', ctx);
  });
}

/** zod-validates an Engine API answer; a daemon speaking another dialect is a clear error, not a crash later. */
export function parseApi<T>(schema: z.ZodType<T>, raw: unknown, what: string, ctx: EvidenceContext): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  throw new DockmedicError('dm_command_failed', `unexpected answer to ${what}: ${parsed.error.message}`, {
    userMessage: `the Docker Engine API on ${ctx.conn.host.name} answered ${what} in an unexpected shape`,
  });
}
