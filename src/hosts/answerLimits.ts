// Bounds on every Engine API answer, whatever the transport: at most ANSWER_MAX_BYTES read from one
// connection, and the whole exchange over within the request deadline. dockerode buffers an answer
// whole before parsing it, so a daemon (or something posing as one) that streams forever, or trickles
// one byte at a time, would otherwise hold a job and grow a worker's memory without end.

import type { Duplex } from 'node:stream';

/** Far above any list or inspect a real host returns (thousands of containers are a few MiB). */
export const ANSWER_MAX_BYTES = 16 * 1024 * 1024;

export interface AnswerLimits {
  maxBytes: number;
  /** From the connection's opening to its end, however steady the traffic. */
  deadlineMs: number;
  onTooLarge: () => Error;
  onDeadline: () => Error;
}

/**
 * Counts what one connection receives and ends it with an error past either limit. `count` is
 * called by the transport with each chunk it receives; `stop` when the connection closes.
 */
export function answerGuard(socket: Duplex, limits: AnswerLimits): { count(bytes: number): void; stop(): void } {
  let received = 0;
  const timer = setTimeout(() => socket.destroy(limits.onDeadline()), limits.deadlineMs);
  timer.unref();
  return {
    count(bytes: number) {
      received += bytes;
      if (received > limits.maxBytes && !socket.destroyed) socket.destroy(limits.onTooLarge());
    },
    stop() {
      clearTimeout(timer);
    },
  };
}
