import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatPercent } from '../../../src/format.ts';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [512, '512 B'],
    [1536, '1.5 KiB'],
    [31_457_280, '30 MiB'],
    [1.5 * 1024 ** 3, '1.5 GiB'],
    [1024 ** 4 * 12, '12 TiB'],
    [-2048, '-2 KiB'],
  ])('%d → %s', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });
});

describe('formatDuration', () => {
  it.each([
    [850, '850 ms'],
    [4200, '4.2 s'],
    [125_000, '2m 05s'],
    [3_720_000, '1h 02m'],
  ])('%d → %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('formatPercent', () => {
  it.each([
    [91.4, '91%'],
    [undefined, '–'],
  ])('%s → %s', (pct, expected) => {
    expect(formatPercent(pct)).toBe(expected);
  });
});
