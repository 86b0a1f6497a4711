import { vi } from 'vitest';
import { createLiveSession, type AnyTool, type LiveSession, type LiveSessionOptions, type SessionEmitted } from '../src/index.js';
import {
  createScriptedTransport,
  type OutboundFrame,
  type ScriptedConnection,
  type ScriptedTransport,
  type ScriptedTransportOptions,
} from '../src/testing/index.js';

/** 20 ms of 16 kHz PCM16 silence. */
export const FRAME = new Uint8Array(640);

/** A promise with its resolve and reject in hand. */
export function deferred<T = unknown>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export interface Harness {
  session: LiveSession;
  transport: ScriptedTransport;
  server: ScriptedConnection;
  /** Every event the session emitted, in order. */
  emitted: SessionEmitted[];
  of<T extends SessionEmitted['type']>(type: T): Extract<SessionEmitted, { type: T }>[];
}

/** A connected session over a scripted transport, recording everything it emits. */
export async function connectedSession(
  options: Omit<LiveSessionOptions, 'transport' | 'ai' | 'tokenProvider' | 'model' | 'config' | 'tools'> & {
    tools?: AnyTool[];
    transport?: ScriptedTransportOptions;
  } = {},
): Promise<Harness> {
  const { transport: transportOptions, tools, ...sessionOptions } = options;
  const transport = createScriptedTransport(transportOptions);
  const session = createLiveSession({ ...sessionOptions, transport, tools: tools ?? [] });
  const emitted: SessionEmitted[] = [];
  session.actor.on('*', (event) => emitted.push(event as SessionEmitted));
  const connecting = session.connect();
  if (transportOptions?.open === 'manual') (await transport.nextConnection()).accept();
  await connecting;
  const server = transport.connections[0];
  if (!server) throw new Error('no connection opened');
  return {
    session,
    transport,
    server,
    emitted,
    of: <T extends SessionEmitted['type']>(type: T) =>
      emitted.filter((event): event is Extract<SessionEmitted, { type: T }> => event.type === type),
  };
}

export const isToolResponse = (frame: OutboundFrame) => frame.type === 'toolResponse';

/** The realtime input kinds sent on a connection, in order. */
export function sentKinds(server: ScriptedConnection): string[] {
  return server.frames.map(({ frame }) => (frame.type === 'realtimeInput' ? frame.input.kind : 'toolResponse'));
}

/** Waits until the session reaches a top-level state. */
export async function waitForState(session: LiveSession, state: LiveSession['state']) {
  await vi.waitFor(() => {
    if (session.state !== state) throw new Error(`state is ${session.state}, waiting for ${state}`);
  });
}

/** The next event of a type the session emits (that matches, if a predicate is given). */
export function nextEvent<T extends SessionEmitted['type']>(
  session: LiveSession,
  type: T,
  match: (event: Extract<SessionEmitted, { type: T }>) => boolean = () => true,
): Promise<Extract<SessionEmitted, { type: T }>> {
  return new Promise((resolve) => {
    const off = session.on(type, (event) => {
      if (!match(event as Extract<SessionEmitted, { type: T }>)) return;
      off();
      resolve(event as Extract<SessionEmitted, { type: T }>);
    });
  });
}
