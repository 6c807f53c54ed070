// A script run in a lab host that must succeed: a failure quotes what it printed.

import type { LabHost } from '../host.ts';

export async function must(host: LabHost, script: string, what: string): Promise<string> {
  const result = await host.sh(script);
  if (result.code !== 0) {
    throw new Error(`while ${what} on lab host ${host.name}: ${(result.stderr || result.stdout).trim()}`);
  }
  return result.stdout;
}
