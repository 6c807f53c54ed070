import type { AuditLog } from '../src/audit/log.ts';
import type { ConfigSource } from '../src/config/source.ts';
import type { CommandJob, FleetJob } from '../src/queue/payloads.ts';
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
