/**
 * What a benchmark asks of the local Slack stand-in, counted the same way whatever the stand-in's
 * version: a small HTTP proxy in front of its Web API records every call's method, HTTP status,
 * `retry-after` and Slack error (`ok: false`). The app is pointed at the proxy (SLACK_API_URL), so
 * nothing the app sends to /api/ escapes the count, 429s included (the WebClient retries those by
 * itself, so the app never sees most of them). Uploads to an upload_url and response_url answers go
 * to the stand-in directly; `standInCalls` reads those from the stand-in's own record.
 *
 * Strict rate limits: `startMeteredSlack({ strict: true })` asks the stand-in for Slack's rate tiers
 * (chat.update ~50/min, chat.postMessage ~1/s per channel with bursts) and then checks, on a throwaway
 * stand-in of its own, whether they are enforced: a stand-in without them says so in the figures.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LocalSlack, type LocalSlackOptions, startLocalSlack } from '../src/slack/local/localSlack.ts';

export interface MeteredCall {
  method: string;
  status: number;
  /** Slack's `error` when the answer was `ok: false` (ratelimited, msg_blocks_too_long, not_in_channel…). */
  error?: string;
  retryAfterS?: number;
  at: number;
}

export interface MethodTally {
  calls: number;
  /** HTTP 429 answers (each one a wait of retry-after and a retry by the WebClient). */
  limited: number;
  /** Other `ok: false` answers, by error. */
  errors: Record<string, number>;
}

export interface SlackMeter {
  /** Give this to the app as SLACK_API_URL. */
  apiUrl: string;
  calls: MeteredCall[];
  /** Calls from `from` (an index into `calls`, e.g. `calls.length` before a run) on, by method. */
  tally(from?: number): Map<string, MethodTally>;
  close(): Promise<void>;
}

/** Whether the stand-in answered a burst with 429s: unknown until probed. */
export type RateLimitMode = 'off' | 'enforced' | 'not enforced by this stand-in version';

export interface MeteredSlack {
  slack: LocalSlack;
  meter: SlackMeter;
  rateLimits: RateLimitMode;
  close(): Promise<void>;
}

/**
 * Slack's rate tiers, or none, as the strict stand-in takes them (`rateLimits: 'slack' | 'off'`, where
 * 'slack' is its default). The stand-in of this version has no such option and ignores it; once
 * `LocalSlackOptions` has `rateLimits`, it is this one line without the cast.
 */
function withRateLimits(options: LocalSlackOptions, strict: boolean): LocalSlackOptions {
  return { ...options, rateLimits: strict ? 'slack' : 'off' };
}

/** A strict stand-in refuses posts to channels the bot is not in: `/invite @dockmedic` there first. */
function inviteBot(slack: LocalSlack, channel: string): void {
  slack.invite(channel);
}

export async function startMeteredSlack(
  options: Omit<LocalSlackOptions, 'channels'> & { strict: boolean; channels: string[] },
): Promise<MeteredSlack> {
  const { strict, channels, ...standIn } = options;
  const standInOptions = withRateLimits(standIn, strict);
  const rateLimits: RateLimitMode = strict ? await probeRateLimits(standInOptions) : 'off';
  const slack = await startLocalSlack(standInOptions);
  for (const channel of channels) inviteBot(slack, channel);
  const meter = await meterSlackApi(slack.apiUrl);
  return {
    slack,
    meter,
    rateLimits,
    async close() {
      await meter.close();
      await slack.close();
    },
  };
}

/** A proxy in front of the stand-in's Web API (`…/api/`), counting every call and its answer. */
export async function meterSlackApi(standInApiUrl: string): Promise<SlackMeter> {
  const upstream = new URL(standInApiUrl);
  // A fresh connection per call upstream: a kept-alive socket the stand-in closes after its idle
  // timeout fails the next call with "socket hang up", a retry the app itself would never have made.
  const agent = new http.Agent({ keepAlive: false });
  const calls: MeteredCall[] = [];
  const server = http.createServer((req, res) => {
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    const forward = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        path: req.url,
        method: req.method,
        headers: { ...req.headers, host: upstream.host },
        agent,
      },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          calls.push(describeCall(method, answer, body));
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(body);
        });
      },
    );
    forward.on('error', (error) => {
      calls.push({ method, status: 502, error: `proxy: ${error.message}`, at: Date.now() });
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'proxy_error' }));
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    calls,
    tally: (from = 0) => tallyCalls(calls.slice(from)),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

