import { describe, expect, it } from 'vitest';
import { recreateHow } from '../../../src/evidence/containerRecreate.ts';
import { fixtureJson } from '../checks/fixtures.ts';

describe('recreateHow', () => {
  it('points a compose container at its project, file and service', () => {
    expect(recreateHow(fixtureJson('compose-collision/inspect-same_web_1.json'))).toMatchObject({
      name: 'same_web_1',
      kind: 'compose',
      command: 'cd /tmp/data1/app && docker compose -p same -f /tmp/data1/app/docker-compose.yml up -d web',
    });
  });

  it('rebuilds a docker run line with environment names but never their values', () => {
    const how = recreateHow(fixtureJson('env-quotes/inspect-quoted-run.json'));

    expect(how?.kind).toBe('run');
    expect(how?.command).toMatch(
      /^docker run -d --name quoted-run .*-e LANG=… -e CACHE_URL=… busybox:local sleep 100000$/,
    );
    expect(how?.command).not.toContain('redis://');
  });

  it('is undefined for something that is not an inspection', () => {
    expect(recreateHow({ Id: 1 })).toBeUndefined();
  });
});
