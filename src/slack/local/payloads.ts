// The request bodies Slack sends to an app, built the way Slack builds them, for the local Slack
// stand-in: a slash command (form fields) and a block_actions interaction (a JSON `payload`).

export const LOCAL_TEAM = { id: 'T0LOCAL', domain: 'dockmedic-local' } as const;
export const LOCAL_APP_ID = 'A0LOCAL';

export interface SlashCommandInput {
  text: string;
  userId: string;
  channelId: string;
  command?: string;
}

export function slashCommandFields(
  input: SlashCommandInput,
  responseUrl: string,
  triggerId: string,
): Record<string, string> {
  return {
    token: 'local-verification-token',
    team_id: LOCAL_TEAM.id,
    team_domain: LOCAL_TEAM.domain,
    channel_id: input.channelId,
    channel_name: 'local',
    user_id: input.userId,
    user_name: input.userId.toLowerCase(),
    command: input.command ?? '/docker',
    text: input.text,
    api_app_id: LOCAL_APP_ID,
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: triggerId,
  };
}

export interface ClickInput {
  actionId: string;
  value: string;
  userId: string;
  channelId: string;
  messageTs?: string;
}

export interface ClickedMessage {
  ts: string;
  text: string;
  blocks: unknown[];
  ephemeral: boolean;
  threadTs?: string;
}

export function blockActionsPayload(
  input: ClickInput,
  message: ClickedMessage | undefined,
  responseUrl: string,
  triggerId: string,
): Record<string, unknown> {
  const found = message ? findButton(message.blocks, input.actionId, input.value) : undefined;
  const actionTs = (Date.now() / 1000).toFixed(6);
  const payload: Record<string, unknown> = {
    type: 'block_actions',
    user: {
      id: input.userId,
      username: input.userId.toLowerCase(),
      name: input.userId.toLowerCase(),
      team_id: LOCAL_TEAM.id,
    },
    api_app_id: LOCAL_APP_ID,
    token: 'local-verification-token',
    container: {
      type: 'message',
      message_ts: input.messageTs ?? actionTs,
      channel_id: input.channelId,
      is_ephemeral: message?.ephemeral ?? false,
    },
    trigger_id: triggerId,
    team: LOCAL_TEAM,
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: input.channelId, name: 'local' },
    response_url: responseUrl,
    actions: [
      {
        action_id: input.actionId,
        block_id: found?.blockId ?? 'dm_block',
        text: { type: 'plain_text', text: found?.text ?? input.actionId, emoji: true },
        value: input.value,
        type: 'button',
        action_ts: actionTs,
      },
    ],
  };
  // Slack leaves `message` out for ephemeral messages: the app only gets the container.
  if (message && !message.ephemeral) {
    payload.message = {
      type: 'message',
      ts: message.ts,
      text: message.text,
      blocks: message.blocks,
      thread_ts: message.threadTs,
    };
  }
  return payload;
}

function findButton(blocks: unknown[], actionId: string, value: string): { blockId: string; text: string } | undefined {
  for (const block of blocks as Array<Record<string, unknown>>) {
    if (block?.type !== 'actions' || !Array.isArray(block.elements)) continue;
    for (const element of block.elements as Array<Record<string, unknown>>) {
      if (element.action_id !== actionId || element.value !== value) continue;
      const text = (element.text as { text?: string } | undefined)?.text ?? actionId;
      return { blockId: String(block.block_id ?? 'dm_block'), text };
    }
  }
  return undefined;
}
