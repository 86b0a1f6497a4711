/**
 * The timers of one emulator connection (script pauses, goAway deadlines): none keeps the process
 * alive, and all are settled when the connection ends.
 */

interface Entry {
  timer: NodeJS.Timeout;
  done(fired: boolean): void;
}

/** Pauses that end early, with `false`, when the connection ends. */
export class ConnectionTimers {
  private readonly entries = new Set<Entry>();
  private ended = false;

  /** Resolves `true` after `ms`, or `false` as soon as {@link end} is called (at once if it was). */
  delay(ms: number): Promise<boolean> {
    if (this.ended) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const entry: Entry = {
        timer: setTimeout(() => entry.done(true), ms),
        done: (fired) => {
          clearTimeout(entry.timer);
          this.entries.delete(entry);
          resolve(fired);
        },
      };
      entry.timer.unref();
      this.entries.add(entry);
    });
  }

  /** Clears every timer; their pauses resolve `false`. */
  end(): void {
    this.ended = true;
    for (const entry of [...this.entries]) entry.done(false);
  }
}
