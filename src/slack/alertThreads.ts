// Delivers what alert transitions left in their outbox: fires go through the channel's storm window,
// everything else goes in the alert's thread, in order (a thread reply waits for its root). Each
// delivery is claimed first so two workers never post it twice, and removed from the outbox only
// after Slack took it, so a worker dying in between leaves it for the next run: no lost resolve.

import { createHash } from 'node:crypto';
import type { AlertContext } from '../alerts/engine.ts';
import type { OperationResult } from '../alerts/operations.ts';
import { type AlertEvent, type AlertState, newEventId } from '../alerts/store.ts';
import { GROUP_AT, type StormWindow, type WindowEntry } from '../alerts/storm.ts';
import { type Offer, offerFixes } from '../approvals/offer.ts';
import { MONITOR_REQUESTER } from '../approvals/policy.ts';
import type { ApprovalStore } from '../approvals/store.ts';
import { userMessageOf } from '../errors.ts';
import { log } from '../log.ts';
import type { SlackOut } from './client.ts';
import { renderAlertEvent, renderAlertRoot, renderGroupRoot, renderOperationNote } from './render/alert.ts';
import { notOfferedLine } from './render/approval.ts';

/** The alert context plus what delivery needs: Slack, approvals for fix buttons, the storm window. */
export interface AlertDeps extends AlertContext {
  slack: SlackOut;
  approvals: ApprovalStore;
  storm: StormWindow;
}

/** A claim outlives any single Slack call (with its 429 retries); then a dead claimer's work is redone. */
const CLAIM_MS = 60_000;

export function channelFor(deps: Pick<AlertDeps, 'config'>, host: string): string | undefined {
  const config = deps.config.current();
  return config.hosts.find((candidate) => candidate.name === host)?.channel ?? config.monitor.channel;
}

function without(state: AlertState, eventId: string, patch: Partial<AlertState> = {}): AlertState {
  return { ...state, ...patch, outbox: state.outbox.filter((event) => event.id !== eventId) };
}

/** Posts or queues what is waiting in this alert's outbox, oldest first. */
export async function deliver(deps: AlertDeps, host: string, check: string): Promise<void> {
  const now = deps.now?.() ?? Date.now();
  for (let guard = 0; guard < 20; guard += 1) {
    const state = await deps.store.get(host, check);
    const event = state?.outbox[0];
    if (!state || !event) return;
    const channel = state.channel ?? channelFor(deps, host);
    if (!channel) {
      // No channel configured: the state is kept (alerts, /metrics) but there is nowhere to post.
      log.warn({ host, check, kind: event.kind }, 'no alert channel for host; not posting');
      await deps.store.update(host, check, (s) => (s ? without(s, event.id) : undefined));
      continue;
    }
    if (event.kind === 'fire') {
      await queueFire(deps, state, event, channel, now);
      return;
    }
    if (!state.threadTs) {
      // A thread reply with no root: the fire is still on its way (wait), or was never posted (drop).
      if (state.outbox.some((e) => e.kind === 'fire')) return;
      await deps.store.update(host, check, (s) => (s ? without(s, event.id) : undefined));
      continue;
    }
    if (!(await deps.store.claim(event.id, CLAIM_MS))) return;
    const prefix = state.groupId ? `${host} · ${check}` : '';
    await deps.slack.postMessage(channel, renderAlertEvent(event, state, prefix), {
      threadTs: state.threadTs,
    });
    const { after } = await deps.store.update(host, check, (s) => (s ? without(s, event.id) : undefined));
    if (after && ['resolve', 'severity', 'silence-expired'].includes(event.kind)) await syncRoot(deps, after);
  }
}

async function queueFire(deps: AlertDeps, state: AlertState, event: AlertEvent, channel: string, now: number) {
  const fresh = event.queuedAt !== undefined && now - event.queuedAt < deps.storm.windowMs + CLAIM_MS;
  if (fresh) return;
  const { changed } = await deps.store.update(state.host, state.check, (s) => {
    const current = s?.outbox[0];
    if (!s || current?.id !== event.id || current.queuedAt !== event.queuedAt) return undefined;
    return { ...s, outbox: [{ ...current, queuedAt: now }, ...s.outbox.slice(1)] };
  });
  if (changed) await deps.storm.add(channel, { host: state.host, check: state.check, eventId: event.id });
}

