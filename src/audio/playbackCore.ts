/**
 * The heart of both players: a queue of the model's 24 kHz samples with a small jitter buffer,
 * rendered block by block at the output's rate, and an interruption that fades out over at most
 * `fadeFrames` output frames and then drops the rest, remembering what was played.
 *
 * The browser player runs this very class inside its AudioWorklet, from its source text
 * (`PlaybackCore.toString()`): it must refer to nothing outside itself, and use no class fields
 * or private names a bundler could rewrite into helpers.
 */

/** Options of a {@link PlaybackCore}; every length is in samples of the model's audio (24 kHz). */
export interface PlaybackCoreOptions {
  /** Audio held back before playing starts, so that a late chunk does not stutter (e.g. 60 ms = 1440). */
  jitterSamples: number;
  /** Longest fade on interruption, in output frames (128: one Web Audio render quantum). */
  fadeFrames: number;
  /** Model samples per output frame: 24000 / the output's sample rate (1 at 24 kHz). */
  step: number;
}

/** Where playback stands, in model samples. */
export interface PlaybackCounts {
  /** Samples handed to the player. */
  received: number;
  /** Samples played (faded ones included). */
  played: number;
  /** Samples dropped by interruptions, never played. */
  discarded: number;
  /** Samples waiting to be played. */
  buffered: number;
}

/** What the last interruption did. */
export interface PlaybackCut {
  /** The position in the received audio where playback stopped. */
  at: number;
  /** Samples dropped. */
  discarded: number;
  /** Output frames of fade-out it took (0 when nothing was playing). */
  fadeFrames: number;
}

/** The queue, the jitter buffer and the fade. See the file's comment for why it is written as it is. */
export class PlaybackCore {
  // `declare`: no class fields in the emitted code (see the file's comment).
  declare jitter: number;
  declare fadeMax: number;
  declare step: number;
  declare ring: Float32Array;
  declare mask: number;
  /** Absolute positions in the received audio: where the next sample goes, and the read head. */
  declare writePos: number;
  declare readPos: number;
  declare discardedTotal: number;
  declare primed: boolean;
  /** Model samples' worth of output rendered since the last push, while not playing. */
  declare idle: number;
  declare fadeLeft: number;
  declare fadeTotal: number;
  declare cut: PlaybackCut | undefined;

  constructor(options: PlaybackCoreOptions) {
    this.jitter = Math.max(0, Math.round(options.jitterSamples));
    this.fadeMax = Math.max(1, Math.round(options.fadeFrames));
    this.step = options.step > 0 ? options.step : 1;
    this.ring = new Float32Array(8192);
    this.mask = this.ring.length - 1;
    this.writePos = 0;
    this.readPos = 0;
    this.discardedTotal = 0;
    this.primed = false;
    this.idle = 0;
    this.fadeLeft = 0;
    this.fadeTotal = 0;
    this.cut = undefined;
  }

  /** Samples waiting to be played. */
  buffered(): number {
    return Math.max(0, this.writePos - Math.floor(this.readPos));
  }

  /** Whether an interruption's fade is still to be rendered. */
  fading(): boolean {
    return this.fadeLeft > 0;
  }

  /** Queues samples (floats in [-1, 1]). */
  push(samples: Float32Array): void {
    const needed = this.buffered() + samples.length + 2;
    if (needed > this.ring.length) {
      let size = this.ring.length;
      while (size < needed) size *= 2;
      const grown = new Float32Array(size);
      const start = Math.floor(this.readPos);
      for (let i = start; i < this.writePos; i += 1) grown[i & (size - 1)] = this.ring[i & this.mask] as number;
      this.ring = grown;
      this.mask = size - 1;
    }
    for (let i = 0; i < samples.length; i += 1) this.ring[(this.writePos + i) & this.mask] = samples[i] as number;
    this.writePos += samples.length;
    this.idle = 0;
  }

  /**
   * Stops playback: a linear fade over at most `fadeFrames` output frames, taken at the next
   * render, then whatever is left is dropped. With nothing playing, everything queued is dropped
   * at once.
   */
  interrupt(): void {
    // Already fading: starting over would jump back to full volume.
    if (this.fadeLeft > 0) return;
    const frames = Math.min(this.fadeMax, Math.floor(this.buffered() / this.step));
    if (!this.primed || frames <= 0) {
      this.dropRest(0);
      return;
    }
    this.fadeLeft = frames;
    this.fadeTotal = frames;
  }

  /**
   * Renders the next `out.length` output frames and returns how many carry audio. Frames with
   * nothing to play are silence, or, with `onlyAudio`, left out: the audio is packed at the start
   * of `out` (a stream writer wants no silence; time still passes for the jitter buffer).
   */
  render(out: Float32Array, onlyAudio = false): number {
    let written = 0;
    let audio = 0;
    for (let frame = 0; frame < out.length; frame += 1) {
      let value = 0;
      let audible = true;
      if (this.fadeLeft > 0) {
        this.fadeLeft -= 1;
        value = this.sample() * (this.fadeLeft / this.fadeTotal);
        this.readPos += this.step;
        if (this.fadeLeft === 0) this.dropRest(this.fadeTotal);
      } else {
        if (!this.primed) {
          const waiting = this.buffered();
          this.primed = waiting > 0 && (waiting >= this.jitter || this.idle >= this.jitter);
          if (!this.primed && waiting > 0) this.idle += this.step;
        }
        if (this.primed && this.readPos >= this.writePos) {
          // Ran dry: the turn ended, or the network is late. Wait for the jitter buffer again.
          this.primed = false;
          this.idle = 0;
        }
        audible = this.primed;
        if (audible) {
          value = this.sample();
          this.readPos = Math.min(this.readPos + this.step, this.writePos);
        }
      }
      if (audible) audio += 1;
      if (audible || !onlyAudio) {
        out[written] = value;
        written += 1;
      }
    }
    return audio;
  }

  /** The counts so far. */
  counts(): PlaybackCounts {
    const consumed = Math.min(Math.floor(this.readPos), this.writePos);
    return {
      received: this.writePos,
      played: consumed - this.discardedTotal,
      discarded: this.discardedTotal,
      buffered: this.writePos - consumed,
    };
  }

  /** The sample at the read head, linearly interpolated between its neighbours. */
  sample(): number {
    const index = Math.floor(this.readPos);
    const fraction = this.readPos - index;
    const here = this.ring[index & this.mask] as number;
    if (fraction === 0 || index + 1 >= this.writePos) return here;
    return here + ((this.ring[(index + 1) & this.mask] as number) - here) * fraction;
  }

  dropRest(fadeFrames: number): void {
    const at = Math.min(Math.ceil(this.readPos), this.writePos);
    const discarded = this.writePos - at;
    this.discardedTotal += discarded;
    this.readPos = this.writePos;
    this.primed = false;
    this.idle = 0;
    this.fadeLeft = 0;
    this.cut = { at, discarded, fadeFrames };
  }
}
