// What people do to an alert, by button or by command: acknowledge it, silence it for a while, lift
// the silence. Each is one compare-and-set on the alert's state, then a line in its thread and an
// edit of its root, so the channel sees who did what.

import { formatDuration } from '../format.ts';
import { mention } from '../slack/render/blocks.ts';
import { type AlertDeps, syncRoot } from './notify.ts';
import { type AlertState, blankState } from './store.ts';

export type OperationResult = { ok: true; state: AlertState; message: string } | { ok: false; reason: string };

async function tellThread(deps: AlertDeps, state: AlertState, text: string): Promise<void> {
  if (!state.threadTs || !state.channel) return;
  const prefix = state.groupId ? `*${state.host} · ${state.check}*: ` : '';
  await deps.slack.postMessage(state.channel, { text: `${prefix}${text}` }, { threadTs: state.threadTs });
  await syncRoot(deps, state);
}

export async function acknowledge(
  deps: AlertDeps,
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
  await tellThread(deps, after, `👀 Acknowledged by ${mention(userId)}: no more repeats for this incident.`);
  return { ok: true, state: after, message: `Acknowledged ${host} ${check}.` };
}

export async function silence(
  deps: AlertDeps,
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
  const text =
    `🔕 Silenced by ${mention(userId)} for ${formatDuration(durationMs)} (until ${new Date(until).toISOString()}). ` +
    'It expires by itself; this thread will say so.';
  await tellThread(deps, after, text);
  return { ok: true, state: after, message: `Silenced ${host} ${check} until ${new Date(until).toISOString()}.` };
}

export async function unsilence(
  deps: AlertDeps,
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
  await tellThread(deps, after, `🔔 Silence lifted by ${mention(userId)}.`);
  return { ok: true, state: after, message: `Lifted the silence on ${host} ${check}.` };
}
