// What keeps dockmedic from rewriting daemon.json, line by line. A runbook that sets a key must
// write the whole file back: a comment (dockerd reads plain JSON, yet people write them, and
// JSON.parse would drop them silently), text that does not parse, or the removed `graph` key are
// refused with the exact line, so a person fixes it before anything is stopped.

import { DAEMON_JSON_PATH } from './daemonConfig.ts';

export interface DaemonJsonBlocker {
  /** 1-based; 0 when the whole file is the problem. */
  line: number;
  /** The line as it is in the file (trimmed, cut at 120 characters). */
  text: string;
  why: string;
}

/** Pure: the 1-based line of a character offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let index = 0; index < offset && index < text.length; index += 1) {
    if (text[index] === '\n') line += 1;
  }
  return line;
}

function lineText(text: string, line: number): string {
  return (text.split('\n')[line - 1] ?? '').trim().slice(0, 120);
}

/** Pure: offsets where a comment starts outside a JSON string (`//`, `/*`, `#`), one per line. */
export function commentOffsets(text: string): number[] {
  const found: number[] = [];
  let inString = false;
  let lastLine = 0;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (inString) {
      if (char === '\\') index += 1;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      continue;
    }
    const startsComment = char === '#' || (char === '/' && (text[index + 1] === '/' || text[index + 1] === '*'));
    if (!startsComment) continue;
    const line = lineAt(text, index);
    if (line !== lastLine) found.push(index);
    lastLine = line;
  }
  return found;
}

/** Pure: the offset JSON.parse names in its message (`at position 42`), if it names one. */
function parseErrorOffset(message: string): number | undefined {
  const match = /position (\d+)/.exec(message);
  return match ? Number(match[1]) : undefined;
}

/**
 * Pure: every reason the file cannot be rewritten as it is, each with its line. An empty or missing
 * file has none (there is nothing to keep).
 */
export function daemonJsonBlockers(text: string | undefined, path = DAEMON_JSON_PATH): DaemonJsonBlocker[] {
  if (text === undefined || text.trim() === '') return [];
  const comments = commentOffsets(text).map((offset) => {
    const line = lineAt(text, offset);
    return {
      line,
      text: lineText(text, line),
      why: `a comment: dockerd reads plain JSON, and rewriting ${path} would lose it. Delete the comment (keep its note elsewhere)`,
    };
  });
  if (comments.length > 0) return comments;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = parseErrorOffset(message);
    const line = offset === undefined ? 0 : lineAt(text, offset);
    return [
      {
        line,
        text: line ? lineText(text, line) : '',
        why: `not valid JSON (${message}): dockerd will not start with it`,
      },
    ];
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return [{ line: 1, text: lineText(text, 1), why: 'not a JSON object' }];
  }
  if (!('graph' in parsed)) return [];
  const lines = text.split('\n');
  const index = lines.findIndex((candidate) => /^\s*"graph"\s*:/.test(candidate));
  const line = index + 1;
  return [
    {
      line,
      text: line ? lineText(text, line) : '"graph"',
      why: '"graph" was removed in Docker 23 (dockerd will not start with it): rename it to "data-root", same value',
    },
  ];
}

/** Pure: one blocker as a person reads it: `/etc/docker/daemon.json line 3: \`// x\` — why`. */
export function describeBlocker(blocker: DaemonJsonBlocker, path = DAEMON_JSON_PATH): string {
  const where = blocker.line > 0 ? `${path} line ${blocker.line}` : path;
  return blocker.text ? `${where}: \`${blocker.text}\` — ${blocker.why}` : `${where}: ${blocker.why}`;
}
