// BullMQ 6 job ids may not be integers or contain ':', so ours are prefixed words joined by '-'.
export const QUEUE_PREFIX = 'dm';
export const COMMAND_QUEUE = 'commands';
export const FIX_QUEUE = 'fixes';
/** Job name (and scheduler id) of the approvals reconciler's runs in the fix queue. */
export const RECONCILE_JOB = 'reconcile-approvals';

/** One job per approval attempt: a second add of the same attempt is a no-op, a new approval a new job. */
export function fixJobId(approvalId: string, attempt: number): string {
  return `fix-${approvalId}-${attempt}`;
}
/** Job name of a fleet run's parent job in the command queue. */
export const FLEET_JOB = 'fleet';
/** Per-host monitor runs (job schedulers) and the storm window's flushes. */
export const MONITOR_QUEUE = 'monitor';
/** Renders of fleet summaries: apart from the command queue so they never wait behind 200 host jobs. */
export const FLEET_RENDER_QUEUE = 'fleet-render';
/** Scheduled prunes from `maintenance:`. */
export const MAINTENANCE_QUEUE = 'maintenance';
