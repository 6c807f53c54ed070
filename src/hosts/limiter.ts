// A counting semaphore per host connection. OpenSSH refuses the 11th session on one connection
// (MaxSessions 10), so shell commands and Docker API channels share one small budget and wait
// their turn instead of failing.

export type Release = () => void;

interface Waiter {
  grant: (release: Release) => void;
  fail: (error: Error) => void;
}

export interface AcquireOptions {
  /** Gives up waiting when aborted; the slot is never taken. */
  signal?: AbortSignal;
}

export class Limiter {
  readonly size: number;
  #active = 0;
  readonly #waiters: Waiter[] = [];

  readonly #onIdle: (() => void) | undefined;

  /** `onIdle` runs whenever the last slot in use is given back. */
  constructor(size: number, onIdle?: () => void) {
    this.#onIdle = onIdle;
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`limiter size must be a positive integer, got ${size}`);
    this.size = size;
  }

  get active(): number {
    return this.#active;
  }

  get waiting(): number {
    return this.#waiters.length;
  }

  /** Resolves with a release function once a slot is free; calling release twice is harmless. */
  acquire(options: AcquireOptions = {}): Promise<Release> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.#active < this.size) {
      this.#active += 1;
      return Promise.resolve(this.#releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
        fail: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = () => {
        const index = this.#waiters.indexOf(waiter);
        if (index >= 0) this.#waiters.splice(index, 1);
        reject(abortReason(signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(waiter);
    });
  }

  /** Fails everyone still waiting, e.g. because the connection they wait for has dropped. */
  rejectWaiting(error: Error): void {
    const waiters = this.#waiters.splice(0);
    for (const waiter of waiters) waiter.fail(error);
  }

  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Hand the slot straight to the next waiter so a newcomer cannot jump the queue.
      const next = this.#waiters.shift();
      if (next) {
        next.grant(this.#releaser());
        return;
      }
      this.#active -= 1;
      if (this.#active === 0) this.#onIdle?.();
    };
  }
}

function abortReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted while waiting for a free slot');
}
