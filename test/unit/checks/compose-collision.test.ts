import { describe, expect, it } from 'vitest';
import { type ComposeContainer, judgeComposeCollision } from '../../../src/checks/compose-collision.ts';
import { type ContainerSpec, composeOrigin, toContainerSpec } from '../../../src/evidence/containerSpec.ts';
import { fixtureJson } from './fixtures.ts';

function captured(name: string): ComposeContainer {
  const spec = toContainerSpec(fixtureJson(`compose-collision/inspect-${name}.json`)) as ContainerSpec;
  return { name: spec.name, running: spec.running, origin: composeOrigin(spec.labels)! };
}

const web = captured('same_web_1');
const worker = captured('same_worker_1');

describe('judgeComposeCollision', () => {
  it('is crit for the captured stacks: one project, two folders', () => {
    const [finding] = judgeComposeCollision({ containers: [web, worker] });

    expect(finding).toMatchObject({
      severity: 'crit',
      summary:
        'Compose project "same" is started from 2 folders: /tmp/data1/app, /tmp/data2/app; the stacks restart each other',
      evidence: [
        'project same: working_dir /tmp/data1/app (config_files /tmp/data1/app/docker-compose.yml): same_web_1',
        'project same: working_dir /tmp/data2/app (config_files /tmp/data2/app/docker-compose.yml): same_worker_1',
      ],
    });
    expect(finding?.detail).toContain('docker compose -p NAME');
    expect(finding?.detail).toContain('COMPOSE_PROJECT_NAME');
  });

  it.each([
    ['one stack', () => [web], 'ok'],
    ['no compose containers', () => [], 'ok'],
    ['two projects from two folders', () => [web, { ...worker, origin: { ...worker.origin, project: 'other' } }], 'ok'],
  ])('%s → %s', (_, containers, severity) => {
    expect(judgeComposeCollision({ containers: containers() })[0]?.severity).toBe(severity);
  });
});
