import { describe, expect, it } from 'vitest';
import { FIXES, getFix } from '../../../src/fixes/index.ts';
import { PruneSafeParams, pruneSafeFix } from '../../../src/fixes/prune-safe.ts';

describe('prune-safe params', () => {
  it.each([
    [{}, true],
    [{ until: '24h' }, true],
    [{ until: '30m' }, true],
    [{ until: '0h' }, false],
    [{ until: '24 h' }, false],
    [{ until: '2024-01-01' }, false],
    [{ all: true }, false],
  ])('%j valid: %s', (params, valid) => {
    expect(PruneSafeParams.safeParse(params).success).toBe(valid);
  });
});

describe('pruneSafeFix', () => {
  it('plans dangling images and build cache only', () => {
    expect(pruneSafeFix.plan({ until: '24h' }).map((operation) => operation.command)).toEqual([
      'POST /images/prune?filters={"dangling":["true"],"until":["24h"]}',
      'POST /build/prune?filters={"until":["24h"]}',
    ]);
    expect(pruneSafeFix.plan({}).map((operation) => operation.command)).toEqual([
      'POST /images/prune?filters={"dangling":["true"]}',
      'POST /build/prune',
    ]);
    expect(pruneSafeFix.risk).toBe('safe');
  });
});

describe('fix registry', () => {
  it('knows each fix by id', () => {
    const ids = FIXES.map((fix) => fix.id);
    expect(ids).toContain('truncate-log');
    expect(ids).toContain('prune-safe');
    expect(new Set(ids).size).toBe(ids.length);
    expect(getFix('prune-safe')).toBe(pruneSafeFix);
    expect(getFix('nope')).toBeUndefined();
  });
});
