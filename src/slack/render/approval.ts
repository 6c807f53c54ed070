// Every state an approval goes through, as the people in the channel see it: asked, approved (with
// the exact operations about to run), denied, expired, refused, and the fix's result afterwards.

import type { NotOffered } from '../../approvals/offer.ts';
import type { FixOutcome, Operation, Risk } from '../../fixes/types.ts';
import { formatBytes } from '../../format.ts';
import { ACTION_APPROVE, ACTION_DENY } from '../actionIds.ts';
import { SLACK_LIMITS, truncate } from '../limits.ts';
import {
  actions,
  type Block,
  button,
  codeSection,
  context,
  escapeMrkdwn,
  mention,
  type Rendered,
  riskStyle,
  section,
} from './blocks.ts';

export interface ApprovalRequestView {
  approvalId: string;
  fixTitle: string;
  host: string;
  risk: Risk;
  requestedBy: string;
  operations: Operation[];
  /** ISO time after which the buttons stop working. */
  expiresAt?: string;
}

export function renderApprovalRequest(view: ApprovalRequestView): Rendered {
  const title =
    `🛠️ ${mention(view.requestedBy)} asks to run *${escapeMrkdwn(view.fixTitle)}* on ` +
    `\`${escapeMrkdwn(view.host)}\` (${view.risk}). It will run exactly:`;
  const blocks: Block[] = [
    codeSection(title, operationLines(view.operations)),
    actions('dm_approval', [
      button({
        actionId: ACTION_APPROVE,
        label: `Approve · ${view.risk}`,
        value: view.approvalId,
        style: riskStyle(view.risk),
      }),
      button({ actionId: ACTION_DENY, label: 'Deny', value: view.approvalId }),
    ]),
  ];
  if (view.expiresAt) blocks.push(context([`Expires ${escapeMrkdwn(view.expiresAt)}`]));
  return {
    text: escapeMrkdwn(`${view.requestedBy} asks to run ${view.fixTitle} on ${view.host} (${view.risk})`),
    blocks,
  };
}

/** Approved: the exact operations about to run. Either `(by, operations)` or `(by, fixTitle, host, operations)`. */
export function renderApproved(by: string, operations: Operation[]): Rendered;
export function renderApproved(by: string, fixTitle: string, host: string, operations: Operation[]): Rendered;
export function renderApproved(
  by: string,
  titleOrOperations: string | Operation[],
  host?: string,
  maybeOperations?: Operation[],
): Rendered {
  const operations = typeof titleOrOperations === 'string' ? (maybeOperations ?? []) : titleOrOperations;
  const what =
    typeof titleOrOperations === 'string'
      ? ` *${escapeMrkdwn(titleOrOperations)}* on \`${escapeMrkdwn(host ?? '?')}\``
      : '';
  const title = `✅ Approved by ${mention(by)}.${what ? ` Running${what}:` : ' Running:'}`;
  const plainWhat = typeof titleOrOperations === 'string' ? ` ${titleOrOperations} on ${host ?? '?'}` : '';
  return {
    text: escapeMrkdwn(
      `Approved by ${by}; running${plainWhat} (${operations.length} operation${operations.length === 1 ? '' : 's'})`,
    ),
    blocks: [codeSection(title, operationLines(operations))],
  };
}

export function renderDenied(by: string, fixTitle?: string): Rendered {
  const what = fixTitle ? ` ${fixTitle}` : '';
  const whatMrkdwn = fixTitle ? ` *${escapeMrkdwn(fixTitle)}*` : '';
  return {
    text: escapeMrkdwn(`Denied${what} by ${by}; nothing was run.`),
    blocks: [section(`🚫 Denied${whatMrkdwn} by ${mention(by)}; nothing was run.`)],
  };
}

export function renderExpired(fixTitle?: string): Rendered {
  const what = fixTitle ? ` for ${fixTitle}` : '';
  const text = `The approval${what} expired; nothing was run. Run the check again for fresh evidence.`;
  return { text: escapeMrkdwn(text), blocks: [section(`⌛ ${escapeMrkdwn(text)}`)] };
}

export function renderRefused(reason: string): Rendered {
  return { text: escapeMrkdwn(`Not run: ${reason}`), blocks: [section(`🚫 *Not run:* ${escapeMrkdwn(reason)}`)] };
}

