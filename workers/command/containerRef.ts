// A container named in Slack is resolved through the Engine API before anything else happens: exact
// full id, then exact name, then a unique id prefix (the order `docker` itself uses). Only the full id
// found here is used afterwards; the typed text never reaches a shell or an API path.

import { DockmedicError } from '../../src/errors.ts';
import type { EvidenceContext } from '../../src/evidence/context.ts';
import { pingDocker } from '../../src/evidence/docker.ts';
import { containerList } from '../../src/evidence/dockerApi.ts';
import { ContainerRef } from '../../src/queue/payloads.ts';

export interface ContainerCandidate {
  id: string;
  /** Every name the container answers to, without the leading slash. */
  names: string[];
  state?: string;
}

export type ContainerMatch =
  | { kind: 'found'; container: ContainerCandidate }
  | { kind: 'ambiguous'; candidates: ContainerCandidate[] }
  | { kind: 'unknown'; close: ContainerCandidate[] };

const FULL_ID = /^[0-9a-f]{64}$/;
const HEX = /^[0-9a-f]+$/;
const CLOSE_SHOWN = 5;

/** Pure: which container `ref` names. */
export function matchContainer(containers: readonly ContainerCandidate[], ref: string): ContainerMatch {
  const byId = containers.find((container) => container.id === ref);
  if (byId) return { kind: 'found', container: byId };
  const byName = containers.find((container) => container.names.includes(ref));
  if (byName) return { kind: 'found', container: byName };
  const byPrefix = HEX.test(ref) ? containers.filter((container) => container.id.startsWith(ref)) : [];
  if (byPrefix.length === 1) return { kind: 'found', container: byPrefix[0] as ContainerCandidate };
  if (byPrefix.length > 1) return { kind: 'ambiguous', candidates: byPrefix };
  return { kind: 'unknown', close: closeMatches(containers, ref) };
}

/** Names that contain the reference (or it them), or are a couple of typos away; the closest first. */
export function closeMatches(containers: readonly ContainerCandidate[], ref: string): ContainerCandidate[] {
  const wanted = ref.toLowerCase();
  // One typo in a short name, two in a longer one: more would make every short name "close".
  const allowed = wanted.length <= 4 ? 1 : 2;
  const scored: Array<{ container: ContainerCandidate; score: number }> = [];
  for (const container of containers) {
    let best = Number.POSITIVE_INFINITY;
    for (const name of container.names) {
      const lower = name.toLowerCase();
      const distance = editDistance(lower, wanted);
      const related = lower.includes(wanted) || wanted.includes(lower);
      if (related || distance <= allowed) best = Math.min(best, related ? Math.min(distance, 3) : distance);
    }
    if (Number.isFinite(best)) scored.push({ container, score: best });
  }
  scored.sort((a, b) => a.score - b.score || (a.container.names[0] ?? '').localeCompare(b.container.names[0] ?? ''));
  return scored.slice(0, CLOSE_SHOWN).map((entry) => entry.container);
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i += 1)
    rows.push([i, ...Array.from({ length: b.length }, (_, j) => (i === 0 ? j + 1 : 0))]);
  for (let i = 1; i <= a.length; i += 1) {
    const row = rows[i] as number[];
    const above = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

function label(container: ContainerCandidate): string {
  const name = container.names[0] ?? container.id.slice(0, 12);
  return `\`${name}\` (${container.id.slice(0, 12)}${container.state ? `, ${container.state}` : ''})`;
}

/** Pure: the error a user reads when `ref` names no container, or more than one. */
export function unresolvedError(match: Exclude<ContainerMatch, { kind: 'found' }>, ref: string, host: string) {
  if (match.kind === 'ambiguous') {
    const shown = match.candidates.slice(0, CLOSE_SHOWN).map(label).join(', ');
    return new DockmedicError('dm_bad_arguments', `container id prefix ${ref} is ambiguous on ${host}`, {
      userMessage: `\`${ref}\` matches ${match.candidates.length} containers on ${host}: ${shown}. Give more of the id, or the name.`,
    });
  }
  const hint =
    match.close.length > 0
      ? `Close matches: ${match.close.map(label).join(', ')}.`
      : `Run \`/docker ps ${host}\` to see its containers.`;
  return new DockmedicError('dm_bad_arguments', `no container ${ref} on ${host}`, {
    userMessage: `There is no container \`${ref}\` on ${host}. ${hint}`,
  });
}

/** Every container on the host (running or not), as candidates for a reference. */
export async function listCandidates(ctx: EvidenceContext): Promise<ContainerCandidate[]> {
  await pingDocker(ctx);
  const list = await containerList(ctx);
  return list
    .filter((summary) => FULL_ID.test(summary.Id))
    .map((summary) => ({
      id: summary.Id,
      names: (summary.Names ?? []).map((name) => name.replace(/^\//, '')).filter(Boolean),
      ...(summary.State ? { state: summary.State } : {}),
    }));
}

/** The container `ref` names on this host; throws a clear dm_bad_arguments error otherwise. */
export async function resolveContainer(ctx: EvidenceContext, ref: string): Promise<ContainerCandidate> {
  const parsed = ContainerRef.safeParse(ref);
  if (!parsed.success) {
    throw new DockmedicError('dm_bad_arguments', 'bad container reference', {
      userMessage: 'That is not a container name or id.',
    });
  }
  const match = matchContainer(await listCandidates(ctx), parsed.data);
  if (match.kind === 'found') return match.container;
  throw unresolvedError(match, parsed.data, ctx.conn.host.name);
}
