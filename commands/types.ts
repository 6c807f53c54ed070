import type { DockmedicConfig } from '../src/config/schema.ts';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** A `/docker …` invocation as Slack (or the console) delivered it. */
export interface CommandRequest {
  userId: string;
  channelId: string;
  /** Everything after `/docker`, untrusted. */
  text: string;
  responseUrl?: string;
}

/** What goes back to the person who typed the command (the ack). */
export interface Reply {
  text: string;
  blocks?: unknown[];
  /** Ephemeral by default: errors and acks are for the requester only. */
  inChannel?: boolean;
}

/** A button press on one of our messages. */
export interface ActionRequest {
  actionId: string;
  /** The button's value: an opaque id we issued, untrusted until looked up. */
  value: string;
  userId: string;
  channelId: string;
  messageTs?: string;
  threadTs?: string;
  responseUrl?: string;
}

export interface Subcommand<S = unknown> {
  name: string;
  /** e.g. `diskcheck HOST` */
  usage: string;
  /** One line; also the help text. */
  description: string;
  minRole: Role;
  run(args: string[], request: CommandRequest, services: S): Promise<Reply>;
}

export interface ConfigSource {
  current(): DockmedicConfig;
}
