// /etc/docker/daemon.json as the host has it. Read over the shell, not the API: it matters most
// when dockerd is down (a file that is not valid JSON keeps it down).

import { sh } from '../hosts/shell.ts';
import type { HostConnection } from '../hosts/types.ts';
import type { EvidenceContext } from './context.ts';

export const DAEMON_JSON_PATH = '/etc/docker/daemon.json';

export interface DaemonJson {
  path: string;
  present: boolean;
  /** The parsed object, when the file exists and is a JSON object. */
  config?: Record<string, unknown>;
  parseError?: string;
  /** The file's text, kept only when it does not parse (to point at the offending lines). */
  text?: string;
}

/** Pure: the text of daemon.json (or undefined when missing) into evidence. */
export function parseDaemonJson(text: string | undefined, path = DAEMON_JSON_PATH): DaemonJson {
  if (text === undefined) return { path, present: false };
  if (text.trim() === '') return { path, present: true, config: {} };
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { path, present: true, parseError: 'not a JSON object', text };
    }
    return { path, present: true, config: value as Record<string, unknown> };
  } catch (error) {
    return { path, present: true, parseError: error instanceof Error ? error.message : String(error), text };
  }
}

type DaemonJsonRead = { present: false } | { present: true; text: string } | { unreadable: string };

/** The file as it is now, never memoized: the checks' evidence and the fixes' rechecks both read it. */
async function readDaemonJsonFile(conn: HostConnection): Promise<DaemonJsonRead> {
  // Exit 3 means "no such file", told apart from a file we may not read.
  const result = await conn.exec(sh`if [ -e ${DAEMON_JSON_PATH} ]; then cat -- ${DAEMON_JSON_PATH}; else exit 3; fi`, {
    privileged: true,
  });
  if (result.code === 3) return { present: false };
  if (result.code !== 0) return { unreadable: result.stderr.trim() };
  return { present: true, text: result.stdout };
}

/** The text of daemon.json now (undefined when there is none); a file that cannot be read throws. */
export async function readDaemonJsonText(ctx: { conn: HostConnection }): Promise<string | undefined> {
  const read = await readDaemonJsonFile(ctx.conn);
  if ('unreadable' in read) throw new Error(`could not read ${DAEMON_JSON_PATH}: ${read.unreadable}`);
  return read.present ? read.text : undefined;
}

export function daemonJson(ctx: EvidenceContext): Promise<DaemonJson> {
  return ctx.memo('shell:daemon.json', async () => {
    const read = await readDaemonJsonFile(ctx.conn);
    if ('unreadable' in read) {
      return { path: DAEMON_JSON_PATH, present: true, parseError: `could not read it: ${read.unreadable}` };
    }
    return parseDaemonJson(read.present ? read.text : undefined);
  });
}

/** A string-valued key of daemon.json, e.g. `data-root`. */
export function daemonString(config: DaemonJson, key: string): string | undefined {
  const value = config.config?.[key];
  return typeof value === 'string' ? value : undefined;
}
