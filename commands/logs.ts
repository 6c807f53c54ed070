import { containerArg, singleHost, TAIL_DEFAULT, TAIL_MAX, takeTail } from './args.ts';
import { enqueueForTarget } from './enqueue.ts';
import { expectArgs } from './parse.ts';
import type { DockerCommand } from './services.ts';

const USAGE = 'logs HOST CONTAINER [--tail N]';

export const logsCommand: DockerCommand = {
  name: 'logs',
  usage: USAGE,
  description: `The last lines of a container's log (default ${TAIL_DEFAULT}, at most ${TAIL_MAX}), secrets redacted; long output as a file.`,
  minRole: 'operator',
  async run(args, request, services) {
    const { tail, rest } = takeTail(args);
    expectArgs(rest, USAGE, { min: 2, max: 2 });
    const [target, container] = rest as [string, string];
    const host = singleHost(target, 'logs');
    return await enqueueForTarget(services, request, 'logs', host, { container: containerArg(container), tail });
  },
};
