// /etc/docker/daemon.json as the host has it. Read over the shell, not the API: it matters most
// when dockerd is down (a file that is not valid JSON keeps it down).

import { sh } from '../hosts/shell.ts';
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

export function daemonJson(ctx: EvidenceContext): Promise<DaemonJson> {
  return ctx.memo('shell:daemon.json', async () => {
    // Exit 3 means "no such file", told apart from a file we may not read.
    const result = await ctx.conn.exec(
      sh`if [ -e ${DAEMON_JSON_PATH} ]; then cat ${DAEMON_JSON_PATH}; else exit 3; fi`,
      {
        privileged: true,
      },
    );
    if (result.code === 3) return parseDaemonJson(undefined);
    if (result.code !== 0) {
      return { path: DAEMON_JSON_PATH, present: true, parseError: `could not read it: ${result.stderr.trim()}` };
    }
    return parseDaemonJson(result.stdout);
  });
}

/** A string-valued key of daemon.json, e.g. `data-root`. */
export function daemonString(config: DaemonJson, key: string): string | undefined {
  const value = config.config?.[key];
  return typeof value === 'string' ? value : undefined;
}
