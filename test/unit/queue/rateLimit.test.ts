import { describe, expect, it } from 'vitest';
import { commandCost } from '../../../src/queue/rateLimit.ts';

describe('commandCost', () => {
  it.each([
    [1, 10, 1],
    [2, 10, 2],
    [10, 10, 2],
    [11, 10, 5],
    [100, 10, 5],
    [101, 10, 10],
    [1000, 10, 10],
    [1000, 3, 3],
  ])('charges %i host(s) with a bucket of %i: %i token(s)', (hosts, capacity, cost) => {
    expect(commandCost(hosts, capacity)).toBe(cost);
  });
});
