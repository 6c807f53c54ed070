// /tmp remounted noexec: the lab host has its own tmpfs /tmp, so this touches nothing else.

import type { LabHost } from '../host.ts';
import { must } from './must.ts';

export async function remountTmpNoexec(host: LabHost): Promise<void> {
  await must(host, 'mount -o remount,noexec /tmp', 'remounting /tmp noexec');
}

export async function remountTmpExec(host: LabHost): Promise<void> {
  await must(host, 'mount -o remount,exec /tmp', 'remounting /tmp exec');
}
