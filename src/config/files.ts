import { readFileSync, statSync } from 'node:fs';
import type { DockmedicConfig } from './schema.ts';

function readable(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    return `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
  }
}

/**
 * What the schema cannot see: the key and known_hosts files the hosts name exist, can be read, and
 * look like what they should be. `dockmedic config check` lists these with the schema's problems.
 */
export function fileProblems(config: DockmedicConfig): string[] {
  const problems: string[] = [];
  config.hosts.forEach((host, index) => {
    if (host.privateKey) {
      const text = readable(host.privateKey);
      if (text === undefined || text.startsWith('cannot be read')) {
        problems.push(`hosts[${index}].privateKey: ${host.privateKey} ${text ?? ''}`.trim());
      } else if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) {
        problems.push(
          `hosts[${index}].privateKey: ${host.privateKey} is not a private key (no BEGIN … PRIVATE KEY line)`,
        );
      }
    }
    if (host.knownHosts) {
      const text = readable(host.knownHosts);
      if (text?.startsWith('cannot be read')) problems.push(`hosts[${index}].knownHosts: ${host.knownHosts} ${text}`);
    }
  });
  return problems;
}

/**
 * What works but should not be so: private keys that others on the machine may read. OpenSSH refuses
 * such a key ("UNPROTECTED PRIVATE KEY FILE"); dockmedic still uses it but says so, at start and in
 * `dockmedic config check`.
 */
export function fileWarnings(config: DockmedicConfig): string[] {
  // One line per key file, however many hosts share it.
  const users = new Map<string, number[]>();
  config.hosts.forEach((host, index) => {
    if (host.privateKey) users.set(host.privateKey, [...(users.get(host.privateKey) ?? []), index]);
  });
  const warnings: string[] = [];
  for (const [file, indices] of users) {
    let mode: number;
    try {
      mode = statSync(file).mode & 0o777;
    } catch {
      continue; // fileProblems reports a key that cannot be read
    }
    if ((mode & 0o077) === 0) continue;
    const who = mode & 0o007 ? 'anyone on this machine' : 'its group';
    const others = indices.length > 1 ? ` (and ${indices.length - 1} more hosts)` : '';
    warnings.push(
      `hosts[${indices[0]}].privateKey${others}: ${file} may be read by ${who} (mode ${mode.toString(8).padStart(4, '0')}); run \`chmod 600 ${file}\``,
    );
  }
  return warnings;
}
