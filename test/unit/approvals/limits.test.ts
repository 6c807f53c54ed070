import { describe, expect, it } from 'vitest';
import { fitLabel, fitText, LABEL_MAX, paramsProblem } from '../../../src/approvals/limits.ts';
import { RemoveVolumesParams } from '../../../src/fixes/remove-unused-volumes.ts';

describe('fitText', () => {
  it.each([
    ['short', 10, 'short'],
    ['0123456789', 10, '0123456789'],
    ['0123456789A', 10, '012345…89A'],
    ['abc', 1, '…'],
  ])('%s in %i characters → %s', (text, max, fitted) => {
    expect(fitText(text, max)).toBe(fitted);
  });
});

describe('fitLabel', () => {
  it('keeps both ends of a label with a 250-character container name', () => {
    const label = fitLabel(`Truncate log of ${'c'.repeat(250)} (8 MiB)`);

    expect(label).toHaveLength(LABEL_MAX);
    expect(label.startsWith('Truncate log of ccc')).toBe(true);
    expect(label.endsWith('ccc (8 MiB)')).toBe(true);
    expect(label).toContain('…');
  });
});

describe('paramsProblem', () => {
  it("answers in the fix schema's own words, and nothing for params it accepts", () => {
    expect(paramsProblem(RemoveVolumesParams, { names: 'a,b' })).toBeUndefined();
    expect(paramsProblem(RemoveVolumesParams, { names: 'a,b,c,d,e,f,g,h,i,j,k' })).toBe(
      'names: expected up to 10 comma-separated volume names',
    );
  });
});
