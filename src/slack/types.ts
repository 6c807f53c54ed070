// What the Slack transport delivers (a command, a button press) and what goes back (a reply).

/** A `/docker …` invocation as Slack (or the console) delivered it. */
export interface CommandRequest {
  userId: string;
  channelId: string;
  /** Everything after `/docker`, untrusted. */
  text: string;
  responseUrl?: string;
}

/** What goes back to the person who typed the command (the ack). */
export interface Reply {
  text: string;
  blocks?: unknown[];
  /** Ephemeral by default: errors and acks are for the requester only. */
  inChannel?: boolean;
}

/** A button press on one of our messages. */
export interface ActionRequest {
  actionId: string;
  /** The button's value: an opaque id we issued, untrusted until looked up. */
  value: string;
  userId: string;
  channelId: string;
  messageTs?: string;
  threadTs?: string;
  responseUrl?: string;
}
