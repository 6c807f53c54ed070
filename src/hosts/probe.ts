// `dockmedic hosts test`: can we log in, run a command and reach the Docker API? Never throws:
// each host gets a line, whatever went wrong.

import type { HostConfig } from '../config/schema.ts';
import { userMessageOf } from '../errors.ts';
import { sh } from './shell.ts';
import type { HostConnection, HostPool } from './types.ts';

export interface ProbeResult {
  host: string;
  reachable: boolean;
  /** The `SHA256:…` fingerprint the host offered (SSH hosts). */
  hostKey?: string;
  /** `uname -sr` of the host. */
  system?: string;
  dockerVersion?: string;
  error?: string;
  ms: number;
}

export async function probeHost(pool: HostPool, host: HostConfig): Promise<ProbeResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let connection: HostConnection;
  try {
    connection = await pool.acquire(host);
  } catch (error) {
    return { host: host.name, reachable: false, error: userMessageOf(error), ms: elapsed() };
  }
  const result: ProbeResult = { host: host.name, reachable: false, ms: 0 };
  const fingerprint = (connection as { hostKeyFingerprint?: string }).hostKeyFingerprint;
  if (fingerprint) result.hostKey = fingerprint;
  try {
    const uname = await connection.exec(sh`uname -sr`);
    result.reachable = true;
    result.system = uname.stdout.trim();
  } catch (error) {
    result.error = userMessageOf(error);
    result.ms = elapsed();
    return result;
  }
  try {
    const version = await connection.docker().version();
    result.dockerVersion = version.Version;
  } catch (error) {
    result.error = userMessageOf(error);
  }
  result.ms = elapsed();
  return result;
}
