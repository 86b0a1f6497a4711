/**
 * The application's listeners: each emitted event reaches the listeners of its type, and one that
 * throws is reported as a `ListenerError`, never harming the session. Calling listeners is a step
 * of the session for its fast lane: a frame a listener sends queues behind the event it heard.
 */
import type { EmittedOf, SessionEmitted } from '../machines/types.js';
import { ListenerError } from '../protocol/errors.js';
import type { FastLane } from './fastLane.js';

/** A listener for one emitted event type. */
export type SessionListener<T extends SessionEmitted['type']> = (event: EmittedOf<T>) => void;

/** A session's listeners: `on` to subscribe, `dispatch` to deliver an event. */
export function createListeners(lane: FastLane) {
  const byType = new Map<string, Set<(event: SessionEmitted) => void>>();

  const dispatch = (event: SessionEmitted): void => {
    const listeners = byType.get(event.type);
    if (!listeners || listeners.size === 0) return;
    lane.enter();
    try {
      for (const listener of [...listeners]) {
        try {
          listener(event);
        } catch (cause) {
          // An error listener that throws has nobody left to tell but the console.
          if (event.type === 'error') console.error(new ListenerError('error', cause));
          else dispatch({ type: 'error', error: new ListenerError(event.type, cause) });
        }
      }
    } finally {
      lane.leave();
    }
  };

  const on = <T extends SessionEmitted['type']>(type: T, listener: SessionListener<T>): (() => void) => {
    const set = byType.get(type) ?? new Set();
    byType.set(type, set);
    // Each listener only ever gets events of its own type.
    const entry = listener as (event: SessionEmitted) => void;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  };

  return { dispatch, on };
}
