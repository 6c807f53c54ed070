import type { HostConnection } from '../hosts/types.ts';

export const SEVERITIES = ['ok', 'info', 'warn', 'crit'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function worstSeverity(severities: Iterable<Severity>): Severity {
  let worst: Severity = 'ok';
  for (const severity of severities) {
    if (severityRank(severity) > severityRank(worst)) worst = severity;
  }
  return worst;
}

/** A fix the worker may offer as a button; params are validated again by the fix before use. */
export interface FixProposal {
  fix: string;
  label: string;
  params: Record<string, string | number | boolean>;
}

export interface Finding {
  check: string;
  severity: Severity;
  /** One line, worth reading on its own in a summary. */
  summary: string;
  detail?: string;
  /** Lines quoted from the evidence (command output, API fields) that back the finding. */
  evidence?: string[];
  fixes?: FixProposal[];
}

export interface CheckContext {
  conn: HostConnection;
  /** Evidence shared between checks of one run (docker info, df) is collected once. */
  memo<T>(key: string, collect: () => Promise<T>): Promise<T>;
}

export interface Check<E = unknown> {
  id: string;
  title: string;
  /**
   * True when the evidence comes from the Engine API: with dockerd down the runner reports such a
   * check as skipped (and dockerd's absence once), while shell-side checks still run.
   */
  needsDocker?: boolean;
  /** I/O: gather evidence over the host connection. */
  collect(ctx: CheckContext): Promise<E>;
  /** Pure: evidence in, findings out. Unit-tested on evidence captured from real hosts. */
  judge(evidence: E): Finding[];
}

export interface CheckResult<E = unknown> {
  check: string;
  durationMs: number;
  evidence?: E;
  findings: Finding[];
  /** Set when evidence could not be collected; findings then say so. */
  error?: {
    code: string;
    /** For logs. */
    message: string;
    /** What a user may read (the DockmedicError's userMessage). */
    userMessage?: string;
  };
}
