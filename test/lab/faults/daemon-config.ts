// Faults for the daemon-config check, in the host's own /etc/docker/daemon.json (the lab keeps its
// daemon settings there: data-root, pidfile, no iptables…). Keep the original with
// saveDaemonJson and put it back with restoreDaemonJson before dockerd restarts or reloads.

import type { LabHost } from '../host.ts';
import { shellQuote } from '../proc.ts';
import { must } from './must.ts';

const PATH = '/etc/docker/daemon.json';

export async function saveDaemonJson(host: LabHost): Promise<string> {
  return must(host, `cat ${PATH}`, 'reading daemon.json');
}

export async function restoreDaemonJson(host: LabHost, text: string): Promise<void> {
  await must(host, `printf '%s' ${shellQuote(text)} > ${PATH}`, 'restoring daemon.json');
}

function config(text: string): Record<string, unknown> {
  return JSON.parse(text) as Record<string, unknown>;
}

/** The lab's settings annotated the way the seed guide does it: `#` comments, not valid JSON. */
export async function writeDaemonJsonWithComments(host: LabHost, original: string): Promise<void> {
  const lines = JSON.stringify({ ...config(original), 'live-restore': true }, null, 4).split('\n');
  lines.splice(1, 0, '    # keep containers alive during daemon downtime');
  const last = lines.length - 2;
  lines[last] = `${lines[last]}  # restart without stopping containers`;
  await restoreDaemonJson(host, `${lines.join('\n')}\n`);
}

/** `graph` instead of `data-root`, as older guides write it. */
export async function writeDaemonJsonWithGraph(host: LabHost, original: string): Promise<void> {
  const { 'data-root': root, ...rest } = config(original);
  await restoreDaemonJson(host, `${JSON.stringify({ graph: root, ...rest, 'live-restore': true }, null, 2)}\n`);
}

/** The lab's own settings without live-restore (its default). */
export async function writeDaemonJsonWithoutLiveRestore(host: LabHost, original: string): Promise<void> {
  const { 'live-restore': _, ...rest } = config(original);
  await restoreDaemonJson(host, `${JSON.stringify(rest, null, 2)}\n`);
}
