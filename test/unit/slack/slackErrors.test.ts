import { describe, expect, it } from 'vitest';
import { slackFailure } from '../../../src/slack/slackErrors.ts';

const platform = (error: string, extra: Record<string, unknown> = {}) => ({
  code: 'slack_webapi_platform_error',
  data: { ok: false, error, ...extra },
});

describe('slackFailure', () => {
  it.each([
    ['not_in_channel', platform('not_in_channel'), 'dm_slack_no_access', false],
    ['channel_not_found', platform('channel_not_found'), 'dm_slack_no_access', false],
    ['is_archived', platform('is_archived'), 'dm_slack_no_access', false],
    ['invalid_blocks', platform('invalid_blocks'), 'dm_slack_refused', false],
    ['msg_blocks_too_long', platform('msg_blocks_too_long'), 'dm_slack_refused', false],
    ['msg_too_long', platform('msg_too_long'), 'dm_slack_refused', false],
    ['missing_scope', platform('missing_scope', { needed: 'files:write' }), 'dm_slack_refused', false],
    ['invalid_auth', platform('invalid_auth'), 'dm_slack_refused', false],
    ['internal_error', platform('internal_error'), 'dm_slack_unavailable', true],
    ['ratelimited in the body', platform('ratelimited'), 'dm_slack_unavailable', true],
    ['a network error', { code: 'slack_webapi_request_error' }, 'dm_slack_unavailable', true],
    ['HTTP 503', { code: 'slack_webapi_http_error', statusCode: 503 }, 'dm_slack_unavailable', true],
    ['HTTP 404', { code: 'slack_webapi_http_error', statusCode: 404 }, 'dm_slack_refused', false],
    [
      '429s that outlasted the client',
      new Error('A rate limit was exceeded (url: x, retry-after: 1)'),
      'dm_slack_unavailable',
      true,
    ],
    ['something else', new TypeError('x is not a function'), 'dm_slack_refused', false],
  ])('%s → %s, retryable %s', (_what, thrown, code, retryable) => {
    const failure = slackFailure(thrown, 'while posting', 'C0123456789');

    expect([failure.code, failure.retryable]).toEqual([code, retryable]);
    expect(failure.channel).toBe('C0123456789');
  });

  it('says which permission is missing and how to get it', () => {
    expect(slackFailure(platform('missing_scope', { needed: 'files:write' }), 'x').userMessage).toContain(
      '`files:write`',
    );
  });
});
