import { describe, expect, it } from 'vitest';
import {
  type AddressPoolsEvidence,
  judgeAddressPools,
  parseIpRouteJson,
  parseIpRouteText,
  poolsExample,
  toNetworks,
} from '../../../src/checks/address-pools.ts';
import { NetworkList } from '../../../src/evidence/dockerApi.ts';
import { fixtureJson, fixtureText } from './fixtures.ts';

const all = toNetworks(NetworkList.parse(fixtureJson('address-pools/networks-overlapping.json')));
const routes = parseIpRouteJson(fixtureText('address-pools/ip-j-route-all.json'));
const bridge = toNetworks(NetworkList.parse([fixtureJson('address-pools/network-bridge.json')]));
const routesWithBridge = parseIpRouteJson(fixtureText('address-pools/ip-j-route-with-bridge.json'));

function only(...names: string[]) {
  return all.filter((network) => names.includes(network.name) || network.subnets.length === 0);
}

function evidence(overrides: Partial<AddressPoolsEvidence> = {}): AddressPoolsEvidence {
  return { networks: only(), routes, routeSource: 'ip -j -4 route show table all', ...overrides };
}

describe('judgeAddressPools', () => {
  it("is ok for the lab host's own networks (host, none)", () => {
    expect(judgeAddressPools(evidence())).toMatchObject([{ severity: 'ok' }]);
  });

  it("is crit for the captured network on the host's LAN route, with a valid pools example", () => {
    const [finding] = judgeAddressPools(evidence({ networks: only('lab-lan') }));

    expect(finding).toMatchObject({ severity: 'crit' });
    expect(finding?.evidence).toContain('network lab-lan 192.0.2.0/24 overlaps host route 192.0.2.0/24 dev eth0');
    const example = /\{[\s\S]*\}/.exec(finding?.detail ?? '')?.[0] ?? '';
    expect(JSON.parse(example)).toEqual({ 'default-address-pools': [{ base: '10.210.0.0/16', size: 24 }] });
  });

  it('is crit for the captured networks overlapping each other', () => {
    const [finding] = judgeAddressPools(evidence({ networks: only('lab-wide', 'lab-narrow') }));

    expect(finding?.severity).toBe('crit');
    expect(finding?.evidence?.[0]).toMatch(/lab-(wide|narrow) .* overlaps network lab-(wide|narrow)/);
  });

  it("does not count a bridge network's own connected route (captured while it existed)", () => {
    expect(judgeAddressPools(evidence({ networks: bridge, routes: routesWithBridge }))).toMatchObject([
      { severity: 'ok', summary: '1 Docker subnet(s) overlap neither each other nor a host route' },
    ]);
  });

  it.each([
    [[{ base: '198.51.100.0/22', size: 24 }], 'ok'],
    [[{ base: '10.0.0.0/8', size: 24 }], 'info'],
  ])('pools %j and the bridge network → %s', (pools, severity) => {
    const [finding] = judgeAddressPools(evidence({ networks: bridge, routes: routesWithBridge, pools }));

    expect(finding?.severity).toBe(severity);
  });
});

describe('route parsing', () => {
  it('reads the text form like the JSON form', () => {
    const text = parseIpRouteText(fixtureText('address-pools/ip-route-all.txt'));

    expect(text.map((route) => route.dst)).toEqual(routes.map((route) => route.dst));
    expect(text.find((route) => route.dst === '127.0.0.0/8')).toMatchObject({
      type: 'local',
      dev: 'lo',
      table: 'local',
    });
  });

  it('makes an example without comments that JSON.parse accepts', () => {
    expect(() => JSON.parse(poolsExample('10.210.0.0/16'))).not.toThrow();
  });
});
