// A command that fails for good says so where it was asked. When Slack will not let dockmedic post in
// that channel (a private channel or DM it is not in, an archived channel), posting there again cannot
// work: the requester is told through the command's response_url, which Slack accepts anywhere, how to
// let dockmedic in.

import { errorCodeOf, userMessageOf } from '../src/errors.ts';
import { log } from '../src/log.ts';
import { renderError, renderNoAccess } from '../src/slack/render/error.ts';
import { isSlackCallError } from '../src/slack/slackErrors.ts';
import type { WorkerDeps } from './deps.ts';

export interface FailedRequest {
  command: string;
  channelId: string;
  requestId: string;
  responseUrl?: string;
  host?: string;
  target?: string;
}

export async function tellRequester(deps: WorkerDeps, job: FailedRequest, error: unknown): Promise<void> {
  const where = job.host ?? job.target;
  if (errorCodeOf(error) === 'dm_slack_no_access') {
    const slackError = isSlackCallError(error) ? error.slackError : 'not_in_channel';
    log.warn({ requestId: job.requestId, channel: job.channelId, slackError }, 'slack refused the channel');
    if (!job.responseUrl) return;
    await deps.slack
      .respond(job.responseUrl, {
        ...renderNoAccess(job.channelId, slackError, `${job.command} ${where}`),
        replaceOriginal: true,
      })
      .catch((err: unknown) => log.error({ err, requestId: job.requestId }, 'could not tell the requester'));
    return;
  }
  const message = renderError(`${job.command} on ${where} failed: ${userMessageOf(error)}`);
  try {
    await deps.slack.postMessage(job.channelId, message);
    return;
  } catch (err) {
    log.error({ err, requestId: job.requestId }, 'could not report a failed command in the channel');
  }
  if (!job.responseUrl) return;
  await deps.slack
    .respond(job.responseUrl, { ...message, replaceOriginal: true })
    .catch((err: unknown) => log.error({ err, requestId: job.requestId }, 'could not tell the requester'));
}
