// Loads evidence captured from real hosts (see test/fixtures/README for the commands).

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures');

export function fixtureText(relative: string): string {
  return readFileSync(path.join(FIXTURES, relative), 'utf8');
}

export function fixtureJson(relative: string): unknown {
  return JSON.parse(fixtureText(relative));
}

/** The Docker root dir of the dockerd the fixtures were captured from. */
export function capturedDockerRoot(): string {
  const info = fixtureJson('storage-driver/info-vfs.json') as { DockerRootDir: string };
  return info.DockerRootDir;
}
