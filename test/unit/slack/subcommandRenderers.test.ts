import { describe, expect, it } from 'vitest';
import type { ImageDependencies } from '../../../src/evidence/imageGraph.ts';
import { SLACK_LIMITS, slackLimitProblem } from '../../../src/slack/limits.ts';
import { removalLines, renderImageDeps } from '../../../src/slack/render/imageDeps.ts';
import { fitsInline, LOGS_PREVIEW_LINES, renderLogs } from '../../../src/slack/render/logs.ts';
import { toPlainText } from '../../../src/slack/render/plainText.ts';
import { type PrunePlan, renderPrunePlan } from '../../../src/slack/render/prunePlan.ts';
import { type PsRow, psTable, renderPs } from '../../../src/slack/render/ps.ts';

const container = { id: 'f'.repeat(64), name: 'api', state: 'running' };

describe('renderLogs', () => {
  it('shows short output whole, with secrets redacted even when handed raw lines', () => {
    const lines = ['starting', 'DB_PASSWORD=hunter2', 'token: Bearer abcdefghijklmnop', 'ready <ok> & up'];

    const rendered = renderLogs({ host: 'h1', container, tail: 100, lines, fileAttached: false });

    const json = JSON.stringify(rendered);
    expect(json).not.toContain('hunter2');
    expect(json).not.toContain('abcdefghijklmnop');
    expect(json).toContain('DB_PASSWORD=••••');
    expect(json).toContain('ready &lt;ok&gt; &amp; up');
    expect(slackLimitProblem(rendered)).toBeUndefined();
  });

  it('shows only the newest lines when the whole log is in a file', () => {
    const lines = Array.from({ length: 3000 }, (_, index) => `line ${index + 1} ${'x'.repeat(40)}`);

    const rendered = renderLogs({ host: 'h1', container, tail: 3000, lines, fileAttached: true });

    const text = toPlainText(rendered.blocks);
    expect(text).toContain('line 3000 ');
    expect(text).not.toContain('line 2970 ');
    expect(text).toContain(`line ${3000 - LOGS_PREVIEW_LINES + 1} `);
    expect(text).toContain(`${3000 - LOGS_PREVIEW_LINES} earlier lines`);
    expect(text).toMatch(/attached as a file in the thread/);
    expect(slackLimitProblem(rendered)).toBeUndefined();
  });

  it('stays within one section when lines are huge and keeps the code fence closed', () => {
    const lines = Array.from({ length: 30 }, () => `${'```'}${'y'.repeat(5000)}`);

    const rendered = renderLogs({ host: 'h1', container, tail: 30, lines, fileAttached: true });

    expect(slackLimitProblem(rendered)).toBeUndefined();
    const code = (rendered.blocks[2] as { text: { text: string } }).text.text;
    expect(code.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(code.match(/```/g)).toHaveLength(2);
  });

  it.each([
    [['short'], true],
    [Array.from({ length: 100 }, () => 'x'.repeat(30)), false],
    [Array.from({ length: 20 }, () => '&'.repeat(120)), false],
  ])('fitsInline %#', (lines, fits) => {
    expect(fitsInline(lines)).toBe(fits);
  });

  it('says when the container has logged nothing', () => {
    const rendered = renderLogs({ host: 'h1', container, tail: 100, lines: [], fileAttached: false });

    expect(toPlainText(rendered.blocks)).toMatch(/written nothing/);
  });
});

function row(index: number, overrides: Partial<PsRow> = {}): PsRow {
  return {
    name: `svc-${index}`,
    id: `${index}`.padStart(64, '0'),
    image: 'busybox:local',
    state: 'running',
    health: '',
    restarts: 0,
    ...overrides,
  };
}

describe('renderPs', () => {
  it('lays out one aligned row per container with state, health, restarts and log size', () => {
    const rows = [
      row(1, { name: 'web', health: 'healthy', logBytes: 3 * 1024 * 1024 }),
      row(2, { name: 'job', state: 'exited', exitCode: 137, restarts: 4 }),
    ];

    const table = psTable(rows);

    expect(table[0]).toMatch(/^NAME\s+STATE\s+HEALTH\s+RESTARTS\s+LOG\s+IMAGE$/);
    expect(table[1]).toMatch(/^web\s+running\s+healthy\s+0\s+3 MiB\s+busybox:local$/);
    expect(table[2]).toMatch(/^job\s+exited \(137\)\s+–\s+4\s+–\s+busybox:local$/);
    expect(table[1]?.indexOf('running')).toBe(table[2]?.indexOf('exited'));
  });

  it('fits 2000 containers under Slack limits and counts the ones left out', () => {
    const rows = Array.from({ length: 2000 }, (_, index) => row(index, { name: `container-number-${index}` }));

    const rendered = renderPs({ host: 'h1', rows, worst: 'ok', logSizesKnown: true, durationMs: 1200 });

    expect(slackLimitProblem(rendered)).toBeUndefined();
    expect(rendered.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(toPlainText(rendered.blocks)).toMatch(/… \d+ more containers not shown/);
  });

  it('escapes names and says when log sizes could not be read', () => {
    const rendered = renderPs({
      host: 'h1',
      rows: [row(1, { image: 'evil<@U123>' })],
      worst: 'ok',
      logSizesKnown: false,
      durationMs: 10,
    });

    const json = JSON.stringify(rendered.blocks);
    expect(json).toContain('evil&lt;@U123&gt;');
    expect(json).toMatch(/Log sizes could not be read/);
  });
});

describe('renderPrunePlan', () => {
  const plan: PrunePlan = {
    host: 'h1',
    dangling: [
      { id: 'cccccccccccc', bytes: 400 * 1024, created: '2024-05-01T10:00:00.000Z' },
      { id: 'bbbbbbbbbbbb', bytes: 300 * 1024 },
    ],
    danglingBytes: 700 * 1024,
    cache: [{ id: 'cache1234567', bytes: 1024 }],
    cacheBytes: 1024,
    operations: [
      { description: 'Remove dangling images', command: 'POST /images/prune?filters={"dangling":["true"]}' },
      { description: 'Remove unused build cache', command: 'POST /build/prune' },
    ],
    untouched: {
      stoppedContainers: { count: 2, bytes: 2048 },
      unusedImages: { bytes: 0 },
      volumes: { names: ['pgdata'], bytes: 5 * 1024 * 1024 },
    },
  };

  it('lists what will be freed with sizes, the exact calls, and that volumes are never pruned', () => {
    const rendered = renderPrunePlan(plan, [{ approvalId: 'ap-12345678', label: 'Prune (701 KiB)', risk: 'safe' }]);

    const text = toPlainText(rendered.blocks);
    expect(text).toMatch(/Will free about 701 KiB/);
    expect(text).toMatch(/cccccccccccc\s+400 KiB/);
    expect(text).toMatch(/cache1234567\s+1 KiB/);
    expect(text).toContain('POST /images/prune');
    expect(text).toMatch(/Volumes are never pruned by it: 1 unused \(5 MiB\): `?pgdata/);
    expect(text).toMatch(/2 stopped container/);
    expect(rendered.text).toMatch(/volumes are never pruned/);
    const actions = rendered.blocks.filter((block) => (block as { type: string }).type === 'actions');
    expect(actions).toHaveLength(1);
    expect(slackLimitProblem(rendered)).toBeUndefined();
  });

  it('offers nothing when there is nothing to prune', () => {
    const empty = { ...plan, dangling: [], danglingBytes: 0, cache: [], cacheBytes: 0 };

    const rendered = renderPrunePlan(empty, []);

    expect(toPlainText(rendered.blocks)).toMatch(/Nothing to prune safely/);
    expect(toPlainText(rendered.blocks)).not.toContain('POST /images/prune');
  });
});

describe('renderImageDeps', () => {
  const deps: ImageDependencies = {
    image: { id: `sha256:${'a'.repeat(64)}`, name: 'base:1' },
    children: [
      { id: `sha256:${'c'.repeat(64)}`, name: 'grandchild:1' },
      { id: `sha256:${'b'.repeat(64)}`, name: 'child:1' },
    ],
    containers: [{ id: 'd'.repeat(64), name: 'uses-child', imageId: `sha256:${'b'.repeat(64)}`, state: 'running' }],
    removalOrder: [
      { kind: 'container', id: 'd'.repeat(64), name: 'uses-child' },
      { kind: 'image', id: `sha256:${'c'.repeat(64)}`, name: 'grandchild:1' },
      { kind: 'image', id: `sha256:${'b'.repeat(64)}`, name: 'child:1' },
    ],
  };

  it('numbers the removal order: containers, children deepest first, then the image', () => {
    const lines = removalLines(deps);

    expect(lines).toEqual([
      '1. container   uses-child (dddddddddddd) · running',
      '2. child image grandchild:1 (cccccccccccc)',
      '3. child image child:1 (bbbbbbbbbbbb)',
      '4. image       base:1 (aaaaaaaaaaaa)',
    ]);
    const text = toPlainText(renderImageDeps('h1', 'base:1', deps).blocks);
    expect(text).toMatch(/stop them first/);
  });

  it('says nothing blocks docker rmi when nothing does', () => {
    const free = { ...deps, children: [], containers: [], removalOrder: [] };

    expect(toPlainText(renderImageDeps('h1', 'base:1', free).blocks)).toMatch(/Nothing blocks `?docker rmi base:1/);
  });
});
