// Filesystem usage from `df -P` (POSIX format: one line per filesystem, never wrapped), so GNU
// coreutils and busybox both work. Blocks come from `df -P -T -k`, inodes from `df -P -i`. The block
// size is read from the header ("1024-blocks", "1-blocks") rather than assumed. Mount points and
// device names may contain spaces: the numeric columns anchor the parse, not whitespace splitting.

import { z } from 'zod';
import { DockmedicError } from '../errors.ts';
import { sh } from '../hosts/shell.ts';
import type { EvidenceContext } from './context.ts';
import { DEFAULT_DOCKER_ROOT, type DockerRoot, dockerRoot } from './dockerRoot.ts';

export const DfBlocksRow = z.object({
  device: z.string().min(1),
  fstype: z.string().min(1),
  sizeBytes: z.number().int().nonnegative(),
  usedBytes: z.number().int().nonnegative(),
  availBytes: z.number().int().nonnegative(),
  usedPct: z.number().min(0).max(100),
  mount: z.string().startsWith('/'),
});
export type DfBlocksRow = z.infer<typeof DfBlocksRow>;

export const DfInodesRow = z.object({
  device: z.string().min(1),
  inodes: z.number().int().nonnegative(),
  used: z.number().int().nonnegative(),
  free: z.number().int().nonnegative(),
  /** Null when the filesystem has no fixed inode count (btrfs, some network filesystems). */
  usedPct: z.number().min(0).max(100).nullable(),
  mount: z.string().startsWith('/'),
});
export type DfInodesRow = z.infer<typeof DfInodesRow>;

const BLOCKS_LINE = /^(.+?)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+%|-)\s+(\/.*)$/;
const INODES_LINE = /^(.+?)\s+(\d+|-)\s+(\d+|-)\s+(\d+|-)\s+(\d+%|-)\s+(\/.*)$/;

function blockSize(header: string): number {
  const match = /(\d+)-blocks/i.exec(header);
  return match ? Number(match[1]) : 1024;
}

/** df prints the rounded-up percentage; recompute it the same way when it printed `-`. */
function percent(printed: string, used: number, avail: number): number {
  if (printed !== '-') return Number(printed.replace('%', ''));
  if (used + avail === 0) return 0;
  return Math.ceil((used * 100) / (used + avail));
}

/** Pure: `df -P -T` output into rows; lines that do not parse are skipped. */
export function parseDfBlocks(stdout: string): DfBlocksRow[] {
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  const header = lines.shift() ?? '';
  const unit = blockSize(header);
  const rows: DfBlocksRow[] = [];
  for (const line of lines) {
    const match = BLOCKS_LINE.exec(line.trimEnd());
    if (!match) continue;
    const [, device, fstype, size, used, avail, pct, mount] = match as unknown as string[];
    const usedBytes = Number(used) * unit;
    const availBytes = Number(avail) * unit;
    const row = DfBlocksRow.safeParse({
      device,
      fstype,
      sizeBytes: Number(size) * unit,
      usedBytes,
      availBytes,
      usedPct: percent(pct as string, usedBytes, availBytes),
      mount,
    });
    if (row.success) rows.push(row.data);
  }
  return rows;
}

function count(text: string): number {
  return text === '-' ? 0 : Number(text);
}

/** Pure: `df -P -i` output into rows; lines that do not parse are skipped. */
export function parseDfInodes(stdout: string): DfInodesRow[] {
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  lines.shift();
  const rows: DfInodesRow[] = [];
  for (const line of lines) {
    const match = INODES_LINE.exec(line.trimEnd());
    if (!match) continue;
    const [, device, inodes, used, free, pct, mount] = match as unknown as string[];
    const total = count(inodes as string);
    const row = DfInodesRow.safeParse({
      device,
      inodes: total,
      used: count(used as string),
      free: count(free as string),
      usedPct: total === 0 || pct === '-' ? null : Number((pct as string).replace('%', '')),
      mount,
    });
    if (row.success) rows.push(row.data);
  }
  return rows;
}

/** A filesystem that one or more paths we asked about live on. */
export interface Located<R> {
  row: R;
  /** The paths asked about that live on it (`/`, the Docker root dir). */
  paths: string[];
  holdsDockerRoot: boolean;
}

export interface FilesystemEvidence<R> {
  dockerRoot: DockerRoot;
  filesystems: Array<Located<R>>;
  /** Paths df could not report on, with its message (e.g. the Docker root dir does not exist). */
  problems: string[];
}

/** The fullest filesystem of a df reading (blocks or inodes), for alert rules to judge by percentage. */
export function worstUsedPct(
  evidence: FilesystemEvidence<{ usedPct: number | null; mount: string }>,
): { value: number; mount: string } | undefined {
  let worst: { value: number; mount: string } | undefined;
  for (const fs of evidence.filesystems) {
    const pct = fs.row.usedPct;
    if (pct === null) continue;
    if (!worst || pct > worst.value) worst = { value: pct, mount: fs.row.mount };
  }
  return worst;
}

interface DfBoth {
  blocks: Map<string, DfBlocksRow | string>;
  inodes: Map<string, DfInodesRow | string>;
}

