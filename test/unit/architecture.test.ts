import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cycles, importGraph, productFiles } from '../../scripts/importGraph.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// DESIGN.md's direction, as ranks: a file may import its own room and the rooms ranked below it.
// commands → workers → slack (renders) → queue → alerts/approvals/audit → checks → fixes → evidence
// → hosts → config → the shared base. Entry points wire everything and may import anything.
const LAYERS: ReadonlyArray<readonly [rank: number, room: RegExp]> = [
  [100, /^src\/(cli|runtime|monitoring|terminalCheck)\.ts$|^src\/embedded\//],
  [90, /^commands\//],
  [80, /^workers\//],
  [75, /^src\/metrics\.ts$/],
  [70, /^src\/slack\//],
  [65, /^src\/queue\//],
  [60, /^src\/(alerts|approvals|audit)\//],
  [50, /^src\/checks\//],
  [45, /^src\/fixes\//],
  [40, /^src\/evidence\//],
  [30, /^src\/hosts\//],
  [20, /^src\/config\//],
  [10, /^src\/(errors|log|format|redact|net)\.ts$|^src\/redact\//],
];

function rankOf(file: string): number | undefined {
  return LAYERS.find(([, room]) => room.test(file))?.[0];
}

const ENTRY = 100;
const graph = importGraph(REPO);

describe('the import graph of src/, commands/ and workers/', () => {
  it('places every product file in a layer', () => {
    const unplaced = productFiles(REPO).filter((file) => rankOf(file) === undefined);

    expect(unplaced).toEqual([]);
  });

  it('has no cycles', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('points one way: nothing imports a layer above its own', () => {
    const wrongWay: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) {
        const from = rankOf(file) ?? 0;
        const to = rankOf(target);
        // Imports of test/lab (the demo's lab hosts) are outside the product graph.
        if (to === undefined) continue;
        if (to > from) wrongWay.push(`${file} -> ${target}`);
      }
    }

    expect(wrongWay).toEqual([]);
  });

  it('lets only entry points import commands/ and workers/ from outside them', () => {
    const intruders: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) {
        const room = /^(commands|workers)\//.exec(target)?.[1];
        if (!room || file.startsWith(`${room}/`) || rankOf(file) === ENTRY) continue;
        intruders.push(`${file} -> ${target}`);
      }
    }

    expect(intruders).toEqual([]);
  });

  it('can tell a cycle and a wrong-way arrow when it sees one', () => {
    const looped = new Map([
      ['src/checks/a.ts', ['src/checks/b.ts']],
      ['src/checks/b.ts', ['src/checks/a.ts']],
    ]);

    expect(cycles(looped)).toEqual([['src/checks/a.ts', 'src/checks/b.ts']]);
    expect(rankOf('src/evidence/docker.ts')).toBeLessThan(rankOf('src/checks/disk-usage.ts') as number);
  });
});
