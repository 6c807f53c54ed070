// The steps of move-data-root.ts, each re-checking what it relies on right before it acts: the
// daemon.json it will rewrite, filesystems that are local, a target outside the old root with
// room, and dockerd stopped while the data is copied, verified and pointed at.

import { z } from 'zod';
import { createContext } from '../evidence/context.ts';
import { daemonJson, daemonString } from '../evidence/daemonConfig.ts';
import { type DirFacts, dirFacts, dirUsage, hasProgram, isNetworkFs } from '../evidence/dirFacts.ts';
import { dockerInfo } from '../evidence/docker.ts';
import { describeInventory, dockerInventory, inventoryDifferences } from '../evidence/dockerInventory.ts';
import { DEFAULT_DOCKER_ROOT } from '../evidence/dockerRoot.ts';
import { formatBytes } from '../format.ts';
import { type ShellCommand, sh } from '../hosts/shell.ts';
import { daemonJsonEditable, setDaemonJsonKeys } from './daemon-json-edit.ts';
import { answers, START_WAYS, startDockerd } from './dockerd-service.ts';
import { loadState, releaseDockerd, runDetached, runIdOf, saveState } from './host-state.ts';
import { loadSnapshot, stopDockerForRunbook } from './runbook-docker.ts';
import type { FixContext, Recheck } from './types.ts';

type StepResult = { ok: boolean; output: string };

/** The runbook's params (move-data-root.ts validates them). */
export interface MoveDataRootParams {
  from: string;
  to: string;
  stamp: string;
}

/** This run's id: names its state on the host, its daemon.json backup and its rollback. */
export function runOf(params: MoveDataRootParams): string {
  return runIdOf('move-data-root', params.stamp);
}

/** What the first step measured, kept on the host for the steps after it. */
const Measured = z.object({
  source: z.string(),
  entries: z.number(),
  bytes: z.number(),
  tool: z.enum(['rsync', 'cp']),
});
type Measured = z.infer<typeof Measured>;

/** Room asked of the target on top of the data: a tenth more, and at least 256 MiB. */
export function neededBytes(bytes: number): number {
  return Math.ceil(bytes + Math.max(bytes * 0.1, 256 * 1024 ** 2));
}

/** Pure: "about 3 to 10 min", at 100 to 30 MB/s (disk to disk on one host; many small files go slower). */
export function copyEstimate(bytes: number): string {
  const minutes = (rate: number) => Math.ceil(bytes / rate / 60);
  const [fast, slow] = [minutes(100e6), minutes(30e6)];
  if (slow <= 1) return 'under a minute or so (at 100 to 30 MB/s)';
  return `about ${fast} to ${slow} min (at 100 to 30 MB/s)`;
}

export function copyCommand(tool: Measured['tool'], source: string, target: string): ShellCommand {
  return tool === 'rsync'
    ? sh`mkdir -p -- ${target} && rsync -aHAX --numeric-ids -- ${`${source}/`} ${`${target}/`}`
    : sh`mkdir -p -- ${target} && cp -a -- ${`${source}/.`} ${`${target}/`}`;
}

export const STEP_COMMANDS = {
  measure: (p: MoveDataRootParams) =>
    `find ${p.from} -xdev | wc -l and the sum of its file sizes; df -PTk ${p.to}; cat /etc/docker/daemon.json; GET /images/json, /containers/json`,
  stop: 'POST /containers/{id}/stop for each running one; systemctl stop docker.socket docker.service containerd.service, or SIGTERM to the pid in dockerd’s pidfile; check nothing is mounted below the root',
  copy: (p: MoveDataRootParams) =>
    `rsync -aHAX --numeric-ids ${p.from}/ ${p.to}/ (cp -a ${p.from}/. ${p.to}/ where rsync is missing), detached, log in /run/dockmedic/${runOf(p)}/`,
  verify: (p: MoveDataRootParams) => `find … -xdev | wc -l and the sum of file sizes, on ${p.from} and ${p.to}`,
  write:
    'write /etc/docker/daemon.json (other keys kept); dockerd --validate (Docker 23+) or a JSON read-back; restore the backup if it fails',
  start: `${START_WAYS.systemctl.command}, or ${START_WAYS.dockerd.command}; GET /info, /images/json, /containers/json`,
};

/** Pure: what is wrong with moving `from` (as found) to `to` (as found), if anything. */
export function pathProblem(from: DirFacts, to: DirFacts): string | undefined {
  if (from.filesystem && isNetworkFs(from.filesystem.fstype))
    return `${from.path} is on a network filesystem (${from.filesystem.fstype}): dockmedic does not touch it`;
  if (to.filesystem && isNetworkFs(to.filesystem.fstype))
    return `${to.path} would be on a network filesystem (${to.filesystem.fstype} at ${to.filesystem.mount}): dockmedic does not put Docker's data there`;
  if (to.kind === 'symlink') return `${to.path} is a symlink (to ${to.resolved}): name the real directory instead`;
  if (to.kind === 'dir' || to.kind === 'other')
    return `${to.path} exists and is not an empty directory (an earlier copy?): remove it or choose another target`;
  if (to.resolved === from.resolved || to.resolved.startsWith(`${from.resolved}/`))
    return `${to.path} is inside the old root ${from.resolved}`;
  if (from.resolved.startsWith(`${to.resolved}/`)) return `the old root ${from.resolved} is inside ${to.path}`;
  if (from.filesystem && to.filesystem && from.filesystem.mount === to.filesystem.mount) {
    return `${to.path} is on the same filesystem as ${from.path} (${from.filesystem.mount}): moving would free nothing`;
  }
  return undefined;
}

