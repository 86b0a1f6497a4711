/**
 * Figure 3: the gate, over many tool calls through the real SDK and the emulator's `tool-call`
 * scenario (300 ms of audio, a toolCall, the answer, again).
 *
 * Every session's transport is audited on the client side, at the seam where the machine hands
 * frames to the SDK (which writes them to the socket synchronously): from the moment a toolCall
 * is delivered to the session until the toolResponse answering every pending call has gone out,
 * any realtime input is a leak. Each session's microphone sends 50 frames a second, as a real one
 * does; the tool takes longer than a frame, so every call makes the gate hold frames back.
 *
 * After a toolResponse, two times are taken: until the next frame is forwarded (which includes
 * waiting for the microphone's next frame, up to 20 ms), and, for that frame, from the moment it
 * was offered to the session until it was forwarded (the gate's own share).
 */
import { defineTool, createLiveSession, type LiveSession } from '../src/index.js';
import { createGenAITransport, type LiveTransport } from '../src/protocol/index.js';
import { Modality } from '@google/genai';
import { sdkClient } from './clients.js';
import { GATE_KEY, MODEL, pcmFrame } from './config.js';
import { streamLoad } from './load.js';
import { Samples, percentile, sleep } from './stats.js';
import { tapWire } from './wireTap.js';

/** How much to measure. */
export interface GateOptions {
  /** Tool calls to go through, in all. */
  toolCalls: number;
  /** Sessions running side by side. */
  sessions: number;
  /** How long a tool takes, in milliseconds (the gate stays closed at least that long). */
  toolMs: number;
  /** Give up after this long, whatever the count. */
  timeLimitMs: number;
}

/** Figure 3's results; times in milliseconds. */
export interface GateResult {
  toolCalls: number;
  toolResponses: number;
  /** Realtime input sent between a toolCall's delivery and the toolResponse (must be 0). */
  leaked: number;
  /** Frames the gate held back (dropped while gated): the gate was really tested. */
  heldBack: number;
  framesForwarded: number;
  /** Realtime input frames seen at `ws.send`; equals `framesForwarded` when nothing went around the audit. */
  framesOnWire: number;
  /** From the toolResponse leaving to the next frame forwarded on that connection. */
  reopen: { p50: number; p99: number; max: number; samples: number };
  /** For that first frame: from `sendAudio` to its forwarding. */
  reopenGateShare: { p50: number; p99: number; max: number };
  /** Frames dropped as gated after the last answer went out (must be 0). */
  droppedAfterAnswer: number;
  /** Closes with 1008 the emulator made (must be 0). */
  emulatorViolations: number;
  /** Frames the emulator let through its grace window (in flight when it sent a toolCall). */
  emulatorGraceTolerated: number;
  elapsedMs: number;
}

interface Audit {
  toolCalls: number;
  toolResponses: number;
  leaked: number;
  forwarded: number;
  reopen: Samples;
  reopenGateShare: Samples;
  /** When the frame being offered right now was handed to its session. */
  offeredAt: number;
}

/** What the audit knows about one session's current connection. */
interface GateView {
  /** Calls delivered and not yet answered or cancelled. */
  pending: Set<string>;
  /** When the last answer went out, until the next frame is forwarded. */
  answeredAt: number | undefined;
}

type ToolCallMessage = { toolCall?: { functionCalls?: { id?: string; name?: string }[] }; toolCallCancellation?: { ids?: string[] } };

