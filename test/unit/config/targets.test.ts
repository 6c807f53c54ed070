import { describe, expect, it } from 'vitest';
import { DockmedicConfig } from '../../../src/config/schema.ts';
import { echo, resolveTargets } from '../../../src/config/targets.ts';
import { DockmedicError } from '../../../src/errors.ts';

function configWith(hosts: Array<{ name: string; groups?: string[] }>): DockmedicConfig {
  return DockmedicConfig.parse({
    hosts: hosts.map((host) => ({
      name: host.name,
      address: '127.0.0.1',
      privateKey: 'id',
      hostKey: `SHA256:${'A'.repeat(43)}`,
      groups: host.groups ?? [],
    })),
  });
}

function caught(fn: () => unknown): DockmedicError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DockmedicError) return error;
    throw error;
  }
  throw new Error('expected a DockmedicError');
}

const config = configWith([
  { name: 'web-1', groups: ['prod', 'web'] },
  { name: 'web-2', groups: ['prod', 'web'] },
  { name: 'db-1', groups: ['prod'] },
  { name: 'ci', groups: [] },
]);

describe('resolveTargets', () => {
  it.each([
    ['web-1', ['web-1']],
    ['  db-1 ', ['db-1']],
    ['@web', ['web-1', 'web-2']],
    ['@prod', ['web-1', 'web-2', 'db-1']],
    ['all', ['web-1', 'web-2', 'db-1', 'ci']],
  ])('%s → %j', (target, names) => {
    expect(resolveTargets(config, target).map((host) => host.name)).toEqual(names);
  });

  it('lists known hosts and how to see them for an unknown name', () => {
    const error = caught(() => resolveTargets(config, 'web-9'));
    expect(error.code).toBe('dm_unknown_host');
    expect(error.userMessage).toContain('web-9');
    expect(error.userMessage).toContain('web-1, web-2, db-1, ci');
    expect(error.userMessage).toContain('/docker hosts');
  });

  it('lists known groups for an unknown group', () => {
    const error = caught(() => resolveTargets(config, '@staging'));
    expect(error.code).toBe('dm_unknown_host');
    expect(error.userMessage).toContain('@prod, @web');
  });

  it('lists at most 20 host names', () => {
    const many = configWith(Array.from({ length: 30 }, (_, i) => ({ name: `h-${i}` })));
    const error = caught(() => resolveTargets(many, 'nope'));
    expect(error.userMessage).toContain('h-19');
    expect(error.userMessage).not.toContain('h-20');
    expect(error.userMessage).toContain('and 10 more');
  });

  it.each(['Web-1', 'web 1', '<!channel>', '$(id)', 'web-1;reboot', '@', '@Prod', '-rf', '', 'x'.repeat(64)])(
    'refuses %j before any lookup',
    (target) => {
      const error = caught(() => resolveTargets(config, target));
      expect(error.code).toBe('dm_bad_arguments');
    },
  );

  it('never echoes more than 64 characters of a bad input, nor markup', () => {
    const error = caught(() => resolveTargets(config, `<!here>${'A'.repeat(500)}`));
    const shown = /`([^`]*)`/.exec(error.userMessage)?.[1] ?? '';
    expect([...shown].length).toBeLessThanOrEqual(65);
    expect(error.userMessage).not.toContain('<!here>');
  });

  it('says so when no hosts are configured', () => {
    const error = caught(() => resolveTargets(configWith([]), 'all'));
    expect(error.code).toBe('dm_unknown_host');
  });
});

describe('echo', () => {
  it.each([
    ['web-1', 'web-1'],
    ['<@U123>', '?@U123?'],
    ['a\nb', 'a?b'],
  ])('%j → %j', (input, expected) => {
    expect(echo(input)).toBe(expected);
  });
});
