// Runs checks against one host: collections in parallel, one shared memo (docker info, df are
// fetched once), a timeout each. A failed collection becomes a result that says what could not be
// collected and why; dockerd being down is said once, not once per Docker-side check.

import { DockmedicError, errorCodeOf, isDockmedicError, userMessageOf } from '../errors.ts';
import type { EvidenceContext } from '../evidence/context.ts';
import { createContext } from '../evidence/context.ts';
import type { HostConnection } from '../hosts/types.ts';
import { log } from '../log.ts';
import { DAEMON_HEALTH_CHECK, dockerdDownFinding } from './daemon-health.ts';
import { resolveChecks } from './index.ts';
import type { Check, CheckResult } from './types.ts';

export const DEFAULT_CHECK_TIMEOUT_MS = 60_000;

export interface RunChecksOptions {
  /** Per check collection; the whole run takes about as long as the slowest one. */
  timeoutMs?: number;
}

function withTimeout<T>(work: Promise<T>, timeoutMs: number, check: Check, host: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const seconds = Math.round(timeoutMs / 1000);
      reject(
        new DockmedicError('dm_host_timeout', `check ${check.id} on ${host} took more than ${timeoutMs} ms`, {
          retryable: true,
          userMessage: `${host} took more than ${seconds} s to answer`,
        }),
      );
    }, timeoutMs);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function runOne(ctx: EvidenceContext, check: Check, timeoutMs: number): Promise<CheckResult> {
  const started = Date.now();
  const host = ctx.conn.host.name;
  try {
    const evidence = await withTimeout(check.collect(ctx), timeoutMs, check, host);
    // judge is pure: an exception there is our bug, reported like any other failure below.
    const findings = check.judge(evidence);
    return { check: check.id, durationMs: Date.now() - started, evidence, findings };
  } catch (error) {
    if (!isDockmedicError(error)) log.error({ host, check: check.id, err: error }, 'check failed');
    return {
      check: check.id,
      durationMs: Date.now() - started,
      findings: [
        {
          check: check.id,
          severity: 'warn',
          summary: `Could not collect ${check.title.toLowerCase()}: ${userMessageOf(error)}`,
        },
      ],
      error: {
        code: errorCodeOf(error),
        message: error instanceof Error ? error.message : String(error),
        userMessage: userMessageOf(error),
      },
    };
  }
}

export async function runChecks(
  conn: HostConnection,
  ids: string[],
  options: RunChecksOptions = {},
): Promise<CheckResult[]> {
  const checks = resolveChecks(ids);
  const ctx = createContext(conn);
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const results = await Promise.all(checks.map((check) => runOne(ctx, check, timeoutMs)));
  const down = results.filter((result) => result.error?.code === 'dm_docker_unavailable');
  if (down.length === 0) return results;
  // The host layer's message names the socket that did not answer.
  const reason = down[0]?.error?.userMessage;
  for (const result of down) {
    const check = checks.find((candidate) => candidate.id === result.check);
    result.findings = [
      {
        check: result.check,
        severity: 'info',
        summary: `${check?.title ?? result.check}: skipped: dockerd is not answering`,
      },
    ];
  }
  if (ids.includes(DAEMON_HEALTH_CHECK)) return results;
  const health: CheckResult = {
    check: DAEMON_HEALTH_CHECK,
    durationMs: 0,
    findings: [dockerdDownFinding(conn.host.name, reason)],
  };
  return [health, ...results];
}
