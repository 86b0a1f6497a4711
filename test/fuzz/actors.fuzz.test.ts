/**
 * Fuzzing the actors on their own: the connection actor under any interleaving of what a
 * transport can do, and the mic actor under any chunking. Each turns all of it into well-formed
 * machine events and never throws (I6); the connection actor leaves no timer behind (I7). (The
 * decoder of server messages is fuzzed in serverMessages.fuzz.test.ts.)
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createActor, createMachine } from 'xstate';
import { createConnectionLogic } from '../../src/actors/connection.js';
import { micLogic } from '../../src/actors/mic.js';
import { ConnectError, LiveSessionError, ProtocolError } from '../../src/protocol/errors.js';
import type { ConnectionCommand, SessionEvent } from '../../src/machines/types.js';
import type { LiveConnection, LiveTransport, TransportHandlers } from '../../src/protocol/transport.js';
import { flush } from './process.js';
import { fuzzParameters, fuzzTimeout } from './runs.js';

const SHARE = 0.05;
const GENERATION = 7;
const CONNECT_TIMEOUT_MS = 1_000;

afterEach(() => {
  vi.useRealTimers();
});

// ---------------------------------------------------------------------------------------------
// The connection actor

/** One thing that happens to a connection, in the order the property plays them. */
type Step =
  | { kind: 'resolve' }
  | { kind: 'reject'; with: 'error' | 'liveError' | 'nothing' }
  | { kind: 'message'; what: 'setupComplete' | 'toolCall' | 'garbage' | 'hostile' }
  | { kind: 'close'; code: number }
  | { kind: 'error' }
  | { kind: 'command'; command: ConnectionCommand['type'] }
  | { kind: 'tick'; ms: number }
  | { kind: 'stop' };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: 'resolve' }),
  fc.constantFrom('error', 'liveError', 'nothing').map((w): Step => ({ kind: 'reject', with: w as 'error' })),
  fc.constantFrom('setupComplete', 'toolCall', 'garbage', 'hostile').map((what): Step => ({ kind: 'message', what: what as 'garbage' })),
  fc.constantFrom(1000, 1006, 1008, 1011).map((code): Step => ({ kind: 'close', code })),
  fc.constant<Step>({ kind: 'error' }),
  fc.constantFrom('send.realtimeInput', 'send.toolResponse').map((command): Step => ({ kind: 'command', command: command as 'send.toolResponse' })),
  fc.integer({ min: 1, max: 1_500 }).map((ms): Step => ({ kind: 'tick', ms })),
  fc.constant<Step>({ kind: 'stop' }),
);

/** A server message for a step; `hostile` has a field that throws when read. */
function messageOf(what: Extract<Step, { kind: 'message' }>['what']): unknown {
  switch (what) {
    case 'setupComplete':
      return { setupComplete: {} };
    case 'toolCall':
      return { toolCall: { functionCalls: [{ id: 'c', name: 'f', args: {} }] } };
    case 'garbage':
      return 'not an object';
    case 'hostile':
      return {
        toolCallCancellation: {
          ids: new Proxy([], {
            get() {
              throw new Error('a field that throws');
            },
          }),
        },
      };
  }
}

