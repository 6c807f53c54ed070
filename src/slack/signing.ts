// Slack's request signature (v0): HMAC-SHA256 over `v0:<timestamp>:<raw body>` with the signing
// secret. Bolt verifies it; the local Slack stand-in signs with it, exactly as Slack does.

import { createHmac } from 'node:crypto';

export function slackSignature(signingSecret: string, timestampSec: number, rawBody: string): string {
  const digest = createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex');
  return `v0=${digest}`;
}

export function signedHeaders(signingSecret: string, rawBody: string, timestampSec = Math.floor(Date.now() / 1000)) {
  return {
    'x-slack-request-timestamp': String(timestampSec),
    'x-slack-signature': slackSignature(signingSecret, timestampSec, rawBody),
  };
}
