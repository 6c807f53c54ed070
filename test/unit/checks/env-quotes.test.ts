import { describe, expect, it } from 'vitest';
import { type EnvContainer, isQuotedValue, judgeEnvQuotes } from '../../../src/checks/env-quotes.ts';
import { type ContainerSpec, composeOrigin, toContainerSpec } from '../../../src/evidence/containerSpec.ts';
import { fixtureJson } from './fixtures.ts';

function captured(name: string): EnvContainer {
  const spec = toContainerSpec(fixtureJson(`env-quotes/inspect-${name}.json`)) as ContainerSpec;
  const origin = composeOrigin(spec.labels);
  return { name: spec.name, image: spec.image, env: spec.env, ...(origin ? { origin } : {}) };
}

const composed = captured('quoted_api_1');
const run = captured('quoted-run');

describe('judgeEnvQuotes', () => {
  it('warns about the captured compose container, naming its file and never showing the secret', () => {
    const [finding] = judgeEnvQuotes({ containers: [composed] });

    expect(finding).toMatchObject({
      severity: 'warn',
      summary:
        'quoted_api_1 gets DB_HOST, DB_PASSWORD with literal quotes in the value (from /tmp/quoted/app/docker-compose.yml)',
      evidence: ['quoted_api_1: Config.Env DB_HOST="db"', 'quoted_api_1: Config.Env DB_PASSWORD="••••"'],
    });
    expect(finding?.detail).toContain('compose file /tmp/quoted/app/docker-compose.yml (project quoted, service api)');
    expect(JSON.stringify(composed)).not.toContain('lab-secret-pw');
  });

  it('warns about the captured docker run container with single quotes', () => {
    const [finding] = judgeEnvQuotes({ containers: [run] });

    expect(finding?.evidence).toEqual(["quoted-run: Config.Env CACHE_URL='redis://cache:6379'"]);
    expect(finding?.detail).toContain('-e CACHE_URL=value');
  });

  it('is ok without quoted values', () => {
    const clean = { ...composed, env: composed.env.filter((variable) => variable.name === 'LANG') };

    expect(judgeEnvQuotes({ containers: [clean] })).toMatchObject([{ severity: 'ok' }]);
  });
});

describe('isQuotedValue', () => {
  it.each([
    ['"db"', true],
    ["'db'", true],
    ['""', true],
    ['"', false],
    ['"db\'', false],
    ['say "hi"', false],
    ['db', false],
  ])('%s → %s', (value, quoted) => {
    expect(isQuotedValue(value)).toBe(quoted);
  });
});
