import { describe, expect, it } from 'vitest';
import type { ContainerDetails } from '../../../src/evidence/containerStates.ts';
import type { SystemDf } from '../../../src/evidence/systemDf.ts';
import { type ContainerCandidate, matchContainer, unresolvedError } from '../../../workers/command/containerRef.ts';
import { cleanLogLines, demuxLogStream } from '../../../workers/command/logs.ts';
import { buildPrunePlan, pruneHeadline } from '../../../workers/command/prune.ts';
import { psHeadline, psRows, psWorst } from '../../../workers/command/ps.ts';

const ID_WEB = `3f2a1b${'0'.repeat(58)}`;
const ID_WEB2 = `3f2a1c${'1'.repeat(58)}`;
const ID_DB = `9c0d${'2'.repeat(60)}`;
const containers: ContainerCandidate[] = [
  { id: ID_WEB, names: ['web'], state: 'running' },
  { id: ID_WEB2, names: ['web-2'], state: 'exited' },
  { id: ID_DB, names: ['db'], state: 'running' },
];

describe('matchContainer', () => {
  it.each([
    ['web', ID_WEB],
    ['web-2', ID_WEB2],
    ['9c0d', ID_DB],
    [ID_WEB, ID_WEB],
    ['3f2a1c', ID_WEB2],
  ])('resolves %j to one container', (ref, id) => {
    const match = matchContainer(containers, ref);

    expect(match.kind).toBe('found');
    expect(match.kind === 'found' && match.container.id).toBe(id);
  });

  it('prefers an exact name over an id prefix', () => {
    const named = [...containers, { id: `ab${'3'.repeat(62)}`, names: ['3f2a1b'] }];

    const match = matchContainer(named, '3f2a1b');

    expect(match.kind === 'found' && match.container.names).toEqual(['3f2a1b']);
  });

  it('calls a shared id prefix ambiguous and names the candidates', () => {
    const match = matchContainer(containers, '3f2a1');

    expect(match.kind).toBe('ambiguous');
    const error = unresolvedError(match as Exclude<typeof match, { kind: 'found' }>, '3f2a1', 'h1');
    expect(error.userMessage).toMatch(/matches 2 containers on h1/);
    expect(error.userMessage).toContain('`web`');
    expect(error.userMessage).toContain('`web-2`');
  });

  it.each([
    ['wbe', ['web']],
    ['web-3', ['web-2', 'web']],
    ['we', ['web', 'web-2']],
  ])('answers an unknown %j with close matches %j', (ref, close) => {
    const match = matchContainer(containers, ref);

    expect(match.kind).toBe('unknown');
    const names = match.kind === 'unknown' ? match.close.map((c) => c.names[0]) : [];
    expect(names.slice(0, close.length)).toEqual(close);
    const error = unresolvedError(match as Exclude<typeof match, { kind: 'found' }>, ref, 'h1');
    expect(error.code).toBe('dm_bad_arguments');
    expect(error.userMessage).toMatch(/There is no container `.+` on h1\. Close matches: `/);
  });

  it('points to /docker ps when nothing is close', () => {
    const match = matchContainer(containers, 'zzzzzzzz');

    const error = unresolvedError(match as Exclude<typeof match, { kind: 'found' }>, 'zzzzzzzz', 'h1');
    expect(error.userMessage).toContain('/docker ps h1');
  });
});

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(payload.length, 4);
  return Buffer.concat([head, payload]);
}

describe('demuxLogStream and cleanLogLines', () => {
  it('joins stdout and stderr frames in order', () => {
    const buffer = Buffer.concat([frame(1, 'out 1\n'), frame(2, 'err 1\n'), frame(1, 'out 2\n')]);

    expect(demuxLogStream(buffer)).toBe('out 1\nerr 1\nout 2\n');
  });

  it('keeps what arrived of a cut last frame', () => {
    const buffer = Buffer.concat([frame(1, 'whole\n'), frame(1, 'partial line\n')]).subarray(0, 14 + 8 + 4);

    expect(demuxLogStream(buffer)).toBe('whole\npart');
  });

  it('passes a TTY (unframed) log through as it is', () => {
    expect(demuxLogStream(Buffer.from('plain text\n'))).toBe('plain text\n');
  });

  it('removes terminal codes and redacts secrets line by line', () => {
    const lines = cleanLogLines('\x1b[31mERROR\x1b[0m boot\r\nDB_PASSWORD=hunter2 connecting\nbell\x07\n');

    expect(lines).toEqual(['ERROR boot', 'DB_PASSWORD=•••• connecting', 'bell']);
    expect(lines.join('\n')).not.toContain('hunter2');
  });

  it('redacts a private key block that spans lines', () => {
    const text = 'start\n-----BEGIN OPENSSH PRIVATE KEY-----\nabc\ndef\n-----END OPENSSH PRIVATE KEY-----\nend\n';

    expect(cleanLogLines(text)).toEqual(['start', '••••', 'end']);
  });
});

function details(name: string, state: Partial<ContainerDetails['State']>, restarts = 0): ContainerDetails {
  return {
    Id: `${name
      .padEnd(8, 'a')
      .replace(/[^a-f0-9]/g, 'a')
      .slice(0, 8)}${'0'.repeat(56)}`,
    Name: `/${name}`,
    RestartCount: restarts,
    State: { Status: 'running', ...state },
    Config: { Image: 'busybox:local' },
  } as ContainerDetails;
}

describe('psRows', () => {
  it('gives state, exit code, health, restarts and log size per container, by name', () => {
    const loop = details('loop', { Status: 'restarting' }, 7);
    const done = details('done', { Status: 'exited', ExitCode: 3 });
    const web = details('web', { Status: 'running', Health: { Status: 'unhealthy' } });
    const logs = [{ containerId: loop.Id, path: '/x', sizeBytes: 2048 }];

    const rows = psRows([web, loop, done], logs);

    expect(rows.map((row) => [row.name, row.state, row.exitCode, row.health, row.restarts, row.logBytes])).toEqual([
      ['done', 'exited', 3, '', 0, undefined],
      ['loop', 'restarting', undefined, '', 7, 2048],
      ['web', 'running', undefined, 'unhealthy', 0, undefined],
    ]);
    expect(psWorst(rows)).toBe('warn');
    expect(psHeadline(rows)).toBe('3 container(s): 1 exited, 1 restarting, 1 running, 1 unhealthy');
  });

  it('is ok when every container is running or stopped cleanly', () => {
    const rows = psRows([details('a', {}), details('b', { Status: 'exited', ExitCode: 0 })], undefined);

    expect(psWorst(rows)).toBe('ok');
  });
});

describe('buildPrunePlan', () => {
  // Shaped like GET /system/df on a lab host after two dangling builds (see test/unit/checks/reclaimable.test.ts).
  const df: SystemDf = {
    LayersSize: 5_000_000,
    Images: [
      { Id: `sha256:${'a'.repeat(64)}`, RepoTags: ['busybox:local'], Containers: 1, Size: 2_000_000, SharedSize: 0 },
      {
        Id: `sha256:${'b'.repeat(64)}`,
        RepoTags: [],
        Containers: 0,
        Size: 2_300_000,
        SharedSize: 2_000_000,
        Created: 1,
      },
      {
        Id: `sha256:${'c'.repeat(64)}`,
        RepoTags: ['<none>:<none>'],
        Containers: 0,
        Size: 2_400_000,
        SharedSize: 2_000_000,
      },
      { Id: `sha256:${'d'.repeat(64)}`, RepoTags: ['old:1'], Containers: 0, Size: 3_000_000, SharedSize: 2_000_000 },
    ],
    Containers: [{ Id: 'e'.repeat(64), Names: ['/gone'], State: 'exited', SizeRw: 100 }],
    Volumes: [{ Name: 'pgdata', UsageData: { RefCount: 0, Size: 50_000 } }],
    BuildCache: [
      { ID: 'cache1234567890', InUse: false, Shared: false, Size: 1000 },
      { ID: 'cacheinuse00000', InUse: true, Shared: false, Size: 9999 },
    ],
  };

  it('lists every dangling image and unused cache record with its size, and what it leaves alone', () => {
    const plan = buildPrunePlan('h1', df);

    expect(plan.dangling.map((item) => [item.id, item.bytes])).toEqual([
      ['cccccccccccc', 400_000],
      ['bbbbbbbbbbbb', 300_000],
    ]);
    expect(plan.danglingBytes).toBe(700_000);
    expect(plan.cache.map((item) => [item.id, item.bytes])).toEqual([['cache1234567', 1000]]);
    expect(plan.cacheBytes).toBe(1000);
    expect(plan.operations.map((op) => op.command)).toEqual([
      'POST /images/prune?filters={"dangling":["true"]}',
      'POST /build/prune',
    ]);
    expect(plan.untouched.volumes.names).toEqual(['pgdata']);
    expect(plan.untouched.stoppedContainers.count).toBe(1);
    expect(plan.untouched.unusedImages.bytes).toBe(1_000_000);
    expect(pruneHeadline(plan)).toMatch(/can be pruned safely \(2 dangling image\(s\), 1 build cache record\(s\)\)/);
  });

  it('says so when there is nothing to prune', () => {
    const plan = buildPrunePlan('h1', { Images: [], BuildCache: [] });

    expect(pruneHeadline(plan)).toBe('nothing to prune safely');
  });
});
