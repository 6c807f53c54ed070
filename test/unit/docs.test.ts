import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checksDoc, DOC_PATH, TROUBLES } from '../../scripts/checksDoc.ts';
import { CHECKS } from '../../src/checks/index.ts';

describe('docs/checks.md', () => {
  it('is what the registries say today (run `npm run docs` after changing a check or a fix)', () => {
    expect(readFileSync(DOC_PATH, 'utf8')).toBe(checksDoc());
  });

  it('names a known trouble for every check', () => {
    const unknown = CHECKS.flatMap((check) =>
      check.doc.seed.filter((n) => !TROUBLES[n]).map((n) => `${check.id}: § ${n}`),
    );

    expect(unknown).toEqual([]);
  });
});
