import type { Severity } from './types.ts';

/** Percentages at which a usage becomes warn / crit (inclusive). */
export interface PercentThresholds {
  warn: number;
  crit: number;
}

export function severityForPercent(pct: number, thresholds: PercentThresholds): Severity {
  if (pct >= thresholds.crit) return 'crit';
  if (pct >= thresholds.warn) return 'warn';
  return 'ok';
}
