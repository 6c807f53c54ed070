// Host keys are pinned: a key is accepted only when it matches `hostKey` (a fingerprint as
// `ssh-keygen -lf` prints it) or an entry of the host's `knownHosts` file. Everything here is pure
// so it can be tested without a network; the caller reads the known_hosts file.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { HostConfig } from '../config/schema.ts';
import { DockmedicError } from '../errors.ts';

/** `SHA256:<base64 without padding>` of the wire-format key blob, exactly like `ssh-keygen -lf`. */
export function fingerprintOf(keyBlob: Buffer): string {
  const digest = createHash('sha256').update(keyBlob).digest('base64');
  return `SHA256:${digest.replace(/=+$/, '')}`;
}

export interface KnownHostsEntry {
  marker?: '@revoked' | '@cert-authority';
  /** The host field as written: a comma list of patterns, or one `|1|salt|hash`. */
  hosts: string;
  keyType: string;
  key: Buffer;
}

/** Parses known_hosts text; comments, blank and malformed lines are skipped (as ssh does). */
export function parseKnownHosts(text: string): KnownHostsEntry[] {
  const entries: KnownHostsEntry[] = [];
  for (const rawLine of text.split('\n')) {
    const entry = parseKnownHostsLine(rawLine.trim());
    if (entry) entries.push(entry);
  }
  return entries;
}

function parseKnownHostsLine(line: string): KnownHostsEntry | undefined {
  if (line === '' || line.startsWith('#')) return undefined;
  const fields = line.split(/\s+/);
  let marker: KnownHostsEntry['marker'];
  if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostsEntry['marker'];
  const [hosts, keyType, keyText] = fields;
  if (!hosts || !keyType || !keyText) return undefined;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(keyText)) return undefined;
  return { marker, hosts, keyType, key: Buffer.from(keyText, 'base64') };
}

/** The name ssh looks up for a host: `addr`, or `[addr]:port` when the port is not 22. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

/** Whether the host field of one entry names `name` (hashed, globs, negations, comma lists). */
export function hostFieldMatches(hostField: string, name: string): boolean {
  if (hostField.startsWith('|1|')) return hashedMatches(hostField, name);
  let matched = false;
  for (const pattern of hostField.split(',')) {
    const negated = pattern.startsWith('!');
    const body = negated ? pattern.slice(1) : pattern;
    if (!globMatches(body.toLowerCase(), name.toLowerCase())) continue;
    // A matching negation vetoes the whole line, whatever else matched.
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** `|1|salt|hash`: HMAC-SHA1 of the name keyed with the base64-decoded salt. */
function hashedMatches(hostField: string, name: string): boolean {
  const [, , saltText, hashText] = hostField.split('|');
  if (!saltText || !hashText) return false;
  const expected = Buffer.from(hashText, 'base64');
  const actual = createHmac('sha1', Buffer.from(saltText, 'base64')).update(name).digest();
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function globMatches(pattern: string, name: string): boolean {
  if (!pattern.includes('*') && !pattern.includes('?')) return pattern === name;
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${source}$`).test(name);
}

export type HostKeyVerdict =
  | { accepted: true; fingerprint: string; via: 'hostKey' | 'knownHosts' }
  | { accepted: false; fingerprint: string; reason: 'revoked' | 'unknown' };

/**
 * Decides whether `keyBlob`, offered by `host`, is the pinned key. `knownHostsText` is the content
 * of `host.knownHosts` when that is configured.
 */
export function verifyHostKey(
  host: Pick<HostConfig, 'address' | 'port' | 'hostKey'>,
  keyBlob: Buffer,
  knownHostsText?: string,
): HostKeyVerdict {
  const fingerprint = fingerprintOf(keyBlob);
  const entries = knownHostsText === undefined ? [] : parseKnownHosts(knownHostsText);
  const name = knownHostsName(host.address, host.port);
  const named = entries.filter((entry) => hostFieldMatches(entry.hosts, name));
  // A revoked key is refused even when it is pinned elsewhere.
  if (named.some((entry) => entry.marker === '@revoked' && entry.key.equals(keyBlob))) {
    return { accepted: false, fingerprint, reason: 'revoked' };
  }
  if (host.hostKey !== undefined && host.hostKey === fingerprint)
    return { accepted: true, fingerprint, via: 'hostKey' };
  if (named.some((entry) => entry.marker === undefined && entry.key.equals(keyBlob))) {
    return { accepted: true, fingerprint, via: 'knownHosts' };
  }
  return { accepted: false, fingerprint, reason: 'unknown' };
}

/** The error for a refused key: names the host and the key it offered so an operator can compare. */
export function hostKeyMismatchError(
  host: Pick<HostConfig, 'name' | 'address' | 'port' | 'hostKey'>,
  fingerprint: string,
  cause?: unknown,
): DockmedicError {
  const pinnedWhere = host.hostKey ? 'update hostKey' : 'update its knownHosts file';
  return new DockmedicError(
    'dm_host_key_mismatch',
    `host key of ${host.name} (${host.address}:${host.port}) is ${fingerprint}, which is not pinned`,
    {
      cause,
      retryable: false,
      userMessage:
        `${host.name} offered host key ${fingerprint}, which does not match the pinned key; ` +
        `if the host was rebuilt, verify and ${pinnedWhere} in dockmedic.yaml`,
    },
  );
}
