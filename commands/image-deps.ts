import { imageArg, singleHost } from './args.ts';
import { enqueueForTarget } from './enqueue.ts';
import { expectArgs } from './parse.ts';
import type { DockerCommand } from './services.ts';

const USAGE = 'image-deps HOST IMAGE';

export const imageDepsCommand: DockerCommand = {
  name: 'image-deps',
  usage: USAGE,
  description: 'What keeps `docker rmi IMAGE` from working: child images and containers, in the order to remove them.',
  minRole: 'viewer',
  async run(args, request, services) {
    expectArgs(args, USAGE, { min: 2, max: 2 });
    const [target, image] = args as [string, string];
    const host = singleHost(target, 'image-deps');
    return await enqueueForTarget(services, request, 'image-deps', host, { image: imageArg(image) });
  },
};
