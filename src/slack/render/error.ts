// The only way an error reaches Slack: its userMessage (see errors.ts), never a stack or a cause.

import { escapeMrkdwn, type Rendered, section } from './blocks.ts';

export function renderError(userMessage: string): Rendered {
  return {
    text: `⚠️ ${escapeMrkdwn(userMessage)}`,
    blocks: [section(`⚠️ ${escapeMrkdwn(userMessage)}`)],
  };
}

/** `<#C123>`: Slack shows the channel's name; only a well-formed id is linked. */
function channelRef(channelId: string): string {
  return /^[CG][A-Z0-9]{2,}$/.test(channelId) ? `<#${channelId}>` : 'this channel';
}

/**
 * Slack would not let dockmedic post where a command was typed (`not_in_channel`, `channel_not_found`,
 * `is_archived`): what to do about it, for the requester's eyes (through the command's response_url).
 */
export function renderNoAccess(channelId: string, slackError: string, what: string): Rendered {
  const command = `\`/docker ${escapeMrkdwn(what)}\``;
  let advice: string;
  if (slackError === 'is_archived') {
    advice = `${channelRef(channelId)} is archived, so dockmedic cannot post ${command}'s result there. Run it in another channel.`;
  } else if (channelId.startsWith('D')) {
    advice =
      `dockmedic cannot post ${command}'s result in this conversation: it is a direct message dockmedic is not part of. ` +
      'Run it in a channel dockmedic is in, or in your DM with dockmedic.';
  } else {
    const channel = channelRef(channelId);
    advice =
      `dockmedic is not in ${channel}, so it could not post ${command}'s result there (Slack: \`${escapeMrkdwn(slackError)}\`). ` +
      `Type \`/invite @dockmedic\` in ${channel}, then run the command again.`;
  }
  const text = `🔒 ${advice}`;
  return { text, blocks: [section(text)] };
}