const INODES_MARK = '--dockmedic-inodes--';

/**
 * Blocks and inodes of several paths in one remote command: each exec costs a session start on the
 * host, so the whole df evidence of a run is one round trip. A path df cannot report on (say, a
 * missing Docker root dir) breaks the row-per-path order, so then each path is asked alone.
 */
function dfBoth(ctx: EvidenceContext, paths: string[]): Promise<DfBoth> {
  return ctx.memo(`shell:df:${paths.join('\0')}`, async () => {
    const [first = '/', second] = paths;
    const command = second
      ? sh`df -P -T -k -- ${first} ${second}; echo ${INODES_MARK}; df -P -i -- ${first} ${second}`
      : sh`df -P -T -k -- ${first}; echo ${INODES_MARK}; df -P -i -- ${first}`;
    const result = await ctx.conn.exec(command);
    const [blockText = '', inodeText = ''] = result.stdout.split(`${INODES_MARK}\n`);
    const blockRows = parseDfBlocks(blockText);
    const inodeRows = parseDfInodes(inodeText);
    if (blockRows.length === paths.length && inodeRows.length === paths.length) {
      return {
        blocks: new Map(paths.map((path, i) => [path, blockRows[i] as DfBlocksRow])),
        inodes: new Map(paths.map((path, i) => [path, inodeRows[i] as DfInodesRow])),
      };
    }
    if (paths.length === 1) {
      const problem = result.stderr.trim() || `df printed nothing usable for ${first} (exit ${result.code})`;
      return {
        blocks: new Map([[first, blockRows[0] ?? problem]]),
        inodes: new Map([[first, inodeRows[0] ?? problem]]),
      };
    }
    const each = await Promise.all(paths.map((path) => dfBoth(ctx, [path])));
    return {
      blocks: new Map(each.flatMap((one) => [...one.blocks])),
      inodes: new Map(each.flatMap((one) => [...one.inodes])),
    };
  });
}

/** The paths to report on: `/` and the Docker root dir (once when they are the same). */
function pathsFor(root: string): string[] {
  return root === '/' ? ['/'] : ['/', root];
}

async function locate<R extends { mount: string }>(
  ctx: EvidenceContext,
  kind: 'blocks' | 'inodes',
): Promise<FilesystemEvidence<R>> {
  // Ask df about the usual Docker root while the Engine API says where the real one is: when they
  // match (almost always), the df answer is already there.
  const speculative = dfBoth(ctx, pathsFor(DEFAULT_DOCKER_ROOT));
  const root = await dockerRoot(ctx);
  const paths = pathsFor(root.path);
  const answers = root.path === DEFAULT_DOCKER_ROOT ? await speculative : await dfBoth(ctx, paths);
  const rows = answers[kind] as Map<string, R | string>;
  const filesystems: Array<Located<R>> = [];
  const problems: string[] = [];
  for (const path of paths) {
    const found = rows.get(path) ?? `df printed nothing for ${path}`;
    if (typeof found === 'string') {
      problems.push(`${path}: ${found}`);
      continue;
    }
    const holdsDockerRoot = path === root.path;
    const same = filesystems.find((fs) => fs.row.mount === found.mount);
    if (same) {
      same.paths.push(path);
      same.holdsDockerRoot ||= holdsDockerRoot;
      continue;
    }
    filesystems.push({ row: found, paths: [path], holdsDockerRoot });
  }
  if (filesystems.length === 0) {
    throw new DockmedicError('dm_command_failed', `df failed on ${ctx.conn.host.name}: ${problems.join('; ')}`, {
      userMessage: `df could not report on ${paths.join(' or ')} on ${ctx.conn.host.name}`,
    });
  }
  return { dockerRoot: root, filesystems, problems };
}

/** Block usage of `/` and of the filesystem holding the Docker root dir (once per run). */
export function blockUsage(ctx: EvidenceContext): Promise<FilesystemEvidence<DfBlocksRow>> {
  return ctx.memo('fs:blocks', () => locate<DfBlocksRow>(ctx, 'blocks'));
}

/** Inode usage of the same filesystems (once per run). */
export function inodeUsage(ctx: EvidenceContext): Promise<FilesystemEvidence<DfInodesRow>> {
  return ctx.memo('fs:inodes', () => locate<DfInodesRow>(ctx, 'inodes'));
}

/** Every local filesystem (`df -l`; busybox has no -l, so it falls back to all of them). */
export function localFilesystems(ctx: EvidenceContext): Promise<DfBlocksRow[]> {
  return ctx.memo('shell:df-local', async () => {
    const result = await ctx.conn.exec(sh`df -P -T -k -l 2>/dev/null || df -P -T -k`);
    return parseDfBlocks(result.stdout);
  });
}

/** Prints a row the way df did, for a finding's evidence lines. */
export function dfLine(row: DfBlocksRow): string {
  const k = (bytes: number) => Math.round(bytes / 1024);
  return `${row.device} ${row.fstype} ${k(row.sizeBytes)}K size, ${k(row.usedBytes)}K used, ${k(row.availBytes)}K avail, ${row.usedPct}% ${row.mount}`;
}
