// Sets "live-restore": true in daemon.json (docs/checks.md, trouble § 5; the guide calls the file daemon.yaml, which
// dockerd never reads). Order matters, since a broken daemon.json keeps dockerd from starting:
// back up, write, validate (`dockerd --validate` on Docker 23+, else a JSON parse of what was
// written), restore the backup if that fails, and only then reload (live-restore is reloadable).

import { z } from 'zod';
import { createContext } from '../evidence/context.ts';
import { DAEMON_JSON_PATH, parseDaemonJson, readDaemonJsonText } from '../evidence/daemonConfig.ts';
import { dockerCall } from '../evidence/docker.ts';
import { sh } from '../hosts/shell.ts';
import { reloadDockerd } from './dockerd-service.ts';
import { type Fix, type FixContext, type FixOutcome, type Operation, proposerOf, type Recheck } from './types.ts';

export const LiveRestoreParams = z.object({}).strict();
export type LiveRestoreParams = z.infer<typeof LiveRestoreParams>;

const MAX_BYTES = 256 * 1024;

export function backupPath(stamp: number): string {
  return `${DAEMON_JSON_PATH}.bak-${stamp}`;
}

/** Pure: the new file text, or why it cannot be made (the file does not parse). */
export function withLiveRestore(text: string | undefined): string | { error: string } {
  const parsed = parseDaemonJson(text);
  if (parsed.parseError) return { error: `${DAEMON_JSON_PATH} does not parse (${parsed.parseError}): fix it first` };
  return `${JSON.stringify({ ...(parsed.config ?? {}), 'live-restore': true }, null, 2)}\n`;
}

function plan(): Operation[] {
  return [
    { description: 'Back up daemon.json', command: `cp -p -- ${DAEMON_JSON_PATH} ${DAEMON_JSON_PATH}.bak-<timestamp>` },
    { description: 'Write it with "live-restore": true (other keys unchanged)', command: `write ${DAEMON_JSON_PATH}` },
    {
      description: 'Validate before any reload',
      command: `dockerd --validate --config-file ${DAEMON_JSON_PATH} (Docker 23+), else parse it as JSON; restore the backup if invalid`,
    },
    {
      description: 'Reload dockerd (containers keep running)',
      command: 'systemctl reload docker, or kill -HUP <pid in dockerd pidfile> without systemd',
    },
    { description: 'Check what dockerd now reports', command: 'GET /info → LiveRestoreEnabled' },
  ];
}

async function recheck(ctx: FixContext): Promise<Recheck> {
  const text = await readDaemonJsonText(ctx);
  const next = withLiveRestore(text);
  if (typeof next !== 'string') return { ok: false, reason: next.error };
  if (parseDaemonJson(text).config?.['live-restore'] === true) {
    return { ok: false, reason: `${DAEMON_JSON_PATH} already sets "live-restore": true` };
  }
  return {
    ok: true,
    note: text === undefined ? `${DAEMON_JSON_PATH} does not exist yet` : `${DAEMON_JSON_PATH} parses`,
  };
}

interface Validation {
  ok: boolean;
  how: string;
}

async function validate(ctx: FixContext): Promise<Validation> {
  const result = await ctx.conn.exec(sh`dockerd --validate --config-file ${DAEMON_JSON_PATH}`, { privileged: true });
  const output = `${result.stdout}${result.stderr}`.trim();
  const unsupported = /unknown flag: --validate|flag provided but not defined/i.test(output);
  if (!unsupported && result.code !== 127) {
    return { ok: result.code === 0, how: `dockerd --validate: ${output.split('\n')[0] || `exit ${result.code}`}` };
  }
  // Docker before 23 has no --validate: read back what was written and parse it.
  const written = await readDaemonJsonText(ctx);
  const parsed = parseDaemonJson(written);
  const ok = written !== undefined && !parsed.parseError && parsed.config?.['live-restore'] === true;
  return {
    ok,
    how: `dockerd has no --validate (Docker < 23); JSON parse of the written file: ${ok ? 'valid' : (parsed.parseError ?? 'missing')}`,
  };
}

