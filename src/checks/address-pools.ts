// Docker networks against each other and against the host's routes (docs/checks.md, trouble § 11). A Docker subnet
// that overlaps a route the host already has (the office LAN, a VPN) makes that range unreachable
// from the containers, or from the host; two overlapping networks do the same to each other. The
// cure is `default-address-pools` in daemon.json, with a range nothing else uses.

import { z } from 'zod';
import type { EvidenceContext } from '../evidence/context.ts';
import { daemonJson } from '../evidence/daemonConfig.ts';
import { type NetworkList, networkList } from '../evidence/dockerApi.ts';
import { type Ipv4Prefix, parseIpv4Prefix, prefixContains, prefixesOverlap } from '../evidence/ipv4.ts';
import { sh } from '../hosts/shell.ts';
import type { Check, Finding } from './types.ts';

export interface DockerNetwork {
  name: string;
  id: string;
  driver: string;
  subnets: string[];
  configOnly: boolean;
  /** A network made with `--config-from X` carries X's subnet: not an overlap. */
  configFrom?: string;
  /** The Linux bridge this network owns, whose connected route is its own, not the host's. */
  bridge?: string;
}

export interface HostRoute {
  dst: string;
  dev?: string;
  type?: string;
  table?: string;
}

export interface AddressPool {
  base: string;
  size: number;
}

export interface AddressPoolsEvidence {
  networks: DockerNetwork[];
  routes: HostRoute[];
  /** How the routes were read, or why they could not be. */
  routeSource: string;
  /** daemon.json `default-address-pools`; undefined when not set. */
  pools?: AddressPool[];
}

/** Pure: `GET /networks` into networks with their IPv4 subnets. */
export function toNetworks(list: z.infer<typeof NetworkList>): DockerNetwork[] {
  return list.map((network) => {
    const options = network.Options ?? {};
    const bridge =
      options['com.docker.network.bridge.name'] ??
      (network.Name === 'bridge'
        ? 'docker0'
        : network.Driver === 'bridge'
          ? `br-${network.Id.slice(0, 12)}`
          : undefined);
    const configFrom = network.ConfigFrom?.Network || undefined;
    return {
      name: network.Name,
      id: network.Id,
      driver: network.Driver ?? '',
      subnets: (network.IPAM?.Config ?? []).map((config) => config.Subnet ?? '').filter((subnet) => subnet !== ''),
      configOnly: network.ConfigOnly === true,
      ...(configFrom ? { configFrom } : {}),
      ...(bridge ? { bridge } : {}),
    };
  });
}

const IpRoute = z.looseObject({
  dst: z.string(),
  dev: z.string().optional(),
  type: z.string().optional(),
  table: z.string().optional(),
});

/** Pure: `ip -j -4 route show table all`. */
export function parseIpRouteJson(stdout: string): HostRoute[] {
  const parsed = z.array(IpRoute).safeParse(JSON.parse(stdout));
  if (!parsed.success) return [];
  return parsed.data.map((route) => ({
    dst: route.dst,
    ...(route.dev ? { dev: route.dev } : {}),
    ...(route.type ? { type: route.type } : {}),
    ...(route.table ? { table: route.table } : {}),
  }));
}

const ROUTE_TYPES = new Set([
  'unicast',
  'local',
  'broadcast',
  'multicast',
  'unreachable',
  'blackhole',
  'prohibit',
  'throw',
  'nat',
  'anycast',
]);

/** Pure: text `ip -4 route show table all` (busybox ip, old iproute2 without -j). */
export function parseIpRouteText(stdout: string): HostRoute[] {
  const routes: HostRoute[] = [];
  for (const line of stdout.split('\n')) {
    const words = line.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    const type = ROUTE_TYPES.has(words[0] as string) ? words.shift() : undefined;
    const dst = words.shift() as string;
    const dev = words[words.indexOf('dev') + 1];
    const table = words[words.indexOf('table') + 1];
    routes.push({
      dst,
      ...(words.includes('dev') && dev ? { dev } : {}),
      ...(type ? { type } : {}),
      ...(words.includes('table') && table ? { table } : {}),
    });
  }
  return routes;
}

