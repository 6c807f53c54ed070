/**
 * The test lab: real "remote" Docker hosts on this machine, each an sshd + dockerd in private
 * namespaces on its own 127.0.0.x address, with faults tests can inject. See README.md here.
 */
export { cleanupStaleLab } from './cleanup.ts';

import type { LabHost } from './host.ts';

export { type LabHost, type LabHostOptions, startLabHost } from './host.ts';
export { type SilentHost, startSilentHost } from './network.ts';
export { LAB_DIR } from './paths.ts';

/** The dockmedic.yaml host entry that reaches a lab host (pinned key, its client key). */
export function labHostEntry(host: LabHost, overrides: Record<string, unknown> = {}) {
  return {
    name: host.name,
    address: host.address,
    port: host.port,
    user: host.user,
    privateKey: host.privateKeyPath,
    hostKey: host.hostKeyFingerprint,
    dockerSocket: host.dockerSocket,
    ...overrides,
  };
}
