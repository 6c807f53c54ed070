// Faults for the address-pools check: Docker networks whose subnets overlap a route of the host, or
// each other. Lab hosts share the machine's network namespace, and a bridge network would put a
// real interface and route there (measured: `docker network create --subnet …` makes br-<id> with a
// connected route on the machine) — one overlapping the machine's LAN would divert its traffic. So
// these are config-only networks (`--config-only`): real Docker networks with real IPAM subnets,
// listed by GET /networks like any other, that create no interface and send nothing anywhere.

import type { LabHost } from '../host.ts';
import { shellQuote } from '../proc.ts';
import { hostSh } from './build.ts';

export async function createConfigOnlyNetwork(host: LabHost, name: string, subnet: string): Promise<void> {
  await hostSh(
    host,
    `docker network create --config-only --subnet ${shellQuote(subnet)} ${shellQuote(name)}`,
    `creating network ${name} ${subnet}`,
  );
}

interface Route {
  dst: string;
  dev?: string;
  type?: string;
}

/** A real route of the host (the machine's LAN if it has one, else 127.0.0.0/8), from `ip -j -4 route`. */
export async function hostRouteToOverlap(host: LabHost): Promise<Route> {
  const routes = JSON.parse(await hostSh(host, 'ip -j -4 route show table all', 'reading routes')) as Route[];
  const lan = routes.find((route) => !route.type && route.dst.includes('/') && route.dst !== 'default');
  const loopback = routes.find((route) => route.dst === '127.0.0.0/8');
  const picked = lan ?? loopback;
  if (!picked) throw new Error(`lab host ${host.name} has no route to overlap`);
  return picked;
}

/** A network whose subnet is exactly a host route's prefix; returns that route. */
export async function createNetworkOverlappingHostRoute(host: LabHost, name: string): Promise<Route> {
  const route = await hostRouteToOverlap(host);
  await createConfigOnlyNetwork(host, name, route.dst);
  return route;
}

/** Two networks, the second inside the first. */
export async function createOverlappingNetworks(host: LabHost, names: [string, string]): Promise<void> {
  await createConfigOnlyNetwork(host, names[0], '198.18.0.0/24');
  await createConfigOnlyNetwork(host, names[1], '198.18.0.128/25');
}