export function renderFixResult(outcome: FixOutcome, fixTitle: string, host: string): Rendered {
  const icon = outcome.ok ? '✅' : '❌';
  // Fixes usually say what they freed in their summary; add it only where they did not.
  const saysFreed = /\bfreed\b/i.test(outcome.summary);
  const freed = outcome.bytesFreed !== undefined && !saysFreed ? ` · freed ${formatBytes(outcome.bytesFreed)}` : '';
  const title = `${icon} *${escapeMrkdwn(fixTitle)}* on \`${escapeMrkdwn(host)}\`: ${escapeMrkdwn(outcome.summary)}${freed}`;
  const lines = outcome.operations.flatMap((operation) => [
    `$ ${operation.command}`,
    ...operation.result.split('\n').map((line, index) => `${index === 0 ? '  → ' : '    '}${line}`),
  ]);
  const blocks: Block[] = lines.length > 0 ? codeSections(title, lines) : [section(title)];
  return {
    text: escapeMrkdwn(`${fixTitle} on ${host}: ${outcome.ok ? 'done' : 'failed'} — ${outcome.summary}${freed}`),
    blocks,
  };
}

/** A worker died mid-fix: we do not know what ran, and we never run it again by ourselves. */
export function renderOutcomeUnknown(fixTitle: string, host: string): Rendered {
  const text =
    `Outcome unknown: the worker running ${fixTitle} on ${host} stopped before reporting. ` +
    'It will not be re-run; check the host before trying again.';
  const mrkdwn =
    `❓ *Outcome unknown:* the worker running *${escapeMrkdwn(fixTitle)}* on \`${escapeMrkdwn(host)}\` ` +
    'stopped before reporting. It will not be re-run; check the host before trying again.';
  return { text: escapeMrkdwn(text), blocks: [section(mrkdwn)] };
}

/** A runbook step's output can be long (a plan, containers to recreate): every line is kept, over as many code blocks as it takes. */
function codeSections(title: string, lines: string[]): Block[] {
  // Room for escaping (& < > grow) and the fences.
  const budget = SLACK_LIMITS.sectionText - title.length - 600;
  const chunks: string[][] = [[]];
  let used = 0;
  for (const line of lines) {
    const size = Math.min(line.length, 300) + 8;
    if (used + size > budget && (chunks.at(-1)?.length ?? 0) > 0) {
      chunks.push([]);
      used = 0;
    }
    chunks.at(-1)?.push(line);
    used += size;
  }
  return chunks.map((chunk, index) => codeSection(index === 0 ? title : '', chunk));
}

function operationLines(operations: Operation[]): string[] {
  return operations.flatMap((operation, index) => [
    `${index + 1}. ${operation.description}`,
    `   $ ${operation.command}`,
  ]);
}

/** A monitor offer under the two-person rule, approved once: who asked to run it, and that a second person must. */
export function renderSponsored(by: string, label: string, host: string, risk: Risk): Rendered {
  const text =
    `${by} approved ${label} on ${host} (${risk}). The two-person rule needs a second person: ` +
    'someone else presses Approve to run it.';
  const mrkdwn =
    `☝️ ${mention(by)} approved *${escapeMrkdwn(label)}* on \`${escapeMrkdwn(host)}\` (${risk}). ` +
    'The two-person rule needs a second person: someone else presses *Approve* to run it.';
  return { text, blocks: [section(mrkdwn)] };
}

/**
 * An approval whose fix job was never queued (the bot stopped, or Redis failed, in between): nothing
 * ran. With `buttonBack` the same button works again until the offer expires.
 */
export function renderNotRun(view: { by?: string; label: string; host: string; buttonBack: boolean }): Rendered {
  const who = view.by ? `${mention(view.by)}'s approval of` : 'The approval of';
  const plainWho = view.by ? `${view.by}'s approval of` : 'The approval of';
  const next = view.buttonBack
    ? 'Its Approve button above works again; press it to run the fix.'
    : 'The offer has expired: run the check again for fresh evidence and buttons.';
  const text = `Not run: ${plainWho} ${view.label} on ${view.host} was recorded, but its fix was never queued (the bot stopped, or lost Redis, in between). Nothing ran. ${next}`;
  const mrkdwn =
    `⚠️ *Not run:* ${who} *${escapeMrkdwn(view.label)}* on \`${escapeMrkdwn(view.host)}\` was recorded, ` +
    `but its fix was never queued (the bot stopped, or lost Redis, in between). Nothing ran. ${next}`;
  return { text, blocks: [section(mrkdwn)] };
}

/** The line under a report's buttons: the fixes it proposed that got no button, and why. */
export function notOfferedLine(notOffered: NotOffered[]): string | undefined {
  if (notOffered.length === 0) return undefined;
  const shown = notOffered.slice(0, 3).map((item) => `${truncate(item.label, 80)}: ${truncate(item.reason, 200)}`);
  const more = notOffered.length > shown.length ? `; and ${notOffered.length - shown.length} more` : '';
  const count = `${notOffered.length} fix${notOffered.length === 1 ? '' : 'es'} could not be offered`;
  return `⚠️ ${count}: ${shown.join('; ')}${more}`;
}
