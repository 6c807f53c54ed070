// A job's posts, each made once: the `ts` of every post is remembered (PostLedger) under the job and a
// name ('result', 'thread-0', 'file-0'…), so when the job is retried after Slack took a post, the
// post is edited to the new content (or left alone) instead of appearing twice.

import type { PostLedger } from '../queue/postLedger.ts';
import type { SlackFile, SlackMessage, SlackOut } from './client.ts';

export interface PostedMessage {
  ts: string;
  channel: string;
  /** True when an earlier attempt of the job had posted it already. */
  again: boolean;
}

export interface JobPosts {
  /** Posts once; on a retry edits the message already posted (`onRetry: 'keep'` leaves it as it is). */
  message(
    name: string,
    channel: string,
    msg: SlackMessage,
    opts?: { threadTs?: string; onRetry?: 'update' | 'keep' },
  ): Promise<PostedMessage>;
  /** Uploads once; a retry does not upload it again. */
  file(name: string, channel: string, file: SlackFile): Promise<void>;
}

export function jobPosts(slack: SlackOut, ledger: PostLedger, jobKey: string): JobPosts {
  return {
    async message(name, channel, msg, opts = {}) {
      const known = await ledger.get(jobKey, name);
      if (known) {
        if (opts.onRetry !== 'keep') await slack.update(channel, known, msg);
        return { ts: known, channel, again: true };
      }
      const posted = await slack.postMessage(channel, msg, opts.threadTs ? { threadTs: opts.threadTs } : {});
      await ledger.set(jobKey, name, posted.ts);
      return { ...posted, again: false };
    },
    async file(name, channel, file) {
      const key = `file:${name}`;
      if (await ledger.get(jobKey, key)) return;
      await slack.uploadFile(channel, file);
      await ledger.set(jobKey, key, 'done');
    },
  };
}
