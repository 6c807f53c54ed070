import type { EvidenceContext } from '../evidence/context.ts';
import type { FixProposal } from '../fixes/types.ts';

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

export interface Check<E = unknown> {
  id: string;
  title: string;
  /** I/O: gather evidence over the host connection. */
  collect(ctx: EvidenceContext): Promise<E>;
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
