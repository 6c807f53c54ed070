import type { Offer } from '../../src/approvals/offer.ts';
import type { Severity } from '../../src/checks/types.ts';
import type { FixProposal } from '../../src/fixes/types.ts';
import type { HostConnection } from '../../src/hosts/types.ts';
import type { ParsedCommandJob } from '../../src/queue/payloads.ts';
import type { WorkerDeps } from '../deps.ts';

export interface JobContext {
  conn: HostConnection;
  job: ParsedCommandJob;
  deps: WorkerDeps;
}

export interface Rendered {
  text: string;
  blocks: unknown[];
}

/** What one subcommand found on one host; the worker offers the fixes and posts the message. */
export interface JobOutcome {
  /** For fleet rows and the ack update. */
  worst: Severity;
  /** One line for a fleet summary row. */
  headline: string;
  /** A few more lines for the fleet's thread (the next findings after the headline). */
  highlights?: string[];
  /** Fixes to offer; each becomes an approval record and a button. */
  proposals: FixProposal[];
  /** The full message, given the buttons of the offered fixes and the proposals that could not be offered. */
  render(offer: Offer): Rendered;
  /** In a fleet run, post this host's full message in the summary's thread even when it is only info. */
  detailInFleet?: boolean;
  /** True when the host could not be reached at all (a fleet row says so). */
  unreachable?: boolean;
  /** Further messages for the thread of the posted one (details, long output). */
  thread?: Rendered[];
  /** Text files uploaded into the thread of the posted message (e.g. a long log), already redacted. */
  files?: OutcomeFile[];
}

export interface OutcomeFile {
  title: string;
  filename: string;
  content: string;
}

/** The worker side of one subcommand: I/O over the host connection, nothing Slack-specific but rendering. */
export type JobHandler = (ctx: JobContext) => Promise<JobOutcome>;
