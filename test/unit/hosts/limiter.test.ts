import { describe, expect, it } from 'vitest';
import { Limiter } from '../../../src/hosts/limiter.ts';

describe('Limiter', () => {
  it('never lets more than size run at once', async () => {
    // Arrange
    const limiter = new Limiter(3);
    let running = 0;
    let peak = 0;
    const task = async () => {
      const release = await limiter.acquire();
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      release();
    };
    // Act
    await Promise.all(Array.from({ length: 20 }, task));
    // Assert
    expect(peak).toBe(3);
    expect(limiter.active).toBe(0);
  });

  it('serves waiters first in, first out', async () => {
    const limiter = new Limiter(1);
    const first = await limiter.acquire();
    const order: number[] = [];
    const waiters = [1, 2, 3].map(async (n) => {
      const release = await limiter.acquire();
      order.push(n);
      release();
    });
    first();
    await Promise.all(waiters);
    expect(order).toEqual([1, 2, 3]);
  });

  it('ignores a second release of the same slot', async () => {
    const limiter = new Limiter(1);
    const release = await limiter.acquire();
    release();
    release();
    expect(limiter.active).toBe(0);
    await limiter.acquire();
    expect(limiter.active).toBe(1);
  });

  it('stops waiting when the signal aborts, without taking a slot', async () => {
    // Arrange
    const limiter = new Limiter(1);
    const held = await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire({ signal: controller.signal });
    // Act
    controller.abort(new Error('gave up'));
    // Assert
    await expect(waiting).rejects.toThrow('gave up');
    expect(limiter.waiting).toBe(0);
    held();
    expect(limiter.active).toBe(0);
  });

  it('fails everyone waiting on rejectWaiting', async () => {
    const limiter = new Limiter(1);
    await limiter.acquire();
    const waiting = limiter.acquire();
    limiter.rejectWaiting(new Error('connection lost'));
    await expect(waiting).rejects.toThrow('connection lost');
  });

  it.each([0, -1, 1.5])('refuses size %s', (size) => {
    expect(() => new Limiter(size)).toThrow(RangeError);
  });
});
