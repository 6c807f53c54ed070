// The steps of switch-to-overlay2.ts that are its own: the check and plan (a real test overlay is
// mounted on the backing filesystem, since a kernel and a d_type flag can still disagree with
// reality), saving the images, starting on overlay2, and loading the images back. What the first
// step decides (where to save, which tags, how each container was started) is kept on the host.

import { z } from 'zod';
import { recreateHow } from '../evidence/containerRecreate.ts';
import { containerStates } from '../evidence/containerStates.ts';
import { createContext } from '../evidence/context.ts';
import { hasProgram, isNetworkFs } from '../evidence/dirFacts.ts';
import { dockerCall, dockerInfo } from '../evidence/docker.ts';
import { dockerInventory, tagsOf } from '../evidence/dockerInventory.ts';
import { type DfBlocksRow, localFilesystems } from '../evidence/filesystems.ts';
import { overlaySupport, overlayVerdict } from '../evidence/overlaySupport.ts';
import { formatBytes } from '../format.ts';
import { joinCommands, quote, type ShellCommand, sh } from '../hosts/shell.ts';
import { daemonJsonEditable } from './daemon-json-edit.ts';
import { answers, startDockerd } from './dockerd-service.ts';
import { loadState, releaseDockerd, runDetached, runIdOf, saveState } from './host-state.ts';
import type { FixContext, Recheck } from './types.ts';

type StepResult = { ok: boolean; output: string };

/** The runbook's params (switch-to-overlay2.ts validates them). */
export interface SwitchParams {
  root: string;
  driver: string;
  stamp: string;
}

/** This run's id: names its state on the host, its daemon.json backup and its rollback. */
export function runOf(params: SwitchParams): string {
  return runIdOf('switch-to-overlay2', params.stamp);
}

/** How the plan names the save directory before the first step has chosen it. */
export const SAVE_DIR_NOTE = '<dir chosen in step 1>';
/** Room asked on top of the images: a tenth more, plus 64 MiB for dockerd's own files. */
const room = (bytes: number) => Math.ceil(bytes * 1.1) + 64 * 1024 ** 2;

const Planned = z.object({
  saveDir: z.string(),
  tags: z.record(z.string(), z.string()),
  untagged: z.number(),
  containers: z.array(z.object({ name: z.string(), kind: z.string(), command: z.string() })),
});
type Planned = z.infer<typeof Planned>;

/** Pure: where to save `bytes` of images: beside the data on its own filesystem when both fit, else the roomiest other local disk. */
export function chooseSaveDir(
  root: string,
  stamp: string,
  bytes: number,
  rootFs: DfBlocksRow | undefined,
  others: DfBlocksRow[],
): string | undefined {
  const name = `dockmedic-images-${stamp}`;
  if (rootFs && rootFs.availBytes >= room(2 * bytes)) return `${root}/${name}`;
  if (!rootFs || rootFs.availBytes < room(bytes)) return undefined;
  const best = others
    .filter((fs) => fs.mount !== rootFs.mount && /^(ext[234]|xfs|btrfs)$/.test(fs.fstype) && !isNetworkFs(fs.fstype))
    .filter((fs) => fs.availBytes >= room(bytes))
    .sort((a, b) => b.availBytes - a.availBytes)[0];
  return best ? `${best.mount.replace(/\/$/, '')}/${name}` : undefined;
}

/** dockerd runs the driver the runbook was offered for, from the same root; daemon.json can be rewritten. */
export async function preflight(ctx: FixContext, params: SwitchParams): Promise<Recheck> {
  const info = await dockerInfo(createContext(ctx.conn));
  if (info.DockerRootDir !== params.root)
    return { ok: false, reason: `the Docker root dir is now ${info.DockerRootDir}, not ${params.root}` };
  if (info.Driver !== params.driver)
    return { ok: false, reason: `dockerd now runs the ${info.Driver} driver, not ${params.driver}` };
  return daemonJsonEditable(ctx, ['storage-driver']);
}

/** Undefined when dockerd is stopped, else why the step must not go on. */
export async function stoppedDocker(ctx: FixContext): Promise<string | undefined> {
  return (await answers(ctx)) ? 'dockerd is running again; roll back and start over' : undefined;
}

