/**
 * Two small clocks the session's telemetry keeps from its events: how long the gate has been
 * closed in all (so a tool call's gated time is the difference between its start and its end),
 * and how long the model took to answer the user with audio.
 */

/** Milliseconds the gate has been closed in all, running while it is closed. */
export class GateClock {
  private total = 0;
  private closedAt: number | undefined;

  /** The gated milliseconds so far, at `now`. */
  read(now: number): number {
    return this.total + (this.closedAt === undefined ? 0 : now - this.closedAt);
  }

  close(now: number): void {
    if (this.closedAt === undefined) this.closedAt = now;
  }

  /** Opens the gate; returns how long this stretch lasted, in ms (none if it was open). */
  open(now: number): number | undefined {
    if (this.closedAt === undefined) return undefined;
    const stretch = now - this.closedAt;
    this.total += stretch;
    this.closedAt = undefined;
    return stretch;
  }
}

/** What marked the end of the user's turn. */
export type TurnEndSignal = 'activityEnd' | 'audioStreamEnd' | 'inputTranscription';

/**
 * Time to the first model audio after the user stops. The user's stop is the latest
 * `activityEnd` or `audioStreamEnd` the application sent since the model last spoke (an
 * `activityStart` takes it back); failing those, with the server's own voice activity detection,
 * the latest input transcription the server marked `finished`. The first model audio chunk after
 * a stop is measured against it, once.
 */
export class TurnLatency {
  private clientStop: { at: number; signal: TurnEndSignal } | undefined;
  private transcriptStop: number | undefined;

  /** The application sent `activityStart`: the user speaks again. */
  userSpeaks(): void {
    this.clientStop = undefined;
  }

  /** The application sent `activityEnd` or `audioStreamEnd`. */
  userStopped(signal: 'activityEnd' | 'audioStreamEnd', now: number): void {
    this.clientStop = { at: now, signal };
  }

  /** The server transcribed the user's turn to its end. */
  transcriptFinished(now: number): void {
    this.transcriptStop = now;
  }

  /** A chunk of model audio arrived: the latency, if it is the first since the user stopped. */
  modelAudio(now: number): { ms: number; signal: TurnEndSignal } | undefined {
    const stop =
      this.clientStop ?? (this.transcriptStop === undefined ? undefined : { at: this.transcriptStop, signal: 'inputTranscription' as const });
    this.clientStop = undefined;
    this.transcriptStop = undefined;
    return stop ? { ms: now - stop.at, signal: stop.signal } : undefined;
  }
}
