// Primitives the fault files share: files written into a lab host, images built there from
// busybox:local with the classic builder (no registry, no BuildKit), commands that must succeed.

import type { LabHost } from '../host.ts';
import { shellQuote } from '../proc.ts';

/** Runs a script in the host; a non-zero exit is an error that quotes what the script printed. */
export async function hostSh(host: LabHost, script: string, what: string): Promise<string> {
  const result = await host.sh(script);
  if (result.code !== 0) {
    throw new Error(`while ${what} on lab host ${host.name}: ${(result.stderr || result.stdout).trim()}`);
  }
  return result.stdout;
}

export interface LabFile {
  content: string | Buffer;
  mode?: string;
}

/** Writes files into the host (paths inside its mount namespace), creating their folders. */
export async function writeHostFiles(host: LabHost, files: Record<string, LabFile>): Promise<void> {
  const lines = ['set -e'];
  for (const [path, file] of Object.entries(files)) {
    const encoded = Buffer.from(file.content).toString('base64');
    lines.push(`mkdir -p "$(dirname ${shellQuote(path)})"`);
    lines.push(`printf %s ${shellQuote(encoded)} | base64 -d > ${shellQuote(path)}`);
    if (file.mode) lines.push(`chmod ${file.mode} ${shellQuote(path)}`);
  }
  await hostSh(host, lines.join('\n'), `writing ${Object.keys(files).join(', ')}`);
}

/** Builds `tag` in the host from a Dockerfile and files of its context (relative paths). */
export async function buildImage(
  host: LabHost,
  tag: string,
  dockerfile: string,
  context: Record<string, LabFile> = {},
): Promise<void> {
  const dir = `/tmp/lab-build/${tag.replace(/[^a-z0-9]/gi, '-')}`;
  const files: Record<string, LabFile> = { [`${dir}/Dockerfile`]: { content: dockerfile } };
  for (const [name, file] of Object.entries(context)) files[`${dir}/${name}`] = file;
  await writeHostFiles(host, files);
  await hostSh(host, `DOCKER_BUILDKIT=0 docker build -q -t ${shellQuote(tag)} ${shellQuote(dir)}`, `building ${tag}`);
}

/** `docker run -d …` in the host; returns the container id. */
export async function runDetached(host: LabHost, args: readonly string[]): Promise<string> {
  const result = await host.docker(['run', '-d', ...args]);
  if (result.code !== 0) throw new Error(`while running a container on lab host ${host.name}: ${result.stderr.trim()}`);
  return result.stdout.trim();
}

/** Polls `docker logs NAME` until it contains `text` (or throws after timeoutMs). */
export async function waitForLog(host: LabHost, name: string, text: string, timeoutMs = 15_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await host.docker(['logs', name]);
    const log = result.stdout + result.stderr;
    if (log.includes(text)) return log;
    if (Date.now() > deadline)
      throw new Error(`container ${name} on ${host.name} did not log "${text}"; its log: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Runs docker-compose v1 (Debian's 1.29) in `dir` against the host's own dockerd. */
export async function composeUp(host: LabHost, dir: string, project: string, yaml: string): Promise<void> {
  await writeHostFiles(host, { [`${dir}/docker-compose.yml`]: { content: yaml } });
  await hostSh(
    host,
    `cd ${shellQuote(dir)} && DOCKER_HOST=unix:///var/run/docker.sock docker-compose -p ${shellQuote(project)} up -d 2>&1`,
    `docker-compose up in ${dir}`,
  );
}
