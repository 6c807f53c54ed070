// Collects a command's stdout or stderr up to a cap. A runaway `docker logs` must not fill the
// worker's memory: past the cap the bytes are still read (so the channel keeps flowing and can
// close) but dropped, and the result is marked truncated.

export const OUTPUT_CAP_BYTES = 8 * 1024 * 1024;

export class OutputCollector {
  readonly #cap: number;
  readonly #chunks: Buffer[] = [];
  #size = 0;
  truncated = false;

  constructor(cap: number = OUTPUT_CAP_BYTES) {
    this.#cap = cap;
  }

  push(chunk: Buffer): void {
    const room = this.#cap - this.#size;
    if (room <= 0) {
      this.truncated = this.truncated || chunk.length > 0;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept.length < chunk.length) this.truncated = true;
    this.#chunks.push(kept);
    this.#size += kept.length;
  }

  bytes(): Buffer {
    return Buffer.concat(this.#chunks, this.#size);
  }

  text(): string {
    return this.bytes().toString('utf8');
  }
}
