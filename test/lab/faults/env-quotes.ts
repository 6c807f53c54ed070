// Faults for the env-quotes check: literal quotes inside environment values, from a compose
// `environment:` list (docker-compose 1.29 keeps them, as the guide says) and from `docker run -e`
// with the quotes protected from the shell. One of the compose variables has a secret-looking name,
// so tests can see its value never shown.

import type { LabHost } from '../host.ts';
import { composeUp, runDetached } from './build.ts';

export const QUOTED_STACK_DIR = '/tmp/quoted/app';

export async function startComposeWithQuotedEnv(host: LabHost, project: string): Promise<string> {
  await composeUp(
    host,
    QUOTED_STACK_DIR,
    project,
    `version: "3"
services:
  api:
    image: busybox:local
    network_mode: none
    command: sleep 100000
    environment:
      - LANG=C.UTF-8
      - DB_HOST="db"
      - DB_PASSWORD="lab-secret-pw"
`,
  );
  return `${QUOTED_STACK_DIR}/docker-compose.yml`;
}

export function runWithQuotedEnv(host: LabHost, name: string): Promise<string> {
  return runDetached(host, [
    '--network',
    'none',
    '--name',
    name,
    '-e',
    'LANG=C.UTF-8',
    '-e',
    "CACHE_URL='redis://cache:6379'",
    'busybox:local',
    'sleep',
    '100000',
  ]);
}
