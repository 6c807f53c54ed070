import type { ApprovalStore } from '../src/approvals/store.ts';
import type { AuditLog } from '../src/audit/log.ts';
import type { ConfigSource } from '../src/config/source.ts';
import type { HostPool } from '../src/hosts/types.ts';
import type { FleetStore } from '../src/queue/fleetStore.ts';
import type { InFlight } from '../src/queue/inflight.ts';
import type { CommandJob } from '../src/queue/payloads.ts';
import type { PostLedger } from '../src/queue/postLedger.ts';
import type { AlertDeps } from '../src/slack/alertThreads.ts';
import type { SlackOut } from '../src/slack/client.ts';

export interface WorkerDeps {
  config: ConfigSource;
  pool: HostPool;
  slack: SlackOut;
  approvals: ApprovalStore;
  audit: AuditLog;
  fleets: FleetStore;
  /** The bot's "one identical request in flight" claims: cleared here when a job ends. */
  inflight: Pick<InFlight, 'release' | 'fleetFannedOut' | 'fleetHostEnded'>;
  /** What each job already posted, so a retry edits or skips instead of posting twice. */
  ledger: PostLedger;
  /** The monitor path: alert state, storm window and delivery. */
  alerts: AlertDeps;
  /** Fleet runs fan out one job per host through the same queue. */
  enqueueCommand(job: CommandJob): Promise<string>;
  /** A render of a fleet's summary and thread after `delayMs` (its own queue). */
  enqueueFleetRender(fleetId: string, delayMs: number): Promise<void>;
}
