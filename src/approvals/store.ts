import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { HostName } from '../config/schema.ts';
import { RISKS } from '../fixes/types.ts';

export const APPROVAL_STATES = [
  'pending',
  'approved',
  'running',
  'done',
  'failed',
  'unknown',
  'denied',
  'expired',
] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

const FixParams = z.record(z.string(), z.union([z.string().max(256), z.number(), z.boolean()]));

/** An offered fix: created when a report is posted, decided once by a button, then run at most once. */
export const ApprovalRecord = z.object({
  id: z.string().regex(/^ap-[a-z0-9]{8,32}$/),
  fix: z.string().regex(/^[a-z0-9-]{1,64}$/),
  label: z.string().max(200),
  risk: z.enum(RISKS),
  host: HostName,
  params: FixParams,
  requesterId: z.string().max(32),
  channelId: z.string().max(32),
  /** The message holding its buttons. */
  messageTs: z.string().max(32).optional(),
  /** The thread that message is in (its parent's ts; its own ts when it is top-level): results go there. */
  threadTs: z.string().max(32).optional(),
  requestId: z.string().max(64),
  /** For a runbook (dangerous fix): which step this approval runs, from 0. */
  step: z.coerce.number().int().min(0).max(50).optional(),
  createdAt: z.coerce.number(),
  expiresAt: z.coerce.number(),
  state: z.enum(APPROVAL_STATES),
  decidedBy: z.string().max(32).optional(),
  decidedAt: z.coerce.number().optional(),
  result: z.string().max(2000).optional(),
});
export type ApprovalRecord = z.infer<typeof ApprovalRecord>;

export type NewApproval = Omit<
  ApprovalRecord,
  'id' | 'state' | 'createdAt' | 'expiresAt' | 'messageTs' | 'threadTs'
> & {
  ttlMs: number;
};

const KEY = (id: string) => `dm:approval:${id}`;
/** Records outlive their TTL so a late click can still be told what happened to them. */
const RETENTION_SECONDS = 7 * 24 * 3600;

// Compare-and-set in one round trip: two clicks, or two workers, cannot both win a transition.
const TRANSITION = `
local current = redis.call('HGET', KEYS[1], 'state')
if not current then return {0, ''} end
local allowed = false
for token in string.gmatch(ARGV[1], '[^,]+') do if token == current then allowed = true end end
if not allowed then return {0, current} end
for i = 2, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
return {1, current}
`;

export function newApprovalId(): string {
  return `ap-${randomBytes(8).toString('hex')}`;
}

export class ApprovalStore {
  constructor(private readonly redis: Redis) {}

  async create(input: NewApproval): Promise<ApprovalRecord> {
    const now = Date.now();
    const { ttlMs, ...rest } = input;
    const record = ApprovalRecord.parse({
      ...rest,
      id: newApprovalId(),
      state: 'pending',
      createdAt: now,
      expiresAt: now + ttlMs,
    });
    await this.redis
      .multi()
      .hset(KEY(record.id), flatten(record))
      .expire(KEY(record.id), Math.ceil(ttlMs / 1000) + RETENTION_SECONDS)
      .exec();
    return record;
  }

  /** Undefined when there is no such record; a record that no longer parses is refused, not trusted. */
  async get(id: string): Promise<ApprovalRecord | undefined> {
    if (!/^ap-[a-z0-9]{8,32}$/.test(id)) return undefined;
    const raw = await this.redis.hgetall(KEY(id));
    if (Object.keys(raw).length === 0) return undefined;
    return ApprovalRecord.parse({ ...raw, params: JSON.parse(raw.params ?? '{}') });
  }

  /**
   * The message that shows these approvals' buttons, and the thread it is in: Slack threads only on a
   * parent's ts, so a reply's buttons keep their thread's parent for what is posted about them later.
   */
  async setMessage(ids: string[], messageTs: string, threadTs: string = messageTs): Promise<void> {
    if (ids.length === 0) return;
    const multi = this.redis.multi();
    for (const id of ids) multi.hset(KEY(id), 'messageTs', messageTs, 'threadTs', threadTs);
    await multi.exec();
  }

  /**
   * Moves a record from one of `from` to `to` atomically, with extra fields.
   * Returns the state it was in when it moved, or `{ moved: false, state }` when it was not in `from`.
   */
  async transition(
    id: string,
    from: readonly ApprovalState[],
    to: ApprovalState,
    fields: Partial<Pick<ApprovalRecord, 'decidedBy' | 'decidedAt' | 'result'>> = {},
  ): Promise<{ moved: boolean; state: ApprovalState | undefined }> {
    const args: string[] = [from.join(','), 'state', to];
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) args.push(key, String(value));
    }
    const [moved, state] = (await this.redis.eval(TRANSITION, 1, KEY(id), ...args)) as [number, string];
    const known = (APPROVAL_STATES as readonly string[]).includes(state) ? (state as ApprovalState) : undefined;
    return { moved: moved === 1, state: known };
  }
}

function flatten(record: ApprovalRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    out[key] = key === 'params' ? JSON.stringify(value) : String(value);
  }
  return out;
}
