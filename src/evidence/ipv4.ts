// IPv4 prefixes as numbers, for comparing Docker subnets with each other and with host routes.

export interface Ipv4Prefix {
  /** The prefix as written, e.g. `172.17.0.0/16`. */
  text: string;
  /** First address, as an unsigned 32-bit number. */
  first: number;
  last: number;
  bits: number;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\/(\d{1,2}))?$/;

/** Pure: `10.0.0.0/8` (or a bare address, as a /32) into a range; undefined for IPv6 or junk. */
export function parseIpv4Prefix(text: string): Ipv4Prefix | undefined {
  const match = CIDR.exec(text.trim());
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  if (octets.some((octet) => octet > 255)) return undefined;
  const bits = match[5] === undefined ? 32 : Number(match[5]);
  if (bits > 32) return undefined;
  const address = octets.reduce((sum, octet) => sum * 256 + octet, 0);
  const size = 2 ** (32 - bits);
  const first = Math.floor(address / size) * size;
  return { text: text.trim(), first, last: first + size - 1, bits };
}

export function prefixesOverlap(a: Ipv4Prefix, b: Ipv4Prefix): boolean {
  return a.first <= b.last && b.first <= a.last;
}

/** True when `inner` lies wholly inside `outer`. */
export function prefixContains(outer: Ipv4Prefix, inner: Ipv4Prefix): boolean {
  return outer.first <= inner.first && inner.last <= outer.last;
}