/** Wraps a transport so that every connection's frames are checked against the gate. */
function audited(inner: LiveTransport, audit: Audit, view: GateView): LiveTransport {
  return {
    async connect(request) {
      const pending = new Set<string>();
      view.pending = pending;
      view.answeredAt = undefined;
      const connection = await inner.connect({
        ...request,
        handlers: {
          ...request.handlers,
          onMessage(message) {
            const m = message as ToolCallMessage;
            for (const call of m.toolCall?.functionCalls ?? []) {
              pending.add(call.id ?? call.name ?? '');
              audit.toolCalls += 1;
            }
            for (const id of m.toolCallCancellation?.ids ?? []) pending.delete(id);
            request.handlers.onMessage(message);
          },
        },
      });
      return {
        sendRealtimeInput(input) {
          if (pending.size > 0) audit.leaked += 1;
          connection.sendRealtimeInput(input);
          audit.forwarded += 1;
          if (view.answeredAt !== undefined) {
            const now = performance.now();
            audit.reopen.push(now - view.answeredAt);
            audit.reopenGateShare.push(now - audit.offeredAt);
            view.answeredAt = undefined;
          }
        },
        sendToolResponse(responses) {
          connection.sendToolResponse(responses);
          audit.toolResponses += 1;
          for (const response of responses) pending.delete(response.id ?? response.name);
          if (pending.size === 0) view.answeredAt = performance.now();
        },
        close: () => connection.close(),
      };
    },
  };
}

/** Measures figure 3 against the emulator at `baseUrl`; `stats` reads the emulator's totals. */
export async function measureGate(
  baseUrl: string,
  stats: () => Promise<{ violations1008: number; graceTolerated: number }>,
  options: GateOptions,
): Promise<GateResult> {
  const audit: Audit = {
    toolCalls: 0,
    toolResponses: 0,
    leaked: 0,
    forwarded: 0,
    reopen: new Samples(),
    reopenGateShare: new Samples(),
    offeredAt: 0,
  };
  const ai = sdkClient(baseUrl, GATE_KEY);
  const getWeather = defineTool({
    name: 'get_weather',
    description: 'The weather in a city.',
    execute: () => new Promise((resolve) => setTimeout(() => resolve({ tempC: 21 }), options.toolMs)),
  });
  const before = await stats();
  let heldBack = 0;
  let droppedAfterAnswer = 0;
  let framesOnWire = 0;
  const untap = tapWire((_socket, kind) => {
    if (kind === 'realtimeInput') framesOnWire += 1;
  });
  const sessions: LiveSession[] = [];
  const started = performance.now();
  try {
    for (let i = 0; i < options.sessions; i += 1) {
      const view: GateView = { pending: new Set(), answeredAt: undefined };
      const transport = audited(
        createGenAITransport({ ai, model: MODEL, config: { responseModalities: [Modality.AUDIO] } }),
        audit,
        view,
      );
      const session = createLiveSession({ transport, tools: [getWeather] });
      session.on('inputDropped', ({ reason }) => {
        if (reason !== 'gated') return;
        heldBack += 1;
        if (view.pending.size === 0) droppedAfterAnswer += 1;
      });
      await session.connect();
      sessions.push(session);
    }
    await streamLoad(
      sessions.map((session) => ({ send: (pcm: Uint8Array) => session.sendAudio(pcm) })),
      pcmFrame(),
      {
        warmupMs: 0,
        durationMs: options.timeLimitMs,
        until: () => audit.toolResponses >= options.toolCalls,
        beforeSend: () => {
          audit.offeredAt = performance.now();
        },
      },
    );
  } finally {
    for (const session of sessions) await session.close();
    untap();
  }
  const elapsedMs = performance.now() - started;
  await sleep(100);
  const after = await stats();
  const reopen = audit.reopen.values();
  const share = audit.reopenGateShare.values();
  return {
    toolCalls: audit.toolCalls,
    toolResponses: audit.toolResponses,
    leaked: audit.leaked,
    heldBack,
    framesForwarded: audit.forwarded,
    framesOnWire,
    reopen: { p50: percentile(reopen, 50), p99: percentile(reopen, 99), max: percentile(reopen, 100), samples: reopen.length },
    reopenGateShare: { p50: percentile(share, 50), p99: percentile(share, 99), max: percentile(share, 100) },
    droppedAfterAnswer,
    emulatorViolations: after.violations1008 - before.violations1008,
    emulatorGraceTolerated: after.graceTolerated - before.graceTolerated,
    elapsedMs,
  };
}