/** Delivers what an evaluation left in these alerts' outboxes; a failure is retried on the next run. */
export async function deliverAll(deps: AlertDeps, states: readonly AlertState[]): Promise<void> {
  for (const state of states) {
    await deliver(deps, state.host, state.check).catch((error: unknown) =>
      log.warn({ err: error, host: state.host, check: state.check }, 'alert delivery failed; retried next run'),
    );
  }
}

/** After an acknowledge, silence or unsilence: who did what in the alert's thread, then its root edited. */
export async function tellThread(deps: AlertDeps, done: OperationResult): Promise<void> {
  if (!done.ok) return;
  const { state } = done;
  if (!state.threadTs || !state.channel) return;
  const prefix = state.groupId ? `*${state.host} · ${state.check}*: ` : '';
  const text = `${prefix}${renderOperationNote(done.done)}`;
  await deps.slack.postMessage(state.channel, { text }, { threadTs: state.threadTs });
  await syncRoot(deps, state);
}

/**
 * The flush of a channel's storm window: a few roots, or one grouped root. One alert that cannot be
 * posted never holds back the others: it is logged, said in the channel once, and its fire stays in
 * its outbox, so it is queued again on a later run.
 */
export async function flushWindow(deps: AlertDeps, channel: string): Promise<number> {
  const entries = await deps.storm.take(channel);
  if (entries.length === 0) return 0;
  if (entries.length < GROUP_AT) {
    let posted = 0;
    for (const entry of entries) {
      try {
        await postRoot(deps, channel, entry);
        posted += 1;
      } catch (error) {
        await tellNotPosted(deps, channel, [entry], error);
      }
    }
    return posted;
  }
  try {
    await postGroup(deps, channel, entries);
    return 1;
  } catch (error) {
    await tellNotPosted(deps, channel, entries, error);
    return 0;
  }
}

/** Logs alerts that could not be posted and says so in their channel, once per fire event. */
async function tellNotPosted(deps: AlertDeps, channel: string, entries: WindowEntry[], error: unknown) {
  const [entry] = entries;
  if (!entry) return;
  const names = entries.map((e) => `${e.host} · ${e.check}`);
  log.error({ err: error, alerts: names.slice(0, 20), channel }, 'alert not posted; retried on a later run');
  const first = await deps.store.claim(`${entry.eventId}-unposted`, 24 * 3600_000).catch(() => false);
  if (!first) return;
  const what =
    entries.length === 1
      ? `the alert for \`${entry.host}\` · ${entry.check}`
      : `the grouped alert for ${entries.length} alerts (${names.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''})`;
  const text = `⚠️ dockmedic could not post ${what}: ${userMessageOf(error)} It tries again on a later run.`;
  await deps.slack
    .postMessage(channel, { text })
    .catch((err: unknown) => log.warn({ err, host: entry.host, check: entry.check }, 'could not say so either'));
}

/**
 * The request id of a monitor offer: fixed length whatever the host and check are called (a host name
 * may be 63 characters), and the same for every offer of one incident.
 */
export function alertRequestId(state: Pick<AlertState, 'host' | 'check' | 'incident'>): string {
  const digest = createHash('sha256').update(`${state.host}\0${state.check}\0${state.incident}`).digest('hex');
  return `alert-${digest.slice(0, 16)}`;
}

async function offerFor(deps: AlertDeps, state: AlertState, event: AlertEvent, channel: string): Promise<Offer> {
  if (!event.fixes || event.fixes.length === 0) return { offered: [], notOffered: [] };
  return await offerFixes(deps.approvals, event.fixes, {
    host: state.host,
    requesterId: MONITOR_REQUESTER,
    channelId: channel,
    requestId: alertRequestId(state),
    ttlMs: deps.config.current().access.approvalTtl,
  });
}

