import { z } from 'zod';
import { DockmedicError } from '../errors.ts';
import { Duration } from './duration.ts';
import { formatIssues } from './load.ts';

export const DockmedicEnv = z.object({
  SLACK_BOT_TOKEN: z.string().min(1).optional(),
  SLACK_APP_TOKEN: z.string().startsWith('xapp-', 'an app-level token starts with xapp-').optional(),
  SLACK_SIGNING_SECRET: z.string().min(1).optional(),
  SLACK_API_URL: z.url().optional(),
  /** `redis://[:password@]host:port[/db]`, `rediss://…`, or a unix socket `/path/redis.sock[?password=…]`. */
  REDIS_URL: z
    .string()
    .regex(/^(rediss?:\/\/|\/)/, 'expected redis://host:port or a unix socket path like /run/redis/redis.sock')
    .optional(),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Where PORT listens (see createSlackApp in src/slack/app.ts for the default and what it changes). */
  DOCKMEDIC_HTTP_HOST: z
    .string()
    .regex(/^[A-Za-z0-9.:_-]{1,253}$/, 'expected an address to listen on, like 127.0.0.1, 0.0.0.0 or ::')
    .optional(),
  DOCKMEDIC_CONFIG: z.string().min(1).optional(),
  /** How long a worker holds a job without renewing its lock; a dead worker's job moves on after it. */
  DOCKMEDIC_JOB_LOCK: Duration.optional(),
  /**
   * The secret the bot signs approvals with and the workers check them by (the same value on every
   * bot and worker). Required for `bot` and `worker` run apart; `start` makes one up when it is unset.
   */
  DOCKMEDIC_APPROVAL_SECRET: z
    .string()
    .min(16, 'expected at least 16 characters, e.g. `openssl rand -hex 32`')
    .optional(),
});
export type DockmedicEnv = z.infer<typeof DockmedicEnv>;

export function readEnv(env: NodeJS.ProcessEnv = process.env): DockmedicEnv {
  const picked = Object.fromEntries(
    Object.keys(DockmedicEnv.shape)
      .filter((key) => env[key] !== undefined && env[key] !== '')
      .map((key) => [key, env[key]]),
  );
  const result = DockmedicEnv.safeParse(picked);
  if (!result.success) {
    throw new DockmedicError('dm_config_invalid', `environment is not valid: ${formatIssues(result.error).join('; ')}`);
  }
  return result.data;
}

export type SlackMode = 'socket' | 'http' | 'none';

/** Socket Mode when an app token is set (no public URL needed), HTTP with a signing secret, else none. */
export function slackModeOf(env: DockmedicEnv): SlackMode {
  if (env.SLACK_BOT_TOKEN && env.SLACK_APP_TOKEN) return 'socket';
  if (env.SLACK_BOT_TOKEN && env.SLACK_SIGNING_SECRET) return 'http';
  return 'none';
}
