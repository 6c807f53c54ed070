// SlackOut: everything dockmedic sends to Slack outside an ack goes through here. It is the one place
// that redacts outgoing payloads, escapes broadcast pings, turns messages over Slack's limits into what
// fits plus a file with the whole (never a failed post), and says which failures are worth a retry
// (slackErrors.ts): the WebClient itself waits out 429s (`retry-after`) and retries 5xx and network
// errors; a refusal (not_in_channel, invalid_blocks, missing_scope…) is thrown at once, not retried.

import { webApi } from '@slack/bolt';
import { DockmedicError } from '../errors.ts';
import { log } from '../log.ts';
import { redactDeep, redactText } from '../redact.ts';
import { cutToFit, plainTextOf, withoutBroadcasts } from './fit.ts';
import { type SlackMessageLike, slackLimitProblem, truncate } from './limits.ts';
import { slackFailure } from './slackErrors.ts';
import { slackLogger } from './slackLogger.ts';

export interface SlackMessage {
  text: string;
  blocks?: unknown[];
}

export interface RespondMessage extends SlackMessage {
  replaceOriginal?: boolean;
  /** Visible to the whole channel; ephemeral (the requester only) by default. */
  inChannel?: boolean;
}

/** A text file for the channel or a thread: output too long to read in a message (a long log). */
export interface SlackFile {
  title: string;
  filename: string;
  content: string;
  threadTs?: string;
}

export interface SlackOut {
  postMessage(
    channel: string,
    msg: SlackMessage,
    opts?: { threadTs?: string },
  ): Promise<{ ts: string; channel: string }>;
  update(channel: string, ts: string, msg: SlackMessage): Promise<void>;
  postEphemeral(channel: string, user: string, msg: SlackMessage): Promise<void>;
  respond(responseUrl: string, msg: RespondMessage): Promise<void>;
  /** Uploads a text file (redacted here like every message) with files.uploadV2. */
  uploadFile(channel: string, file: SlackFile): Promise<void>;
}

export interface SlackOutOptions {
  token: string;
  /** Web API base (SLACK_API_URL), e.g. a GovSlack endpoint or the local Slack of tests. */
  apiUrl?: string;
  retryConfig?: webApi.RetryOptions;
}

/**
 * WebClient retries: after a 429 it waits `retry-after` itself (rejectRateLimitedCalls: false) and then
 * lets this policy schedule the next attempt, so keep the policy's own waits short.
 */
export const SLACK_RETRY: webApi.RetryOptions = {
  retries: 5,
  factor: 2,
  minTimeout: 200,
  maxTimeout: 10_000,
  randomize: true,
};

const OVERSIZE_NOTE = 'The whole message is too long for Slack: it is attached as a file in the thread.';

/** The one place outgoing payloads are redacted and stripped of broadcast pings (acks in app.ts too). */
export function prepareOutgoing<T extends object>(payload: T): T {
  return withoutBroadcasts(redactDeep(payload));
}

/**
 * An ephemeral or a response_url answer cannot carry a file: when it is over Slack's limits it keeps
 * what fits and says it was cut.
 */
export function fitWithoutFile<T extends SlackMessageLike>(msg: T): T {
  if (!slackLimitProblem(msg)) return msg;
  const full = plainTextOf(msg);
  return cutToFit(msg, `Cut to fit Slack (${full.length} characters in all); \`dockmedic check\` shows everything.`);
}

