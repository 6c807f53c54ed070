// Locale and MySQL character set of running containers (docs/checks.md, trouble § 7). Without a UTF-8 locale a
// container runs in C/POSIX, where non-ASCII text (Chinese in the guide's case) cannot be typed or
// shown; a MySQL server started without utf8mb4 stores such text as `?`. Both need the container to
// be recreated, so the findings are advice.

import {
  type ContainerSpec,
  composeOrigin,
  describeOrigin,
  envValue,
  runningContainerSpecs,
} from '../evidence/containerSpec.ts';
import type { EvidenceContext } from '../evidence/context.ts';
import { redactText } from '../redact.ts';
import type { Check, Finding } from './types.ts';

const LOCALE_VARS = ['LC_ALL', 'LC_CTYPE', 'LANG'] as const;

export interface LocaleContainer {
  name: string;
  image: string;
  /** Only the locale variables the container sets (none of them is secret). */
  locale: Partial<Record<(typeof LOCALE_VARS)[number], string>>;
  entrypoint: string[];
  cmd: string[];
  labels: Record<string, string>;
}

export interface ContainerLocaleEvidence {
  containers: LocaleContainer[];
}

export function toLocaleContainer(spec: ContainerSpec): LocaleContainer {
  const locale: LocaleContainer['locale'] = {};
  for (const name of LOCALE_VARS) {
    const value = envValue(spec, name);
    if (value !== undefined) locale[name] = value;
  }
  return {
    name: spec.name,
    image: spec.image,
    locale,
    entrypoint: spec.entrypoint,
    cmd: spec.cmd,
    labels: spec.labels,
  };
}

async function collectContainerLocale(ctx: EvidenceContext): Promise<ContainerLocaleEvidence> {
  const specs = await runningContainerSpecs(ctx);
  return { containers: specs.map(toLocaleContainer) };
}

/** Pure: the locale the C library uses for text: LC_ALL, else LC_CTYPE, else LANG (empty means unset). */
export function effectiveLocale(locale: LocaleContainer['locale']): { name: string; value: string } | undefined {
  for (const name of LOCALE_VARS) {
    const value = locale[name];
    if (value) return { name, value };
  }
  return undefined;
}

export function isUtf8Locale(value: string): boolean {
  return /utf-?8/i.test(value);
}

/** `registry:5000/library/mysql:5.7@sha256:…` → { repo: 'mysql', tag: '5.7' }. */
export function imageRepoAndTag(image: string): { repo: string; tag?: string } {
  const withoutDigest = image.split('@')[0] ?? '';
  const lastSlash = withoutDigest.lastIndexOf('/');
  const last = withoutDigest.slice(lastSlash + 1);
  const colon = last.indexOf(':');
  if (colon < 0) return { repo: last.toLowerCase() };
  return { repo: last.slice(0, colon).toLowerCase(), tag: last.slice(colon + 1) };
}

const MYSQL_REPOS = new Set(['mysql', 'mysql-server', 'mariadb', 'percona', 'percona-server']);
const MYSQL_BINARIES = new Set(['mysqld', 'mariadbd', 'mysqld_safe']);

/** Pure: judged by image name and command line, as a diagnosis from outside can. */
export function isMysqlLike(container: Pick<LocaleContainer, 'image' | 'entrypoint' | 'cmd'>): boolean {
  if (MYSQL_REPOS.has(imageRepoAndTag(container.image).repo)) return true;
  return [...container.entrypoint, ...container.cmd].some((arg) => MYSQL_BINARIES.has(arg.split('/').pop() ?? ''));
}

/** Pure: the value of `--character-set-server` (or `--character_set_server`) on the command line. */
export function characterSetServer(args: readonly string[]): string | undefined {
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    const match = /^--character[-_]set[-_]server(?:=(.*))?$/.exec(arg);
    if (!match) continue;
    return match[1] ?? args[index + 1];
  }
  return undefined;
}

/**
 * Pure: servers whose own default is already utf8mb4 — MySQL 8.0 and later (`latest` included),
 * MariaDB 11.6 and later. The guide predates them; for these no flag is needed.
 */
export function defaultsToUtf8mb4(image: string): boolean {
  const { repo, tag } = imageRepoAndTag(image);
  const version = /^(\d+)(?:\.(\d+))?/.exec(tag ?? 'latest');
  if (repo === 'mysql' || repo === 'mysql-server' || repo.startsWith('percona')) {
    if (!tag || tag === 'latest' || tag === 'lts' || tag === 'innovation') return true;
    return version ? Number(version[1]) >= 8 : false;
  }
  if (repo === 'mariadb') {
    if (!tag || tag === 'latest') return true;
    if (!version) return false;
    const major = Number(version[1]);
    return major > 11 || (major === 11 && Number(version[2] ?? 0) >= 6);
  }
  return false;
}

