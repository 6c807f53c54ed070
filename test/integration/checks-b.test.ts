// The playbook checks container-locale, container-localhost, shm-size, nfs-flock, address-pools,
// compose-collision and env-quotes over the real connection (SSH + Engine API over SSH) against two
// lab hosts: one set up the right way, one with every fault of test/lab/faults injected. nfs-flock's
// fault cannot be real here (no NFS server, no EL7 kernel): its judge is tested on recorded evidence
// in test/unit/checks/nfs-flock.test.ts; here it must stay ok on both hosts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runChecks } from '../../src/checks/run.ts';
import type { CheckResult, Severity } from '../../src/checks/types.ts';
import { createHostPool } from '../../src/hosts/pool.ts';
import type { HostPool } from '../../src/hosts/types.ts';
import * as pools from '../lab/faults/address-pools.ts';
import * as compose from '../lab/faults/compose-collision.ts';
import * as locale from '../lab/faults/container-locale.ts';
import * as localhost from '../lab/faults/container-localhost.ts';
import * as envQuotes from '../lab/faults/env-quotes.ts';
import * as nfs from '../lab/faults/nfs-flock.ts';
import * as shm from '../lab/faults/shm-size.ts';
import { cleanupStaleLab, type LabHost, startLabHost } from '../lab/lab.ts';
import { labHostEntry, testConfig } from '../support/stack.ts';

const CHECK_IDS = [
  'container-locale',
  'container-localhost',
  'shm-size',
  'nfs-flock',
  'address-pools',
  'compose-collision',
  'env-quotes',
];

let healthy: LabHost | undefined;
let faulty: LabHost | undefined;
let pool: HostPool;
let healthyResults: CheckResult[];
let faultyResults: CheckResult[];
let lanRoute: { dst: string; dev?: string };

async function setUpHealthy(host: LabHost): Promise<void> {
  await Promise.all([locale.buildMysqlImage(host), localhost.buildNginxImage(host)]);
  await locale.runMysqlWithUtf8mb4(host, 'mysql-utf8mb4');
  await localhost.runNginxProxyingTo(host, 'nginx-upstream', 'http://app:8080');
  await nfs.runWithBindMount(host, 'bind-data', '/tmp/lab-data');
  await compose.startStack(host, '/tmp/stack/app', 'stack');
}

async function setUpFaulty(host: LabHost): Promise<void> {
  const [, , sigbus] = await Promise.all([
    locale.buildMysqlImage(host),
    localhost.buildNginxImage(host),
    shm.buildShmImage(host),
  ]);
  await Promise.all([
    locale.runWithoutUtf8Locale(host, 'posix'),
    locale.runMysqlWithoutUtf8mb4(host, 'mysql-latin1'),
    localhost.runNginxProxyingTo(host, 'nginx-localhost', 'http://localhost:8080'),
    shm.runWithFullShm(host, 'shm-full', sigbus),
    envQuotes.runWithQuotedEnv(host, 'quoted-run'),
  ]);
  lanRoute = await pools.createNetworkOverlappingHostRoute(host, 'lab-lan');
  await pools.createOverlappingNetworks(host, ['lab-wide', 'lab-narrow']);
  await compose.startCollidingStacks(host, 'same');
  await envQuotes.startComposeWithQuotedEnv(host, 'quoted');
}

async function checksOn(host: LabHost): Promise<CheckResult[]> {
  const config = testConfig([labHostEntry(host)]);
  const conn = await pool.acquire(config.hosts[0]!);
  return runChecks(conn, CHECK_IDS);
}

beforeAll(async () => {
  await cleanupStaleLab();
  [healthy, faulty] = await Promise.all([
    startLabHost({ name: 'checks-b-ok' }),
    startLabHost({ name: 'checks-b-bad' }),
  ]);
  await Promise.all([setUpHealthy(healthy), setUpFaulty(faulty)]);
  pool = createHostPool({ timeouts: { connect: 5000, command: 20_000, keepalive: 5000 }, hostConcurrency: 8 });
  [healthyResults, faultyResults] = await Promise.all([checksOn(healthy), checksOn(faulty)]);
}, 120_000);

afterAll(async () => {
  await pool?.closeAll();
  await Promise.all([healthy?.destroy(), faulty?.destroy()]);
});

function result(results: CheckResult[], id: string): CheckResult {
  const found = results.find((candidate) => candidate.check === id);
  if (!found) throw new Error(`no result for ${id}`);
  return found;
}

describe('playbook checks (batch B) on real lab hosts', () => {
  it.each(CHECK_IDS)('%s is ok on the healthy host', (id) => {
    const checked = result(healthyResults, id);

    expect(checked.error).toBeUndefined();
    expect(checked.findings.map((finding) => [finding.severity, finding.summary])).toEqual([
      ['ok', expect.any(String)],
    ]);
  });

  it.each<[string, Severity, () => string]>([
    ['container-locale', 'warn', () => 'mysql-latin1 (mysql:lab): command line: docker-entrypoint.sh mysqld'],
    ['container-locale', 'info', () => 'posix (busybox:local): Config.Env no LANG or LC_ALL (C/POSIX locale)'],
    [
      'container-localhost',
      'warn',
      () => 'nginx-localhost: nginx -T: /etc/nginx/conf.d/default.conf: proxy_pass http://localhost:8080;',
    ],
    ['shm-size', 'crit', () => 'shm-full log: Bus error'],
    ['shm-size', 'crit', () => 'shm-full: df -P /dev/shm: 1 MiB of 1 MiB used (100%)'],
    [
      'address-pools',
      'crit',
      () =>
        `network lab-lan ${lanRoute.dst} overlaps host route ${lanRoute.dst}${lanRoute.dev ? ` dev ${lanRoute.dev}` : ''}`,
    ],
    ['address-pools', 'crit', () => 'network lab-wide 198.18.0.0/24 overlaps network lab-narrow 198.18.0.128/25'],
    [
      'compose-collision',
      'crit',
      () => 'project same: working_dir /tmp/data1/app (config_files /tmp/data1/app/docker-compose.yml): same_web_1',
    ],
    ['env-quotes', 'warn', () => 'quoted_api_1: Config.Env DB_HOST="db"'],
    ['env-quotes', 'warn', () => 'quoted_api_1: Config.Env DB_PASSWORD="••••"'],
    ['env-quotes', 'warn', () => "quoted-run: Config.Env CACHE_URL='redis://cache:6379'"],
  ])('%s with its fault injected → %s quoting the evidence', (id, severity, line) => {
    const checked = result(faultyResults, id);

    expect(checked.error).toBeUndefined();
    const finding = checked.findings.find((candidate) => candidate.evidence?.includes(line()));
    expect(finding?.severity).toBe(severity);
  });

  it('nfs-flock stays ok with the faults (no NFS server or EL7 kernel here to make its own fault real)', () => {
    expect(result(faultyResults, 'nfs-flock').findings.map((finding) => finding.severity)).toEqual(['ok']);
  });

  it('never shows the value of a secret-named variable, in findings or in evidence', () => {
    expect(JSON.stringify(faultyResults)).not.toContain('lab-secret-pw');
    expect(JSON.stringify(faultyResults)).not.toContain('lab-root-pw');
  });
});
