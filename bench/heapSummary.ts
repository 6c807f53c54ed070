/**
 * Where a heap snapshot's bytes are, by constructor (objects), function name (closures) or node type:
 * count and self size, biggest first. For a snapshot DM_BENCH_HEAP_SNAPSHOT=1 made of a monitored
 * worker: `npx tsx bench/heapSummary.ts FILE.heapsnapshot [TOP]`. Self size only: what a thousand
 * ssh2 clients cost shows as a thousand of each of their parts.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export function summarizeHeap(snapshot: Snapshot): Array<{ key: string; count: number; bytes: number }> {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const at = { type: fields.indexOf('type'), name: fields.indexOf('name'), size: fields.indexOf('self_size') };
  const groups = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + at.type] as number] ?? '?';
    const name = snapshot.strings[snapshot.nodes[i + at.name] as number] ?? '?';
    const named = type === 'object' || type === 'closure' || type === 'native';
    const key = named ? `${type} ${name.slice(0, 60)}` : `(${type})`;
    const group = groups.get(key) ?? { count: 0, bytes: 0 };
    group.count += 1;
    group.bytes += snapshot.nodes[i + at.size] as number;
    groups.set(key, group);
  }
  return [...groups].map(([key, group]) => ({ key, ...group })).sort((a, b) => b.bytes - a.bytes);
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [file, top = '40'] = process.argv.slice(2);
  if (!file) {
    console.error('usage: npx tsx bench/heapSummary.ts FILE.heapsnapshot [TOP]');
    process.exit(2);
  }
  const rows = summarizeHeap(JSON.parse(readFileSync(file, 'utf8')) as Snapshot);
  const total = rows.reduce((sum, row) => sum + row.bytes, 0);
  console.log(`${(total / 1048576).toFixed(1)} MiB in ${rows.length} groups`);
  for (const row of rows.slice(0, Number(top))) {
    console.log(`${(row.bytes / 1048576).toFixed(2).padStart(8)} MiB ${String(row.count).padStart(9)}  ${row.key}`);
  }
}
