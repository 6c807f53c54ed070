// Bolt, the WebClient and the Socket Mode client each want an @slack/logger Logger; this one writes
// to our pino log so one LOG_LEVEL governs everything and Slack's chatter stays in the same format.

import type { Logger as SlackLogger } from '@slack/bolt';
import { LogLevel } from '@slack/bolt';
import { log } from '../log.ts';

export function slackLogger(name: string): SlackLogger {
  let child = log.child({ component: name });
  const write =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...msg: unknown[]): void => {
      child[level]({ slack: msg.map((part) => (part instanceof Error ? part.message : part)) }, `${name} ${level}`);
    };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    // Slack libraries call setLevel with their own defaults; our LOG_LEVEL wins, so this is a no-op.
    setLevel: () => undefined,
    getLevel: () => toSlackLevel(log.level),
    setName: (next: string) => {
      child = log.child({ component: next });
    },
  };
}

function toSlackLevel(level: string): LogLevel {
  if (level === 'debug' || level === 'trace') return LogLevel.DEBUG;
  if (level === 'info') return LogLevel.INFO;
  if (level === 'warn') return LogLevel.WARN;
  return LogLevel.ERROR;
}
