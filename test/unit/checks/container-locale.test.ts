import { describe, expect, it } from 'vitest';
import {
  characterSetServer,
  defaultsToUtf8mb4,
  judgeContainerLocale,
  type LocaleContainer,
  toLocaleContainer,
} from '../../../src/checks/container-locale.ts';
import { type ContainerSpec, toContainerSpec } from '../../../src/evidence/containerSpec.ts';
import { fixtureJson } from './fixtures.ts';

function captured(name: string): LocaleContainer {
  return toLocaleContainer(toContainerSpec(fixtureJson(`container-locale/inspect-${name}.json`)) as ContainerSpec);
}

const posix = captured('posix');
const latin1 = captured('mysql-latin1');
const utf8mb4 = captured('mysql-utf8mb4');

describe('judgeContainerLocale', () => {
  it('is ok for a UTF-8 MySQL started with utf8mb4', () => {
    const findings = judgeContainerLocale({ containers: [utf8mb4] });

    expect(findings).toMatchObject([{ severity: 'ok' }]);
  });

  it('warns about the captured mysql:lab without --character-set-server and says what to add', () => {
    const [finding] = judgeContainerLocale({ containers: [latin1] });

    expect(finding).toMatchObject({
      severity: 'warn',
      summary:
        'MySQL container mysql-latin1 runs without --character-set-server=utf8mb4: non-ASCII text may be stored as "?"',
    });
    expect(finding?.detail).toContain('--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci');
    expect(finding?.evidence).toEqual(['mysql-latin1 (mysql:lab): command line: docker-entrypoint.sh mysqld']);
  });

  it('reports the captured container without LANG as info, advising LANG=C.UTF-8', () => {
    const findings = judgeContainerLocale({ containers: [posix, utf8mb4] });

    expect(findings).toMatchObject([
      { severity: 'info', summary: '1 running container(s) have no UTF-8 locale: posix' },
    ]);
    expect(findings[0]?.detail).toContain('LANG=C.UTF-8');
    expect(findings[0]?.evidence).toEqual(['posix (busybox:local): Config.Env no LANG or LC_ALL (C/POSIX locale)']);
  });

  it.each([
    [{ LANG: 'C.UTF-8' }, 'ok'],
    [{ LANG: 'en_US.utf8' }, 'ok'],
    [{ LANG: 'C.UTF-8', LC_ALL: 'POSIX' }, 'info'],
    [{ LANG: 'zh_CN.GBK' }, 'info'],
    [{}, 'info'],
  ])('locale %j → %s', (locale, severity) => {
    const [finding] = judgeContainerLocale({ containers: [{ ...utf8mb4, locale }] });

    expect(finding?.severity).toBe(severity);
  });

  it.each([
    ['mysql:5.7', [], 'warn'],
    ['mysql:8.0.36', [], 'ok'],
    ['mysql', [], 'ok'],
    ['docker.io/library/mariadb:10.11', [], 'warn'],
    ['mariadb:11.6', [], 'ok'],
    ['mysql:8.0', ['--character-set-server=latin1'], 'warn'],
    ['mysql:5.7', ['--character-set-server', 'utf8mb4'], 'ok'],
    ['percona:5.7', ['--character_set_server=utf8mb4'], 'ok'],
    ['busybox:local', ['mysqld'], 'warn'],
  ])('image %s with args %j → %s', (image, cmd, severity) => {
    const [finding] = judgeContainerLocale({
      containers: [{ ...utf8mb4, image, entrypoint: [], cmd: ['mysqld', ...cmd] }],
    });

    expect(finding?.severity).toBe(severity);
  });
});

describe('characterSetServer / defaultsToUtf8mb4', () => {
  it('reads both spellings and both forms', () => {
    expect(characterSetServer(utf8mb4.cmd)).toBe('utf8mb4');
    expect(characterSetServer(['mysqld', '--character-set-server', 'utf8'])).toBe('utf8');
    expect(characterSetServer(latin1.cmd)).toBeUndefined();
  });

  it('knows the guide predates MySQL 8', () => {
    expect(defaultsToUtf8mb4('mysql:5.7.44')).toBe(false);
    expect(defaultsToUtf8mb4('registry.local:5000/mysql:9.1')).toBe(true);
    expect(defaultsToUtf8mb4('mysql:lab')).toBe(false);
  });
});