async function hostRoutes(ctx: EvidenceContext): Promise<{ routes: HostRoute[]; source: string }> {
  const json = await ctx.conn.exec(sh`ip -j -4 route show table all`);
  if (json.code === 0 && json.stdout.trim().startsWith('[')) {
    return { routes: parseIpRouteJson(json.stdout), source: 'ip -j -4 route show table all' };
  }
  const text = await ctx.conn.exec(sh`ip -4 route show table all`);
  if (text.code === 0) return { routes: parseIpRouteText(text.stdout), source: 'ip -4 route show table all' };
  return { routes: [], source: `routes not read: ${(text.stderr || json.stderr).trim() || 'ip failed'}` };
}

/** Pure: daemon.json `default-address-pools`, when it is a list of {base, size}. */
export function parsePools(value: unknown): AddressPool[] | undefined {
  const parsed = z.array(z.looseObject({ base: z.string(), size: z.number().int() })).safeParse(value);
  return parsed.success ? parsed.data.map((pool) => ({ base: pool.base, size: pool.size })) : undefined;
}

async function collectAddressPools(ctx: EvidenceContext): Promise<AddressPoolsEvidence> {
  const networks = toNetworks(await networkList(ctx));
  const [routes, config] = await Promise.all([hostRoutes(ctx), daemonJson(ctx)]);
  const pools = parsePools(config.config?.['default-address-pools']);
  return { networks, routes: routes.routes, routeSource: routes.source, ...(pools ? { pools } : {}) };
}

interface Subnet {
  network: DockerNetwork;
  prefix: Ipv4Prefix;
}

function subnetsOf(networks: readonly DockerNetwork[]): Subnet[] {
  const subnets: Subnet[] = [];
  for (const network of networks) {
    for (const text of network.subnets) {
      const prefix = parseIpv4Prefix(text);
      if (prefix) subnets.push({ network, prefix });
    }
  }
  return subnets;
}

/** Routes that are the host's own: not the default route, not a broadcast or host address, not a Docker bridge's. */
function hostRoutePrefixes(evidence: AddressPoolsEvidence): Array<{ route: HostRoute; prefix: Ipv4Prefix }> {
  const bridges = new Set(evidence.networks.map((network) => network.bridge).filter(Boolean));
  const prefixes = [];
  for (const route of evidence.routes) {
    if (route.type && route.type !== 'unicast' && route.type !== 'local') continue;
    if (!route.dst.includes('/') || route.dst === 'default') continue;
    if (route.dev && bridges.has(route.dev)) continue;
    const prefix = parseIpv4Prefix(route.dst);
    if (prefix && prefix.bits > 0) prefixes.push({ route, prefix });
  }
  return prefixes;
}

function related(a: DockerNetwork, b: DockerNetwork): boolean {
  return a.configFrom === b.name || b.configFrom === a.name;
}

const CANDIDATE_BASES = ['10.210.0.0/16', '172.30.0.0/16', '192.168.240.0/20', '10.99.0.0/16'];

/** Pure: a pool base that overlaps no route and no network seen, for the example. */
export function suggestPoolBase(evidence: AddressPoolsEvidence): string {
  const taken = [
    ...subnetsOf(evidence.networks).map((subnet) => subnet.prefix),
    ...hostRoutePrefixes(evidence).map((r) => r.prefix),
  ];
  for (const base of CANDIDATE_BASES) {
    const prefix = parseIpv4Prefix(base) as Ipv4Prefix;
    if (!taken.some((other) => prefixesOverlap(prefix, other))) return base;
  }
  return CANDIDATE_BASES[0] as string;
}

export function poolsExample(base: string): string {
  return JSON.stringify({ 'default-address-pools': [{ base, size: 24 }] }, null, 2);
}

