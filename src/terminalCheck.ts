import { CHECKS, resolveChecks } from './checks/index.ts';
import type { HostReport } from './checks/report.ts';
import { buildHostReport, unreachableReport } from './checks/report.ts';
import { runChecks } from './checks/run.ts';
import type { Severity } from './checks/types.ts';
import type { DockmedicConfig } from './config/schema.ts';
import { resolveTargets } from './config/targets.ts';
import { createHostPool } from './hosts/pool.ts';
import { redactText } from './redact.ts';

/** Exit codes by worst severity, so scripts and cron can act on the result. */
export const EXIT_CODE: Record<Severity, number> = { ok: 0, info: 0, warn: 1, crit: 2 };

const MARK: Record<Severity, string> = { ok: 'OK  ', info: 'INFO', warn: 'WARN', crit: 'CRIT' };

function table(report: HostReport): string {
  const lines = [`${report.host}: ${report.worst} (${report.durationMs} ms)`];
  for (const finding of report.findings) {
    lines.push(`  ${MARK[finding.severity]}  ${finding.check.padEnd(20)} ${finding.summary}`);
    for (const line of finding.evidence ?? []) lines.push(`        ${line}`);
  }
  return redactText(lines.join('\n'));
}

/**
 * `dockmedic check HOST [CHECK…] [--json]`: the same checks and findings as Slack, in a terminal.
 * Without check ids it runs every check (like `/docker doctor`).
 */
export async function runTerminalCheck(
  config: DockmedicConfig,
  target: string,
  checkIds: string[],
  json: boolean,
  write: (text: string) => void,
): Promise<number> {
  const hosts = resolveTargets(config, target);
  const ids = checkIds.length > 0 ? resolveChecks(checkIds).map((check) => check.id) : CHECKS.map((check) => check.id);
  const pool = createHostPool({ timeouts: config.timeouts, hostConcurrency: config.hostConcurrency });
  try {
    const reports = await Promise.all(
      hosts.map(async (host) => {
        const started = Date.now();
        try {
          const conn = await pool.acquire(host);
          return buildHostReport(host.name, 'check', await runChecks(conn, ids), started);
        } catch (error) {
          return unreachableReport(host.name, 'check', error, started);
        }
      }),
    );
    if (json) {
      const slim = reports.map(({ results: _results, ...rest }) => rest);
      write(redactText(JSON.stringify(slim.length === 1 ? slim[0] : slim, null, 2)));
    } else {
      write(reports.map(table).join('\n\n'));
    }
    return Math.max(...reports.map((report) => EXIT_CODE[report.worst]));
  } finally {
    await pool.closeAll();
  }
}
