/**
 * The scripted driver: a path's session over `createScriptedTransport({ open: 'manual' })`, a
 * synchronous server in-process that plays every connection the session opens, the old one a
 * goAway left included, and, for a variant on a model whose input cancels a blocking call, plays
 * that model (with or without a `toolCallCancellation`).
 */
import { createLiveSession } from '../../src/index.js';
import { createScriptedTransport, type ScriptedConnection } from '../../src/testing/index.js';
import { closeOf, createDriver, DEADLINE_MS, sessionOptionsOf, within, type Driver, type ModelSays } from './drivers.js';
import type { Variant } from './spec.variants.js';
import { contentFrame, type WireFrame } from './wire.js';

/** What each `server.content` of the spec is, as the server sends it. */
const CONTENT: Record<ModelSays, unknown> = {
  speaks: { serverContent: { modelTurn: { parts: [{ inlineData: { data: 'AAAA', mimeType: 'audio/pcm;rate=24000' } }] } } },
  turnComplete: { serverContent: { turnComplete: true } },
  waitingForInput: { serverContent: { waitingForInput: true } },
  idle: { serverContent: { interactionStatus: 'IDLE' } },
};

/** A path's session over a scripted transport. */
export function scriptedDriver(variant: Variant): Driver {
  const { settings } = variant;
  const transport = createScriptedTransport({
    open: 'manual',
    ...(settings.interrupt ? { inputDuringBlockingCall: 'cancelsCall' as const, silentCancel: variant.silentCancel === true } : {}),
  });
  return createDriver(
    'scripted',
    (tap, tools) => createLiveSession({ transport, tools, ...sessionOptionsOf(settings), inspect: (event) => tap.inspect(event) }),
    () => {
      let claimed = 0;
      const connection = (n: number): ScriptedConnection => {
        const found = transport.connections[n];
        if (!found) throw new Error(`the server has no connection ${n}`);
        return found;
      };
      const frames = (): WireFrame[] => transport.frames.map(({ frame, connection: index }) => fromScripted(frame, index));
      const reach = async (n: number) => {
        // The transport hands out its connections in order; a new one may wait for the old socket to close.
        for (; claimed <= n; claimed += 1) await within(transport.nextConnection(), DEADLINE_MS, `connection ${n}`);
      };
      return {
        reach,
        accept: async (n) => {
          await reach(n);
          connection(n).accept();
        },
        refuse: (n, retryable) => connection(n).serverClose(...closeOf(retryable)),
        content: (n, model) => connection(n).send(CONTENT[model]),
        usage: (n) => connection(n).send({ usageMetadata: { totalTokenCount: 10 } }),
        goAway: (n) => connection(n).goAway('50s'),
        resumptionUpdate: (n, resumable) =>
          connection(n).send({ sessionResumptionUpdate: resumable ? { newHandle: `h${n}`, resumable: true } : { resumable: false } }),
        malformed: (n) => connection(n).send({ sessionResumptionUpdate: { newHandle: 5 } }),
        setupCompleteAgain: (n) => connection(n).setupComplete(),
        transportError: (n) => connection(n).error(new Error('socket hiccup')),
        close: (n, retryable) => connection(n).serverClose(...closeOf(retryable)),
        toolCall: (n, calls) => connection(n).toolCall(calls),
        cancel: (n, ids) => connection(n).cancel([...ids]),
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
  switch (frame.type) {
    case 'realtimeInput':
      return { realtimeInput: frame.input.kind, connection };
    case 'toolResponse':
      return {
        toolResponse: frame.responses.map(({ id, response, scheduling }) => ({ id, response, ...(scheduling ? { scheduling } : {}) })),
        connection,
      };
    case 'clientContent':
      return contentFrame(frame.turns, connection);
    case 'contextUpdate':
      return { contextUpdate: true, connection };
  }
}