/** The checks every step before the copy repeats: nothing is stopped or changed when one fails. */
export async function preflight(
  ctx: FixContext,
  params: MoveDataRootParams,
  options: { dockerdMustRun: boolean },
): Promise<Recheck & { from?: DirFacts; to?: DirFacts }> {
  if (options.dockerdMustRun) {
    const info = await dockerInfo(createContext(ctx.conn));
    if (info.DockerRootDir !== params.from)
      return { ok: false, reason: `the Docker root dir is now ${info.DockerRootDir}, not ${params.from}` };
  }
  const editable = await daemonJsonEditable(ctx, ['data-root']);
  if (!editable.ok) return editable;
  const context = createContext(ctx.conn);
  const [from, to] = await Promise.all([dirFacts(context, params.from), dirFacts(context, params.to)]);
  const problem = pathProblem(from, to);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, from, to };
}

/** Symlinks on the way to the root, as a person should hear about them. */
async function symlinkNotes(ctx: FixContext, from: DirFacts): Promise<string[]> {
  const notes: string[] = [];
  if (from.kind === 'symlink' || from.resolved !== from.path)
    notes.push(`${from.path} is a symlink to ${from.resolved}: the data is copied from ${from.resolved}`);
  const context = createContext(ctx.conn);
  const configured = daemonString(await daemonJson(context), 'data-root') ?? DEFAULT_DOCKER_ROOT;
  if (configured !== from.path) {
    const facts = await dirFacts(context, configured);
    if (facts.kind === 'symlink') {
      notes.push(
        `${configured} (what dockerd is configured with) is a symlink to ${facts.resolved}; once data-root is set it is no longer used, and it is left in place`,
      );
    }
  }
  return notes;
}

export async function measureStep(ctx: FixContext, params: MoveDataRootParams): Promise<StepResult> {
  const checked = await preflight(ctx, params, { dockerdMustRun: true });
  if (!checked.ok || !checked.from || !checked.to)
    return { ok: false, output: checked.ok ? 'could not read the paths' : checked.reason };
  const { from, to } = checked;
  const usage = await dirUsage(createContext(ctx.conn), from.resolved);
  if (!usage) return { ok: false, output: `could not measure ${from.resolved} (find or du failed)` };
  const bytes = usage.bytes ?? from.filesystem?.usedBytes ?? 0;
  const avail = to.filesystem?.availBytes ?? 0;
  const tool = (await hasProgram(createContext(ctx.conn), 'rsync')) ? 'rsync' : 'cp';
  const lines = [
    `${from.resolved}: ${formatBytes(bytes)} in ${usage.entries} files and directories${usage.bytes === undefined ? ' (file sizes could not be summed: the used size of its filesystem stands in)' : ''}`,
    `${to.path}: on ${to.filesystem?.device ?? '?'} (${to.filesystem?.fstype ?? '?'}) at ${to.filesystem?.mount ?? '?'}, ${formatBytes(avail)} free; needs ${formatBytes(neededBytes(bytes))} with margin`,
    `copy time: ${copyEstimate(bytes)}; every container is stopped meanwhile`,
    tool === 'rsync'
      ? 'copy with rsync -aHAX --numeric-ids'
      : 'rsync is not installed: the copy uses cp -a (keeps owners, modes, times, hard links and xattrs; it cannot resume an interrupted copy)',
    `now: ${describeInventory(await dockerInventory(createContext(ctx.conn)))}`,
    ...(await symlinkNotes(ctx, from)),
  ];
  if (avail < neededBytes(bytes))
    return {
      ok: false,
      output: [...lines, `not enough room on ${to.filesystem?.mount ?? to.path}: nothing was changed`].join('\n'),
    };
  await saveState(ctx, runOf(params), 'measured', {
    source: from.resolved,
    entries: usage.entries,
    bytes,
    tool,
  } satisfies Measured);
  return { ok: true, output: [...lines, 'nothing was changed'].join('\n') };
}

export async function stopStep(ctx: FixContext, params: MoveDataRootParams): Promise<StepResult> {
  const checked = await preflight(ctx, params, { dockerdMustRun: false });
  if (!checked.ok) return { ok: false, output: `not stopped: ${checked.reason}` };
  const measured = await loadState(ctx, runOf(params), 'measured', Measured);
  if (!measured)
    return {
      ok: false,
      output: 'not stopped: the measurement of step 1 is not on the host any more (rebooted?); run the check again',
    };
  if ((checked.to?.filesystem?.availBytes ?? 0) < neededBytes(measured.bytes))
    return { ok: false, output: `not stopped: ${params.to} no longer has room for ${formatBytes(measured.bytes)}` };
  return stopDockerForRunbook(ctx, runOf(params), measured.source);
}

