/**
 * An adapter to the Redux DevTools browser extension: every event the session machine takes
 * shows up in the extension's panel as an action, with the state it led to. Read-only: the
 * extension's time travel cannot rewind a live connection, so its commands are ignored.
 */
import type { AnyActorRef, InspectionEvent } from 'xstate';
import { sanitizeContext, sanitizeEvent, type Plain } from './sanitize.js';

/** The part of a Redux DevTools connection this adapter uses. */
export interface ReduxDevToolsConnection {
  init(state: unknown): void;
  send(action: { type: string; [key: string]: unknown }, state: unknown): void;
  unsubscribe?(): void;
}

/** The extension object the browser puts on `window.__REDUX_DEVTOOLS_EXTENSION__`. */
export interface ReduxDevToolsExtension {
  connect(options?: { name?: string; [key: string]: unknown }): ReduxDevToolsConnection;
}

/** What the panel shows as the state after each action. */
export interface ReduxDevToolsState {
  /** The state value, as XState gives it: `{ idle: 'connecting' }`. */
  value: Plain;
  status: string;
  /** The context, with audio bytes and functions taken out. */
  context: { [key: string]: Plain };
}

/** Options of {@link connectReduxDevTools}. */
export interface ReduxDevToolsOptions {
  /** The instance name in the panel (default `gemini-live-fsm`). */
  name?: string;
  /** The extension (default `globalThis.__REDUX_DEVTOOLS_EXTENSION__`); tests pass a fake one. */
  extension?: ReduxDevToolsExtension;
  /**
   * Also send audio and video input frames that leave the state as it was (default false: at
   * 50 frames a second they would bury everything else; the counters in the state still count
   * them).
   */
  includeMediaFrames?: boolean;
}

/** A connection to the panel; `disconnect()` stops sending. */
export interface ReduxDevToolsHandle {
  /** Whether the extension was found. */
  readonly connected: boolean;
  disconnect(): void;
}

/**
 * Anything with the session's actor: the session itself (whose `metrics()` then give the panel
 * exact counters, forwarded input included), or the actor.
 */
export type Inspectable = AnyActorRef | { actor: AnyActorRef; metrics?: () => object; observeEveryFrame?: () => () => void };

/**
 * Shows a session (or any XState actor) in the Redux DevTools extension. Without the extension
 * it warns once and does nothing.
 *
 * @example
 * ```ts
 * import { connectReduxDevTools } from 'gemini-live-fsm/devtools';
 * const session = createLiveSession({ ai, model, tools });
 * connectReduxDevTools(session, { name: 'voice agent' });
 * ```
 */
export function connectReduxDevTools(target: Inspectable, options: ReduxDevToolsOptions = {}): ReduxDevToolsHandle {
  const extension =
    options.extension ??
    (globalThis as { __REDUX_DEVTOOLS_EXTENSION__?: ReduxDevToolsExtension }).__REDUX_DEVTOOLS_EXTENSION__;
  if (!extension) {
    console.warn('gemini-live-fsm: the Redux DevTools extension is not installed; connectReduxDevTools does nothing.');
    return { connected: false, disconnect: () => undefined };
  }
  const actor: AnyActorRef = 'actor' in target ? target.actor : target;
  // The panel shows every input (text, stream ends; media frames too if asked), so it opts in to
  // every frame as an event; its metrics() add what the fast lane counted before that.
  const metrics = 'actor' in target && target.metrics ? target.metrics.bind(target) : undefined;
  const releaseFrames = 'actor' in target ? target.observeEveryFrame?.() : undefined;
  const panelState = (snapshot: unknown): ReduxDevToolsState => {
    const state = snapshotState(snapshot);
    return metrics ? { ...state, context: { ...state.context, counters: sanitizeContext(metrics()) } } : state;
  };
  const panel = extension.connect({ name: options.name ?? 'gemini-live-fsm' });
  panel.init(panelState(actor.getSnapshot()));

  let previousValue = JSON.stringify(actor.getSnapshot().value);
  const subscription = actor.system.inspect((inspection: InspectionEvent) => {
    if (inspection.type !== '@xstate.snapshot' || inspection.actorRef !== actor) return;
    // The panel is a spectator: nothing it does may break the session.
    try {
      const snapshot = inspection.snapshot as { value?: unknown };
      const value = JSON.stringify(snapshot.value);
      const changed = value !== previousValue;
      previousValue = value;
      const { type } = inspection.event;
      if (!changed && !options.includeMediaFrames && (type === 'input.audio' || type === 'input.video')) return;
      panel.send(sanitizeEvent(inspection.event), panelState(inspection.snapshot));
    } catch (error) {
      console.warn('gemini-live-fsm: could not send to Redux DevTools', error);
    }
  });

  return {
    connected: true,
    disconnect() {
      subscription.unsubscribe();
      releaseFrames?.();
      panel.unsubscribe?.();
    },
  };
}

function snapshotState(snapshot: unknown): ReduxDevToolsState {
  const { value, status, context } = snapshot as { value?: unknown; status?: string; context?: unknown };
  return { value: sanitizeContext({ value }).value ?? null, status: status ?? 'active', context: sanitizeContext(context) };
}
