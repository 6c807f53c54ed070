// Containers in trouble: one failing its HEALTHCHECK until restarted (a wedged process: its
// marker lives in /dev/shm, which a restart empties), one restarting in a loop, one OOM-killed
// (a real kernel OOM kill: cgroup v1 memory controller, --memory 8m, `tail /dev/zero` buffering
// a line that never ends).

import type { LabHost } from '../host.ts';
import { shellQuote } from '../proc.ts';
import { must } from './must.ts';

async function run(host: LabHost, args: string): Promise<string> {
  return (await must(host, `docker run -d --network none ${args}`, 'starting a container')).trim();
}

/** Unhealthy until restarted once. */
export async function makeUnhealthy(host: LabHost, name: string): Promise<string> {
  const script = '[ -e /restarted ] || { touch /restarted /dev/shm/wedged; }; trap "exit 0" TERM; sleep 3600 & wait';
  return run(
    host,
    `--name ${name} --health-cmd 'test ! -e /dev/shm/wedged' --health-interval 1s --health-retries 1 busybox:local sh -c ${shellQuote(script)}`,
  );
}

/** Unhealthy for good: `--health-cmd false`. */
export async function makeAlwaysUnhealthy(host: LabHost, name: string): Promise<string> {
  return run(
    host,
    `--name ${name} --health-cmd false --health-interval 1s --health-retries 1 busybox:local sleep 3600`,
  );
}

export async function makeRestartLoop(host: LabHost, name: string): Promise<string> {
  return run(host, `--name ${name} --restart always busybox:local sh -c 'exit 1'`);
}

export async function makeOomKilled(host: LabHost, name: string): Promise<string> {
  return run(host, `--name ${name} --memory 8m --memory-swap 8m busybox:local sh -c 'exec tail /dev/zero'`);
}

/**
 * The kernel kills the container every time; dockerd learns it was the OOM killer from a cgroup event
 * that can be missed on a busy machine (the container then shows exit 137, OOMKilled=false). Waits
 * for the kill and says which way dockerd recorded it: both are findings of container-health.
 */
export async function makeOomKilledAndWait(host: LabHost, name: string): Promise<'recorded' | 'exit-137'> {
  await makeOomKilled(host, name);
  await waitForState(host, name, '{{.State.Status}}', /^exited$/);
  const state = (await host.docker(['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', name])).stdout.trim();
  if (state === 'true 137' || state.startsWith('true')) return 'recorded';
  if (state === 'false 137') return 'exit-137';
  throw new Error(`${name} ended without an OOM kill: OOMKilled ExitCode = ${state}`);
}

export async function waitForState(
  host: LabHost,
  name: string,
  template: string,
  expected: RegExp,
  ms = 20_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    last = (await host.docker(['inspect', '-f', template, name])).stdout.trim();
    if (expected.test(last)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name}: ${template} is ${last}, expected ${expected}`);
}