export function createSlackOut(options: SlackOutOptions): SlackOut {
  const web = new webApi.WebClient(options.token, {
    slackApiUrl: options.apiUrl,
    retryConfig: options.retryConfig ?? SLACK_RETRY,
    rejectRateLimitedCalls: false,
    logger: slackLogger('slack-web-api'),
  });

  async function call(method: string, args: Record<string, unknown>): Promise<webApi.WebAPICallResult> {
    const channel = typeof args.channel === 'string' ? args.channel : undefined;
    try {
      return await web.apiCall(method, args);
    } catch (error) {
      throw slackFailure(error, `while calling Slack ${method}`, channel);
    }
  }

  async function attachAsFile(channel: string, threadTs: string, msg: SlackMessage): Promise<void> {
    try {
      await web.files.uploadV2({
        channel_id: channel,
        thread_ts: threadTs,
        content: plainTextOf(msg),
        filename: 'dockmedic-message.txt',
        title: truncate(plainTextOf({ text: msg.text }).split('\n')[0] ?? 'dockmedic', 200),
      });
    } catch (error) {
      // The short message is already in the channel; a missing attachment must not fail the caller's job.
      log.warn({ err: error, channel }, 'could not upload oversized message as a file');
    }
  }

  return {
    async postMessage(channel, raw, opts = {}) {
      const msg = prepareOutgoing(raw);
      const oversize = slackLimitProblem(msg);
      const body = oversize ? cutToFit(msg, OVERSIZE_NOTE) : msg;
      const result = await call('chat.postMessage', {
        channel,
        text: body.text,
        blocks: body.blocks,
        thread_ts: opts.threadTs,
      });
      const posted = result as webApi.WebAPICallResult & { ts?: string; channel?: string };
      const ts = String(posted.ts ?? '');
      if (oversize) {
        log.info({ channel, reason: oversize }, 'message over Slack limits, sent as a file');
        await attachAsFile(channel, opts.threadTs ?? ts, msg);
      }
      return { ts, channel: String(posted.channel ?? channel) };
    },

    async update(channel, ts, raw) {
      // An edit cannot bring a new file each time it happens: over the limits, it is cut and says so.
      const msg = fitWithoutFile(prepareOutgoing(raw));
      // Slack keeps the old blocks when `blocks` is missing: send [] to clear them.
      await call('chat.update', { channel, ts, text: msg.text, blocks: msg.blocks ?? [] });
    },

    async postEphemeral(channel, user, raw) {
      const msg = fitWithoutFile(prepareOutgoing(raw));
      await call('chat.postEphemeral', { channel, user, text: msg.text, blocks: msg.blocks });
    },

    async respond(responseUrl, raw) {
      await postToResponseUrl(responseUrl, fitWithoutFile(prepareOutgoing(raw)));
    },

    async uploadFile(channel, file) {
      const common = {
        channel_id: channel,
        content: redactText(file.content),
        filename: file.filename,
        title: truncate(redactText(file.title), 200),
      };
      try {
        await web.files.uploadV2(file.threadTs ? { ...common, thread_ts: file.threadTs } : common);
      } catch (error) {
        throw slackFailure(error, `while uploading ${file.filename} to Slack`, channel);
      }
    },
  };
}

/** Only the http(s) URL Slack handed us, JSON, and one retry after a 429's retry-after. */
async function postToResponseUrl(responseUrl: string, msg: RespondMessage): Promise<void> {
  const url = parseResponseUrl(responseUrl);
  const body = JSON.stringify({
    text: msg.text,
    blocks: msg.blocks,
    response_type: msg.inChannel ? 'in_channel' : 'ephemeral',
    replace_original: msg.replaceOriginal ?? false,
  });
  for (let attempt = 1; ; attempt += 1) {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        redirect: 'error',
      });
    } catch (error) {
      throw new DockmedicError('dm_slack_unavailable', 'while answering through a Slack response_url', {
        cause: error,
        retryable: true,
      });
    }
    const answer = await response.text().catch(() => '');
    if (response.ok) return;
    if (response.status !== 429 || attempt >= 3) {
      // used_url / expired_url / invalid_blocks are final; only Slack's own trouble is worth a retry.
      const retryable = response.status >= 500 || response.status === 429;
      throw new DockmedicError(
        retryable ? 'dm_slack_unavailable' : 'dm_slack_refused',
        `Slack response_url answered ${response.status} ${truncate(answer, 200)}`,
        { retryable },
      );
    }
    const retryAfter = Number(response.headers.get('retry-after') ?? '1');
    await sleep(Math.min(Number.isFinite(retryAfter) ? retryAfter : 1, 30) * 1000);
  }
}

function parseResponseUrl(responseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(responseUrl);
  } catch (error) {
    throw new DockmedicError('dm_payload_invalid', 'response_url is not a URL', { cause: error });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DockmedicError('dm_payload_invalid', `response_url has protocol ${url.protocol}`);
  }
  return url;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
