// Faults for the container-locale check: a container in the C/POSIX locale, and a MySQL-like
// container (image mysql:lab, a stand-in built from busybox:local: no real MySQL here) started
// without --character-set-server=utf8mb4. The check judges by image name and command line.

import type { LabHost } from '../host.ts';
import { buildImage, runDetached } from './build.ts';

export const MYSQL_IMAGE = 'mysql:lab';

// Like the official image: an entrypoint that execs its arguments, CMD ["mysqld"].
const ENTRYPOINT = '#!/bin/sh\nexec "$@"\n';
const MYSQLD = '#!/bin/sh\necho "mysqld (lab stand-in): ready for connections. args: $*"\nexec sleep 100000\n';

export async function buildMysqlImage(host: LabHost): Promise<void> {
  await buildImage(
    host,
    MYSQL_IMAGE,
    [
      'FROM busybox:local',
      'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'COPY docker-entrypoint.sh mysqld /usr/local/bin/',
      'ENTRYPOINT ["docker-entrypoint.sh"]',
      'CMD ["mysqld"]',
      '',
    ].join('\n'),
    { 'docker-entrypoint.sh': { content: ENTRYPOINT, mode: '755' }, mysqld: { content: MYSQLD, mode: '755' } },
  );
}

/** The guide's fault: `docker run mysql` with no character-set flags (and a UTF-8 LANG, so only the charset is wrong). */
export function runMysqlWithoutUtf8mb4(host: LabHost, name: string): Promise<string> {
  return runDetached(host, [
    '--network',
    'none',
    '--name',
    name,
    '-e',
    'LANG=C.UTF-8',
    '-e',
    'MYSQL_ROOT_PASSWORD=lab-root-pw',
    MYSQL_IMAGE,
  ]);
}

/** The guide's cure. */
export function runMysqlWithUtf8mb4(host: LabHost, name: string): Promise<string> {
  return runDetached(host, [
    '--network',
    'none',
    '--name',
    name,
    '-e',
    'LANG=C.UTF-8',
    MYSQL_IMAGE,
    'mysqld',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_unicode_ci',
  ]);
}

/** A container without LANG or LC_ALL: the C/POSIX locale. */
export function runWithoutUtf8Locale(host: LabHost, name: string): Promise<string> {
  return runDetached(host, ['--network', 'none', '--name', name, 'busybox:local', 'sleep', '100000']);
}
