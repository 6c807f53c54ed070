import type { AuditLog } from '../src/audit/log.ts';
import type { ConfigSource } from '../src/config/source.ts';
import type { InFlight } from '../src/queue/inflight.ts';
import type { CommandJob, FleetJob } from '../src/queue/payloads.ts';
import type { RateLimiter } from '../src/queue/rateLimit.ts';
import type { Schedules } from '../src/queue/schedulers.ts';
import type { AlertDeps } from '../src/slack/alertThreads.ts';
import type { Subcommand } from './types.ts';

/** What a subcommand may use: validate, authorize, enqueue. Never SSH or Docker. */
export interface CommandServices {
  config: ConfigSource;
  queues: {
    enqueueCommand(job: CommandJob): Promise<string>;
    enqueueFleet(job: FleetJob): Promise<string>;
  };
  audit: AuditLog;
  /** Who may queue what now: one identical request per person in flight, and a token bucket per user. */
  admission: {
    inflight: Pick<InFlight, 'claim' | 'release'>;
    rate: Pick<RateLimiter, 'take' | 'refund'>;
  };
  commands: readonly Subcommand<CommandServices>[];
  newRequestId(): string;
  /** Alerts and schedules, for alerts/silence/unsilence/schedule; absent where monitoring is not wired. */
  monitoring?: MonitoringServices;
}

export type DockerCommand = Subcommand<CommandServices>;

/** What `/docker alerts|silence|unsilence|schedule` use. */
export interface MonitoringServices {
  alerts: AlertDeps;
  schedules: Pick<Schedules, 'list'>;
  unknownChecks(): string[];
}
