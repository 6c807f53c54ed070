// Where Docker keeps its data. The daemon knows best (`DockerRootDir`); when it does not answer,
// daemon.json `data-root` (or the removed `graph`) is the next witness, and /var/lib/docker the
// default. The evidence says which one was used, so findings can say it too.

import type { EvidenceContext } from './context.ts';
import { daemonJson, daemonString } from './daemonConfig.ts';
import { dockerInfo, isDockerUnavailable } from './docker.ts';

export const DEFAULT_DOCKER_ROOT = '/var/lib/docker';

export type DockerRootSource = 'docker-info' | 'daemon.json' | 'default';

export interface DockerRoot {
  path: string;
  source: DockerRootSource;
}

export function describeDockerRootSource(root: DockerRoot): string {
  if (root.source === 'docker-info') return `DockerRootDir from the Engine API (docker info)`;
  if (root.source === 'daemon.json') return 'data-root from /etc/docker/daemon.json (dockerd did not answer)';
  return `the default ${DEFAULT_DOCKER_ROOT} (dockerd did not answer and daemon.json sets no data-root)`;
}

export function dockerRoot(ctx: EvidenceContext): Promise<DockerRoot> {
  return ctx.memo('docker-root', async () => {
    try {
      const info = await dockerInfo(ctx);
      return { path: info.DockerRootDir, source: 'docker-info' };
    } catch (error) {
      if (!isDockerUnavailable(error)) throw error;
    }
    const config = await daemonJson(ctx);
    const configured = daemonString(config, 'data-root') ?? daemonString(config, 'graph');
    if (configured?.startsWith('/')) return { path: configured, source: 'daemon.json' };
    return { path: DEFAULT_DOCKER_ROOT, source: 'default' };
  });
}
