// How to bring a container back after its storage is gone (a storage-driver change): the compose
// project it came from, else a `docker run` line rebuilt from its inspection (name, restart policy,
// network, ports, mounts, environment names, image, command). Environment values are never put in
// the line (they may be secrets): the runbook keeps the full inspections in a root-only file.

import { z } from 'zod';
import { quote } from '../hosts/shell.ts';
import { composeOrigin } from './containerSpec.ts';
import type { ContainerDetails } from './containerStates.ts';
import { containerName } from './dockerApi.ts';

const Recreatable = z.looseObject({
  Id: z.string(),
  Name: z.string(),
  Config: z.looseObject({
    Image: z.string().optional(),
    Env: z.array(z.string()).nullish(),
    Cmd: z.array(z.string()).nullish(),
    Entrypoint: z.array(z.string()).nullish(),
    Labels: z.record(z.string(), z.string()).nullish(),
  }),
  HostConfig: z
    .looseObject({
      NetworkMode: z.string().optional(),
      RestartPolicy: z.looseObject({ Name: z.string().optional() }).nullish(),
      PortBindings: z
        .record(
          z.string(),
          z.array(z.looseObject({ HostIp: z.string().optional(), HostPort: z.string().optional() })).nullish(),
        )
        .nullish(),
    })
    .optional(),
  Mounts: z
    .array(
      z.looseObject({
        Type: z.string().optional(),
        Name: z.string().optional(),
        Source: z.string().optional(),
        Destination: z.string(),
        RW: z.boolean().optional(),
      }),
    )
    .nullish(),
});

export interface RecreateHow {
  name: string;
  image: string;
  /** `compose` when compose labels say where it came from, else a rebuilt `docker run`. */
  kind: 'compose' | 'run';
  command: string;
}

function portFlags(
  bindings: Record<string, Array<{ HostIp?: string; HostPort?: string }> | null | undefined>,
): string[] {
  const flags: string[] = [];
  for (const [port, hosts] of Object.entries(bindings)) {
    for (const binding of hosts ?? []) {
      const ip = binding.HostIp && binding.HostIp !== '0.0.0.0' ? `${binding.HostIp}:` : '';
      flags.push(`-p ${quote(`${ip}${binding.HostPort ?? ''}:${port.replace(/\/tcp$/, '')}`)}`);
    }
  }
  return flags;
}

/** Pure: how to recreate this container; undefined when the inspection has another shape. */
export function recreateHow(inspection: ContainerDetails | unknown): RecreateHow | undefined {
  const parsed = Recreatable.safeParse(inspection);
  if (!parsed.success) return undefined;
  const container = parsed.data;
  const name = containerName([container.Name], container.Id);
  const image = container.Config.Image ?? '?';
  const origin = composeOrigin(container.Config.Labels ?? {});
  if (origin) {
    const files = origin.configFiles.map((file) => `-f ${quote(file)}`).join(' ');
    const service = origin.service ? ` ${quote(origin.service)}` : '';
    const cd = origin.workingDir ? `cd ${quote(origin.workingDir)} && ` : '';
    return {
      name,
      image,
      kind: 'compose',
      command: `${cd}docker compose -p ${quote(origin.project)} ${files} up -d${service}`.replace(/ {2,}/g, ' '),
    };
  }
  const host = container.HostConfig ?? {};
  const flags = ['docker run -d', `--name ${quote(name)}`];
  const restart = host.RestartPolicy?.Name;
  if (restart && restart !== 'no') flags.push(`--restart ${quote(restart)}`);
  if (host.NetworkMode && host.NetworkMode !== 'default' && host.NetworkMode !== 'bridge')
    flags.push(`--network ${quote(host.NetworkMode)}`);
  flags.push(...portFlags(host.PortBindings ?? {}));
  for (const mount of container.Mounts ?? []) {
    const source = mount.Type === 'volume' ? mount.Name : mount.Source;
    if (!source) continue;
    flags.push(`-v ${quote(`${source}:${mount.Destination}${mount.RW === false ? ':ro' : ''}`)}`);
  }
  const envNames = (container.Config.Env ?? []).map((entry) => entry.split('=')[0] ?? '').filter(Boolean);
  if (envNames.length > 0) flags.push(`-e ${envNames.map((envName) => `${envName}=…`).join(' -e ')}`);
  const entrypoint = container.Config.Entrypoint ?? [];
  if (entrypoint.length > 0) flags.push(`--entrypoint ${quote(entrypoint[0] as string)}`);
  const args = [...entrypoint.slice(1), ...(container.Config.Cmd ?? [])].map((arg) => quote(arg));
  return { name, image, kind: 'run', command: [...flags, quote(image), ...args].join(' ') };
}
