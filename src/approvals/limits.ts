// What an approval record accepts, in one place. A fix's parameters are bounded by the fix's own zod
// schema (whatever the fix accepts, its approval record stores: ten 255-character volume names, fifty
// container ids); the numbers here only bound free text and what a record read back from Redis may
// hold at most. Text that is only shown (a label) is cut to fit, never refused.

import type { z } from 'zod';

/** A label is shown on a button (75 characters) and in messages; longer ones are cut in the middle. */
export const LABEL_MAX = 200;
/**
 * A sanity bound on a record's params read back from Redis, far above what any fix's schema accepts
 * (the largest, fifty 64-hex ids, is about 3.3 KB): the fix's schema is the real limit.
 */
export const PARAMS_JSON_MAX = 64 * 1024;
/** Request ids: `rq-…` for commands, `alert-<hash>` for the monitor (fixed length, any host name). */
export const REQUEST_ID_MAX = 64;
/** Slack user and channel ids, message timestamps; `dockmedic` for the monitor. */
export const SLACK_ID_MAX = 32;
/** The one-line result kept on the record and in the audit trail. */
export const RESULT_MAX = 2000;

export const ELLIPSIS = '…';

/**
 * Cuts `text` to `max` characters with an ellipsis in the middle, so both ends survive: a label like
 * "Truncate log of <a 250-character name> (8 MiB)" keeps its verb and its size.
 */
export function fitText(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return ELLIPSIS.slice(0, max);
  const tail = Math.floor((max - 1) / 3);
  const head = max - 1 - tail;
  return `${text.slice(0, head)}${ELLIPSIS}${text.slice(text.length - tail)}`;
}

export function fitLabel(label: string): string {
  return fitText(label.replace(/\s+/g, ' ').trim(), LABEL_MAX);
}

/** The first thing a fix's schema says about these params, in its own words, or undefined when they fit. */
export function paramsProblem(schema: z.ZodType, params: unknown): string | undefined {
  const parsed = schema.safeParse(params);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue?.message ?? 'not valid'}`;
}
