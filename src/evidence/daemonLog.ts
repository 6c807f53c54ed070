// dockerd's recent log, searched on the host for a pattern. systemd hosts: `journalctl -u docker
// --since -24h`. Elsewhere (containers, OpenRC, the test lab): the file dockerd's stdout goes to
// (read from /proc/<pid>/fd/1), else the usual log files. The evidence says which one was read.

import { sh } from '../hosts/shell.ts';
import type { EvidenceContext } from './context.ts';

/** Where init systems without a journal send dockerd's output. */
export const DAEMON_LOG_FILES = ['/var/log/docker.log', '/var/log/upstart/docker.log', '/var/log/daemon.log'];
/** How much of a log file is searched: the end of it, where the last day is. */
export const DAEMON_LOG_TAIL_LINES = 20_000;
/** At most this many matching lines are kept. */
export const DAEMON_LOG_MAX_MATCHES = 50;

export interface DaemonLogSearch {
  /** `journalctl -u docker --since -24h`, or the log file read. */
  source: string;
  /** False when no log could be read at all (then `source` says what was tried). */
  readable: boolean;
  lines: string[];
}

/** Pure: the output of the search script into evidence (first line names the source). */
export function parseDaemonLogSearch(stdout: string): DaemonLogSearch {
  const [header = '', ...rest] = stdout.split('\n');
  const lines = rest.filter((line) => line.trim() !== '').slice(-DAEMON_LOG_MAX_MATCHES);
  if (header.startsWith('source=journal'))
    return { source: 'journalctl -u docker --since -24h', readable: true, lines };
  if (header.startsWith('source=file ')) {
    const file = header.slice('source=file '.length);
    return { source: `${file} (last ${DAEMON_LOG_TAIL_LINES} lines)`, readable: true, lines };
  }
  return { source: `no journal and none of ${DAEMON_LOG_FILES.join(', ')}`, readable: false, lines: [] };
}

/** Lines of dockerd's recent log matching an extended regular expression (a trusted literal). */
export function searchDaemonLog(ctx: EvidenceContext, key: string, pattern: string): Promise<DaemonLogSearch> {
  return ctx.memo(`shell:daemon-log:${key}`, async () => {
    const [first, second, third] = DAEMON_LOG_FILES as [string, string, string];
    const result = await ctx.conn.exec(
      sh`if journalctl -u docker -n 1 -q >/dev/null 2>&1 && [ -n "$(journalctl -u docker -n 1 -q 2>/dev/null)" ]; then echo source=journal; journalctl -u docker --since -24h --no-pager -q 2>/dev/null | grep -E -e ${pattern} | tail -n ${DAEMON_LOG_MAX_MATCHES}; exit 0; fi; f=; p=$(cat /var/run/docker.pid /run/docker.pid 2>/dev/null | head -n 1); case "$p" in ''|*[!0-9]*) ;; *) f=$(readlink /proc/$p/fd/1 2>/dev/null);; esac; case "$f" in /*) [ -f "$f" ] || f=;; *) f=;; esac; for c in ${first} ${second} ${third}; do [ -n "$f" ] && break; [ -f "$c" ] && f=$c; done; [ -n "$f" ] || exit 3; echo "source=file $f"; tail -n ${DAEMON_LOG_TAIL_LINES} -- "$f" | grep -E -e ${pattern} | tail -n ${DAEMON_LOG_MAX_MATCHES}; exit 0`,
      { privileged: true },
    );
    return parseDaemonLogSearch(result.stdout);
  });
}
