// Turns one check's result into what a rule judges: a severity (and, for usage checks, the percentage
// behind it, so rule thresholds and hysteresis apply instead of the check's built-in marks). A result
// whose evidence could not be collected is `unknown`: it neither fires nor resolves an alert, so a
// flaky SSH link can never make a real problem look resolved.

import { getCheck } from '../checks/index.ts';
import type { CheckResult, Finding } from '../checks/types.ts';
import { worstFirst } from '../checks/types.ts';
import { type AlertSeverity, classifyPercent, type Rule } from './rules.ts';

export interface Observation {
  check: string;
  severity: AlertSeverity | 'unknown';
  /** The percentage judged, for usage checks. */
  value?: number;
  /** One line for the alert message: the worst finding's summary. */
  summary: string;
  /** The findings at warn or worse, for the message and its fix buttons. */
  findings: Finding[];
}

function alerting(findings: Finding[]): Finding[] {
  return worstFirst(findings.filter((finding) => finding.severity === 'warn' || finding.severity === 'crit'));
}

export function observe(result: CheckResult, rule: Rule, firing?: 'warn' | 'crit'): Observation {
  const findings = alerting(result.findings);
  const first = findings[0] ?? result.findings[0];
  if (result.error) {
    return { check: result.check, severity: 'unknown', summary: first?.summary ?? 'no evidence', findings: [] };
  }
  const percentOf = getCheck(result.check)?.percentOf;
  if (percentOf) {
    const worst = result.evidence === undefined ? undefined : percentOf(result.evidence);
    if (!worst) return { check: result.check, severity: 'unknown', summary: 'no filesystem reported', findings: [] };
    const severity = classifyPercent(worst.value, rule, firing);
    const about = result.findings.find((finding) => finding.summary.startsWith(`${worst.mount} `));
    return {
      check: result.check,
      severity,
      value: worst.value,
      summary: about?.summary ?? `${worst.mount} is ${worst.value}% used`,
      findings: about ? [{ ...about, severity: severity === 'ok' ? about.severity : severity }] : findings,
    };
  }
  const top = findings[0]?.severity;
  const severity: AlertSeverity = top === 'crit' ? 'crit' : top === 'warn' ? 'warn' : 'ok';
  return { check: result.check, severity, summary: first?.summary ?? 'no findings', findings };
}
