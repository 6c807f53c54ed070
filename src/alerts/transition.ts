// The alert state machine around the rule: which messages an observation leads to, given
// acknowledgements and silences. Pure (time and ids injected), so a worker can run it inside a
// compare-and-set retry loop.

import type { Observation } from './observe.ts';
import { type Rule, type RuleState, step } from './rules.ts';
import { type AlertEvent, type AlertState, blankState } from './store.ts';

export interface TransitionInput {
  host: string;
  observation: Observation;
  rule: Rule;
  now: number;
  newId: () => string;
}

function ruleStateOf(state: AlertState): RuleState {
  return {
    status: state.status,
    severity: state.severity,
    pendingSince: state.pendingSince,
    firedAt: state.firedAt,
    lastNotifiedAt: state.lastNotifiedAt,
    acked: state.acked,
  };
}

function silenced(state: AlertState, now: number): boolean {
  return state.silencedUntil !== undefined && state.silencedUntil > now;
}

/** The next state, or undefined when nothing changed (an unknown observation changes nothing). */
export function nextAlertState(prev: AlertState | undefined, input: TransitionInput): AlertState | undefined {
  const { observation, rule, now } = input;
  if (observation.severity === 'unknown') return undefined;
  const current = prev ?? blankState(input.host, observation.check, now);
  const { next, event } = step(ruleStateOf(current), observation.severity, rule, now);
  const state: AlertState = {
    ...current,
    ...next,
    status: next.status,
    summary: observation.summary,
    value: observation.value,
    outbox: [...current.outbox],
    updatedAt: now,
  };
  if (next.status === 'ok') {
    for (const key of ['severity', 'pendingSince', 'firedAt', 'lastNotifiedAt'] as const) delete state[key];
  }
  const quiet = silenced(current, now);
  const push = (kind: AlertEvent['kind'], extra: Partial<AlertEvent> = {}) =>
    state.outbox.push({
      id: input.newId(),
      kind,
      severity: state.severity,
      text: observation.summary,
      at: now,
      ...extra,
    });

  if (event === 'fire') {
    state.incident = current.incident + 1;
    state.acked = false;
    for (const key of ['ackedBy', 'threadTs', 'groupId', 'channel', 'resolvedAt'] as const) delete state[key];
    // A silenced alert fires without a message; the silence's expiry posts it if it still fires.
    if (!quiet) push('fire', { fixes: fixesOf(observation) });
  } else if (event === 'resolve') {
    state.resolvedAt = now;
    // Never drop a resolve of an alert people saw (or are about to see: its fire is still queued).
    if (current.threadTs || current.outbox.some((e) => e.kind === 'fire')) push('resolve', { severity: 'ok' });
  } else if (event && !quiet) {
    push(event);
  }
  if (current.silencedUntil !== undefined && !silenced(current, now)) expireSilence(state, push);
  if (!event && prev && prev.status === state.status && prev.silencedUntil === state.silencedUntil) {
    // Nothing to say: keep writes (and Redis traffic) down to what changed.
    if (prev.summary === state.summary && prev.value === state.value) return undefined;
  }
  return state;
}

function expireSilence(state: AlertState, push: (kind: AlertEvent['kind'], extra?: Partial<AlertEvent>) => void) {
  delete state.silencedUntil;
  delete state.silencedBy;
  if (state.status === 'firing' && !state.threadTs && !state.outbox.some((e) => e.kind === 'fire')) {
    push('fire', { text: `${state.summary} (the silence expired; it is still firing)` });
    return;
  }
  if (state.threadTs) {
    const still = state.status === 'firing' ? 'it is still firing' : 'it is not firing now';
    push('silence-expired', { text: `The silence expired by itself; ${still}.` });
  }
}

function fixesOf(observation: Observation): AlertEvent['fixes'] {
  const fixes = observation.findings.flatMap((finding) => finding.fixes ?? []);
  return fixes.length > 0 ? fixes.slice(0, 4) : undefined;
}
