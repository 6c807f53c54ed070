// Setting keys in /etc/docker/daemon.json for runbooks, and putting it back. Every other key is
// kept as it was; a file dockmedic cannot rewrite faithfully (comments, not JSON, the removed
// `graph`) or a key that dockerd also gets as a flag (dockerd then refuses to start) is refused with
// the exact place to fix. The first change of a runbook keeps a backup named after its run
// (daemon.json.dockmedic-<run>, or a `.absent` marker when there was no file); the rollback restores it.

import { createContext } from '../evidence/context.ts';
import { DAEMON_JSON_PATH, parseDaemonJson, readDaemonJsonText } from '../evidence/daemonConfig.ts';
import { daemonJsonBlockers, describeBlocker } from '../evidence/daemonJsonLines.ts';
import { dockerdProcess, flagValue } from '../evidence/dockerdProcess.ts';
import { sh } from '../hosts/shell.ts';
import type { FixContext, Recheck } from './types.ts';

/** The command-line flags that set the same thing as a daemon.json key. */
const FLAGS_OF: Record<string, readonly string[]> = {
  'data-root': ['--data-root', '--graph', '-g'],
  'storage-driver': ['--storage-driver', '-s'],
};

export function backupOf(run: string): string {
  return `${DAEMON_JSON_PATH}.dockmedic-${run}`;
}

/** Whether these keys can be written into daemon.json now; the reason names the line or flag to fix. */
export async function daemonJsonEditable(ctx: FixContext, keys: readonly string[]): Promise<Recheck> {
  const blockers = daemonJsonBlockers(await readDaemonJsonText(ctx));
  if (blockers.length > 0) {
    return {
      ok: false,
      reason: `fix ${DAEMON_JSON_PATH} first (nothing was changed): ${blockers.map((b) => describeBlocker(b)).join('; ')}`,
    };
  }
  const proc = await dockerdProcess(createContext(ctx.conn));
  for (const key of keys) {
    const flags = FLAGS_OF[key] ?? [];
    const running = proc.args ? flagValue(proc.args, flags) : undefined;
    if (running !== undefined) {
      return {
        ok: false,
        reason: `the running dockerd has ${key} as a flag (${proc.args?.join(' ')}): dockerd refuses a setting given both as a flag and in daemon.json. Move it into daemon.json by hand first`,
      };
    }
    const unitLine = proc.unitExecStart.find((line) => flagValue(line.trim().split(/\s+/), flags) !== undefined);
    if (unitLine) {
      return {
        ok: false,
        reason: `the docker unit sets ${key} as a flag (${unitLine.trim()}): dockerd refuses a setting given both as a flag and in daemon.json. Remove it from the unit (systemctl edit docker) first`,
      };
    }
  }
  return { ok: true };
}

/** Pure: the file with these keys set, every other key kept in its place. */
export function withKeys(text: string | undefined, values: Record<string, string>): string {
  const config = parseDaemonJson(text).config ?? {};
  return `${JSON.stringify({ ...config, ...values }, null, 2)}\n`;
}

/**
 * Backs the file up (once per run: the first backup is the state before the runbook), writes the
 * keys, and checks the result (`dockerd --validate` where it exists, else a JSON read-back); a
 * result that does not check out is replaced by the backup at once.
 */
export async function setDaemonJsonKeys(
  ctx: FixContext,
  run: string,
  values: Record<string, string>,
): Promise<{ ok: boolean; output: string }> {
  const editable = await daemonJsonEditable(ctx, Object.keys(values));
  if (!editable.ok) return { ok: false, output: editable.reason };
  const text = await readDaemonJsonText(ctx);
  const next = withKeys(text, values);
  const backup = backupOf(run);
  const temp = `${DAEMON_JSON_PATH}.dockmedic-new`;
  const write = await ctx.conn.exec(
    sh`set -e; mkdir -p /etc/docker
if [ ! -e ${backup} ] && [ ! -e ${`${backup}.absent`} ]; then if [ -e ${DAEMON_JSON_PATH} ]; then cp -p -- ${DAEMON_JSON_PATH} ${backup}; else touch -- ${`${backup}.absent`}; fi; fi
if [ -e ${DAEMON_JSON_PATH} ]; then cp -p -- ${DAEMON_JSON_PATH} ${temp}; fi
printf '%s' ${next} > ${temp}; mv -f -- ${temp} ${DAEMON_JSON_PATH}`,
    { privileged: true },
  );
  if (write.code !== 0) return { ok: false, output: `could not write ${DAEMON_JSON_PATH}: ${write.stderr.trim()}` };
  const check = await validate(ctx, values);
  const set = Object.entries(values)
    .map(([key, value]) => `"${key}": "${value}"`)
    .join(', ');
  if (check.ok)
    return {
      ok: true,
      output: `${DAEMON_JSON_PATH} now sets ${set}, other keys unchanged (${check.how}); backup ${backup}`,
    };
  const restored = await restoreDaemonJson(ctx, run);
  return { ok: false, output: `the written file did not check out (${check.how}); ${restored.output}` };
}