describe('the connection actor, fuzzed', () => {
  it('turns any interleaving of transport callbacks and commands into well-formed events', { timeout: fuzzTimeout(SHARE) }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(step, { maxLength: 12 }),
        fc.constantFrom<'no' | 'error' | 'nothing'>('no', 'error', 'nothing'),
        fc.boolean(),
        async (steps, sendsThrow, connectThrows) => {
          vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
          let handlers: TransportHandlers | undefined;
          let settle: { resolve: (c: LiveConnection) => void; reject: (e: unknown) => void } | undefined;
          const sent: string[] = [];
          let closedConnections = 0;
          const connection: LiveConnection = {
            sendRealtimeInput: () => send('realtimeInput'),
            sendToolResponse: () => send('toolResponse'),
            close: () => {
              closedConnections += 1;
            },
          };
          function send(what: string) {
            if (sendsThrow === 'error') throw new Error('socket gone');
            if (sendsThrow === 'nothing') throw undefined;
            sent.push(what);
          }
          const transport: LiveTransport = {
            connect(request) {
              if (connectThrows) throw new Error('no network');
              handlers = request.handlers;
              return new Promise((resolve, reject) => {
                settle = { resolve, reject };
              });
            },
          };
          const received: SessionEvent[] = [];
          const parent = createMachine({
            invoke: {
              id: 'connection',
              src: createConnectionLogic({ transport, functionDeclarations: [], sessionResumption: true, connectTimeoutMs: CONNECT_TIMEOUT_MS }),
              input: { generation: GENERATION, resumptionHandle: undefined },
            },
            on: { '*': { actions: ({ event }) => received.push(event as SessionEvent) } },
          });
          const actor = createActor(parent).start();
          let opened = false;
          let stopped = false;
          try {
            for (const s of steps) {
              const before = received.length;
              switch (s.kind) {
                case 'resolve':
                  // Only the first of resolve and reject counts.
                  if (settle) opened = true;
                  settle?.resolve(connection);
                  settle = undefined;
                  break;
                case 'reject':
                  settle?.reject(
                    s.with === 'error' ? new Error('refused') : s.with === 'liveError' ? new ConnectError('CONNECT_FAILED', 'refused') : undefined,
                  );
                  settle = undefined;
                  break;
                case 'message':
                  handlers?.onMessage(messageOf(s.what));
                  break;
                case 'close':
                  handlers?.onClose(s.code, 'bye');
                  break;
                case 'error':
                  handlers?.onError(new Error('hiccup'));
                  break;
                case 'command':
                  actor.getSnapshot().children['connection']?.send(
                    s.command === 'send.realtimeInput'
                      ? { type: s.command, input: { kind: 'text', text: 'hi' } }
                      : { type: s.command, responses: [{ id: 'c', name: 'f', response: { output: 1 } }] },
                  );
                  break;
                case 'tick':
                  await vi.advanceTimersByTimeAsync(s.ms);
                  break;
                case 'stop':
                  actor.stop();
                  stopped = true;
                  break;
              }
              await flush();
              if (stopped && s.kind !== 'stop') expect(received.length, 'nothing after stop').toBe(before);
            }
            // Every event is of this connection, well-formed, and nothing follows its end.
            const end = received.findIndex((e) => e.type === 'transport.closed');
            if (end >= 0) expect(received.length, 'nothing after transport.closed').toBe(end + 1);
            for (const event of received) {
              expect(event).toHaveProperty('generation', GENERATION);
              expect(event.type).toMatch(/^(server\.|transport\.)/);
              if ('error' in event && event.error !== undefined) expect(event.error).toBeInstanceOf(LiveSessionError);
              if (event.type === 'server.malformed') expect(event.error).toBeInstanceOf(ProtocolError);
            }
            // Sends only on an open connection that has not ended.
            if (!opened) expect(sent).toEqual([]);
            if (sendsThrow !== 'no' && sent.length === 0) {
              const failures = received.filter((e) => e.type === 'transport.error' && e.error.code === 'SEND_FAILED');
              expect(failures.length).toBeLessThanOrEqual(steps.filter((s) => s.kind === 'command').length);
            }
            // I7: once stopped or ended, no timer is left and an opened connection is closed.
            actor.stop();
            await flush();
            expect(vi.getTimerCount()).toBe(0);
            if (opened) expect(closedConnections).toBeGreaterThanOrEqual(1);
          } finally {
            actor.stop();
            vi.useRealTimers();
          }
        },
      ),
      fuzzParameters<[Step[], 'no' | 'error' | 'nothing', boolean]>(SHARE, [
        [[{ kind: 'resolve' }, { kind: 'command', command: 'send.realtimeInput' }], 'nothing', false],
        [[{ kind: 'resolve' }, { kind: 'command', command: 'send.toolResponse' }], 'error', false],
        [[{ kind: 'resolve' }, { kind: 'message', what: 'hostile' }], 'no', false],
      ]),
    );
  });

  it('reports a connect that throws, a rejection that is already typed, and a timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const run = async (transport: LiveTransport, ms = 0) => {
      const received: SessionEvent[] = [];
      const actor = createActor(
        createMachine({
          invoke: {
            src: createConnectionLogic({ transport, functionDeclarations: [], sessionResumption: true, connectTimeoutMs: CONNECT_TIMEOUT_MS }),
            input: { generation: GENERATION, resumptionHandle: undefined },
          },
          on: { '*': { actions: ({ event }) => received.push(event as SessionEvent) } },
        }),
      ).start();
      await vi.advanceTimersByTimeAsync(ms);
      await flush();
      actor.stop();
      return received.map((e) => ('error' in e && e.error instanceof LiveSessionError ? [e.type, e.error.code] : [e.type]));
    };
    const typed = new ConnectError('CONNECT_FAILED', 'already typed');
    expect(await run({ connect: () => { throw new Error('sync'); } })).toEqual([['transport.closed', 'CONNECT_FAILED']]);
    expect(await run({ connect: () => Promise.reject(typed) })).toEqual([['transport.closed', 'CONNECT_FAILED']]);
    expect(await run({ connect: () => new Promise(() => undefined) }, CONNECT_TIMEOUT_MS)).toEqual([['transport.closed', 'CONNECT_TIMEOUT']]);
    expect(vi.getTimerCount()).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// The mic actor

