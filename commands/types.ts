import type { Role } from '../src/approvals/policy.ts';
import type { CommandRequest, Reply } from '../src/slack/types.ts';

/** One `/docker` subcommand: parse, authorize and enqueue; its description is its help line. */
export interface Subcommand<S = unknown> {
  name: string;
  /** e.g. `diskcheck HOST` */
  usage: string;
  /** One line; also the help text. */
  description: string;
  minRole: Role;
  run(args: string[], request: CommandRequest, services: S): Promise<Reply>;
}