async function run(ctx: FixContext): Promise<FixOutcome> {
  const [backupOp, writeOp, validateOp, reloadOp, verifyOp] = plan() as [
    Operation,
    Operation,
    Operation,
    Operation,
    Operation,
  ];
  const operations: FixOutcome['operations'] = [];
  const text = await readDaemonJsonText(ctx);
  const next = withLiveRestore(text);
  if (typeof next !== 'string') return { ok: false, summary: `Not run: ${next.error}`, operations };
  if (next.length > MAX_BYTES)
    return { ok: false, summary: `Not run: ${DAEMON_JSON_PATH} is over 256 KiB`, operations };
  const backup = backupPath(Date.now());
  if (text !== undefined) {
    const command = sh`cp -p -- ${DAEMON_JSON_PATH} ${backup}`;
    const copied = await ctx.conn.exec(command, { privileged: true });
    operations.push({ ...backupOp, command, result: copied.code === 0 ? backup : `failed: ${copied.stderr.trim()}` });
    if (copied.code !== 0) return { ok: false, summary: `Not run: could not back up ${DAEMON_JSON_PATH}`, operations };
  } else {
    operations.push({ ...backupOp, command: 'none', result: `${DAEMON_JSON_PATH} did not exist: nothing to back up` });
  }
  // The text comes from the file itself plus one key, and is quoted: nothing from Slack.
  const write = sh`mkdir -p /etc/docker && printf '%s' ${next} > ${DAEMON_JSON_PATH}`;
  const written = await ctx.conn.exec(write, { privileged: true });
  operations.push({
    ...writeOp,
    command: `printf '%s' <new JSON> > ${DAEMON_JSON_PATH}`,
    result: written.code === 0 ? 'written' : `failed: ${written.stderr.trim()}`,
  });
  const validation = written.code === 0 ? await validate(ctx) : { ok: false, how: 'not written' };
  operations.push({ ...validateOp, result: validation.how });
  if (!validation.ok) {
    const restore = text === undefined ? sh`rm -f -- ${DAEMON_JSON_PATH}` : sh`cp -p -- ${backup} ${DAEMON_JSON_PATH}`;
    const restored = await ctx.conn.exec(restore, { privileged: true });
    operations.push({
      description: 'Restore the backup (no reload was done)',
      command: restore,
      result: restored.code === 0 ? 'restored' : `failed: ${restored.stderr.trim()}`,
    });
    return {
      ok: false,
      summary: `Validation failed, ${DAEMON_JSON_PATH} restored and dockerd not reloaded: ${validation.how}`,
      operations,
    };
  }
  const reload = await reloadDockerd(ctx);
  operations.push({ ...reloadOp, command: reload.command, result: reload.output });
  if (!reload.ok) {
    return {
      ok: false,
      summary: `${DAEMON_JSON_PATH} now sets live-restore, but the reload failed: ${reload.output}`,
      operations,
    };
  }
  const enabled = await liveRestoreEnabled(ctx);
  operations.push({ ...verifyOp, result: `LiveRestoreEnabled=${enabled ?? 'unknown'}` });
  return {
    ok: enabled === true,
    summary:
      enabled === true
        ? `live-restore is on (${reload.output}); backup ${text === undefined ? 'not needed (no file before)' : backup}`
        : `Reloaded, but GET /info says LiveRestoreEnabled=${enabled ?? 'unknown'}`,
    operations,
  };
}

async function liveRestoreEnabled(ctx: FixContext): Promise<boolean | undefined> {
  const context = createContext(ctx.conn);
  // The reload is asynchronous in dockerd: give it a moment.
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const info = (await dockerCall(context, 'GET /info', (docker) => docker.info() as Promise<unknown>).catch(
      () => undefined,
    )) as { LiveRestoreEnabled?: unknown } | undefined;
    if (info?.LiveRestoreEnabled === true) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

export const daemonLiveRestoreFix: Fix<LiveRestoreParams> = {
  id: 'daemon-live-restore',
  title: 'Turn on live-restore',
  risk: 'risky',
  params: LiveRestoreParams,
  plan,
  recheck,
  run,
};

/** How a check or an alert proposes this fix. */
export const proposeDaemonLiveRestore = proposerOf(daemonLiveRestoreFix);
