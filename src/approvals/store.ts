import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { HostName } from '../config/schema.ts';
import { DockmedicError } from '../errors.ts';
import { getFix } from '../fixes/index.ts';
import { RISKS } from '../fixes/types.ts';
import {
  fitLabel,
  LABEL_MAX,
  PARAMS_JSON_MAX,
  paramsProblem,
  REQUEST_ID_MAX,
  RESULT_MAX,
  SLACK_ID_MAX,
} from './limits.ts';
import type { ApprovalSigner } from './signature.ts';

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

/** States in which a fix job should exist: the reconciler watches records that stay in them. */
export const OPEN_STATES: readonly ApprovalState[] = ['approved', 'running'];

/**
 * A record's params as read back from Redis: flat, and bounded as a whole. What each fix accepts is
 * checked by the fix's own schema when the record is created and again before it is approved or run.
 */
const FixParams = z
  .record(z.string().max(64), z.union([z.string(), z.number(), z.boolean()]))
  .refine((params) => JSON.stringify(params).length <= PARAMS_JSON_MAX, 'fix parameters are too large');

const Mac = z.string().regex(/^[0-9a-f]{64}$/);

/** An offered fix: created when a report is posted, decided once by a button, then run at most once. */
export const ApprovalRecord = z.object({
  id: z.string().regex(/^ap-[a-z0-9]{8,32}$/),
  fix: z.string().regex(/^[a-z0-9-]{1,64}$/),
  label: z.string().max(LABEL_MAX),
  risk: z.enum(RISKS),
  host: HostName,
  params: FixParams,
  requesterId: z.string().max(SLACK_ID_MAX),
  channelId: z.string().max(SLACK_ID_MAX),
  /** The message holding its buttons. */
  messageTs: z.string().max(SLACK_ID_MAX).optional(),
  /** The thread that message is in (its parent's ts; its own ts when it is top-level): results go there. */
  threadTs: z.string().max(SLACK_ID_MAX).optional(),
  requestId: z.string().max(REQUEST_ID_MAX),
  /** For a runbook (dangerous fix): which step this approval runs, from 0. */
  step: z.coerce.number().int().min(0).max(50).optional(),
  createdAt: z.coerce.number(),
  expiresAt: z.coerce.number(),
  state: z.enum(APPROVAL_STATES),
  /** How many times it was approved; the fix job of approval N is `fix-<id>-N`, so a re-approval is a new job. */
  attempt: z.coerce.number().int().min(0).max(1000).default(0),
  /** A monitor offer under the two-person rule: the first person who approved it, who asks to run it. */
  sponsorId: z.string().max(SLACK_ID_MAX).optional(),
  decidedBy: z.string().max(SLACK_ID_MAX).optional(),
  decidedAt: z.coerce.number().optional(),
  /** The fix job that moved it to `running`: only that job, handed over after its worker died, reports "unknown". */
  runner: z.string().max(128).optional(),
  startedAt: z.coerce.number().optional(),
  result: z.string().max(RESULT_MAX).optional(),
  offerMac: Mac.optional(),
  sponsorMac: Mac.optional(),
  approvalMac: Mac.optional(),
});
export type ApprovalRecord = z.infer<typeof ApprovalRecord>;

export type NewApproval = Pick<
  ApprovalRecord,
  'fix' | 'label' | 'risk' | 'host' | 'params' | 'requesterId' | 'channelId' | 'requestId' | 'step'
> & { ttlMs: number };

/** Fields a transition may set besides the state. */
export type TransitionFields = Partial<
  Pick<
    ApprovalRecord,
    | 'attempt'
    | 'sponsorId'
    | 'sponsorMac'
    | 'decidedBy'
    | 'decidedAt'
    | 'runner'
    | 'startedAt'
    | 'result'
    | 'approvalMac'
  >
>;

/** Fields that must hold these values for a transition to happen (undefined: the field must be absent). */
export type TransitionExpect = Partial<Record<'attempt' | 'sponsorId' | 'runner', string | number | undefined>>;

const KEY = (id: string) => `dm:approval:${id}`;
/** Ids of records in an open state (approved, running), scored by when they entered it. */
const OPEN_KEY = 'dm:approvals:open';
/** Records outlive their TTL so a late click can still be told what happened to them. */
const RETENTION_SECONDS = 7 * 24 * 3600;

