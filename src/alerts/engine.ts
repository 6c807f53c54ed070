// One monitor run's results through the rules: per check, one compare-and-set transition of its
// alert state, then delivery of whatever that left in the outbox. A host that cannot be reached is
// judged as its own pseudo-check (`reachability`) and its other alerts are left as they are: no
// evidence is not good news, so nothing resolves for lack of it.

import type { CheckResult } from '../checks/types.ts';
import type { HostConfig } from '../config/schema.ts';
import type { ConfigSource } from '../config/source.ts';
import { userMessageOf } from '../errors.ts';
import { log } from '../log.ts';
import { type Observation, observe } from './observe.ts';
import { resolveRule } from './rules.ts';
import { type AlertEvent, type AlertState, type AlertStore, newEventId } from './store.ts';
import { nextAlertState } from './transition.ts';

export const REACHABILITY_CHECK = 'reachability';

/** What deciding alert state needs: the state store and the config in force (time injectable for tests). */
export interface AlertContext {
  store: AlertStore;
  config: ConfigSource;
  now?: () => number;
}

/** Called for each new fire before it is delivered: the watchdog adds its bundle and may act. */
export type OnFire = (state: AlertState, event: AlertEvent) => Promise<Partial<AlertEvent> | undefined>;

export interface HostRun {
  host: HostConfig;
  /** Check results, or the reason the host could not be reached. */
  results?: CheckResult[];
  unreachable?: unknown;
}

function observations(run: HostRun, firing: (check: string) => 'warn' | 'crit' | undefined, deps: AlertContext) {
  const config = deps.config.current();
  const list: Array<{ check: string; observe: (firing?: 'warn' | 'crit') => Observation }> = [];
  const reach: Observation = run.unreachable
    ? {
        check: REACHABILITY_CHECK,
        severity: 'crit',
        summary: `${run.host.name} cannot be reached: ${userMessageOf(run.unreachable)}`,
        findings: [],
      }
    : { check: REACHABILITY_CHECK, severity: 'ok', summary: `${run.host.name} answers over SSH`, findings: [] };
  list.push({ check: REACHABILITY_CHECK, observe: () => reach });
  for (const result of run.results ?? []) {
    const rule = resolveRule(config, run.host, result.check);
    list.push({ check: result.check, observe: (f) => observe(result, rule, f ?? firing(result.check)) });
  }
  return list;
}

/** Observes one host run through the rules; returns the alerts whose outbox now has something to deliver. */
export async function evaluateHost(deps: AlertContext, run: HostRun, onFire?: OnFire): Promise<AlertState[]> {
  const now = deps.now?.() ?? Date.now();
  const config = deps.config.current();
  const host = run.host.name;
  const changed: AlertState[] = [];
  for (const item of observations(run, () => undefined, deps)) {
    const rule = resolveRule(config, run.host, item.check);
    const { before, after } = await deps.store.update(host, item.check, (prev) =>
      nextAlertState(prev, {
        host,
        observation: item.observe(prev?.status === 'firing' ? prev.severity : undefined),
        rule,
        now,
        newId: newEventId,
      }),
    );
    if (!after) continue;
    const known = new Set(before?.outbox.map((event) => event.id) ?? []);
    const fresh = after.outbox.filter((event) => event.kind === 'fire' && !known.has(event.id));
    for (const event of fresh) await enrich(deps, after, event, onFire);
    if (after.outbox.length > 0) changed.push(after);
  }
  return changed;
}

async function enrich(deps: AlertContext, state: AlertState, event: AlertEvent, onFire: OnFire | undefined) {
  if (!onFire) return;
  const extra = await onFire(state, event).catch((error: unknown) => {
    log.warn({ err: error, host: state.host, check: state.check }, 'fire hook failed');
    return undefined;
  });
  if (!extra) return;
  await deps.store.update(state.host, state.check, (s) => {
    if (!s) return undefined;
    return { ...s, outbox: s.outbox.map((e) => (e.id === event.id ? { ...e, ...extra } : e)) };
  });
}

/** A note in the alert's thread (what the watchdog did), after whatever is already waiting. */
export async function appendNote(deps: AlertContext, host: string, check: string, text: string): Promise<void> {
  const now = deps.now?.() ?? Date.now();
  await deps.store.update(host, check, (s) =>
    s ? { ...s, outbox: [...s.outbox, { id: newEventId(), kind: 'note', text, at: now }] } : undefined,
  );
}
