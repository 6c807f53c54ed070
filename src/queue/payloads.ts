import { z } from 'zod';
import { HostName } from '../config/schema.ts';

const SlackId = z.string().regex(/^[A-Z0-9]{2,24}$/);
const ResponseUrl = z.url({ protocol: /^https?$/ }).max(2000);

/** A `/docker <command> HOST` request carried from the bot to a worker. Read back through this schema too. */
export const CommandJob = z.object({
  command: z.enum(['diskcheck']),
  host: HostName,
  requestId: z.string().regex(/^rq-[a-z0-9]{6,32}$/),
  userId: SlackId,
  channelId: SlackId,
  responseUrl: ResponseUrl.optional(),
  requestedAt: z.iso.datetime(),
});
export type CommandJob = z.infer<typeof CommandJob>;

/** An approved fix: everything else lives in the approval record, which is the single source of truth. */
export const FixJob = z.object({
  approvalId: z.string().regex(/^ap-[a-z0-9]{8,32}$/),
});
export type FixJob = z.infer<typeof FixJob>;
