// Alert rules as pure functions of (previous state, observation, rule, now): `for` (a condition must
// hold that long before it fires), hysteresis (a firing alert clears only below the `clear` mark, and
// crit falls back to warn only the same margin below crit), and `repeat` (re-notify while firing and
// nobody acknowledged). Time is injected so tables of sequences can test them.

import { getCheck } from '../checks/index.ts';
import { ruleOverridesOf } from '../config/monitorSettings.ts';
import type { DockmedicConfig, HostConfig, RuleConfig } from '../config/schema.ts';

export type AlertSeverity = 'ok' | 'warn' | 'crit';
export type AlertStatus = 'ok' | 'pending' | 'firing';

/** A rule with every default filled in; thresholds matter only for checks that yield a percentage. */
export interface Rule {
  warn: number;
  crit: number;
  clear: number;
  forMs: number;
  repeatMs: number;
}

/** What the rule engine remembers between observations. */
export interface RuleState {
  status: AlertStatus;
  /** The severity it fired with (or changed to) while firing. */
  severity?: 'warn' | 'crit';
  pendingSince?: number;
  firedAt?: number;
  lastNotifiedAt?: number;
  /** Acknowledged alerts do not repeat; severity changes and the resolve still reach the thread. */
  acked?: boolean;
}

export type RuleEvent = 'fire' | 'severity' | 'repeat' | 'resolve';

export interface RuleStep {
  next: RuleState;
  event?: RuleEvent;
}

// The playbook's defaults (docs/checks.md): ≥80 % warn, ≥90 % crit; clear 5 points under warn (the DESIGN example's 75).
const BASE_RULE: Rule = { warn: 80, crit: 90, clear: 75, forMs: 120_000, repeatMs: 4 * 3_600_000 };

function merge(rule: Rule, config: RuleConfig | undefined): Rule {
  if (!config) return rule;
  const merged: Rule = {
    warn: config.warn ?? rule.warn,
    crit: config.crit ?? rule.crit,
    clear: config.clear ?? rule.clear,
    forMs: config.for ?? rule.forMs,
    repeatMs: config.repeat ?? rule.repeatMs,
  };
  // A warn moved without its clear keeps the same 5-point band below it.
  if (config.warn !== undefined && config.clear === undefined) merged.clear = Math.max(0, merged.warn - 5);
  return merged;
}

/** Defaults < the check's own rule defaults (checks/<id>.ts) < global `monitor.rules` < the host's group's < the host's own. */
export function resolveRule(config: DockmedicConfig, host: HostConfig | undefined, check: string): Rule {
  let rule: Rule = { ...BASE_RULE, ...getCheck(check)?.rule };
  for (const layer of ruleOverridesOf(config, host, check)) rule = merge(rule, layer);
  return rule;
}

/**
 * A percentage into a severity, with hysteresis against the severity the alert is firing with:
 * firing crit stays crit down to crit − (warn − clear); firing at all stays warn down to `clear`.
 */
export function classifyPercent(value: number, rule: Rule, firing?: 'warn' | 'crit'): AlertSeverity {
  const margin = Math.max(0, rule.warn - rule.clear);
  if (value >= rule.crit) return 'crit';
  if (firing === 'crit' && value >= rule.crit - margin) return 'crit';
  if (value >= rule.warn) return 'warn';
  if (firing && value > rule.clear) return 'warn';
  return 'ok';
}

/** One observation through the rule: at most one event, which the notifier turns into a message. */
export function step(prev: RuleState, observed: AlertSeverity, rule: Rule, now: number): RuleStep {
  if (prev.status === 'firing') return stepFiring(prev, observed, rule, now);
  if (observed === 'ok') return { next: { status: 'ok' } };
  const pendingSince = prev.status === 'pending' && prev.pendingSince !== undefined ? prev.pendingSince : now;
  if (now - pendingSince < rule.forMs) return { next: { status: 'pending', pendingSince } };
  return {
    next: { status: 'firing', severity: observed, pendingSince, firedAt: now, lastNotifiedAt: now, acked: false },
    event: 'fire',
  };
}

function stepFiring(prev: RuleState, observed: AlertSeverity, rule: Rule, now: number): RuleStep {
  if (observed === 'ok') return { next: { status: 'ok' }, event: 'resolve' };
  if (observed !== prev.severity) {
    return { next: { ...prev, severity: observed, lastNotifiedAt: now }, event: 'severity' };
  }
  const last = prev.lastNotifiedAt ?? prev.firedAt ?? now;
  if (!prev.acked && rule.repeatMs > 0 && now - last >= rule.repeatMs) {
    return { next: { ...prev, lastNotifiedAt: now }, event: 'repeat' };
  }
  return { next: prev };
}
