import { describe, expect, it } from 'vitest';
import { commentOffsets, daemonJsonBlockers, describeBlocker } from '../../../src/evidence/daemonJsonLines.ts';
import { fixtureText } from '../checks/fixtures.ts';

describe('daemonJsonBlockers', () => {
  it('has nothing against the lab daemon.json, whose socket URL holds "//" inside a string', () => {
    expect(daemonJsonBlockers(fixtureText('daemon-config/daemon-lab.json'))).toEqual([]);
  });

  it('names each commented line of a file annotated the guide’s way', () => {
    const blockers = daemonJsonBlockers(fixtureText('daemon-config/daemon-comments.json'));

    expect(blockers.map((blocker) => blocker.line)).toEqual([2, 16]);
    expect(describeBlocker(blockers[0]!)).toBe(
      '/etc/docker/daemon.json line 2: `# keep containers alive during daemon downtime` — a comment: dockerd reads plain JSON, and rewriting /etc/docker/daemon.json would lose it. Delete the comment (keep its note elsewhere)',
    );
  });

  it('names the "graph" line', () => {
    const [blocker] = daemonJsonBlockers(fixtureText('daemon-config/daemon-graph.json'));

    expect(blocker).toMatchObject({ line: 2, text: '"graph": "/var/lib/docker",' });
    expect(blocker?.why).toMatch(/rename it to "data-root"/);
  });

  it.each([
    ['// a note\n{"debug": true}\n', 1],
    ['{\n  "debug": true /* on */\n}\n', 2],
    ['{\n  "debug": true,\n}\n', 3],
  ])('finds the line to fix in %j', (text, line) => {
    expect(daemonJsonBlockers(text)[0]?.line).toBe(line);
  });

  it.each([[undefined], [''], ['{}']])('has nothing against %j (nothing to keep)', (text) => {
    expect(daemonJsonBlockers(text)).toEqual([]);
  });

  it('counts an escaped quote as inside the string', () => {
    expect(commentOffsets('{"a": "x\\" // y"}')).toEqual([]);
  });
});