// Compare-and-set in one round trip: two clicks, or two workers, cannot both win a transition.
// KEYS: record, open index. ARGV: from-states, id, now, n, n (field, expected) pairs, then (field, value) pairs.
const TRANSITION = `
local current = redis.call('HGET', KEYS[1], 'state')
if not current then return {0, ''} end
local allowed = false
for token in string.gmatch(ARGV[1], '[^,]+') do if token == current then allowed = true end end
if not allowed then return {0, current} end
local n = tonumber(ARGV[4])
for i = 0, n - 1 do
  local have = redis.call('HGET', KEYS[1], ARGV[5 + 2 * i]) or ''
  if have ~= ARGV[6 + 2 * i] then return {0, current} end
end
local to = current
for i = 5 + 2 * n, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  if ARGV[i] == 'state' then to = ARGV[i + 1] end
end
if to == 'approved' or to == 'running' then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
else
  redis.call('ZREM', KEYS[2], ARGV[2])
end
return {1, current}
`;

export function newApprovalId(): string {
  return `ap-${randomBytes(8).toString('hex')}`;
}

export class ApprovalStore {
  constructor(
    private readonly redis: Redis,
    /** Signs offers here, and tells the bot and the workers whether a record is one dockmedic made. */
    readonly signer: ApprovalSigner,
  ) {}

  /** A new pending record, signed. Refused (dm_approval_invalid) when the fix does not accept the params. */
  async create(input: NewApproval): Promise<ApprovalRecord> {
    const fix = getFix(input.fix);
    if (!fix) throw invalidOffer(`dockmedic does not know the fix "${input.fix}"`);
    const problem = paramsProblem(fix.params, input.params);
    if (problem) throw invalidOffer(`its parameters are not valid (${problem})`);
    const now = Date.now();
    const { ttlMs, ...rest } = input;
    const record = ApprovalRecord.parse({
      ...rest,
      label: fitLabel(rest.label),
      id: newApprovalId(),
      state: 'pending',
      attempt: 0,
      createdAt: now,
      expiresAt: now + ttlMs,
    });
    record.offerMac = this.signer.offerMac(record);
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
    const parsed = ApprovalRecord.safeParse({ ...raw, params: safeJson(raw.params ?? '{}') });
    if (parsed.success) return parsed.data;
    throw new DockmedicError('dm_approval_invalid', `approval record ${id} does not parse`, {
      userMessage: 'the record of this fix in Redis is not valid, so nothing was run; run the check again',
    });
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
   * Moves a record from one of `from` to `to` atomically, with extra fields, when the `expect`ed
   * fields hold. Returns `{ moved: false, state }` when it was not in `from` or a field differed.
   */
  async transition(
    id: string,
    from: readonly ApprovalState[],
    to: ApprovalState,
    fields: TransitionFields = {},
    expect: TransitionExpect = {},
  ): Promise<{ moved: boolean; state: ApprovalState | undefined }> {
    const expected = Object.entries(expect);
    const args: string[] = [from.join(','), id, String(Date.now()), String(expected.length)];
    for (const [key, value] of expected) args.push(key, value === undefined ? '' : String(value));
    args.push('state', to);
    for (const [key, value] of Object.entries(fields)) {
      if (value !== undefined) args.push(key, String(value));
    }
    const [moved, state] = (await this.redis.eval(TRANSITION, 2, KEY(id), OPEN_KEY, ...args)) as [number, string];
    const known = (APPROVAL_STATES as readonly string[]).includes(state) ? (state as ApprovalState) : undefined;
    return { moved: moved === 1, state: known };
  }

  /** Ids that entered an open state (approved, running) at or before `before` (ms), oldest first. */
  async openSince(before: number, limit = 100): Promise<string[]> {
    return await this.redis.zrangebyscore(OPEN_KEY, '-inf', before, 'LIMIT', 0, limit);
  }

  /** Forgets an id in the open index whose record is gone or no longer open. */
  async dropOpen(id: string): Promise<void> {
    await this.redis.zrem(OPEN_KEY, id);
  }
}

function invalidOffer(reason: string): DockmedicError {
  return new DockmedicError('dm_approval_invalid', `fix not offered: ${reason}`, { userMessage: reason });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
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