async function postRoot(deps: AlertDeps, channel: string, entry: WindowEntry): Promise<void> {
  const state = await deps.store.get(entry.host, entry.check);
  const event = state?.outbox.find((e) => e.id === entry.eventId && e.kind === 'fire');
  if (!state || !event || !(await deps.store.claim(event.id, CLAIM_MS))) return;
  const { offered, notOffered } = await offerFor(deps, state, event, channel);
  const posted = await deps.slack.postMessage(channel, renderAlertRoot({ ...state, summary: event.text }, offered));
  if (offered.length > 0)
    await deps.approvals.setMessage(
      offered.map((fix) => fix.approvalId),
      posted.ts,
    );
  await deps.store.update(entry.host, entry.check, (s) =>
    s ? without(s, event.id, { threadTs: posted.ts, channel: posted.channel, fixButtons: offered }) : undefined,
  );
  const notes: AlertEvent[] = [];
  if (event.bundle) notes.push(bundleNote(event));
  const line = notOfferedLine(notOffered);
  if (line) notes.push({ id: newEventId(), kind: 'note', text: line, at: event.at });
  await addNotes(deps, entry.host, entry.check, notes);
  await deliver(deps, entry.host, entry.check);
}

/** The watchdog's bundle goes in the thread right after the root. */
function bundleNote(event: AlertEvent): AlertEvent {
  return {
    id: newEventId(),
    kind: 'note',
    text: 'What the host looked like when it fired:',
    at: event.at,
    bundle: event.bundle,
  };
}

/** Puts these notes first in the alert's outbox, in this order. */
async function addNotes(deps: AlertDeps, host: string, check: string, notes: AlertEvent[]) {
  if (notes.length === 0) return;
  await deps.store.update(host, check, (s) => (s ? { ...s, outbox: [...notes, ...s.outbox] } : undefined));
}

async function postGroup(deps: AlertDeps, channel: string, entries: WindowEntry[]): Promise<void> {
  const groupId = `grp-${newEventId().slice(3)}`;
  const claimed: Array<{ entry: WindowEntry; state: AlertState; event: AlertEvent }> = [];
  for (const entry of entries) {
    const state = await deps.store.get(entry.host, entry.check);
    const event = state?.outbox.find((e) => e.id === entry.eventId && e.kind === 'fire');
    if (state && event && (await deps.store.claim(event.id, CLAIM_MS))) claimed.push({ entry, state, event });
  }
  if (claimed.length === 0) return;
  const members = claimed.map(({ state, event }) => ({ ...state, summary: event.text }));
  const posted = await deps.slack.postMessage(channel, renderGroupRoot(groupId, members));
  await deps.store.putGroup({
    id: groupId,
    channel: posted.channel,
    ts: posted.ts,
    members: claimed.map(({ entry }) => ({ host: entry.host, check: entry.check })),
    createdAt: deps.now?.() ?? Date.now(),
  });
  for (const { entry, event } of claimed) {
    try {
      await deps.store.update(entry.host, entry.check, (s) =>
        s ? without(s, event.id, { threadTs: posted.ts, channel: posted.channel, groupId }) : undefined,
      );
      if (event.bundle) await addNotes(deps, entry.host, entry.check, [bundleNote(event)]);
      await deliver(deps, entry.host, entry.check);
    } catch (error) {
      await tellNotPosted(deps, channel, [entry], error);
    }
  }
}

/**
 * Edits the root to match the state. Concurrent edits (an ack in the bot, a resolve in a worker) may
 * reach Slack out of order, so it renders again until the state it rendered is still the latest.
 */
export async function syncRoot(deps: AlertDeps, state: AlertState): Promise<void> {
  let current: AlertState | undefined = state;
  for (let attempt = 0; attempt < 3 && current?.threadTs && current.channel; attempt += 1) {
    if (current.groupId) {
      const group = await deps.store.getGroup(current.groupId);
      if (!group) return;
      const members = await Promise.all(group.members.map((m) => deps.store.get(m.host, m.check)));
      const known = members.filter((m): m is AlertState => m !== undefined);
      await deps.slack.update(group.channel, group.ts, renderGroupRoot(group.id, known));
    } else {
      await deps.slack.update(current.channel, current.threadTs, renderAlertRoot(current, current.fixButtons ?? []));
    }
    const latest = await deps.store.get(current.host, current.check);
    if (!latest || latest.version === current.version) return;
    current = latest;
  }
}