function advice(evidence: AddressPoolsEvidence): string {
  return [
    'Give Docker a range nothing else uses: in /etc/docker/daemon.json (merged with what is there; JSON allows no comments):',
    poolsExample(suggestPoolBase(evidence)),
    'then restart dockerd. It applies to networks created afterwards: remove and recreate the overlapping networks (`docker compose down && docker compose up -d` for compose projects). A network made with an explicit `--subnet` keeps it: change that subnet instead.',
  ].join('\n');
}

export function judgeAddressPools(evidence: AddressPoolsEvidence): Finding[] {
  const subnets = subnetsOf(evidence.networks);
  const clashes: string[] = [];
  for (let i = 0; i < subnets.length; i += 1) {
    for (let j = i + 1; j < subnets.length; j += 1) {
      const a = subnets[i] as Subnet;
      const b = subnets[j] as Subnet;
      if (a.network.id === b.network.id || related(a.network, b.network)) continue;
      if (prefixesOverlap(a.prefix, b.prefix)) {
        clashes.push(`network ${a.network.name} ${a.prefix.text} overlaps network ${b.network.name} ${b.prefix.text}`);
      }
    }
  }
  for (const subnet of subnets) {
    for (const { route, prefix } of hostRoutePrefixes(evidence)) {
      if (!prefixesOverlap(subnet.prefix, prefix)) continue;
      const where = `${route.dev ? ` dev ${route.dev}` : ''}${route.table ? ` table ${route.table}` : ''}`;
      clashes.push(`network ${subnet.network.name} ${subnet.prefix.text} overlaps host route ${route.dst}${where}`);
    }
  }
  const findings: Finding[] = [];
  if (clashes.length > 0) {
    findings.push({
      check: 'address-pools',
      severity: 'crit',
      summary: `${clashes.length} address overlap(s): ${clashes[0]}${clashes.length > 1 ? ', …' : ''}`,
      detail: `Traffic to the overlapping range goes to the wrong place: containers cannot reach it, or the host cannot. ${advice(evidence)}`,
      evidence: [...clashes, `routes from ${evidence.routeSource}`],
    });
  }
  const pools = (evidence.pools ?? []).map((pool) => parseIpv4Prefix(pool.base)).filter((p): p is Ipv4Prefix => !!p);
  if (pools.length > 0) {
    const outside = subnets.filter((subnet) => !pools.some((pool) => prefixContains(pool, subnet.prefix)));
    if (outside.length > 0) {
      findings.push({
        check: 'address-pools',
        severity: 'info',
        summary: `${outside.length} network(s) lie outside default-address-pools: ${outside
          .map((subnet) => `${subnet.network.name} ${subnet.prefix.text}`)
          .join(', ')}`,
        detail:
          'They were created before the pools were set, or with an explicit --subnet. Recreate them to move them into the pools.',
        evidence: [`daemon.json default-address-pools: ${JSON.stringify(evidence.pools)}`],
      });
    }
  }
  if (findings.length > 0) return findings;
  return [
    {
      check: 'address-pools',
      severity: 'ok',
      summary: `${subnets.length} Docker subnet(s) overlap neither each other nor a host route`,
      evidence: [
        ...subnets.map((subnet) => `network ${subnet.network.name}: ${subnet.prefix.text}`),
        `routes from ${evidence.routeSource}`,
      ],
    },
  ];
}

export const addressPoolsCheck: Check<AddressPoolsEvidence> = {
  id: 'address-pools',
  title: 'Docker address pools',
  doc: {
    seed: [11],
    evidence: 'Engine API networks (subnets), `ip -j route`, daemon.json `default-address-pools`',
    rule: 'two networks overlap, or a Docker subnet overlaps a host route → crit; networks outside the configured pools → info',
    advice: 'advice: `default-address-pools` (a valid example, without comments)',
  },
  collect: collectAddressPools,
  judge: judgeAddressPools,
};
