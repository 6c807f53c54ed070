// The only way an error reaches Slack: its userMessage (see errors.ts), never a stack or a cause.

import { escapeMrkdwn, type Rendered, section } from './blocks.ts';

export function renderError(userMessage: string): Rendered {
  return {
    text: `⚠️ ${userMessage}`,
    blocks: [section(`⚠️ ${escapeMrkdwn(userMessage)}`)],
  };
}
