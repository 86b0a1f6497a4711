/**
 * A session carried on from a store's record (issue 18): the handle resumed (or, too old, a fresh
 * session seeded with the transcript), calls a dead process left open run again with their
 * idempotency keys and reach the conversation once, outcomes recorded but not delivered are
 * delivered, and a call repeated after the resume is deduped.
 */
import { describe, expect, it, vi } from 'vitest';
import { defineTool, type ToolContext } from '../../src/index.js';
import { createMemoryStore, HANDLE_TTL_MS } from '../../src/store/index.js';
import type { OutboundFrame } from '../../src/testing/index.js';
import { isToolResponse } from '../helpers.js';
import { RESUME_MARGIN_MS } from '../../src/session/storedSession.js';
import { leaveRecord, storedCall, storedEntryOf, storedSession } from './storeHarness.js';

/** A `lookup` tool that records each run's arguments and context. */
function recordedLookup() {
  const runs: { q: string; context: ToolContext }[] = [];
  const tool = defineTool({
    name: 'lookup',
    parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
    execute: ({ q }: { q: string }, context) => {
      runs.push({ q, context });
      return { found: q, run: runs.length };
    },
  });
  return { tool, runs };
}

const contentTexts = (frames: readonly { frame: OutboundFrame }[]) =>
  frames.flatMap(({ frame }) => (frame.type === 'clientContent' ? frame.turns.flatMap((turn) => turn.parts.map((part) => ('text' in part ? part.text : ''))) : []));

const transcript = [
  { role: 'user' as const, text: 'What is the weather in Paris?', at: Date.now() - 60_000 },
  { role: 'model' as const, text: 'Let me look that up.', at: Date.now() - 59_000 },
];

