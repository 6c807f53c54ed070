// The dockerd watchdog (docs/checks.md, trouble § 18). When daemon-health fires crit, the thread gets a root-cause
// bundle collected at that moment: systemd's status (or, without systemd, the process table and the
// pidfile/socket), the daemon's last log lines, disk and inode state of / and the Docker root, and
// whether daemon.json parses (a file that does not keeps dockerd down on every start). With
// `monitor.watchdog.autoStart` it also starts dockerd itself (the start-docker fix, run directly)
// and says what it did; otherwise the alert's "Start docker" button goes through approval.

import { userMessageOf } from '../errors.ts';
import { createContext } from '../evidence/context.ts';
import { daemonJson, daemonString } from '../evidence/daemonConfig.ts';
import { DEFAULT_DOCKER_ROOT } from '../evidence/dockerRoot.ts';
import { startDockerFix } from '../fixes/start-docker.ts';
import type { FixOutcome } from '../fixes/types.ts';
import { sh } from '../hosts/shell.ts';
import type { HostConnection } from '../hosts/types.ts';

export const WATCHDOG_CHECK = 'daemon-health';
const MAX_BUNDLE_LINES = 60;

export async function collectBundle(conn: HostConnection): Promise<string[]> {
  const ctx = createContext(conn);
  const config = await daemonJson(ctx);
  const root = daemonString(config, 'data-root') ?? DEFAULT_DOCKER_ROOT;
  const json = !config.present
    ? `${config.path}: absent (dockerd uses its defaults)`
    : config.parseError
      ? `${config.path}: DOES NOT PARSE (${config.parseError}): dockerd will refuse to start until it is fixed`
      : `${config.path}: parses (${Object.keys(config.config ?? {}).length} keys)`;
  const script = sh`if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
echo '$ systemctl status docker'; systemctl status docker --no-pager -n 0 2>&1 | head -n 12
echo '$ journalctl -u docker -n 10'; journalctl -u docker -n 10 --no-pager 2>&1
else
echo '$ (no systemd) dockerd/containerd in the process table'; ps -eo pid=,comm=,args= 2>/dev/null | awk '$2 ~ /^(dockerd|containerd)$/'
echo '$ ls -l pidfile socket'; ls -l /var/run/docker.pid /var/run/docker.sock 2>&1
echo '$ tail -n 10 /var/log/docker.log'; tail -n 10 /var/log/docker.log 2>&1
fi
echo '$ df -P -h / '${root}; df -P -h / ${root} 2>&1
echo '$ df -P -i / '${root}; df -P -i / ${root} 2>&1`;
  const result = await conn.exec(script, { privileged: true, timeoutMs: 15_000 });
  const lines = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.trim() !== '');
  return [...lines.slice(-MAX_BUNDLE_LINES), `$ daemon.json: ${json}`];
}

/** Runs start-docker without an approval (the configured policy is the approval) and says how it went. */
export async function autoStartDocker(conn: HostConnection): Promise<FixOutcome> {
  try {
    const recheck = await startDockerFix.recheck({ conn }, {});
    if (!recheck.ok) return { ok: true, summary: `Nothing to start: ${recheck.reason}`, operations: [] };
    return await startDockerFix.run({ conn }, {});
  } catch (error) {
    return { ok: false, summary: `Could not start dockerd: ${userMessageOf(error)}`, operations: [] };
  }
}

export function describeAutoStart(outcome: FixOutcome): string {
  const steps = outcome.operations.map((op) => `\`${op.command}\` → ${op.result}`).join('; ');
  const head = outcome.ok
    ? `🤖 Watchdog (autoStart is on): ${outcome.summary}.`
    : `🤖 Watchdog (autoStart is on) tried to start dockerd and failed: ${outcome.summary}.`;
  return steps ? `${head} ${steps}` : head;
}
