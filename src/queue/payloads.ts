import { z } from 'zod';
import { HostName } from '../config/schema.ts';

const SlackId = z.string().regex(/^[A-Z0-9]{2,24}$/);
const ResponseUrl = z.url({ protocol: /^https?$/ }).max(2000);

export const COMMAND_NAMES = ['diskcheck', 'doctor', 'check', 'ps', 'logs', 'prune', 'image-deps'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export const CheckId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'expected a check id like disk-usage');
/** A container name or id prefix as Docker allows them; resolved through the Engine API before use. */
export const ContainerRef = z
  .string()
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, 'expected a container name or id like web or 3f2a1b');
/** An image reference (name[:tag] or id); resolved through the Engine API before use. */
export const ImageRef = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9._/-]{0,200}(:[A-Za-z0-9_.-]{1,128})?$|^(sha256:)?[0-9a-f]{12,64}$/,
    'expected an image like nginx:1.25 or an image id',
  );

/** What each subcommand carries besides the host; validated again when read back from Redis. */
export const CommandArgs = z
  .object({
    checks: z.array(CheckId).min(1).max(30).optional(),
    container: ContainerRef.optional(),
    tail: z.number().int().min(1).max(5000).optional(),
    image: ImageRef.optional(),
  })
  .strict();
export type CommandArgs = z.infer<typeof CommandArgs>;

const RequestFields = {
  command: z.enum(COMMAND_NAMES),
  args: CommandArgs.default({}),
  requestId: z.string().regex(/^rq-[a-z0-9]{6,32}$/),
  userId: SlackId,
  channelId: SlackId,
  responseUrl: ResponseUrl.optional(),
  requestedAt: z.iso.datetime(),
};

/** One subcommand on one host, carried from the bot to a worker. */
export const CommandJob = z.object({
  ...RequestFields,
  host: HostName,
  /** Set when the job is one host of a fleet run: its result fills a row of the fleet summary. */
  fleetId: z
    .string()
    .regex(/^fl-[a-z0-9]{6,32}$/)
    .optional(),
});
export type CommandJob = z.input<typeof CommandJob>;
export type ParsedCommandJob = z.output<typeof CommandJob>;

/** A subcommand on `@group` or `all`: the worker posts the summary and fans out one CommandJob per host. */
export const FleetJob = z.object({
  ...RequestFields,
  target: z.string().regex(/^(all|@[a-z0-9][a-z0-9._-]{0,62})$/),
  hosts: z.array(HostName).min(1).max(1000),
});
export type FleetJob = z.input<typeof FleetJob>;

/** Bring a fleet's summary and thread up to date with its state in Redis. */
export const FleetRenderJob = z.object({
  fleetId: z.string().regex(/^fl-[a-z0-9]{6,32}$/),
});
export type FleetRenderJob = z.infer<typeof FleetRenderJob>;

/** An approved fix: everything else lives in the approval record, which is the single source of truth. */
export const FixJob = z.object({
  approvalId: z.string().regex(/^ap-[a-z0-9]{8,32}$/),
  /** Which approval of the record this job runs: a job of an earlier attempt does nothing. */
  attempt: z.number().int().min(1).max(1000),
});
export type FixJob = z.infer<typeof FixJob>;
