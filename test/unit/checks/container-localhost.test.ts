import { describe, expect, it } from 'vitest';
import {
  type ContainerLocalhostEvidence,
  findLoopbackProxies,
  isNginxLike,
  judgeContainerLocalhost,
  type NginxContainer,
} from '../../../src/checks/container-localhost.ts';
import { type ContainerSpec, toContainerSpec } from '../../../src/evidence/containerSpec.ts';
import { fixtureJson, fixtureText } from './fixtures.ts';

function captured(name: string): NginxContainer {
  const spec = toContainerSpec(fixtureJson(`container-localhost/inspect-${name}.json`)) as ContainerSpec;
  return {
    name: spec.name,
    image: spec.image,
    networkMode: spec.networkMode,
    labels: spec.labels,
    config: fixtureText(`container-localhost/nginx-T-${name}.txt`),
    exitCode: 0,
  };
}

function evidence(containers: NginxContainer[]): ContainerLocalhostEvidence {
  return { containers, hostNetwork: [] };
}

describe('judgeContainerLocalhost', () => {
  it('warns about the captured proxy_pass to localhost, naming the file and the cure', () => {
    const [finding] = judgeContainerLocalhost(evidence([captured('nginx-localhost')]));

    expect(finding).toMatchObject({
      severity: 'warn',
      summary: 'nginx in nginx-localhost proxies to localhost: inside a container that is the container itself',
      evidence: ['nginx-localhost: nginx -T: /etc/nginx/conf.d/default.conf: proxy_pass http://localhost:8080;'],
    });
    expect(finding?.detail).toContain('--add-host=host.docker.internal:host-gateway');
    expect(finding?.detail).toContain('network_mode: host');
  });

  it('is ok for the captured proxy_pass to a service name', () => {
    expect(judgeContainerLocalhost(evidence([captured('nginx-upstream')]))).toMatchObject([
      { severity: 'ok', summary: 'No nginx container proxies to localhost (1 config(s) read)' },
    ]);
  });

  it('says when a config could not be read', () => {
    const unread = { ...captured('nginx-upstream'), config: undefined, problem: 'exec failed' } as NginxContainer;

    const findings = judgeContainerLocalhost(evidence([unread]));

    expect(findings.map((finding) => finding.severity)).toEqual(['ok', 'info']);
  });
});

describe('findLoopbackProxies', () => {
  it.each([
    ['proxy_pass http://localhost:8080;', true],
    ['proxy_pass http://127.0.0.1;', true],
    ['proxy_pass https://[::1]:8443/;', true],
    ['proxy_pass http://localhost.example.com;', false],
    ['proxy_pass http://host.docker.internal:8080;', false],
    ['# proxy_pass http://localhost:8080;', false],
    ['proxy_pass http://backend; # was localhost', false],
  ])('%s → %s', (line, found) => {
    expect(findLoopbackProxies(`server {\n  ${line}\n}`).length > 0).toBe(found);
  });
});

describe('isNginxLike', () => {
  it.each([
    ['nginx:1.25', [], true],
    ['openresty/openresty:alpine', [], true],
    ['busybox:local', ['/usr/sbin/nginx', '-g', 'daemon off;'], true],
    ['mysql:lab', ['mysqld'], false],
  ])('%s %j → %s', (image, cmd, nginx) => {
    expect(isNginxLike({ image, entrypoint: [], cmd })).toBe(nginx);
  });
});
