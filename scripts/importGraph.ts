// The import graph of the product code (src/, commands/, workers/), read from the import and export
// statements themselves: every import here is a static relative `.ts` specifier (or a dynamic
// `import('…')`), so a regex over the source is exact and needs no compiler API. Used by
// test/unit/architecture.test.ts and `node --import tsx scripts/importGraph.ts` (prints the graph).

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const PRODUCT_ROOTS = ['src', 'commands', 'workers'] as const;

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

/** Files under the product roots, as paths relative to the repo root with `/` separators. */
export function productFiles(repo: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(path.join(repo, dir), { withFileTypes: true })) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.ts')) files.push(rel);
    }
  };
  for (const root of PRODUCT_ROOTS) walk(root);
  return files.sort();
}

/** file → the product files it imports (relative specifiers only; packages are not edges). */
export function importGraph(repo: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of productFiles(repo)) {
    const source = readFileSync(path.join(repo, file), 'utf8');
    const targets = new Set<string>();
    for (const match of source.matchAll(IMPORT)) {
      const spec = match[1] ?? match[2] ?? match[3];
      if (!spec?.startsWith('.')) continue;
      targets.add(path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)));
    }
    graph.set(file, [...targets].sort());
  }
  return graph;
}

/** Every cycle's files, once per strongly connected component (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indexOf.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, indexOf.get(next) as number));
      }
    }
    if (low.get(node) !== indexOf.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    const selfLoop = (graph.get(node) ?? []).includes(node);
    if (component.length > 1 || selfLoop) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!indexOf.has(node)) visit(node);
  return found;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const graph = importGraph(process.cwd());
  for (const [file, targets] of graph) for (const target of targets) console.log(`${file} -> ${target}`);
  for (const cycle of cycles(graph)) console.log(`CYCLE: ${cycle.join(' ')}`);
}
