import { type DestinationStream, pino } from 'pino';
import { redactDeep } from './redact.ts';

/**
 * Fields that may hold a secret or a user's payload, wherever a log call puts them: tokens, passwords,
 * Authorization headers (the Slack Web API's errors carry their request), request bodies, and Redis
 * URLs (the embedded one carries its password). `*` matches one level of nesting.
 */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'botToken',
  '*.botToken',
  'appToken',
  '*.appToken',
  'signingSecret',
  '*.signingSecret',
  'password',
  '*.password',
  'requirepass',
  'redisUrl',
  '*.redisUrl',
  'url',
  'REDIS_URL',
  '*.REDIS_URL',
  'SLACK_BOT_TOKEN',
  '*.SLACK_BOT_TOKEN',
  'SLACK_APP_TOKEN',
  '*.SLACK_APP_TOKEN',
  'SLACK_SIGNING_SECRET',
  '*.SLACK_SIGNING_SECRET',
  'headers.authorization',
  'headers.Authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'err.config.headers',
  'err.config.data',
  'err.request',
  'req.body',
  '*.req.body',
  'body',
  'payload',
  '*.payload',
  'privateKey',
  '*.privateKey',
];

export const REDACTED = '[redacted]';

function level(): string {
  return process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info');
}

/** Every logger of dockmedic: JSON lines, secrets redacted. `destination` is for tests (default stdout). */
export function createLogger(name: string, levelName: string, destination?: DestinationStream) {
  const options = {
    name,
    level: levelName,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    // Host output reaches logs inside error messages and fields: the same redaction as Slack's.
    formatters: { log: (fields: Record<string, unknown>) => redactDeep(fields) },
    // The standard serializer builds on its own prototype; spread into a plain object so it is walked.
    serializers: { err: (error: Error) => redactDeep({ ...pino.stdSerializers.err(error) }) },
  };
  return destination ? pino(options, destination) : pino(options);
}

// Fixed messages with fields: log.warn({ host, jobId }, 'host unreachable').
export const log = createLogger('dockmedic', level());
export type Logger = typeof log;

/**
 * Security events of the audit trail (src/audit/log.ts), one JSON line each on stdout. Its own
 * logger, so a quiet LOG_LEVEL=warn does not silence them.
 */
export const securityLog = createLogger('dockmedic-audit', process.env.VITEST ? 'silent' : 'info');
