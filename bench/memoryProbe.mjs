// Preloaded into a benchmarked worker process (NODE_OPTIONS=--expose-gc --import=<this file>): on
// SIGUSR2 it writes where the process's memory goes to $DM_BENCH_MEMORY_REPORT, before and after a
// full GC (live data vs garbage not collected yet), with the heap spaces and the open handles by
// type; with $DM_BENCH_HEAP_SNAPSHOT (a file name) set, a heap snapshot there. Nothing here runs otherwise.
import { writeFileSync } from 'node:fs';
import v8 from 'node:v8';

const reportFile = process.env.DM_BENCH_MEMORY_REPORT;

function mib(bytes) {
  return Math.round((bytes / 1048576) * 10) / 10;
}

function usage() {
  const memory = process.memoryUsage();
  return Object.fromEntries(Object.entries(memory).map(([key, value]) => [key, mib(value)]));
}

function writeReport() {
  const before = usage();
  globalThis.gc?.();
  const afterGc = usage();
  const heapSpaces = Object.fromEntries(
    v8.getHeapSpaceStatistics().map((space) => [space.space_name, mib(space.space_used_size)]),
  );
  const resources = {};
  for (const name of process.getActiveResourcesInfo()) resources[name] = (resources[name] ?? 0) + 1;
  const report = { before, afterGc, heapSpaces, resources };
  if (process.env.DM_BENCH_HEAP_SNAPSHOT) report.snapshot = v8.writeHeapSnapshot(process.env.DM_BENCH_HEAP_SNAPSHOT);
  writeFileSync(reportFile, JSON.stringify(report));
}

if (reportFile) process.on('SIGUSR2', writeReport);
