// What each container was created with: environment, command line, labels, network and IPC mode,
// /dev/shm size and mounts. Read from the inspections containerStates already made (one inspect per
// container per run); env values whose names look secret are redacted here, before any check sees them.

import { z } from 'zod';
import { isSecretName } from '../redact/secretName.ts';
import { REDACTED } from '../redact.ts';
import { containerStates } from './containerStates.ts';
import type { EvidenceContext } from './context.ts';
import { containerName } from './dockerApi.ts';

export const COMPOSE_PROJECT = 'com.docker.compose.project';
export const COMPOSE_WORKING_DIR = 'com.docker.compose.project.working_dir';
export const COMPOSE_CONFIG_FILES = 'com.docker.compose.project.config_files';
export const COMPOSE_SERVICE = 'com.docker.compose.service';

const stringList = z.array(z.string()).nullish();

const MountPoint = z.looseObject({
  Type: z.string().optional(),
  Name: z.string().optional(),
  Source: z.string().optional(),
  Destination: z.string(),
  Driver: z.string().optional(),
});

/** The fields of `GET /containers/{id}/json` these checks read. */
export const InspectSpec = z.looseObject({
  Id: z.string().regex(/^[0-9a-f]{64}$/),
  Name: z.string(),
  State: z.looseObject({ Running: z.boolean().optional(), Status: z.string().optional() }),
  Config: z.looseObject({
    Image: z.string().optional(),
    Env: stringList,
    Cmd: stringList,
    Entrypoint: stringList,
    Labels: z.record(z.string(), z.string()).nullish(),
  }),
  HostConfig: z
    .looseObject({
      NetworkMode: z.string().optional(),
      IpcMode: z.string().optional(),
      ShmSize: z.number().optional(),
    })
    .optional(),
  Mounts: z.array(MountPoint).nullish(),
});

export interface EnvVar {
  name: string;
  /** The value as the process sees it; the part inside any wrapping quotes is `••••` for secret names. */
  value: string;
}

export interface ContainerMount {
  type: string;
  source: string;
  destination: string;
  /** Named volumes: the volume's name. */
  name?: string;
}

export interface ContainerSpec {
  id: string;
  name: string;
  /** The image as the container was created from it (`Config.Image`, e.g. `mysql:5.7`). */
  image: string;
  running: boolean;
  env: EnvVar[];
  /** `Config.Entrypoint` then `Config.Cmd`: the process's command line. */
  entrypoint: string[];
  cmd: string[];
  labels: Record<string, string>;
  networkMode: string;
  ipcMode: string;
  /** Bytes; 0 when the daemon did not say. */
  shmSize: number;
  mounts: ContainerMount[];
}

const QUOTE_PAIR = /^(["'])([\s\S]*)\1$/;

/** Pure: the value of a secret-named variable becomes `••••`, keeping wrapping quotes so they still show. */
export function redactEnvValue(name: string, value: string): string {
  if (!isSecretName(name) || value === '') return value;
  const quoted = QUOTE_PAIR.exec(value);
  if (quoted && value.length >= 2) return `${quoted[1]}${REDACTED}${quoted[1]}`;
  return REDACTED;
}

/** Pure: `NAME=value` entries of Config.Env, redacted. An entry without `=` is a name with no value. */
export function parseEnv(entries: readonly string[] | null | undefined): EnvVar[] {
  const env: EnvVar[] = [];
  for (const entry of entries ?? []) {
    const equals = entry.indexOf('=');
    const name = equals < 0 ? entry : entry.slice(0, equals);
    const value = equals < 0 ? '' : entry.slice(equals + 1);
    env.push({ name, value: redactEnvValue(name, value) });
  }
  return env;
}

/** Pure: an inspect answer into the spec; undefined when it has another shape. */
export function toContainerSpec(raw: unknown): ContainerSpec | undefined {
  const parsed = InspectSpec.safeParse(raw);
  if (!parsed.success) return undefined;
  const inspect = parsed.data;
  const host = inspect.HostConfig ?? {};
  return {
    id: inspect.Id,
    name: containerName([inspect.Name], inspect.Id),
    image: inspect.Config.Image ?? '',
    running: inspect.State.Running === true,
    env: parseEnv(inspect.Config.Env),
    entrypoint: inspect.Config.Entrypoint ?? [],
    cmd: inspect.Config.Cmd ?? [],
    labels: inspect.Config.Labels ?? {},
    networkMode: host.NetworkMode ?? 'default',
    ipcMode: host.IpcMode ?? '',
    shmSize: host.ShmSize ?? 0,
    mounts: (inspect.Mounts ?? []).map((mount) => ({
      type: mount.Type ?? 'bind',
      source: mount.Source ?? '',
      destination: mount.Destination,
      ...(mount.Name ? { name: mount.Name } : {}),
    })),
  };
}

/** Every container (running or not), from the run's shared inspections. */
export function containerSpecs(ctx: EvidenceContext): Promise<ContainerSpec[]> {
  return ctx.memo('docker:container-specs', async () => {
    const inspected = await containerStates(ctx);
    const specs: ContainerSpec[] = [];
    for (const raw of inspected) {
      const spec = toContainerSpec(raw);
      if (spec) specs.push(spec);
    }
    return specs;
  });
}

/** The running ones. */
export async function runningContainerSpecs(ctx: EvidenceContext): Promise<ContainerSpec[]> {
  const specs = await containerSpecs(ctx);
  return specs.filter((spec) => spec.running);
}

/** Pure: the value of an environment variable, or undefined. */
export function envValue(spec: Pick<ContainerSpec, 'env'>, name: string): string | undefined {
  return spec.env.find((variable) => variable.name === name)?.value;
}

/** Where the container's compose file lives, from the labels docker-compose (v1 and v2) sets. */
export interface ComposeOrigin {
  project: string;
  service?: string;
  workingDir?: string;
  /** Absolute paths when the label gave relative ones and the working dir is known. */
  configFiles: string[];
}

/** Pure: the compose project a container belongs to, or undefined for a plain `docker run`. */
export function composeOrigin(labels: Record<string, string>): ComposeOrigin | undefined {
  const project = labels[COMPOSE_PROJECT];
  if (!project) return undefined;
  const workingDir = labels[COMPOSE_WORKING_DIR] || undefined;
  const files = (labels[COMPOSE_CONFIG_FILES] ?? '')
    .split(',')
    .map((file) => file.trim())
    .filter((file) => file !== '');
  const configFiles = files.map((file) =>
    file.startsWith('/') || !workingDir ? file : `${workingDir.replace(/\/+$/, '')}/${file}`,
  );
  const service = labels[COMPOSE_SERVICE];
  return { project, ...(service ? { service } : {}), ...(workingDir ? { workingDir } : {}), configFiles };
}

/** Pure: "compose file /srv/app/docker-compose.yml (project app, service web)" or "docker run". */
export function describeOrigin(origin: ComposeOrigin | undefined): string {
  if (!origin) return 'created with docker run (no compose labels)';
  const files = origin.configFiles.length > 0 ? origin.configFiles.join(', ') : (origin.workingDir ?? '?');
  const service = origin.service ? `, service ${origin.service}` : '';
  return `compose file ${files} (project ${origin.project}${service})`;
}