type Item = Uint8Array | ArrayBuffer | string;

describe('the mic actor, fuzzed', () => {
  it('sends every whole sample it reads, in order, in chunks of at most maxChunkBytes', { timeout: fuzzTimeout(SHARE) }, async () => {
    const item: fc.Arbitrary<Item> = fc.oneof(
      { arbitrary: fc.uint8Array({ maxLength: 3_000 }), weight: 6 },
      { arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => bytes.slice().buffer), weight: 2 },
      { arbitrary: fc.constant('not bytes'), weight: 1 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(item, { maxLength: 6 }),
        fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: undefined }),
        fc.boolean(),
        async (items, maxChunkBytes, fails) => {
          async function* source(): AsyncGenerator<Uint8Array> {
            for (const value of items) yield value as Uint8Array;
            if (fails) throw new Error('unplugged');
          }
          const events: SessionEvent[] = [];
          await new Promise<void>((resolve) => {
            createActor(
              createMachine({
                invoke: { src: micLogic, input: { source: source(), maxChunkBytes } },
                on: {
                  '*': {
                    actions: ({ event }) => {
                      events.push(event as SessionEvent);
                      if (event.type === 'mic.ended') resolve();
                    },
                  },
                },
              }),
            ).start();
          });
          const bad = items.findIndex((value) => typeof value === 'string');
          const read = (bad < 0 ? items : items.slice(0, bad)) as (Uint8Array | ArrayBuffer)[];
          const bytes = read.flatMap((value) => [...new Uint8Array(value)]);
          const whole = bytes.slice(0, bytes.length - (bytes.length % 2));
          const limit = Math.max(2, Math.floor((maxChunkBytes ?? 1_280) / 2) * 2);

          const audio = events.filter((e) => e.type === 'input.audio');
          for (const e of audio) {
            expect(e.data.length % 2).toBe(0);
            expect(e.data.length).toBeGreaterThan(0);
            expect(e.data.length).toBeLessThanOrEqual(limit);
          }
          expect(audio.flatMap((e) => [...e.data])).toEqual(whole);
          const ended = events.at(-1);
          expect(ended?.type).toBe('mic.ended');
          const failed = bad >= 0 || fails;
          expect(ended?.type === 'mic.ended' && ended.error !== undefined).toBe(failed);
        },
      ),
      fuzzParameters(SHARE),
    );
  });
});
