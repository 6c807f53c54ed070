// Slack's rate limits as token buckets, answered the way Slack answers: HTTP 429 with a Retry-After
// header in whole seconds. Limits are per app and workspace, per method; chat.postMessage is limited
// per channel instead (about one message a second, with short bursts).

export interface RateRule {
  /** Sustained calls per minute. */
  perMinute: number;
  /** Calls allowed at once before the sustained rate applies. */
  burst: number;
  /** 'channel': one bucket per channel; 'app': one bucket for the method. */
  per: 'app' | 'channel';
}

/** 'slack': Slack's published tiers; 'off': no limits; or rules per method, laid over Slack's. */
export type RateLimitSetting = 'slack' | 'off' | Record<string, RateRule>;

const TIER_1: RateRule = { perMinute: 1, burst: 3, per: 'app' };
const TIER_2: RateRule = { perMinute: 20, burst: 5, per: 'app' };
const TIER_3: RateRule = { perMinute: 50, burst: 5, per: 'app' };
const TIER_4: RateRule = { perMinute: 100, burst: 10, per: 'app' };

/** api.slack.com/docs/rate-limits and each method's page. */
export const SLACK_RATE_RULES: Readonly<Record<string, RateRule>> = {
  'chat.postMessage': { perMinute: 60, burst: 4, per: 'channel' },
  'chat.update': TIER_3,
  'chat.delete': TIER_3,
  'chat.postEphemeral': TIER_4,
  'files.getUploadURLExternal': TIER_4,
  'files.completeUploadExternal': TIER_4,
  'auth.test': { perMinute: 100, burst: 20, per: 'app' },
  'apps.connections.open': TIER_1,
  'conversations.info': TIER_3,
  'conversations.join': TIER_3,
  'users.info': TIER_4,
  'conversations.list': TIER_2,
};

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  private readonly rules: Record<string, RateRule>;
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    setting: RateLimitSetting = 'slack',
    private readonly now: () => number = Date.now,
  ) {
    if (setting === 'off') this.rules = {};
    else if (setting === 'slack') this.rules = { ...SLACK_RATE_RULES };
    else this.rules = { ...SLACK_RATE_RULES, ...setting };
  }

  /** Takes one call of `method` (in `channel`); returns the seconds to wait when it is over the limit. */
  take(method: string, channel: string | undefined): number | undefined {
    const rule = this.rules[method];
    if (!rule) return undefined;
    const key = rule.per === 'channel' ? `${method}:${channel ?? ''}` : method;
    const now = this.now();
    const perMs = rule.perMinute / 60_000;
    const bucket = this.buckets.get(key) ?? { tokens: rule.burst, updatedAt: now };
    bucket.tokens = Math.min(rule.burst, bucket.tokens + (now - bucket.updatedAt) * perMs);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    // Slack's Retry-After is whole seconds, at least 1.
    return Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000));
  }
}