function describeCall(method: string, answer: http.IncomingMessage, body: Buffer): MeteredCall {
  const call: MeteredCall = { method, status: answer.statusCode ?? 0, at: Date.now() };
  const retryAfter = Number(answer.headers['retry-after']);
  if (Number.isFinite(retryAfter) && answer.headers['retry-after'] !== undefined) call.retryAfterS = retryAfter;
  if (!String(answer.headers['content-type'] ?? '').includes('json')) return call;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { ok?: boolean; error?: string };
    if (parsed.ok === false) call.error = String(parsed.error ?? 'unknown');
  } catch {
    call.error = 'unparsable answer';
  }
  return call;
}

export function tallyCalls(calls: readonly MeteredCall[]): Map<string, MethodTally> {
  const tally = new Map<string, MethodTally>();
  for (const call of calls) {
    const entry = tally.get(call.method) ?? { calls: 0, limited: 0, errors: {} };
    entry.calls += 1;
    if (call.status === 429) entry.limited += 1;
    else if (call.error) entry.errors[call.error] = (entry.errors[call.error] ?? 0) + 1;
    tally.set(call.method, entry);
  }
  return tally;
}

/** `chat.update 41 (429: 3), chat.postMessage 201 (not_in_channel: 1)`, busiest first. */
export function formatTally(tally: Map<string, MethodTally>): string {
  const parts: string[] = [];
  for (const [method, entry] of [...tally].sort((a, b) => b[1].calls - a[1].calls)) {
    const notes = Object.entries(entry.errors).map(([error, n]) => `${error}: ${n}`);
    if (entry.limited > 0) notes.unshift(`429: ${entry.limited}`);
    parts.push(`${method} ${entry.calls}${notes.length > 0 ? ` (${notes.join(', ')})` : ''}`);
  }
  return parts.length > 0 ? parts.join(', ') : 'none';
}

export function totalOf(tally: Map<string, MethodTally>): { calls: number; limited: number } {
  let calls = 0;
  let limited = 0;
  for (const entry of tally.values()) {
    calls += entry.calls;
    limited += entry.limited;
  }
  return { calls, limited };
}

/**
 * The stand-in's own record of calls that bypass /api/: file bodies POSTed to an upload_url, and
 * answers to a response_url.
 */
export function standInCalls(slack: LocalSlack, fromCalls: number, fromResponses: number) {
  return {
    uploads: slack.calls.slice(fromCalls).filter((call) => call.method.includes('upload_url')).length,
    responses: slack.responses.length - fromResponses,
  };
}

/**
 * Sends a burst a strict stand-in must refuse in part (more chat.update calls than Slack allows a
 * minute, and a second's worth of posts to one channel well past the burst) to a throwaway stand-in
 * with the same options, so the measured one keeps its whole budget.
 */
async function probeRateLimits(options: LocalSlackOptions): Promise<RateLimitMode> {
  const probe = await startLocalSlack(options);
  try {
    const channel = `CPROBE${randomBytes(3).toString('hex').toUpperCase()}`;
    inviteBot(probe, channel);
    const call = async (method: string, body: Record<string, unknown>) => {
      const response = await fetch(`${probe.apiUrl}${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.botToken}` },
        body: JSON.stringify(body),
      });
      const answer = (await response.json().catch(() => ({}))) as { ts?: string };
      return { status: response.status, ts: answer.ts };
    };
    const first = await call('chat.postMessage', { channel, text: 'rate-limit probe' });
    if (first.status === 429) return 'enforced';
    const burst = await Promise.all([
      ...Array.from({ length: 60 }, (_, i) => call('chat.update', { channel, ts: first.ts, text: `probe ${i}` })),
      ...Array.from({ length: 20 }, (_, i) => call('chat.postMessage', { channel, text: `probe ${i}` })),
    ]);
    return burst.some((answer) => answer.status === 429) ? 'enforced' : 'not enforced by this stand-in version';
  } finally {
    await probe.close();
  }
}
