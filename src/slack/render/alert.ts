// Alert messages. The root of an alert's thread is edited in place through firing → acknowledged
// (by whom) → resolved; what happens in between (severity changes, repeats, silences, the watchdog's
// bundle, what an automatic start did) goes in the thread. A storm of alerts in one channel becomes
// one grouped root listing every host, not one message per host.

import type { OperationDone } from '../../alerts/operations.ts';
import type { AlertEvent, AlertState } from '../../alerts/store.ts';
import type { OfferedFix } from '../../approvals/offer.ts';
import { formatDuration } from '../../format.ts';
import { ALERT_ACTIONS, actionIdFor } from '../actionIds.ts';
import { truncate } from '../limits.ts';
import {
  actions,
  type Block,
  button,
  codeSection,
  context,
  escapeMrkdwn,
  header,
  mention,
  type Rendered,
  section,
} from './blocks.ts';
import { fixActions } from './hostReport.ts';

export const SILENCE_CHOICES = ['1h', '4h', '24h'] as const;

const ICON = { firing: { warn: '⚠️', crit: '🔴' }, acked: '👀', resolved: '✅' } as const;

export function alertRef(state: Pick<AlertState, 'host' | 'check'>): string {
  return `${state.host}/${state.check}`;
}

function statusLine(state: AlertState, now: number): string {
  if (state.status !== 'firing') {
    const took = state.firedAt && state.resolvedAt ? ` after ${formatDuration(state.resolvedAt - state.firedAt)}` : '';
    return `${ICON.resolved} *RESOLVED*${took}`;
  }
  const sev = state.severity ?? 'warn';
  const parts = [`${ICON.firing[sev]} *FIRING · ${sev.toUpperCase()}*`];
  if (state.acked && state.ackedBy) parts.push(`${ICON.acked} acknowledged by ${mention(state.ackedBy)}`);
  if (state.silencedUntil && state.silencedUntil > now) {
    parts.push(`🔕 silenced until ${new Date(state.silencedUntil).toISOString()}`);
  }
  return parts.join(' · ');
}

function alertButtons(state: AlertState): Block[] {
  if (state.status !== 'firing') return [];
  const ref = alertRef(state);
  const row: Block[] = [];
  if (!state.acked)
    row.push(button({ actionId: ALERT_ACTIONS.ack, label: 'Acknowledge', value: ref, style: 'primary' }));
  for (const [index, choice] of SILENCE_CHOICES.entries()) {
    const actionId = actionIdFor(ALERT_ACTIONS.silence, index);
    row.push(button({ actionId, label: `Silence ${choice}`, value: `${ref}/${choice}` }));
  }
  row.push(button({ actionId: ALERT_ACTIONS.diagnose, label: 'Run diagnosis', value: ref }));
  return [actions('dm_alert', row)];
}

/** The root message of one alert's thread, as its state says now. */
export function renderAlertRoot(state: AlertState, fixes: OfferedFix[], now = Date.now()): Rendered {
  const title = `${state.host} · ${state.check}`;
  const blocks: Block[] = [
    header(`${state.status === 'firing' ? ICON.firing[state.severity ?? 'warn'] : ICON.resolved} ${title}`),
    section(`${statusLine(state, now)}\n${escapeMrkdwn(truncate(state.summary, 500))}`),
    context([
      `fired ${state.firedAt ? new Date(state.firedAt).toISOString() : '?'}`,
      `incident #${state.incident}`,
      '`/docker alerts` lists what is firing',
    ]),
    ...alertButtons(state),
    ...(state.status === 'firing' ? fixActions(fixes) : []),
  ];
  const word = state.status === 'firing' ? `FIRING ${state.severity ?? ''}`.trim() : 'RESOLVED';
  const acked = state.status === 'firing' && state.ackedBy ? ` (acknowledged by ${state.ackedBy})` : '';
  return { text: escapeMrkdwn(truncate(`${word}${acked}: ${title}: ${state.summary}`, 1000)), blocks };
}

/** A thread reply for one event; `prefix` names the host in a grouped thread. */
export function renderAlertEvent(event: AlertEvent, state: AlertState, prefix = ''): Rendered {
  const who = prefix ? `*${escapeMrkdwn(prefix)}*: ` : '';
  const text = escapeMrkdwn(truncate(event.text, 1500));
  const lines: Record<AlertEvent['kind'], string> = {
    fire: `${ICON.firing[event.severity === 'crit' ? 'crit' : 'warn']} ${who}firing (${event.severity}): ${text}`,
    severity: `↕️ ${who}severity is now *${event.severity}*: ${text}`,
    repeat: `🔁 ${who}still firing (${event.severity}, since ${state.firedAt ? new Date(state.firedAt).toISOString() : '?'}): ${text}`,
    resolve: `✅ ${who}resolved: ${text}`,
    'silence-expired': `🔔 ${who}${text}`,
    note: `${who}${text}`,
  };
  const line = lines[event.kind];
  const blocks: Block[] = [section(line)];
  if (event.bundle && event.bundle.length > 0) blocks.push(codeSection('*Root-cause bundle*', event.bundle));
  return { text: truncate(line.replace(/\*/g, ''), 1000), blocks };
}

/** One root for many alerts that crossed in the same window in one channel. */
export function renderGroupRoot(groupId: string, members: AlertState[]): Rendered {
  const firing = members.filter((member) => member.status === 'firing');
  const lines = members.map((member) => {
    const icon = member.status === 'firing' ? ICON.firing[member.severity ?? 'warn'] : ICON.resolved;
    const ack = member.status === 'firing' && member.ackedBy ? ` · acked by ${mention(member.ackedBy)}` : '';
    const state = member.status === 'firing' ? (member.severity ?? 'warn') : 'resolved';
    return `${icon} \`${escapeMrkdwn(member.host)}\` ${escapeMrkdwn(member.check)} · ${state}${ack}: ${escapeMrkdwn(truncate(member.summary, 120))}`;
  });
  const title =
    firing.length > 0
      ? `🔴 ${firing.length} of ${members.length} alerts firing at once`
      : `✅ all ${members.length} grouped alerts resolved`;
  const blocks: Block[] = [header(title), section(truncate(lines.join('\n'), 2900))];
  if (firing.length > 0) {
    blocks.push(
      context(['Many hosts crossed in the same window (a shared cause?). Details and resolves are in the thread.']),
    );
    blocks.push(
      actions('dm_alert_group', [
        button({ actionId: ALERT_ACTIONS.ackGroup, label: 'Acknowledge all', value: groupId, style: 'primary' }),
        button({ actionId: ALERT_ACTIONS.silenceGroup, label: 'Silence all 1h', value: `${groupId}/1h` }),
      ]),
    );
  }
  return { text: escapeMrkdwn(truncate(`${title}: ${members.map((m) => m.host).join(', ')}`, 1000)), blocks };
}

/** The line an acknowledge / silence / unsilence leaves in the alert's thread. */
export function renderOperationNote(done: OperationDone): string {
  if (done.kind === 'acknowledged') return `👀 Acknowledged by ${mention(done.by)}: no more repeats for this incident.`;
  if (done.kind === 'unsilenced') return `🔔 Silence lifted by ${mention(done.by)}.`;
  return (
    `🔕 Silenced by ${mention(done.by)} for ${formatDuration(done.durationMs)} (until ${new Date(done.until).toISOString()}). ` +
    'It expires by itself; this thread will say so.'
  );
}
