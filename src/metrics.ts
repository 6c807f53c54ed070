// Prometheus metrics (prom-client) on /metrics: jobs by queue and state, check durations, host
// reachability, alerts firing by severity, Slack API errors. Queue and alert figures are read from
// Redis at scrape time, so any process serving /metrics sees every worker's work; durations and
// reachability are what this process observed.

import type { IncomingMessage, ServerResponse } from 'node:http';
import client from 'prom-client';
import { log } from './log.ts';
import type { SlackOut } from './slack/client.ts';

export const registry = new client.Registry();

export const checkDuration = new client.Histogram({
  name: 'dockmedic_check_duration_seconds',
  help: 'How long one check took on one host (collect and judge)',
  labelNames: ['check'] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [registry],
});

export const hostReachable = new client.Gauge({
  name: 'dockmedic_host_reachable',
  help: '1 when the last monitor run reached the host over SSH, else 0',
  labelNames: ['host'] as const,
  registers: [registry],
});

export const slackErrors = new client.Counter({
  name: 'dockmedic_slack_api_errors_total',
  help: 'Slack Web API calls that failed after retries',
  labelNames: ['method'] as const,
  registers: [registry],
});

const jobs = new client.Gauge({
  name: 'dockmedic_jobs',
  help: 'Jobs by queue and state',
  labelNames: ['queue', 'state'] as const,
  registers: [registry],
});

const firing = new client.Gauge({
  name: 'dockmedic_alerts_firing',
  help: 'Alerts firing now, by severity',
  labelNames: ['severity'] as const,
  registers: [registry],
});

export interface ScrapeSources {
  jobCounts(): Promise<Record<string, Record<string, number>>>;
  firingBySeverity(): Promise<Record<string, number>>;
}

let sources: ScrapeSources | undefined;

/** The process that serves /metrics says where queue and alert figures come from. */
export function setScrapeSources(next: ScrapeSources | undefined): void {
  sources = next;
}

async function refresh(): Promise<void> {
  if (!sources) return;
  const [counts, severities] = await Promise.all([sources.jobCounts(), sources.firingBySeverity()]);
  jobs.reset();
  for (const [queue, states] of Object.entries(counts)) {
    for (const [state, count] of Object.entries(states)) jobs.set({ queue, state }, count);
  }
  firing.reset();
  for (const severity of ['warn', 'crit']) firing.set({ severity }, severities[severity] ?? 0);
}

/** GET /metrics for the Slack app's routes: host names and queue figures, for this machine only by default. */
export function metricsRoute() {
  return {
    path: '/metrics',
    method: 'GET',
    loopbackOnly: true,
    handler(_req: IncomingMessage, res: ServerResponse) {
      refresh()
        .catch((error: unknown) => log.warn({ err: error }, 'metrics refresh failed'))
        .then(() => registry.metrics())
        .then((body) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(body);
        })
        .catch(() => {
          res.writeHead(500);
          res.end();
        });
    },
  };
}

/** Counts Slack calls that failed for good, by method; the caller still sees the error. */
export function instrumentSlack(slack: SlackOut): SlackOut {
  const count =
    <A extends unknown[], R>(method: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } catch (error) {
        slackErrors.inc({ method });
        throw error;
      }
    };
  return {
    postMessage: count('chat.postMessage', slack.postMessage.bind(slack)),
    update: count('chat.update', slack.update.bind(slack)),
    postEphemeral: count('chat.postEphemeral', slack.postEphemeral.bind(slack)),
    respond: count('response_url', slack.respond.bind(slack)),
    uploadFile: count('files.uploadV2', slack.uploadFile.bind(slack)),
  };
}
