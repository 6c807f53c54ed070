import { pino } from 'pino';

// Fixed messages with fields: log.warn({ host, jobId }, 'host unreachable').
export const log = pino({
  name: 'dockmedic',
  level: process.env.LOG_LEVEL ?? (process.env.VITEST ? 'silent' : 'info'),
});
export type Logger = typeof log;
