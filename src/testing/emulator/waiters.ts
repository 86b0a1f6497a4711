/**
 * Promises for "the first recorded client message that matches": checked against the frames
 * already recorded, then against each new one, until a timeout or the connection closes.
 */
import type { ClientFrame, ClientMessage } from './types.js';

/** Tests a client message (and its frame, for timing). */
export type MessagePredicate = (message: ClientMessage, frame: ClientFrame) => boolean;

interface Waiter {
  predicate: MessagePredicate;
  resolve(message: ClientMessage): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/** Runs a predicate; a throw becomes the error that fails the wait. */
function test(predicate: MessagePredicate, frame: ClientFrame): boolean | Error {
  if (!frame.message) return false;
  try {
    return predicate(frame.message, frame);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** The pending `waitForMessage` calls of one connection. */
export class MessageWaiters {
  private readonly waiting = new Set<Waiter>();
  private finished: string | undefined;

  /**
   * Resolves with the first message of `frames[from…]` or of a later frame that matches.
   * Rejects after `timeoutMs`, or when the connection ends first.
   */
  wait(
    frames: readonly ClientFrame[],
    from: number,
    predicate: MessagePredicate,
    timeoutMs: number,
  ): Promise<ClientMessage> {
    for (const frame of frames.slice(from)) {
      const result = test(predicate, frame);
      if (result instanceof Error) return Promise.reject(result);
      if (result && frame.message) return Promise.resolve(frame.message);
    }
    if (this.finished !== undefined) return Promise.reject(new Error(this.finished));
    return new Promise<ClientMessage>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiting.delete(waiter);
          reject(new Error(`no matching client message within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      // A forgotten wait must not keep the process alive.
      waiter.timer.unref();
      this.waiting.add(waiter);
    });
  }

  /** Offers a newly recorded frame to every waiter. */
  offer(frame: ClientFrame): void {
    for (const waiter of this.waiting) {
      const result = test(waiter.predicate, frame);
      if (result === false) continue;
      this.waiting.delete(waiter);
      clearTimeout(waiter.timer);
      if (result instanceof Error) waiter.reject(result);
      else if (frame.message) waiter.resolve(frame.message);
    }
  }

  /** Rejects every waiter: no more frames will come. */
  finish(why: string): void {
    this.finished = why;
    for (const waiter of this.waiting) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error(why));
    }
    this.waiting.clear();
  }
}
