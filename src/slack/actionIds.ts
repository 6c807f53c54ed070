// Slack refuses a message whose buttons share an action_id, yet every fix button means "approve".
// The first button of a kind keeps the plain id (`dm_approve`); later ones get `dm_approve:2`, … and
// the app strips the suffix before handlers see it.

export const ACTION_APPROVE = 'dm_approve';
export const ACTION_DENY = 'dm_deny';

/** Buttons on alert messages; every one starts with ALERT_ACTION_PREFIX (actions.ts routes on it). */
export const ALERT_ACTION_PREFIX = 'dm_alert_';
export const ALERT_ACTIONS = {
  ack: 'dm_alert_ack',
  silence: 'dm_alert_silence',
  diagnose: 'dm_alert_diagnose',
  ackGroup: 'dm_alert_ack_group',
  silenceGroup: 'dm_alert_silence_group',
} as const;
/** Every action of ours starts with dm_: one Bolt listener for all, present and future. */
export const OUR_ACTIONS = /^dm_[a-z_]+(?::\d+)?$/;

export function actionIdFor(base: string, index: number): string {
  return index === 0 ? base : `${base}:${index + 1}`;
}

export function baseActionId(actionId: string): string {
  const colon = actionId.indexOf(':');
  return colon === -1 ? actionId : actionId.slice(0, colon);
}
