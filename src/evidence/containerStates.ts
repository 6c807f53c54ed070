// Every container (running or not) as `GET /containers/{id}/json` describes it: state, health,
// restarts, user, image. Shared by the container-health, container-user, dead-containers and
// image-children checks of one run, so each container is inspected once.

import { z } from 'zod';
import type { EvidenceContext } from './context.ts';
import { dockerCall } from './docker.ts';
import { containerName, eachContainer } from './dockerApi.ts';

export const HealthLogEntry = z.looseObject({
  ExitCode: z.number().int().optional(),
  Output: z.string().optional(),
  End: z.string().optional(),
});

/** The fields of an inspected container the checks read. */
export const ContainerDetails = z.looseObject({
  Id: z.string().regex(/^[0-9a-f]{64}$/),
  Name: z.string(),
  Image: z.string().optional(),
  RestartCount: z.number().int().nonnegative().optional(),
  State: z.looseObject({
    Status: z.string(),
    Running: z.boolean().optional(),
    Restarting: z.boolean().optional(),
    OOMKilled: z.boolean().optional(),
    Dead: z.boolean().optional(),
    ExitCode: z.number().int().optional(),
    Error: z.string().optional(),
    StartedAt: z.string().optional(),
    FinishedAt: z.string().optional(),
    Health: z
      .looseObject({
        Status: z.string(),
        FailingStreak: z.number().int().optional(),
        Log: z.array(HealthLogEntry).nullish(),
      })
      .nullish(),
  }),
  Config: z.looseObject({
    User: z.string().optional(),
    Image: z.string().optional(),
    Tty: z.boolean().optional(),
  }),
  HostConfig: z
    .looseObject({
      RestartPolicy: z.looseObject({ Name: z.string().optional() }).nullish(),
      Memory: z.number().optional(),
    })
    .optional(),
});
export type ContainerDetails = z.infer<typeof ContainerDetails>;

/** `/web` → `web`. */
export function detailsName(container: ContainerDetails): string {
  return containerName([container.Name], container.Id);
}

/** Every container, inspected a few at a time (the connection allows a handful of channels). */
export function containerStates(ctx: EvidenceContext): Promise<ContainerDetails[]> {
  return ctx.memo('docker:container-states', async () => {
    const inspected = await eachContainer(ctx, (summary) => inspectContainer(ctx, summary.Id));
    return inspected.filter((container): container is ContainerDetails => container !== undefined);
  });
}

/** One container; undefined when it is gone or the answer has another shape. */
export async function inspectContainer(ctx: EvidenceContext, id: string): Promise<ContainerDetails | undefined> {
  const raw: unknown = await dockerCall(ctx, `GET /containers/${id.slice(0, 12)}/json`, (docker) =>
    docker
      .getContainer(id)
      .inspect()
      .catch((error: { statusCode?: number }) => (error.statusCode === 404 ? null : Promise.reject(error))),
  );
  const parsed = ContainerDetails.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/** Pure: a container runs as root when Config.User is empty or names uid 0 / root. */
export function runsAsRoot(user: string | undefined): boolean {
  const name = (user ?? '').split(':')[0] ?? '';
  return name === '' || name === '0' || name === 'root';
}
