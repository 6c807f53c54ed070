// What a failed Slack call means for the job that made it. Only trouble that passes is retried
// (network errors, 5xx, rate limits that outlasted the client's own waits); a refusal is final: posting
// the same thing again gets the same answer, and a retried job would run its host work again for
// nothing. Not being allowed in the channel gets its own code, so the requester can be told what to do.

import { DockmedicError } from '../errors.ts';

/** Slack's answers that no retry changes. */
export const NO_ACCESS_ERRORS = new Set(['not_in_channel', 'channel_not_found', 'is_archived']);
/** Slack's answers that say "later". */
const TRANSIENT_ERRORS = new Set([
  'ratelimited',
  'rate_limited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

export class SlackCallError extends DockmedicError {
  /** Slack's error string (`not_in_channel`…), or the kind of failure (`http_503`, `network`). */
  readonly slackError: string;
  readonly channel: string | undefined;

  constructor(
    code: 'dm_slack_no_access' | 'dm_slack_refused' | 'dm_slack_unavailable',
    slackError: string,
    doing: string,
    options: { cause: unknown; channel?: string; userMessage?: string },
  ) {
    super(code, `${doing}: ${slackError}`, {
      cause: options.cause,
      retryable: code === 'dm_slack_unavailable',
      userMessage:
        options.userMessage ?? `Slack refused a message from dockmedic (${slackError}); the details are in its log.`,
    });
    this.name = 'SlackCallError';
    this.slackError = slackError;
    this.channel = options.channel;
  }
}

export function isSlackCallError(error: unknown): error is SlackCallError {
  return error instanceof SlackCallError;
}

interface WebClientFailure {
  code?: string;
  statusCode?: number;
  message?: string;
  data?: { error?: string; needed?: string };
}

/** Turns what the WebClient threw into a SlackCallError that says whether to retry. */
export function slackFailure(error: unknown, doing: string, channel?: string): SlackCallError {
  const failure = (typeof error === 'object' && error !== null ? error : {}) as WebClientFailure;
  const options = { cause: error, channel };
  if (failure.code === 'slack_webapi_platform_error') {
    const slackError = failure.data?.error ?? 'unknown_error';
    if (NO_ACCESS_ERRORS.has(slackError)) return new SlackCallError('dm_slack_no_access', slackError, doing, options);
    if (TRANSIENT_ERRORS.has(slackError)) return new SlackCallError('dm_slack_unavailable', slackError, doing, options);
    if (slackError === 'missing_scope') {
      const needed = failure.data?.needed ?? 'a scope';
      return new SlackCallError('dm_slack_refused', slackError, doing, {
        ...options,
        userMessage: `dockmedic's Slack app lacks the \`${needed}\` permission: an admin must reinstall it from manifest.yml.`,
      });
    }
    return new SlackCallError('dm_slack_refused', slackError, doing, options);
  }
  if (failure.code === 'slack_webapi_http_error') {
    const status = failure.statusCode ?? 0;
    const code = status >= 500 || status === 429 ? 'dm_slack_unavailable' : 'dm_slack_refused';
    return new SlackCallError(code, `http_${status}`, doing, options);
  }
  if (failure.code === 'slack_webapi_request_error' || failure.code === 'slack_webapi_rate_limited_error') {
    return new SlackCallError('dm_slack_unavailable', failure.code.replace('slack_webapi_', ''), doing, options);
  }
  // The WebClient's own retries ran out on 429s: it throws a plain Error saying so.
  if (/rate limit was exceeded/i.test(failure.message ?? '')) {
    return new SlackCallError('dm_slack_unavailable', 'ratelimited', doing, options);
  }
  return new SlackCallError('dm_slack_refused', 'unexpected_error', doing, options);
}
