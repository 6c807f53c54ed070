// The thread of a fleet run: what each host with something to say found, a few hosts per reply rather
// than one reply per host (Slack allows about one message a second per channel), each with the buttons
// of its fixes. Button ids are numbered across the reply, as Slack wants them unique in a message.

import type { OfferedFix } from '../../approvals/offer.ts';
import type { Severity } from '../../checks/types.ts';
import { blocksTextLength, MESSAGE_TEXT_BUDGET, SLACK_LIMITS, truncate } from '../limits.ts';
import { type Block, escapeMrkdwn, type Rendered, section, severityEmoji } from './blocks.ts';
import { fixActions } from './hostReport.ts';

export interface FleetDetail {
  host: string;
  command: string;
  worst: Severity;
  headline: string;
  /** A few more lines worth reading (the next findings). */
  highlights: string[];
  buttons: OfferedFix[];
}

export interface DetailReply {
  rendered: Rendered;
  /** Which details it holds, in order: their buttons' approvals point at this reply. */
  details: FleetDetail[];
}

const REPLY_BUDGET = MESSAGE_TEXT_BUDGET - 500;
const HIGHLIGHTS = 3;

function detailSection(detail: FleetDetail): Block {
  const lines = [
    `${severityEmoji(detail.worst)} *${escapeMrkdwn(detail.host)}* · ${detail.worst} · ${escapeMrkdwn(truncate(detail.headline, 300))}`,
    ...detail.highlights.slice(0, HIGHLIGHTS).map((line) => `• ${escapeMrkdwn(truncate(line, 200))}`),
    `_Everything: \`/docker ${escapeMrkdwn(detail.command)} ${escapeMrkdwn(detail.host)}\`_`,
  ];
  return section(lines.join('\n'));
}

/** Details packed into as few replies as Slack's limits allow, in the order given. */
export function packFleetDetails(details: readonly FleetDetail[]): DetailReply[] {
  const replies: DetailReply[] = [];
  let blocks: Block[] = [];
  let packed: FleetDetail[] = [];
  let rows = 0;
  const flush = () => {
    if (packed.length === 0) return;
    const hosts = packed.map((detail) => detail.host).join(', ');
    const text = escapeMrkdwn(truncate(`${packed.length} host(s) with something to say: ${hosts}`, 1000));
    replies.push({ rendered: { text, blocks }, details: packed });
    blocks = [];
    packed = [];
    rows = 0;
  };
  for (const detail of details) {
    const own = [detailSection(detail), ...fixActions(detail.buttons, [], rows)];
    const fits =
      blocks.length + own.length <= SLACK_LIMITS.blocks && blocksTextLength([...blocks, ...own]) <= REPLY_BUDGET;
    if (!fits && packed.length > 0) {
      flush();
      own.splice(1, own.length - 1, ...fixActions(detail.buttons, [], 0));
    }
    blocks.push(...own);
    packed.push(detail);
    rows += own.length - 1;
  }
  flush();
  return replies;
}
