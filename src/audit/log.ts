// The audit trail, in two Redis streams. Requests (who asked for what) are many and capped; security
// events (refusals, approvals, denials, expiries, fix runs) go to a stream of their own with a far
// larger cap, and each is also written as a JSON line on stdout, so a flood of requests or refused
// clicks never pushes them out unseen: whatever a cap trims is still in the process log.

import type { Redis } from 'ioredis';
import { z } from 'zod';
import { securityLog } from '../log.ts';
import { redactText } from '../redact.ts';

const REQUEST_STREAM = 'dm:audit';
const SECURITY_STREAM = 'dm:audit:security';
const REQUEST_MAX_ENTRIES = 100_000;
/** About 300 MB of Redis at most; stdout keeps every line regardless. */
const SECURITY_MAX_ENTRIES = 1_000_000;

export const AUDIT_ACTIONS = [
  'request',
  'approve',
  'deny',
  'refuse',
  'expire',
  'fix-start',
  'fix-result',
  'fix-unknown',
  'not-run',
  'unreadable',
] as const;

/** Everything but a plain request: these are kept apart from the request stream. */
export const SECURITY_ACTIONS: ReadonlySet<AuditAction> = new Set([
  'approve',
  'deny',
  'refuse',
  'expire',
  'fix-start',
  'fix-result',
  'fix-unknown',
]);
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditStream = 'security' | 'requests';

export const AuditEntry = z.object({
  at: z.iso.datetime(),
  actor: z.string().max(64),
  action: z.enum(AUDIT_ACTIONS),
  host: z.string().max(64).optional(),
  detail: z.string().max(2000).optional(),
  ref: z.string().max(64).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export interface AuditLogOptions {
  /** Stream caps (tests shrink the request cap to see it trim). */
  requestCap?: number;
  securityCap?: number;
  /** Where security events are echoed as JSON lines; defaults to the `dockmedic-audit` logger (stdout). */
  echo?: (entry: AuditEntry) => void;
}

/** Append-only: entries are only ever added (XADD) and read; the streams are capped, never edited. */
export class AuditLog {
  readonly #requestCap: number;
  readonly #securityCap: number;
  readonly #echo: (entry: AuditEntry) => void;

  constructor(
    private readonly redis: Redis,
    options: AuditLogOptions = {},
  ) {
    this.#requestCap = options.requestCap ?? REQUEST_MAX_ENTRIES;
    this.#securityCap = options.securityCap ?? SECURITY_MAX_ENTRIES;
    this.#echo = options.echo ?? ((entry) => securityLog.info({ audit: entry }, 'security event'));
  }

  async append(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    // A fix's result quotes host output: the trail is read by people too, so it is redacted like Slack.
    const detail = entry.detail === undefined ? {} : { detail: redactText(entry.detail) };
    const full = AuditEntry.parse({ ...entry, ...detail, at: new Date().toISOString() });
    const security = SECURITY_ACTIONS.has(full.action);
    // Echoed first: even when Redis refuses the write, the event is on record somewhere.
    if (security) this.#echo(full);
    const [stream, cap] = security ? [SECURITY_STREAM, this.#securityCap] : [REQUEST_STREAM, this.#requestCap];
    await this.redis.xadd(stream, 'MAXLEN', '~', cap, '*', 'entry', JSON.stringify(full));
  }

  /** Newest first, from one stream. An entry that no longer parses is shown as such rather than dropped. */
  async recentOf(stream: AuditStream, count: number): Promise<AuditEntry[]> {
    const rows = await this.redis.xrevrange(
      stream === 'security' ? SECURITY_STREAM : REQUEST_STREAM,
      '+',
      '-',
      'COUNT',
      count,
    );
    return rows.map(([id, fields]) => parseRow(id, fields));
  }

  /** Both streams merged, newest first. */
  async recent(count: number): Promise<AuditEntry[]> {
    const [security, requests] = await Promise.all([
      this.recentOf('security', count),
      this.recentOf('requests', count),
    ]);
    return [...security, ...requests].sort((a, b) => b.at.localeCompare(a.at)).slice(0, count);
  }
}

function parseRow(id: string, fields: string[]): AuditEntry {
  const parsed = AuditEntry.safeParse(safeJson(fields[1]));
  if (parsed.success) return parsed.data;
  return {
    at: new Date(Number(id.split('-')[0])).toISOString(),
    actor: '?',
    action: 'unreadable',
    detail: `entry ${id} no longer parses`,
  };
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