async function probeOverlay(ctx: FixContext, params: SwitchParams): Promise<string | undefined> {
  const dir = `${params.root}/dockmedic-overlay-probe-${params.stamp}`;
  const result = await ctx.conn.exec(
    sh`d=${dir}; mkdir -p "$d/l" "$d/u" "$d/w" "$d/m" && mount -t overlay overlay -o "lowerdir=$d/l,upperdir=$d/u,workdir=$d/w" "$d/m"; rc=$?; umount "$d/m" 2>/dev/null; rm -rf -- "$d"; exit $rc`,
    { privileged: true },
  );
  return result.code === 0
    ? undefined
    : `mounting a test overlay under ${params.root} failed: ${result.stderr.trim() || `exit ${result.code}`}`;
}

export async function checkStep(ctx: FixContext, params: SwitchParams): Promise<StepResult> {
  const checked = await preflight(ctx, params);
  if (!checked.ok) return { ok: false, output: checked.reason };
  const context = createContext(ctx.conn);
  const support = await overlaySupport(context, params.root);
  const verdict = overlayVerdict(support);
  if (verdict.can === 'no') return { ok: false, output: `overlay2 cannot work here: ${verdict.why}` };
  const probe = await probeOverlay(ctx, params);
  if (probe) return { ok: false, output: `overlay2 cannot work here: ${probe}` };
  if (!(await hasProgram(context, 'docker')))
    return { ok: false, output: 'the docker CLI is not installed on the host: docker save and docker load need it' };
  const raw = (await dockerCall(context, 'GET /images/json', (docker) => docker.listImages())) as Array<{
    Size?: number;
  }>;
  const bytes = raw.reduce((sum, image) => sum + (image.Size ?? 0), 0);
  const inventory = await dockerInventory(context);
  const tags = Object.fromEntries(tagsOf(inventory));
  const saveDir = chooseSaveDir(params.root, params.stamp, bytes, support.filesystem, await localFilesystems(context));
  const lines = [`${verdict.why}; a test overlay mounted and unmounted under ${params.root}`];
  lines.push(
    `images: ${Object.keys(tags).length} tag(s), ${formatBytes(bytes)} at most: ${Object.keys(tags).slice(0, 20).join(', ') || 'none'}`,
  );
  const untagged = inventory.images.filter((image) => image.tags.length === 0).length;
  if (untagged > 0) lines.push(`${untagged} untagged image(s) (build layers, dangling) are not saved`);
  if (!saveDir)
    return {
      ok: false,
      output: [
        ...lines,
        `no local filesystem has room to save ${formatBytes(bytes)} and load it back: nothing was changed`,
      ].join('\n'),
    };
  lines.push(`save to ${saveDir} (root only)`);
  const containers = (await containerStates(context)).map(recreateHow).filter((how) => how !== undefined);
  lines.push(
    containers.length === 0
      ? 'no containers to recreate'
      : `${containers.length} container(s) to recreate after the switch (their layers stay with ${params.driver}):`,
  );
  for (const how of containers) lines.push(`  ${how.name}: ${how.command}`);
  const planned: Planned = {
    saveDir,
    tags,
    untagged,
    containers: containers.map(({ name, kind, command }) => ({ name, kind, command })),
  };
  await saveState(ctx, runOf(params), 'overlay2-plan', planned);
  return { ok: true, output: [...lines, 'nothing was changed'].join('\n') };
}

async function planned(ctx: FixContext, params: SwitchParams): Promise<Planned | string> {
  return (
    (await loadState(ctx, runOf(params), 'overlay2-plan', Planned)) ??
    'the plan of step 1 is not on the host any more (rebooted?); run the check again'
  );
}