describe('a session restored from a store', () => {
  it('resumes a handle under two hours old on its first connection', async () => {
    const store = createMemoryStore();
    await leaveRecord(store, 'call-1', { handle: { handle: 'h-old', issuedAt: Date.now() - HANDLE_TTL_MS + 2 * RESUME_MARGIN_MS }, transcript, callSeq: 2 });
    const h = storedSession({ store });
    await h.session.connect();
    expect(h.transport.connections[0]?.request.resumptionHandle).toBe('h-old');
    expect(h.of('sessionRestored')).toEqual([{ type: 'sessionRestored', resuming: true, rerun: [], undelivered: [] }]);
    expect(contentTexts(h.transport.frames)).toEqual([]); // the server has the conversation
    expect(h.of('sessionRestarted')).toEqual([]);
    // The record is this process's now; the handle keeps the time it was issued.
    expect((await store.load('call-1'))?.handle?.issuedAt).toBeLessThan(Date.now() - HANDLE_TTL_MS + 2 * RESUME_MARGIN_MS);
    await h.session.close();
  });

  it('starts fresh, seeded with the stored transcript, when the handle is (all but) two hours old', async () => {
    const store = createMemoryStore();
    await leaveRecord(store, 'call-1', { handle: { handle: 'h-expiring', issuedAt: Date.now() - HANDLE_TTL_MS + RESUME_MARGIN_MS / 2 }, transcript });
    const h = storedSession({ store });
    await h.session.connect();
    expect(h.transport.connections[0]?.request.resumptionHandle).toBeUndefined();
    const seed = contentTexts(h.transport.frames).join('\n');
    expect(seed).toContain('User: What is the weather in Paris?');
    expect(seed).toContain('Assistant: Let me look that up.');
    expect(h.of('sessionRestarted')).toHaveLength(1);
    expect(h.of('sessionRestarted')[0]?.reason).toMatch(/carried on from another process: the stored handle is 120 minutes old/);
    // The stale handle is gone from the record too.
    await vi.waitFor(async () => expect((await store.load('call-1'))?.handle).toBeUndefined());
    await h.session.close();
  });

  it('runs a call a dead process left running again, with its idempotency key, and tells the conversation its outcome once', async () => {
    const store = createMemoryStore();
    await leaveRecord(store, 'call-1', {
      handle: { handle: 'h1', issuedAt: Date.now() - 10_000 },
      ledger: [storedCall({ key: 'c7', idempotencyKey: 'call-1:4' })],
      callSeq: 4,
    });
    const { tool, runs } = recordedLookup();
    const h = storedSession({ store, tools: [tool] });
    await h.session.connect();
    const server = h.transport.connections[0]!;
    await vi.waitFor(() => expect(contentTexts(server.frames)).toHaveLength(1));
    expect(runs).toHaveLength(1);
    expect(runs[0]?.context).toMatchObject({ idempotencyKey: 'call-1:4', callId: 'c7' });
    expect(contentTexts(server.frames)[0]).toContain('lookup({"q":"paris"}) [call c7] returned {"found":"paris","run":1}');
    expect(server.frames.filter(({ frame }) => isToolResponse(frame))).toHaveLength(0);
    expect(h.of('sessionRestored')[0]).toMatchObject({ rerun: [{ id: 'c7', name: 'lookup' }], undelivered: [] });
    await vi.waitFor(async () => expect(await storedEntryOf(store, 'call-1', 'c7')).toMatchObject({ state: 'deliveredAsContext', outcome: { status: 'ok' } }));
    expect(h.session.metrics().calls).toMatchObject({ deliveredAsContext: 1, orphaned: 0, running: 0 });
    expect(h.session.metrics().toolCalls).toBe(1);

    // A new call goes on numbering from the record: no key is given twice.
    server.toolCall([{ id: 'c8', name: 'lookup', args: { q: 'rome' } }]);
    await server.waitForFrame(isToolResponse);
    expect(runs[1]?.context.idempotencyKey).toBe('call-1:5');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(contentTexts(server.frames)).toHaveLength(1);
    await h.session.close();
  });

  it('delivers an outcome that was recorded but never delivered, without running the tool again', async () => {
    const store = createMemoryStore();
    const outcome = { status: 'ok', output: { found: 'paris', temperature: 18 } };
    await leaveRecord(store, 'call-1', { handle: { handle: 'h1', issuedAt: Date.now() }, ledger: [storedCall({ key: 'c7', outcome })] });
    const { tool, runs } = recordedLookup();
    const h = storedSession({ store, tools: [tool] });
    await h.session.connect();
    const server = h.transport.connections[0]!;
    expect(contentTexts(server.frames)).toEqual([expect.stringContaining('returned {"found":"paris","temperature":18}')]);
    expect(runs).toHaveLength(0);
    expect(h.of('sessionRestored')[0]).toMatchObject({ rerun: [], undelivered: [{ id: 'c7' }] });
    await h.session.close();
  });

  it('delivers an error outcome as the error it was', async () => {
    const store = createMemoryStore();
    const outcome = { status: 'error', error: { code: 'TOOL_TIMEOUT', reason: "'lookup' did not finish within 30000 ms" } };
    await leaveRecord(store, 'call-1', { ledger: [storedCall({ key: 'c7', state: 'orphaned', outcome })] });
    const h = storedSession({ store, tools: [recordedLookup().tool] });
    await h.session.connect();
    expect(contentTexts(h.transport.frames)).toEqual([expect.stringContaining("failed: 'lookup' did not finish within 30000 ms")]);
    expect(h.of('toolResultDelivered')[0]?.outcome).toMatchObject({ status: 'error', error: { code: 'TOOL_TIMEOUT' } });
    await h.session.close();
  });

  it('answers a call the model repeats after the resume with the stored outcome, and runs nothing', async () => {
    const store = createMemoryStore();
    const answered = storedCall({ key: 'c3', state: 'answered', settledAt: Date.now() - 1_000, outcome: { status: 'ok', output: { found: 'paris', run: 1 } } });
    await leaveRecord(store, 'call-1', { handle: { handle: 'h1', issuedAt: Date.now() - 2_000 }, ledger: [answered], callSeq: 1 });
    const { tool, runs } = recordedLookup();
    const h = storedSession({ store, tools: [tool] });
    await h.session.connect();
    const server = h.transport.connections[0]!;
    server.toolCall([{ id: 'c9', name: 'lookup', args: { q: 'paris' } }]);
    const response = await server.waitForFrame(isToolResponse);
    expect(response).toMatchObject({ type: 'toolResponse', responses: [{ id: 'c9', name: 'lookup', response: { output: { found: 'paris', run: 1 } } }] });
    expect(runs).toHaveLength(0);
    expect(contentTexts(server.frames)).toEqual([]);
    await vi.waitFor(async () => expect(await storedEntryOf(store, 'call-1', 'c9')).toMatchObject({ state: 'answered', idempotencyKey: 'call-1:1', sameAs: 'c3' }));
    await h.session.close();
  });

  it('runs a call repeated on the dead process once: both entries share its key', async () => {
    const store = createMemoryStore();
    await leaveRecord(store, 'call-1', {
      ledger: [storedCall({ key: 'c1', state: 'orphaned' }), storedCall({ key: 'c2', sameAs: 'c1' })],
      callSeq: 1,
    });
    const { tool, runs } = recordedLookup();
    const h = storedSession({ store, tools: [tool] });
    await h.session.connect();
    await vi.waitFor(() => expect(contentTexts(h.transport.frames)).toHaveLength(1));
    expect(runs).toHaveLength(1);
    await h.session.close();
    // Once closed, every call of the session has ended, and the counts add up.
    const metrics = h.session.metrics();
    expect(Object.values(metrics.calls).reduce((sum, n) => sum + n, 0)).toBe(metrics.toolCalls);
  });

  it('skips ledger entries it cannot read and keeps the rest', async () => {
    const store = createMemoryStore();
    await leaveRecord(store, 'call-1', { ledger: [storedCall({ key: 'odd', state: 'teleported' }), storedCall({ key: 'c1', state: 'answered', settledAt: Date.now() })] });
    const h = storedSession({ store });
    await h.session.connect();
    expect(Object.keys(h.session.actor.getSnapshot().context.ledger)).toEqual(['c1']);
    await h.session.close();
  });
});
