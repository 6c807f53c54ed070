// One error type for everything dockmedic reports. Only `userMessage` ever reaches Slack: the
// message and cause are for logs. `retryable` decides whether a queue job is tried again
// (connection trouble is; a refused host key or a bad argument is not).

export const ERROR_CODES = [
  'dm_config_invalid',
  'dm_bad_arguments',
  'dm_unknown_command',
  'dm_unknown_host',
  'dm_forbidden',
  'dm_rate_limited',
  'dm_already_running',
  'dm_job_timeout',
  'dm_answer_too_large',
  'dm_host_unreachable',
  'dm_host_timeout',
  'dm_host_key_mismatch',
  'dm_auth_failed',
  'dm_command_failed',
  'dm_docker_unavailable',
  'dm_queue_unavailable',
  'dm_approval_invalid',
  'dm_fix_failed',
  'dm_payload_invalid',
  /** Slack will not let the bot post there (not_in_channel, channel_not_found, is_archived): never retried. */
  'dm_slack_no_access',
  /** Slack refused the call for good (invalid_blocks, missing_scope, msg_too_long…): never retried. */
  'dm_slack_refused',
  /** Slack could not be reached, answered 5xx, or kept rate limiting: retried. */
  'dm_slack_unavailable',
  'dm_internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface DockmedicErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  /** Text safe to show to a user; defaults to the message. */
  userMessage?: string;
}

export class DockmedicError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: DockmedicErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DockmedicError';
    this.code = code;
    this.userMessage = options.userMessage ?? message;
    this.retryable = options.retryable ?? false;
  }
}

export function isDockmedicError(error: unknown): error is DockmedicError {
  return error instanceof DockmedicError;
}

/** The text a user may see for any error: ours speak for themselves, foreign ones do not leak. */
export function userMessageOf(error: unknown): string {
  if (isDockmedicError(error)) return error.userMessage;
  return 'Something went wrong inside dockmedic; the details are in its log.';
}

export function errorCodeOf(error: unknown): ErrorCode {
  return isDockmedicError(error) ? error.code : 'dm_internal';
}
