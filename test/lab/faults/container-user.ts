// A container running as uid 1000 that cannot write where it tries to (like the guide's nginx):
// real "Permission denied" lines in its log.

import type { LabHost } from '../host.ts';
import { shellQuote } from '../proc.ts';
import { must } from './must.ts';

export async function makeNonRootDenied(host: LabHost, name: string): Promise<string> {
  const script = 'echo starting; mkdir /var/cache; touch /etc/nginx.pid; trap "exit 0" TERM; sleep 3600 & wait';
  return (
    await must(
      host,
      `docker run -d --network none --user 1000 --name ${name} busybox:local sh -c ${shellQuote(script)}`,
      'starting it',
    )
  ).trim();
}
