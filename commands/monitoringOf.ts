import { DockmedicError } from '../src/errors.ts';
import type { CommandServices, MonitoringServices } from './services.ts';

/** The monitoring services, or a clear answer where this process was started without them. */
export function monitoringOf(services: CommandServices): MonitoringServices {
  if (services.monitoring) return services.monitoring;
  throw new DockmedicError('dm_internal', 'monitoring is not wired in this process', {
    userMessage: 'Monitoring is not running in this dockmedic; ask whoever runs it to start the bot with monitoring.',
  });
}
