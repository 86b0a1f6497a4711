/**
 * The scripted driver: a path's session over `createScriptedTransport({ open: 'manual' })`, a
 * synchronous server in-process that plays every connection the session opens, the old one a
 * goAway left included.
 */
import { createLiveSession } from '../../src/index.js';
import { createScriptedTransport, type ScriptedConnection } from '../../src/testing/index.js';
import { closeOf, createDriver, SESSION_OPTIONS, TOOL_NAME, type Driver, type WireFrame } from './drivers.js';
import type { Conn } from './spec.machine.js';

/** A path's session over a scripted transport. */
export function scriptedDriver(): Driver {
  const transport = createScriptedTransport({ open: 'manual' });
  return createDriver(
    'scripted',
    (tap, tools) => createLiveSession({ transport, tools, ...SESSION_OPTIONS, inspect: (event) => tap.inspect(event) }),
    () => {
      // The newest connection: after a reconnect, the one the session opened last.
      const newest = (): ScriptedConnection => {
        const found = transport.connections.at(-1);
        if (!found) throw new Error('no connection was opened');
        return found;
      };
      // The one a goAway left: the newest still open but for the newest of all.
      const old = (): ScriptedConnection => {
        const found = transport.connections
          .slice(0, -1)
          .reverse()
          .find((connection) => connection.closedWith === undefined);
        if (!found) throw new Error('no old connection is open');
        return found;
      };
      const connection = (on: Conn) => (on === 'old' ? old() : newest());
      const frames = (): WireFrame[] => transport.frames.map(({ frame, connection: index }) => fromScripted(frame, index));
      return {
        connecting: () => undefined,
        accept: async () => newest().accept(),
        acceptReconnect: () => newest().accept(),
        refuse: (retryable) => newest().serverClose(...closeOf(retryable)),
        content: () =>
          newest().send({
            serverContent: {
              modelTurn: { parts: [{ inlineData: { data: 'AAAA', mimeType: 'audio/pcm;rate=24000' } }] },
            },
          }),
        usage: () => newest().send({ usageMetadata: { totalTokenCount: 10 } }),
        goAway: () => newest().goAway('50s'),
        resumptionUpdate: () => newest().send({ sessionResumptionUpdate: { newHandle: 'h1', resumable: true } }),
        malformed: () => newest().send({ sessionResumptionUpdate: { newHandle: 5 } }),
        setupCompleteAgain: () => newest().setupComplete(),
        transportError: () => newest().error(new Error('socket hiccup')),
        close: (retryable, on) => connection(on).serverClose(...closeOf(retryable)),
        toolCall: (ids, on) => connection(on).toolCall(ids.map((id) => ({ id, name: TOOL_NAME, args: {} }))),
        cancel: (ids, on) => connection(on).cancel([...ids]),
        pending: () =>
          transport.connections
            .filter((c) => c.closedWith === undefined)
            .flatMap((c) => [...c.pending].map((id) => ({ id, connection: c.index }))),
        openConnections: () => transport.connections.filter((c) => c.closedWith === undefined).map((c) => c.index),
        frames: (count) => {
          const got = frames();
          if (got.length < count) throw new Error(`the server got ${got.length} frames, expected ${count}`);
          return Promise.resolve(got);
        },
        refusal: () => {
          const violations = transport.connections.flatMap((c) => c.violations);
          const late = transport.frames.filter((f) => f.afterClose);
          if (violations.length > 0) return `gate violations: ${JSON.stringify(violations)}`;
          if (late.length > 0) return `frames after close: ${JSON.stringify(late)}`;
          return undefined;
        },
        finish: async (session) => {
          await session.close();
          const open = transport.connections.filter((c) => c.closedWith === undefined);
          if (open.length > 0) throw new Error(`connections left open after close(): ${open.map((c) => c.index).join(', ')}`);
          return frames();
        },
      };
    },
  );
}

function fromScripted(frame: ScriptedConnection['frames'][number]['frame'], connection: number): WireFrame {
  if (frame.type === 'realtimeInput') return { realtimeInput: frame.input.kind, connection };
  if (frame.type !== 'toolResponse') throw new Error(`the spec has no ${frame.type}`);
  return { toolResponse: frame.responses.map(({ id, response }) => ({ id, response })), connection };
}
