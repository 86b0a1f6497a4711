/**
 * An audio source the test controls: chunks are pushed in, and it ends or fails on demand. It is
 * an `AsyncIterable<Uint8Array>`, what `session.attachMic()` takes.
 */
export class PushSource implements AsyncIterable<Uint8Array> {
  private queue: (() => Promise<IteratorResult<Uint8Array>>)[] = [];
  private waiting: ((next: () => Promise<IteratorResult<Uint8Array>>) => void) | undefined;
  private readers: (() => void)[] = [];

  /**
   * Resolves when the reader next asks for a chunk: after `push`, that is once it has done with
   * the chunk pushed (the mic actor hands each chunk over before it reads the next).
   */
  nextRead(): Promise<void> {
    return new Promise((resolve) => this.readers.push(resolve));
  }

  /** Hands one chunk to the reader. */
  push(chunk: Uint8Array): void {
    this.offer(() => Promise.resolve({ value: chunk, done: false }));
  }

  /** Ends the stream: the reader sees `done`. */
  end(): void {
    this.offer(() => Promise.resolve({ value: undefined, done: true }));
  }

  /** Fails the stream: the reader's next read rejects with `error`. */
  fail(error: Error): void {
    this.offer(() => Promise.reject(error));
  }

  private offer(next: () => Promise<IteratorResult<Uint8Array>>): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(next);
    else this.queue.push(next);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: () => {
        for (const reader of this.readers.splice(0)) reader();
        const queued = this.queue.shift();
        if (queued) return queued();
        return new Promise<() => Promise<IteratorResult<Uint8Array>>>((resolve) => {
          this.waiting = resolve;
        }).then((next) => next());
      },
      return: () => Promise.resolve({ value: undefined, done: true }),
    };
  }
}
