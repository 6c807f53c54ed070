// Fault for the compose-collision check, as in the guide: two stacks in /tmp/data1/app and
// /tmp/data2/app started under one project name with Debian's docker-compose 1.29 (which sets the
// real com.docker.compose.* labels), inside the host against its own dockerd. Services differ
// (web, worker), so both stacks' containers exist side by side; with the same service the second
// `up` would recreate the first one's container: the collision itself.

import type { LabHost } from '../host.ts';
import { composeUp } from './build.ts';

export function stackYaml(service: string): string {
  return `version: "3"
services:
  ${service}:
    image: busybox:local
    network_mode: none
    command: sleep 100000
    environment:
      - LANG=C.UTF-8
`;
}

/** One stack in `dir` under `project`. */
export function startStack(host: LabHost, dir: string, project: string, service = 'web'): Promise<void> {
  return composeUp(host, dir, project, stackYaml(service));
}

/** Two folders named app, one project name: the guide's A and B. */
export async function startCollidingStacks(host: LabHost, project: string): Promise<[string, string]> {
  const dirs: [string, string] = ['/tmp/data1/app', '/tmp/data2/app'];
  await startStack(host, dirs[0], project, 'web');
  await startStack(host, dirs[1], project, 'worker');
  return dirs;
}
