/**
 * A session kept in a store (issue 18): what it writes and when, the tool outcome written before
 * it goes out, the lease given back on close, the counters, and the options.
 */
import { describe, expect, it, vi } from 'vitest';
import { createLiveSession, defineTool } from '../../src/index.js';
import { InvalidOptionsError } from '../../src/protocol/errors.js';
import { createMemoryStore, StoreError } from '../../src/store/index.js';
import { createScriptedTransport } from '../../src/testing/index.js';
import { deferred, FRAME, isToolResponse, waitForState } from '../helpers.js';
import { storedEntryOf, storedSession } from './storeHarness.js';

const lookup = (execute: (args: { q: string }) => unknown = ({ q }) => ({ found: q })) =>
  defineTool({ name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] }, execute });

describe('a session kept in a store', () => {
  it('writes the handle, the transcript, the ledger and the call count as they change; the microphone costs the store nothing', async () => {
    const h = storedSession({ tools: [lookup()] });
    await h.session.connect();
    const server = h.transport.connections[0]!;
    const before = Date.now();
    server.send({ sessionResumptionUpdate: { newHandle: 'h1', resumable: true } });
    await vi.waitFor(async () => expect((await h.store.load('call-1'))?.handle?.handle).toBe('h1'));
    expect((await h.store.load('call-1'))?.handle?.issuedAt).toBeGreaterThanOrEqual(before);

    // A non-resumable update is not a handle to keep; 200 frames of audio are not a change at all.
    const saves = h.store.saves.length;
    server.send({ sessionResumptionUpdate: { resumable: false } });
    for (let i = 0; i < 200; i += 1) h.session.sendAudio(FRAME);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.store.saves).toHaveLength(saves);

    // A new line is written; its words as they come are not, until it is finished.
    server.send({ serverContent: { inputTranscription: { text: 'Weather ' } } });
    await vi.waitFor(() => expect(h.store.saves).toHaveLength(saves + 1));
    server.send({ serverContent: { inputTranscription: { text: 'in ' } } });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.store.saves).toHaveLength(saves + 1);
    server.send({ serverContent: { inputTranscription: { text: 'Paris?', finished: true } } });
    await vi.waitFor(async () => expect((await h.store.load('call-1'))?.transcript).toMatchObject([{ role: 'user', text: 'Weather in Paris?' }]));

    server.toolCall([{ id: 'c1', name: 'lookup', args: { q: 'paris' } }]);
    await server.waitForFrame(isToolResponse);
    await vi.waitFor(async () => expect(await storedEntryOf(h.store, 'call-1', 'c1')).toMatchObject({ state: 'answered', idempotencyKey: 'call-1:1', outcome: { status: 'ok', output: { found: 'paris' } } }));
    const record = await h.store.load('call-1');
    expect(record?.callSeq).toBe(1);
    expect(record?.transcript.at(-1)).toMatchObject({ role: 'tool', outcome: expect.stringContaining('lookup({"q":"paris"}) [call c1] returned {"found":"paris"}') });
    const metrics = h.session.metrics().store;
    expect(metrics).toMatchObject({ writes: h.store.saves.length, failedWrites: 0, writeAheads: 1, fenced: false });
    expect(metrics?.bytes).toBeGreaterThan(100);
    await h.session.close();
  });

  it("writes a tool's outcome to the store before its toolResponse goes out", async () => {
    const h = storedSession({ tools: [lookup()] });
    await h.session.connect();
    const server = h.transport.connections[0]!;
    const release = deferred<void>();
    h.store.hold = release.promise;
    server.toolCall([{ id: 'c1', name: 'lookup', args: { q: 'rome' } }]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    // The tool has settled, but its outcome is not stored yet: nothing goes out.
    expect(server.frames.filter((f) => f.frame.type === 'toolResponse')).toHaveLength(0);
    expect(h.session.state).toBe('awaitingToolResponse');
    h.store.hold = undefined;
    release.resolve();
    await server.waitForFrame(isToolResponse);
    const withOutcome = h.store.saves.find(({ patch }) => patch.ledger?.some((entry) => entry.key === 'c1' && entry.outcome !== undefined));
    const responseAt = h.transport.frames.findIndex((f) => f.frame.type === 'toolResponse');
    expect(withOutcome?.framesBefore).toBeLessThanOrEqual(responseAt);
    expect(withOutcome?.patch.ledger?.find((entry) => entry.key === 'c1')?.state).toBe('running');
    await h.session.close();
  });

  it('has a call in the store before its tool starts', async () => {
    const seen: unknown[] = [];
    const h = storedSession({ tools: [lookup(async () => seen.push(await storedEntryOf(h.store.inner, 'call-1', 'c1')))] });
    await h.session.connect();
    h.transport.connections[0]!.toolCall([{ id: 'c1', name: 'lookup', args: { q: 'bern' } }]);
    await h.transport.connections[0]!.waitForFrame(isToolResponse);
    expect(seen).toEqual([expect.objectContaining({ key: 'c1', state: 'running', idempotencyKey: 'call-1:1' })]);
    await h.session.close();
  });

  it("never takes back an outcome written ahead when another call's outcome is written meanwhile", async () => {
    const first = deferred<unknown>();
    const second = deferred<unknown>();
    const tools = [defineTool({ name: 'first', execute: () => first.promise }), defineTool({ name: 'second', execute: () => second.promise })];
    const h = storedSession({ tools });
    await h.session.connect();
    const server = h.transport.connections[0]!;
    // Two toolCalls, two executors: their outcomes are written ahead side by side.
    server.toolCall([{ id: 'c1', name: 'first', args: {} }]);
    server.toolCall([{ id: 'c2', name: 'second', args: {} }]);
    await vi.waitFor(async () => expect(await storedEntryOf(h.store, 'call-1', 'c2')).toMatchObject({ state: 'running' }));
    const release = deferred<void>();
    h.store.hold = release.promise;
    first.resolve({ one: 1 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    second.resolve({ two: 2 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    h.store.hold = undefined;
    release.resolve();
    await vi.waitFor(() => expect(server.frames.filter((f) => f.frame.type === 'toolResponse')).toHaveLength(2));
    await vi.waitFor(async () => expect((await h.store.load('call-1'))?.ledger.map((entry) => entry.state)).toEqual(['answered', 'answered']));
    // Once a save carried an outcome, every later save of the ledger carries it.
    for (const key of ['c1', 'c2']) {
      const carries = h.store.saves.filter(({ patch }) => patch.ledger).map(({ patch }) => patch.ledger!.some((entry) => entry.key === key && entry.outcome !== undefined));
      expect(carries.slice(carries.indexOf(true)), key).not.toContain(false);
    }
    await h.session.close();
  });

  it('goes on when the store is down: one error event, the failures counted, the outcome still answered', async () => {
    const h = storedSession({ tools: [lookup()] });
    await h.session.connect();
    const server = h.transport.connections[0]!;
    h.store.failWith = new StoreError('STORE_FAILED', 'Redis is gone');
    server.toolCall([{ id: 'c1', name: 'lookup', args: { q: 'oslo' } }]);
    await server.waitForFrame(isToolResponse);
    server.send({ sessionResumptionUpdate: { newHandle: 'h2', resumable: true } });
    await vi.waitFor(() => expect(h.session.metrics().store?.failedWrites).toBeGreaterThanOrEqual(2));
    expect(h.errors.filter((error) => error.code === 'STORE_FAILED')).toHaveLength(1);
    expect(h.session.state).toBe('streaming');
    // Back up: the changes made meanwhile are written.
    h.store.failWith = undefined;
    await vi.waitFor(async () => expect((await h.store.load('call-1'))?.handle?.handle).toBe('h2'));
    expect(await storedEntryOf(h.store, 'call-1', 'c1')).toMatchObject({ state: 'answered' });
    // Down again: a new outage is reported again, once.
    h.store.failWith = new StoreError('STORE_FAILED', 'Redis is gone again');
    server.send({ sessionResumptionUpdate: { newHandle: 'h3', resumable: true } });
    await vi.waitFor(() => expect(h.errors.filter((error) => error.code === 'STORE_FAILED')).toHaveLength(2));
    h.store.failWith = undefined;
    await h.session.close();
  });

  it('gives the lease back on close and keeps the record, with calls still running left open for the next owner', async () => {
    const block = deferred<unknown>();
    const h = storedSession({ tools: [lookup(() => block.promise)] });
    await h.session.connect();
    const server = h.transport.connections[0]!;
    server.send({ sessionResumptionUpdate: { newHandle: 'h1', resumable: true } });
    server.toolCall([{ id: 'c1', name: 'lookup', args: { q: 'lima' } }]);
    await vi.waitFor(async () => expect(await storedEntryOf(h.store, 'call-1', 'c1')).toMatchObject({ state: 'running' }));
    await h.session.close();
    expect(h.of('toolCallsLost')).toHaveLength(1); // for this session, the call is over
    const record = await h.store.load('call-1');
    expect(record?.lease).toBeUndefined(); // released: the next process needs no takeover
    expect(record?.handle?.handle).toBe('h1');
    expect(record?.ledger.find((entry) => entry.key === 'c1')?.state).toBe('running'); // but not for the conversation
    await expect(h.store.acquire('call-1', 'next-process', 10_000)).resolves.toMatchObject({ ownerId: 'next-process' });
  });

  it('deletes the record on close({ deleteRecord: true }): the conversation is over', async () => {
    const h = storedSession();
    await h.session.connect();
    h.transport.connections[0]!.send({ sessionResumptionUpdate: { newHandle: 'h1', resumable: true } });
    await vi.waitFor(async () => expect((await h.store.load('call-1'))?.handle).toBeDefined());
    await h.session.close({ deleteRecord: true });
    expect(await h.store.load('call-1')).toBeUndefined();
  });

  it('refuses to connect while another process holds the session, and connects once it has let go', async () => {
    const store = createMemoryStore();
    const other = await store.acquire('call-1', 'other-process', 60_000);
    const h = storedSession({ store });
    const refused = await h.session.connect().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StoreError);
    expect(refused).toMatchObject({ code: 'STORE_LEASE_HELD', holder: { ownerId: 'other-process' } });
    expect(h.errors.map((error) => error.code)).toEqual(['STORE_LEASE_HELD']);
    expect(h.transport.connections).toHaveLength(0);
    expect(h.session.state).toBe('idle');
    await store.release(other);
    await h.session.connect();
    expect(h.session.state).toBe('streaming');
    await h.session.close();
  });

  it('takes the session over when told to: the old holder is fenced', async () => {
    const store = createMemoryStore();
    const other = await store.acquire('call-1', 'other-process', 60_000);
    const h = storedSession({ store, storeOptions: { takeOver: true, ownerId: 'gateway-b', flushMs: 0 } });
    await h.session.connect();
    expect((await store.load('call-1'))?.lease).toMatchObject({ ownerId: 'gateway-b', live: true });
    await expect(store.save(other, { tokens: 'late' })).rejects.toMatchObject({ code: 'STORE_FENCED' });
    await h.session.close();
  });

  it('gives back a lease that arrives after close() was called, and says connect() was cut short', async () => {
    const store = createMemoryStore();
    const h = storedSession({ store });
    const connecting = h.session.connect();
    await h.session.close();
    await expect(connecting).rejects.toMatchObject({ code: 'SESSION_CLOSED' });
    expect((await store.load('call-1'))?.lease).toBeUndefined();
    expect(h.transport.connections).toHaveLength(0);
  });

  it('refuses options that cannot work with an InvalidOptionsError', () => {
    const transport = createScriptedTransport();
    const store = createMemoryStore();
    const refusals: [Parameters<typeof createLiveSession>[0], RegExp][] = [
      [{ transport, store }, /needs its sessionId/],
      [{ transport, sessionId: 's', storeOptions: { leaseMs: 5_000 } }, /storeOptions needs a store/],
      [{ transport, sessionId: 's', store: { load: () => undefined } as never }, /has no acquire, renew, save, release/],
      [{ transport, sessionId: 's', store, storeOptions: { leaseMs: 200 } }, /leaseMs must be at least 1000/],
      [{ transport, sessionId: 's', store, storeOptions: { leaseMs: Number.NaN } }, /leaseMs must be a positive number/],
      [{ transport, sessionId: 's', store, storeOptions: { flushMs: -1 } }, /flushMs must be a non-negative number/],
      [{ transport, sessionId: 's', store, storeOptions: { ownerId: '' } }, /ownerId must be a string/],
      [{ transport, sessionId: 's', store, storeOptions: { takeOver: 'yes' as never } }, /takeOver must be a boolean/],
    ];
    for (const [options, message] of refusals) {
      expect(() => createLiveSession(options), String(message)).toThrow(InvalidOptionsError);
      expect(() => createLiveSession(options)).toThrow(message);
    }
  });
});

describe('a session another process took over', () => {
  it('never sends the outcome of a call it no longer owns, and closes with STORE_FENCED', async () => {
    const answer = deferred<unknown>();
    const h = storedSession({ tools: [lookup(() => answer.promise)] });
    await h.session.connect();
    const server = h.transport.connections[0]!;
    server.toolCall([{ id: 'c1', name: 'lookup', args: { q: 'kyiv' } }]);
    await vi.waitFor(async () => expect(await storedEntryOf(h.store, 'call-1', 'c1')).toMatchObject({ state: 'running' }));
    await h.store.inner.acquire('call-1', 'gateway-b', 10_000, { takeOver: true });

    answer.resolve({ late: true });
    await waitForState(h.session, 'closed');
    expect(server.frames.filter((f) => f.frame.type === 'toolResponse')).toHaveLength(0);
    expect(server.closedWith).toMatchObject({ by: 'client' });
    const closed = h.of('closed')[0]?.closedBy;
    expect(closed).toMatchObject({ by: 'takenOver', error: { code: 'STORE_FENCED' } });
    expect(h.errors.map((error) => error.code)).toContain('STORE_FENCED');
    // Nothing of the old owner reached the record.
    expect((await storedEntryOf(h.store.inner, 'call-1', 'c1'))?.outcome).toBeUndefined();
    expect(h.session.metrics().store?.fenced).toBe(true);
    await h.session.close();
  });

  it('never starts a tool for a call it can no longer record', async () => {
    let runs = 0;
    const h = storedSession({ tools: [lookup(() => (runs += 1))] });
    await h.session.connect();
    const server = h.transport.connections[0]!;
    await h.store.inner.acquire('call-1', 'gateway-b', 10_000, { takeOver: true });
    server.toolCall([{ id: 'c1', name: 'lookup', args: { q: 'quito' } }]);
    await waitForState(h.session, 'closed');
    expect(runs).toBe(0);
    expect(h.of('closed')[0]?.closedBy).toMatchObject({ by: 'takenOver' });
    expect(server.frames.filter((f) => f.frame.type === 'toolResponse')).toHaveLength(0);
  });

  it('closes as soon as a renewal finds the lease gone, with nothing more sent', async () => {
    const h = storedSession({ storeOptions: { leaseMs: 1_000, flushMs: 0 } });
    await h.session.connect();
    const server = h.transport.connections[0]!;
    await h.store.inner.acquire('call-1', 'gateway-b', 10_000, { takeOver: true });
    await waitForState(h.session, 'closed');
    expect(h.of('closed')[0]?.closedBy).toMatchObject({ by: 'takenOver', error: { code: 'STORE_FENCED' } });
    const sent = server.frames.length;
    h.session.sendAudio(FRAME);
    expect(server.frames).toHaveLength(sent);
    expect((await h.store.inner.load('call-1'))?.lease).toMatchObject({ ownerId: 'gateway-b' });
  });
});
