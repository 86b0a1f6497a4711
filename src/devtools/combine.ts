import type { InspectionEvent, Observer } from 'xstate';

/** An inspection observer, as `createActor`'s `inspect` option takes it. */
export type InspectionObserver = Observer<InspectionEvent> | ((event: InspectionEvent) => void);

/**
 * One inspection observer that hands every event to several, so that a session can be watched by
 * the offline inspector and a logger at once. One that throws does not keep the others from
 * seeing the event, nor break the session.
 *
 * @example
 * ```ts
 * const session = createLiveSession({ ai, model, inspect: combineInspectors(inspector.inspect, createStateLogger()) });
 * ```
 */
export function combineInspectors(...observers: InspectionObserver[]): (event: InspectionEvent) => void {
  return (event) => {
    for (const observer of observers) {
      try {
        if (typeof observer === 'function') observer(event);
        else observer.next?.(event);
      } catch (error) {
        console.warn('gemini-live-fsm: an inspection observer threw', error);
      }
    }
  };
}