const LOCALE_ADVICE =
  'Recreate them with a UTF-8 locale: `docker run -e LANG=C.UTF-8 …`, or in compose `environment: [LANG=C.UTF-8]`. ' +
  'C.UTF-8 exists in every glibc and musl image; the C/POSIX default cannot show or take non-ASCII text. ' +
  'For a shell in a running container only: `docker exec -it NAME env LANG=C.UTF-8 sh`.';

function localeFinding(containers: readonly LocaleContainer[]): Finding | undefined {
  const without = containers.filter((container) => {
    const locale = effectiveLocale(container.locale);
    return !locale || !isUtf8Locale(locale.value);
  });
  if (without.length === 0) return undefined;
  const describe = (container: LocaleContainer) => {
    const locale = effectiveLocale(container.locale);
    return locale ? `${locale.name}=${locale.value}` : 'no LANG or LC_ALL (C/POSIX locale)';
  };
  return {
    check: 'container-locale',
    severity: 'info',
    summary: `${without.length} running container(s) have no UTF-8 locale: ${without
      .slice(0, 10)
      .map((container) => container.name)
      .join(', ')}${without.length > 10 ? ', …' : ''}`,
    detail: `${LOCALE_ADVICE}\nWhere: ${without
      .slice(0, 10)
      .map((container) => `${container.name}: ${describeOrigin(composeOrigin(container.labels))}`)
      .join('; ')}`,
    evidence: without.map((container) => `${container.name} (${container.image}): Config.Env ${describe(container)}`),
  };
}

function mysqlFinding(container: LocaleContainer): Finding | undefined {
  const args = [...container.entrypoint, ...container.cmd];
  const charset = characterSetServer(args);
  if (charset?.toLowerCase().startsWith('utf8mb4')) return undefined;
  if (charset === undefined && defaultsToUtf8mb4(container.image)) return undefined;
  const origin = composeOrigin(container.labels);
  const where = origin
    ? `In ${describeOrigin(origin)}, set \`command: ["--character-set-server=utf8mb4", "--collation-server=utf8mb4_unicode_ci"]\` and recreate it (\`docker compose up -d\`).`
    : `Recreate it with \`docker run … ${container.image} --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci\`.`;
  return {
    check: 'container-locale',
    severity: 'warn',
    summary: `MySQL container ${container.name} runs ${
      charset ? `with --character-set-server=${charset}` : 'without --character-set-server=utf8mb4'
    }: non-ASCII text may be stored as "?"`,
    detail: `${where} Unless a my.cnf mounted into the container already sets character-set-server=utf8mb4, its server default (latin1 before MySQL 8.0) applies to new tables. Existing tables keep their character set: convert them with ALTER TABLE … CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci.`,
    evidence: [redactText(`${container.name} (${container.image}): command line: ${args.join(' ') || '(none)'}`)],
  };
}

export function judgeContainerLocale(evidence: ContainerLocaleEvidence): Finding[] {
  const findings: Finding[] = [];
  for (const container of evidence.containers) {
    if (!isMysqlLike(container)) continue;
    const finding = mysqlFinding(container);
    if (finding) findings.push(finding);
  }
  const locale = localeFinding(evidence.containers);
  if (locale) findings.push(locale);
  if (findings.length > 0) return findings;
  const count = evidence.containers.length;
  return [
    {
      check: 'container-locale',
      severity: 'ok',
      summary:
        count === 0
          ? 'No running containers'
          : `All ${count} running container(s) use a UTF-8 locale; no MySQL server without utf8mb4`,
    },
  ];
}

export const containerLocaleCheck: Check<ContainerLocaleEvidence> = {
  id: 'container-locale',
  title: 'Container locale',
  doc: {
    seed: [7],
    evidence: 'running containers: `LANG`/`LC_ALL` in Config.Env; MySQL/MariaDB images: `--character-set-server`',
    rule: 'no UTF-8 locale → info; MySQL without utf8mb4 → warn',
    advice:
      'advice only (needs recreation): `LANG=C.UTF-8`, `--character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci`',
  },
  collect: collectContainerLocale,
  judge: judgeContainerLocale,
};