/** dockerd must stay stopped from the copy until daemon.json points at the copy. */
async function stoppedWithMeasure(ctx: FixContext, params: MoveDataRootParams): Promise<Measured | string> {
  if (await answers(ctx))
    return 'dockerd is running again: the copy would not match what it writes; roll back and start over';
  const measured = await loadState(ctx, runOf(params), 'measured', Measured);
  return measured ?? 'the measurement of step 1 is not on the host any more (rebooted?)';
}

export async function copyStep(ctx: FixContext, params: MoveDataRootParams): Promise<StepResult> {
  const measured = await stoppedWithMeasure(ctx, params);
  if (typeof measured === 'string') return { ok: false, output: `not copied: ${measured}` };
  const to = await dirFacts(createContext(ctx.conn), params.to);
  const from = await dirFacts(createContext(ctx.conn), measured.source);
  const problem = pathProblem(from, to);
  if (problem) return { ok: false, output: `not copied: ${problem}` };
  if ((to.filesystem?.availBytes ?? 0) < measured.bytes)
    return { ok: false, output: `not copied: ${params.to} no longer has room for ${formatBytes(measured.bytes)}` };
  const command = copyCommand(measured.tool, measured.source, params.to);
  const result = await runDetached(ctx, runOf(params), 'copy', command);
  const how = measured.tool === 'rsync' ? 'rsync -aHAX --numeric-ids' : 'cp -a (rsync is not installed)';
  if (result.code !== 0) {
    const why = result.code === undefined ? 'it stopped without an exit status (killed?)' : `exit ${result.code}`;
    return { ok: false, output: `the copy with ${how} failed after ${result.seconds} s: ${why}\n${result.tail}` };
  }
  const rate = result.seconds > 0 ? `, ${formatBytes(measured.bytes / result.seconds)}/s` : '';
  return {
    ok: true,
    output: `copied ${formatBytes(measured.bytes)} from ${measured.source} to ${params.to} with ${how} in ${result.seconds} s${rate}\n$ ${command}`,
  };
}

export async function verifyStep(ctx: FixContext, params: MoveDataRootParams): Promise<StepResult> {
  const measured = await stoppedWithMeasure(ctx, params);
  if (typeof measured === 'string') return { ok: false, output: `not verified: ${measured}` };
  const context = createContext(ctx.conn);
  const [source, copy] = await Promise.all([dirUsage(context, measured.source), dirUsage(context, params.to)]);
  if (!source || !copy) return { ok: false, output: 'could not count the files (find or du failed)' };
  const bytes = (usage: typeof source) =>
    usage.bytes === undefined ? 'bytes not known' : `${usage.bytes} bytes in files`;
  const lines = [
    `${measured.source}: ${source.entries} entries, ${bytes(source)}`,
    `${params.to}: ${copy.entries} entries, ${bytes(copy)}`,
  ];
  const sameBytes = source.bytes === undefined || copy.bytes === undefined || source.bytes === copy.bytes;
  if (source.entries !== copy.entries || !sameBytes)
    return {
      ok: false,
      output: [...lines, 'the copy differs from the original: daemon.json was not changed'].join('\n'),
    };
  return { ok: true, output: [...lines, 'the copy matches'].join('\n') };
}

export async function writeStep(ctx: FixContext, params: MoveDataRootParams): Promise<StepResult> {
  const measured = await stoppedWithMeasure(ctx, params);
  if (typeof measured === 'string') return { ok: false, output: `daemon.json not changed: ${measured}` };
  return setDaemonJsonKeys(ctx, runOf(params), { 'data-root': params.to });
}

export async function startAndCompareStep(ctx: FixContext, params: MoveDataRootParams): Promise<StepResult> {
  const started = await startDockerd(ctx);
  if (!started.ok) return { ok: false, output: started.output };
  await releaseDockerd(ctx, runOf(params));
  const context = createContext(ctx.conn);
  const info = await dockerInfo(context);
  const lines = [started.output, `DockerRootDir: ${info.DockerRootDir}`];
  if (info.DockerRootDir !== params.to) return { ok: false, output: [...lines, `expected ${params.to}`].join('\n') };
  const [before, after] = await Promise.all([loadSnapshot(ctx, runOf(params)), dockerInventory(context)]);
  lines.push(`now: ${describeInventory(after)}`);
  if (!before)
    return { ok: true, output: [...lines, 'no list was recorded before the stop: nothing to compare with'].join('\n') };
  const differences = inventoryDifferences(before, after);
  if (differences.length > 0) return { ok: false, output: [...lines, ...differences].join('\n') };
  return {
    ok: true,
    output: [
      ...lines,
      `the same ${before.images.length} image(s) and ${before.containers.length} container(s) as before the stop`,
    ].join('\n'),
  };
}