async function validate(ctx: FixContext, values: Record<string, string>): Promise<{ ok: boolean; how: string }> {
  const result = await ctx.conn.exec(sh`dockerd --validate --config-file ${DAEMON_JSON_PATH}`, { privileged: true });
  const output = `${result.stdout}${result.stderr}`.trim();
  if (result.code !== 127 && !/unknown flag: --validate|flag provided but not defined/i.test(output)) {
    return { ok: result.code === 0, how: `dockerd --validate: ${output.split('\n')[0] || `exit ${result.code}`}` };
  }
  const written = parseDaemonJson(await readDaemonJsonText(ctx));
  const ok = Object.entries(values).every(([key, value]) => written.config?.[key] === value);
  return {
    ok,
    how: `this dockerd has no --validate, so it was read back and parsed as JSON${ok ? '' : `: ${written.parseError ?? 'the keys are not there'}`}`,
  };
}

/** Puts back the daemon.json a runbook's run started from; the file it replaces is kept as `.failed-<run>`. */
export async function restoreDaemonJson(
  ctx: FixContext,
  run: string,
): Promise<{ ok: boolean; changed: boolean; output: string }> {
  const backup = backupOf(run);
  const failed = `${DAEMON_JSON_PATH}.failed-${run}`;
  const result = await ctx.conn.exec(
    sh`if [ -e ${backup} ]; then if cmp -s -- ${backup} ${DAEMON_JSON_PATH}; then echo @@same; else cp -p -- ${DAEMON_JSON_PATH} ${failed} 2>/dev/null; cp -p -- ${backup} ${DAEMON_JSON_PATH} && echo @@restored; fi
elif [ -e ${`${backup}.absent`} ]; then if [ -e ${DAEMON_JSON_PATH} ]; then mv -f -- ${DAEMON_JSON_PATH} ${failed} && echo @@removed; else echo @@same; fi
else echo @@never; fi`,
    { privileged: true },
  );
  const said = /@@(\w+)/.exec(result.stdout)?.[1];
  if (said === 'restored')
    return {
      ok: true,
      changed: true,
      output: `restored ${DAEMON_JSON_PATH} from ${backup} (the replaced one is ${failed})`,
    };
  if (said === 'removed')
    return {
      ok: true,
      changed: true,
      output: `removed ${DAEMON_JSON_PATH} (there was none before; it is kept as ${failed})`,
    };
  if (said === 'same')
    return { ok: true, changed: false, output: `${DAEMON_JSON_PATH} is already as it was before the runbook` };
  if (said === 'never')
    return { ok: true, changed: false, output: `${DAEMON_JSON_PATH} was never changed by this runbook (no ${backup})` };
  return {
    ok: false,
    changed: false,
    output: `could not restore ${DAEMON_JSON_PATH}: ${result.stderr.trim() || `exit ${result.code}`}`,
  };
}

/** True when daemon.json is no longer what it was before the runbook with this run changed it. */
export async function daemonJsonChanged(ctx: FixContext, run: string): Promise<boolean> {
  const backup = backupOf(run);
  const result = await ctx.conn.exec(
    sh`if [ -e ${backup} ]; then cmp -s -- ${backup} ${DAEMON_JSON_PATH} || echo @@changed; elif [ -e ${`${backup}.absent`} ] && [ -e ${DAEMON_JSON_PATH} ]; then echo @@changed; fi`,
    { privileged: true },
  );
  return result.stdout.includes('@@changed');
}