export async function saveStep(ctx: FixContext, params: SwitchParams): Promise<StepResult> {
  const checked = await preflight(ctx, params);
  if (!checked.ok) return { ok: false, output: `not saved: ${checked.reason}` };
  const plan = await planned(ctx, params);
  if (typeof plan === 'string') return { ok: false, output: `not saved: ${plan}` };
  const socket = `unix://${ctx.conn.host.dockerSocket}`;
  const tags = Object.keys(plan.tags);
  const tar = `${plan.saveDir}/images.tar`;
  const inspect = sh`ids=$(docker -H ${socket} ps -aq); if [ -n "$ids" ]; then docker -H ${socket} inspect $ids; else echo '[]'; fi > ${`${plan.saveDir}/containers.json`}`;
  const save =
    tags.length > 0
      ? (`${sh`docker -H ${socket} save -o ${tar}`} ${tags.map((tag) => quote(tag)).join(' ')}` as ShellCommand)
      : sh`true`;
  const command = joinCommands([sh`umask 077`, sh`mkdir -p -- ${plan.saveDir}`, save, inspect], ' && ');
  const result = await runDetached(ctx, runOf(params), 'save', command);
  if (result.code !== 0)
    return {
      ok: false,
      output: `docker save failed after ${result.seconds} s (${result.code === undefined ? 'no exit status' : `exit ${result.code}`}):\n${result.tail}`,
    };
  const size = await ctx.conn.exec(sh`stat -c %s -- ${tar} 2>/dev/null || echo 0`, { privileged: true });
  return {
    ok: true,
    output: `saved ${tags.length} tag(s) to ${tar} (${formatBytes(Number(size.stdout.trim()) || 0)}) in ${result.seconds} s; every container's settings (environment values included, root only) to ${plan.saveDir}/containers.json`,
  };
}

export async function startStep(ctx: FixContext, params: SwitchParams): Promise<StepResult> {
  const started = await startDockerd(ctx);
  if (!started.ok) return { ok: false, output: started.output };
  await releaseDockerd(ctx, runOf(params));
  const info = await dockerInfo(createContext(ctx.conn));
  const status = (info.DriverStatus ?? []).map((pair) => pair.join(': ')).join(', ');
  const lines = [started.output, `storage driver: ${info.Driver}${status ? ` (${status})` : ''}`];
  if (info.Driver !== 'overlay2') return { ok: false, output: [...lines, 'expected overlay2'].join('\n') };
  return { ok: true, output: lines.join('\n') };
}

export async function loadStep(ctx: FixContext, params: SwitchParams): Promise<StepResult> {
  const plan = await planned(ctx, params);
  if (typeof plan === 'string') return { ok: false, output: `not loaded: ${plan}` };
  const info = await dockerInfo(createContext(ctx.conn));
  if (info.Driver !== 'overlay2') return { ok: false, output: `not loaded: dockerd runs ${info.Driver}, not overlay2` };
  const socket = `unix://${ctx.conn.host.dockerSocket}`;
  const lines: string[] = [];
  if (Object.keys(plan.tags).length > 0) {
    const result = await runDetached(
      ctx,
      runOf(params),
      'load',
      sh`docker -H ${socket} load -i ${`${plan.saveDir}/images.tar`}`,
    );
    if (result.code !== 0)
      return {
        ok: false,
        output: `docker load failed (${result.code === undefined ? 'no exit status' : `exit ${result.code}`}):\n${result.tail}`,
      };
    const now = tagsOf(await dockerInventory(createContext(ctx.conn)));
    const missing = Object.entries(plan.tags)
      .filter(([tag, id]) => now.get(tag) !== id)
      .map(([tag]) => tag);
    if (missing.length > 0)
      return {
        ok: false,
        output: `after docker load, ${missing.length} tag(s) are missing or name another image: ${missing.join(', ')}`,
      };
    lines.push(`loaded ${Object.keys(plan.tags).length} tag(s), each with the image id it had under ${params.driver}`);
  } else {
    lines.push('there were no tagged images to load');
  }
  if (plan.containers.length > 0) {
    lines.push(
      `recreate these ${plan.containers.length} container(s) (settings with environment values in ${plan.saveDir}/containers.json):`,
    );
    for (const container of plan.containers) lines.push(`  ${container.name}: ${container.command}`);
  }
  lines.push(
    `the old ${params.driver} data stays in ${params.root}/${params.driver} and ${params.root}/image/${params.driver} (and old containers in ${params.root}/containers) until you remove it; the saved images stay in ${plan.saveDir}`,
  );
  return { ok: true, output: lines.join('\n') };
}
