import { readFileSync } from 'node:fs';
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
