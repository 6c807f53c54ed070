// What people do to an alert, by button or by command: acknowledge it, silence it for a while, lift
// the silence. Each is one compare-and-set on the alert's state; the caller then posts the result's
// note in its thread and edits its root (src/slack/alertThreads.ts), so the channel sees who did what.

import type { AlertContext } from './engine.ts';
import { type AlertState, blankState } from './store.ts';

/**
 * What an operation decided: on success the new state, a reply for whoever asked, and the line the
 * Slack side posts in the alert's thread (src/slack/alertThreads.ts tellThread) before editing its root.
 */
export type OperationResult =
  | { ok: true; state: AlertState; message: string; done: OperationDone }
  | { ok: false; reason: string };

/** Who did what, for the line in the alert's thread (rendered by src/slack/render/alert.ts). */
export type OperationDone =
  | { kind: 'acknowledged'; by: string }
  | { kind: 'silenced'; by: string; durationMs: number; until: number }
  | { kind: 'unsilenced'; by: string };

export async function acknowledge(
  deps: AlertContext,
  host: string,
  check: string,
  userId: string,
): Promise<OperationResult> {
  let reason = '';
  const { after, changed } = await deps.store.update(host, check, (s) => {
    if (s?.status !== 'firing') {
      reason = `${host} ${check} is not firing`;
      return undefined;
    }
    if (s.acked) {
      reason = `it was already acknowledged by ${s.ackedBy ?? 'someone'}`;
      return undefined;
    }
    return { ...s, acked: true, ackedBy: userId };
  });
  if (!changed || !after) return { ok: false, reason };
  const done: OperationDone = { kind: 'acknowledged', by: userId };
  return { ok: true, state: after, message: `Acknowledged ${host} ${check}.`, done };
}

export async function silence(
  deps: AlertContext,
  host: string,
  check: string,
  durationMs: number,
  userId: string,
): Promise<OperationResult> {
  const now = deps.now?.() ?? Date.now();
  const until = now + durationMs;
  const { after } = await deps.store.update(host, check, (s) => ({
    ...(s ?? blankState(host, check, now)),
    silencedUntil: until,
    silencedBy: userId,
  }));
  if (!after) return { ok: false, reason: 'the alert state could not be written' };
  const done: OperationDone = { kind: 'silenced', by: userId, durationMs, until };
  return { ok: true, state: after, message: `Silenced ${host} ${check} until ${new Date(until).toISOString()}.`, done };
}

export async function unsilence(
  deps: AlertContext,
  host: string,
  check: string,
  userId: string,
): Promise<OperationResult> {
  let reason = '';
  const { after, changed } = await deps.store.update(host, check, (s) => {
    if (!s?.silencedUntil) {
      reason = `${host} ${check} is not silenced`;
      return undefined;
    }
    const { silencedUntil: _until, silencedBy: _by, ...rest } = s;
    return rest as AlertState;
  });
  if (!changed || !after) return { ok: false, reason };
  const done: OperationDone = { kind: 'unsilenced', by: userId };
  return { ok: true, state: after, message: `Lifted the silence on ${host} ${check}.`, done };
}
