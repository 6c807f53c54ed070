import type { AuditLog } from '../src/audit/log.ts';
import type { MonitoringServices } from '../src/monitoring.ts';
import type { CommandJob, FleetJob } from '../src/queue/payloads.ts';
import type { ConfigSource, Subcommand } from './types.ts';

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
