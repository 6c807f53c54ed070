import type { EvidenceContext } from '../evidence/context.ts';
import type { Fix, FixProposal } from '../fixes/types.ts';

export const SEVERITIES = ['ok', 'info', 'warn', 'crit'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Worst first; within a severity, the order given (the order the checks ran in). Array sort is stable. */
export function worstFirst(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
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

/** Alert rule fields a check may set for itself; the rest come from the base rule (alerts/rules.ts). */
export interface RuleDefaults {
  warn?: number;
  crit?: number;
  clear?: number;
  forMs?: number;
  repeatMs?: number;
}

/** What docs/checks.md says about a check (scripts/checksDoc.ts writes it from the registry). */
export interface CheckDoc {
  /** Sections of the field guide the check comes from (the troubles are named in docs/checks.md). */
  seed: readonly number[];
  /** What it reads on the host. */
  evidence: string;
  /** What it reports, at which thresholds. */
  rule: string;
  /** Advice it gives where no fix can be run (recreating a container, upgrading a kernel). */
  advice?: string;
}

export interface Check<E = unknown> {
  id: string;
  title: string;
  doc: CheckDoc;
  /** The fixes its findings may propose (through each fix's own `propose…`). */
  offers?: readonly Pick<Fix, 'id' | 'title' | 'risk'>[];
  /** Part of `/docker diskcheck`, which shows its checks in registry order. */
  diskcheck?: boolean;
  /** Its evidence feeds the filesystems / logs / reclaimable summary of a report. */
  diskSummary?: boolean;
  /** Monitored when `monitor.checks` is not set. */
  monitorByDefault?: boolean;
  /** Alert rule defaults of its own (daemon-health fires at once). */
  rule?: RuleDefaults;
  /**
   * For checks judged by a percentage: the worst value and the mount it is about. Alerts then apply
   * the rule's warn/crit/clear to it (with hysteresis) instead of the check's built-in marks.
   */
  percentOf?(evidence: E): { value: number; mount: string } | undefined;
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
