import type { Redis } from 'ioredis';
import { z } from 'zod';

const AUDIT_STREAM = 'dm:audit';
const AUDIT_MAX_ENTRIES = 100_000;

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

export const AuditEntry = z.object({
  at: z.iso.datetime(),
  actor: z.string().max(64),
  action: z.enum(AUDIT_ACTIONS),
  host: z.string().max(64).optional(),
  detail: z.string().max(2000).optional(),
  ref: z.string().max(64).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** Append-only: entries are only ever added (XADD) and read; the stream is capped, never edited. */
export class AuditLog {
  constructor(private readonly redis: Redis) {}

  async append(entry: Omit<AuditEntry, 'at'>): Promise<void> {
    const full = AuditEntry.parse({ ...entry, at: new Date().toISOString() });
    await this.redis.xadd(AUDIT_STREAM, 'MAXLEN', '~', AUDIT_MAX_ENTRIES, '*', 'entry', JSON.stringify(full));
  }

  /** Newest first. An entry that no longer parses is shown as such rather than dropped. */
  async recent(count: number): Promise<AuditEntry[]> {
    const rows = await this.redis.xrevrange(AUDIT_STREAM, '+', '-', 'COUNT', count);
    const entries: AuditEntry[] = [];
    for (const [id, fields] of rows) {
      const parsed = AuditEntry.safeParse(safeJson(fields[1]));
      entries.push(
        parsed.success
          ? parsed.data
          : {
              at: new Date(Number(id.split('-')[0])).toISOString(),
              actor: '?',
              action: 'unreadable',
              detail: `entry ${id} no longer parses`,
            },
      );
    }
    return entries;
  }
}

function safeJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
