/**
 * Measures what lab hosts cost on this machine: start time (one at a time and several at once) and
 * memory (RSS and PSS of every process in each host). Run: npx tsx test/lab/measure.ts [parallel=3]
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { cleanupStaleLab, type LabHost, startLabHost } from './lab.ts';

async function hostMemoryKiB(host: LabHost): Promise<{ rss: number; pss: number; processes: number }> {
  const pidNamespace = await readlink(`/proc/${host.nsPid}/ns/pid`);
  let rss = 0;
  let pss = 0;
  let processes = 0;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if ((await readlink(`/proc/${entry}/ns/pid`).catch(() => '')) !== pidNamespace) continue;
    const rollup = await readFile(`/proc/${entry}/smaps_rollup`, 'utf8').catch(() => '');
    rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0);
    processes += 1;
  }
  return { rss, pss, processes };
}

async function timed<T>(action: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await action();
  return [value, Math.round(performance.now() - started)];
}

async function main(): Promise<void> {
  const parallel = Number(process.argv[2] ?? 3);
  await cleanupStaleLab();
  // The first start also builds the cached busybox tar: not counted.
  const [warm] = await timed(() => startLabHost({ name: 'warmup' }));
  await warm.destroy();

  const sequential: number[] = [];
  const hosts: LabHost[] = [];
  for (let i = 0; i < 3; i++) {
    const [host, ms] = await timed(() => startLabHost({ name: `seq${i}` }));
    sequential.push(ms);
    hosts.push(host);
  }
  console.log(`sequential start (docker host): ${sequential.join(', ')} ms`);
  const [sshOnly, sshOnlyMs] = await timed(() => startLabHost({ name: 'sshonly', docker: false }));
  console.log(`sshd-only host start: ${sshOnlyMs} ms`);

  const [parallelHosts, parallelMs] = await timed(() =>
    Promise.all(Array.from({ length: parallel }, (_, i) => startLabHost({ name: `par${i}` }))),
  );
  console.log(`${parallel} docker hosts in parallel: ${parallelMs} ms total`);
  hosts.push(...parallelHosts);

  // Let the daemons settle: RSS right after start includes start-up garbage.
  await new Promise((resolve) => setTimeout(resolve, 5000));
  for (const host of [...hosts, sshOnly]) {
    const memory = await hostMemoryKiB(host);
    console.log(
      `${host.name}: ${memory.processes} processes, RSS ${(memory.rss / 1024).toFixed(1)} MiB, PSS ${(memory.pss / 1024).toFixed(1)} MiB`,
    );
  }
  const [, destroyMs] = await timed(() => Promise.all([...hosts, sshOnly].map((host) => host.destroy())));
  console.log(`destroy ${hosts.length + 1} hosts in parallel: ${destroyMs} ms`);
}

await main();
