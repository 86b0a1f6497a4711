/**
 * Options an adversary (or a typo) hands `createLiveSession` (issue 11): each is refused when the
 * session is created, with an `InvalidOptionsError` that names the option, instead of failing
 * later as a retryable connect error, a timer that fires at once, or a dead actor.
 */
import { describe, expect, it, vi } from 'vitest';
import { createLiveSession, defineTool, type LiveSessionOptions } from '../../src/index.js';
import { InvalidOptionsError } from '../../src/protocol/errors.js';
import { createScriptedTransport } from '../../src/testing/index.js';
import { MAX_TIMER_MS } from '../../src/session/durations.js';
import { connectedSession, FRAME } from '../helpers.js';

const transport = () => createScriptedTransport();
const tool = defineTool({ name: 'ok', execute: () => 'ok' });

function refusal(options: unknown): string {
  try {
    createLiveSession(options as LiveSessionOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return (error as InvalidOptionsError).reason;
  }
  throw new Error('the options were accepted');
}

describe('options checked when the session is created', () => {
  /** The bug: a session created with no `ai` and no transport failed only at connect(), as a retryable error retried three times. */
  it('refuses a session that has no way to reach the Live API', () => {
    expect(refusal({})).toMatch(/needs `ai` \(with an API key\), `tokenProvider` \(ephemeral tokens\) or `transport`/);
    expect(refusal({ ai: {}, model: 'm' })).toMatch(/ai\.live\.connect is missing/);
    expect(refusal({ ai: { live: { connect: () => undefined } } })).toMatch(/needs a model/);
    expect(refusal({ transport: {} })).toMatch(/connect\(\) method/);
    expect(refusal({ transport: transport(), ai: { live: { connect: () => undefined } }, model: 'm' })).toMatch(/`transport` excludes `ai`/);
    expect(refusal(null)).toMatch(/options object/);
  });

  /** The bug: timeouts of Infinity, NaN or over 2^31−1 ms fired at once, Node's timer limit. */
  it('refuses timeouts that are not durations, and clamps long ones to what a timer can wait', async () => {
    for (const bad of [Number.NaN, -1, 0, '10', null]) {
      expect(refusal({ transport: transport(), toolTimeoutMs: bad })).toMatch(/toolTimeoutMs must be a positive number/);
    }
    expect(refusal({ transport: transport(), connectTimeoutMs: Number.NaN })).toMatch(/connectTimeoutMs/);
    expect(refusal({ transport: transport(), reconnect: { baseDelayMs: Number.NaN } })).toMatch(/reconnect\.baseDelayMs/);
    expect(refusal({ transport: transport(), inputWhileGated: { buffer: { maxMs: Number.NaN } } })).toMatch(/inputWhileGated/);
    expect(refusal({ transport: transport(), tools: [{ ...tool, timeoutMs: Number.NaN }] })).toMatch(/tool 'ok' timeoutMs/);

    vi.useFakeTimers();
    try {
      let finish: (value: string) => void = () => undefined;
      const slow = defineTool({ name: 'slow', timeoutMs: Number.POSITIVE_INFINITY, execute: () => new Promise<string>((resolve) => (finish = resolve)) });
      const h = await connectedSession({ tools: [slow], toolTimeoutMs: 2 ** 40 });
      h.server.toolCall([{ id: 'c1', name: 'slow', args: {} }]);
      await vi.advanceTimersByTimeAsync(60_000);
      expect(h.of('toolResult')).toEqual([]);
      finish('done');
      await vi.advanceTimersByTimeAsync(0);
      expect(h.of('toolResult').map((event) => event.outcome)).toEqual([{ status: 'ok', output: 'done' }]);
      expect(MAX_TIMER_MS).toBe(2 ** 31 - 1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('refuses tools the API cannot declare or the session cannot run', () => {
    expect(refusal({ transport: transport(), tools: 'ok' })).toMatch(/tools must be an array/);
    expect(refusal({ transport: transport(), tools: [null] })).toMatch(/tools\[0\] is not a tool/);
    expect(refusal({ transport: transport(), tools: [{ ...tool, name: '1st' }] })).toMatch(/a name must start with a letter/);
    expect(refusal({ transport: transport(), tools: [{ ...tool, name: 'a'.repeat(65) }] })).toMatch(/64 at most/);
    expect(refusal({ transport: transport(), tools: [{ ...tool, name: 'has space' }] })).toMatch(/a name must/);
    expect(refusal({ transport: transport(), tools: [tool, tool] })).toMatch(/two tools are named 'ok'/);
    expect(refusal({ transport: transport(), tools: [{ name: 'x' }] })).toMatch(/needs execute/);
    expect(refusal({ transport: transport(), tools: [{ ...tool, parameters: [] }] })).toMatch(/parameters must be a schema/);
    expect(refusal({ transport: transport(), tools: [{ ...tool, behavior: 'ASYNC' }] })).toMatch(/behavior must be/);
    expect(refusal({ transport: transport(), tools: [{ ...tool, scheduling: 'LATER' }] })).toMatch(/scheduling must be/);
  });

  it('refuses malformed policies, counts and inspectors', () => {
    expect(refusal({ transport: transport(), inputWhileGated: 'keep' })).toMatch(/inputWhileGated must be 'drop'/);
    expect(refusal({ transport: transport(), maxBufferedInputs: 0 })).toMatch(/maxBufferedInputs/);
    expect(refusal({ transport: transport(), reconnect: { maxAttempts: 1.5 } })).toMatch(/reconnect\.maxAttempts/);
    expect(refusal({ transport: transport(), reconnect: 'always' })).toMatch(/reconnect must be false or an object/);
    expect(refusal({ transport: transport(), inspect: 42 })).toMatch(/inspect must be a function/);
  });

  /** The bug: a throwing inspect observer threw into the application's `sendAudio` and into `createLiveSession`. */
  it('survives an inspector that throws, and reports it', async () => {
    const reasons: string[] = [];
    const h = await connectedSession({
      inspect: () => {
        throw new Error('inspector broke');
      },
      inspectFrames: true,
    });
    h.session.on('error', ({ error }) => reasons.push(`${error.code}: ${error.reason}`));
    expect(() => h.session.sendAudio(FRAME)).not.toThrow();
    expect(h.session.state).toBe('streaming');
    const listenerErrors = reasons.filter((reason) => reason.startsWith('LISTENER_THREW'));
    expect(listenerErrors.length).toBeGreaterThan(0);
    expect(listenerErrors[0]).toMatch(/'inspect' threw: inspector broke/);
    h.session.sendText('still here');
    expect(h.server.frames.map(({ frame }) => (frame.type === 'realtimeInput' ? frame.input.kind : frame.type))).toContain('text');
  });
});
