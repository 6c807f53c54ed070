import { describe, expect, it } from 'vitest';
import { resolveRule } from '../../../src/alerts/rules.ts';
import { parseConfig } from '../../../src/config/load.ts';
import { monitorIntervalOf } from '../../../src/config/monitorSettings.ts';

const config = parseConfig(
  {
    hosts: [
      { name: 'plain', address: 'local' },
      { name: 'prod-1', address: 'local', groups: ['prod'] },
      {
        name: 'prod-own',
        address: 'local',
        groups: ['prod'],
        monitor: { interval: '10s', rules: { 'disk-usage': { crit: 97 } } },
      },
      { name: 'both', address: 'local', groups: ['web', 'prod'] },
    ],
    groups: {
      prod: { monitor: { interval: '30s', rules: { 'disk-usage': { warn: 70, crit: 85, for: '0s' } } } },
      web: { monitor: { interval: '2m' } },
    },
    monitor: { interval: '60s', rules: { 'disk-usage': { repeat: '1h' } } },
  },
  'test',
  '/',
);
const host = (name: string) => config.hosts.find((h) => h.name === name)!;

describe('monitorIntervalOf', () => {
  it.each([
    ['plain', 60_000],
    ['prod-1', 30_000],
    ['prod-own', 10_000],
    ['both', 120_000], // the first listed group with a monitor block wins
  ])('%s → %d ms', (name, interval) => {
    expect(monitorIntervalOf(config, host(name))).toBe(interval);
  });
});

describe('resolveRule with groups', () => {
  it('layers global, then group, then host, field by field', () => {
    expect(resolveRule(config, host('plain'), 'disk-usage')).toMatchObject({ warn: 80, crit: 90, repeatMs: 3_600_000 });
    expect(resolveRule(config, host('prod-1'), 'disk-usage')).toMatchObject({
      warn: 70,
      crit: 85,
      forMs: 0,
      repeatMs: 3_600_000,
    });
    expect(resolveRule(config, host('prod-own'), 'disk-usage')).toMatchObject({ warn: 70, crit: 97, forMs: 0 });
    // `both` takes web's block first, which sets no rules: the global ones apply.
    expect(resolveRule(config, host('both'), 'disk-usage')).toMatchObject({ warn: 80, crit: 90 });
  });

  it('refuses a group block with unknown keys', () => {
    expect(() => parseConfig({ groups: { prod: { monitor: { every: '1m' } } } }, 'test', '/')).toThrow(
      /groups\.prod\.monitor/,
    );
  });
});
