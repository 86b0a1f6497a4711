/**
 * The key stays secret: a session's whole life (connects, a failing token provider, closes whose
 * reasons quote the socket's URL, a refused token, resumes, a typed failure at the end) is
 * recorded everywhere it can surface (every emitted event and error with its causes, every
 * inspection event, the offline inspector's view and timeline, a state logger, the console), and
 * neither the API key nor any token may appear in any of it.
 */
import * as genai2 from '@google/genai';
import * as genai3 from 'genai3';
import type { InspectionEvent } from 'xstate';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLiveSession, defineTool, type LiveSession } from '../../src/index.js';
import { combineInspectors, createStateLogger, sanitize, startInspector } from '../../src/devtools/index.js';
import { nextEvent } from '../helpers.js';
import { emulator, MODEL, onCleanup, SDK_VERSION } from './sdk.js';
import { SERVER_KEY, tokenServer, tokenSession } from './tokenSession.js';

const sdk = process.env['GENAI_SDK'] === '3' ? genai3 : genai2;
const NO_WAIT = { baseDelayMs: 0 };

/** Everything a session let out, gathered as text. */
function witness() {
  const seen: unknown[] = [];
  const logged: string[] = [];
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(' ')));
  }
  const inspections: unknown[] = [];
  const inspect = (event: InspectionEvent) => {
    // What an inspector sends on: the event and the state after it, sanitised.
    const snapshot = (event as { snapshot?: { value?: unknown; context?: unknown } }).snapshot;
    inspections.push(sanitize({ type: event.type, event: (event as { event?: unknown }).event, value: snapshot?.value, context: snapshot?.context }));
    // The raw event and snapshot too, walked deep (actor refs left out: they are live objects).
    seen.push((event as { event?: unknown }).event, ((event as { snapshot?: { context?: unknown } }).snapshot ?? {}).context);
  };
  return {
    seen,
    inspect: combineInspectors(inspect, createStateLogger({ log: (line) => logged.push(line) })),
    watch(session: LiveSession) {
      session.actor.on('*', (event) => seen.push(event));
    },
    text: () => [deepText(seen), JSON.stringify(inspections), logged.join('\n')].join('\n'),
  };
}

/** Every string reachable from `value`: own properties (enumerable or not), causes, stacks. */
function deepText(value: unknown, seen = new WeakSet<object>(), out: string[] = []): string {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' || typeof value === 'boolean') out.push(String(value));
  else if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value) && !seen.has(value)) {
    seen.add(value);
    const entries = value instanceof Map ? [...value.values()] : value instanceof Set ? [...value] : undefined;
    for (const item of entries ?? Object.getOwnPropertyNames(value).map((key) => (value as Record<string, unknown>)[key])) {
      deepText(item, seen, out);
    }
  }
  return out.join('\n');
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe(`no key and no token in anything a session lets out (SDK ${SDK_VERSION})`, () => {
  it('the search finds a secret wherever it hides', () => {
    const cause = new Error('deep');
    Object.defineProperty(cause, 'hidden', { value: { url: 'wss://x?access_token=auth_tokens/planted' }, enumerable: false });
    expect(deepText([{ error: new Error('top', { cause }) }])).toContain('auth_tokens/planted');
  });

  it('a session on ephemeral tokens, from a failing provider to a TokenError', async () => {
    const emu = await emulator();
    const server = tokenServer(emu, { uses: 1 });
    const inspector = await startInspector();
    onCleanup(() => inspector.close());
    const record = witness();
    let spent: string | undefined;
    const answers: (() => Promise<string>)[] = [
      () => Promise.reject(new Error(`token endpoint failed for auth_tokens/planted-in-provider (key=${SERVER_KEY})`)),
      async () => (spent = (await server.mint()).name),
      async () => spent ?? '', // a cached, spent token: refused, fetched again
      async () => (await server.mint()).name,
      async () => (await server.mint()).name,
      async () => spent ?? '',
      async () => spent ?? '',
    ];
    let calls = 0;
    const provide = () => (answers[Math.min(calls++, answers.length - 1)] as () => Promise<string>)();
    const session = tokenSession(emu, provide, [defineTool({ name: 'lookup', execute: () => ({ ok: true }) })], {
      reconnect: NO_WAIT,
      inspect: combineInspectors(record.inspect, inspector.inspect),
    });
    record.watch(session);

    const first = emu.nextConnection();
    await session.connect();
    let conn = await first;
    conn.sendToolCall([{ name: 'lookup' }]);
    await conn.waitForToolResponse();
    conn.sendTurnComplete();
    await nextEvent(session, 'turnComplete');

    // The server's close reason quotes the socket's URL, token and all.
    let reconnected = nextEvent(session, 'reconnected');
    conn.close(1011, `Error at ws://h?access_token=${conn.token ?? ''}&key=${SERVER_KEY}`);
    await reconnected;
    conn = emu.connections.at(-1) ?? conn;

    reconnected = nextEvent(session, 'reconnected');
    conn.sendGoAway('5s');
    await reconnected;
    conn = emu.connections.at(-1) ?? conn;

    const closed = nextEvent(session, 'closed');
    conn.abort();
    expect((await closed).closedBy).toMatchObject({ by: 'server', error: { code: 'TOKEN_REFUSED' } });
    const failure = await session.connect().catch((error: unknown) => error);
    record.seen.push(failure, inspector.view(), inspector.timeline());

    const tokens = emu.tokens.map((token) => token.name);
    expect(tokens.length).toBeGreaterThanOrEqual(3);
    const haystack = record.text();
    // What must be there is there: the story was recorded.
    expect(['TOKEN_PROVIDER_FAILED', 'TOKEN_REFUSED', 'access_token=[redacted]'].filter((told) => !haystack.includes(told))).toEqual([]);
    const leaks = [SERVER_KEY, 'auth_tokens/planted-in-provider', ...tokens].filter((secret) => haystack.includes(secret));
    expect(leaks).toEqual([]);
    expect(haystack.match(/auth_tokens\/(?!\[redacted\])\S*/g)).toBeNull();
  });

  it('a session on an API key whose closes quote the key', async () => {
    const emu = await emulator();
    const apiKey = 'AIzaSyPageMustNeverSeeThis-abcdefghijklmn';
    const ai = new sdk.GoogleGenAI({ apiKey, httpOptions: { baseUrl: emu.baseUrl } }) as unknown as genai2.GoogleGenAI;
    const record = witness();
    // Without resumption, the 1007 after the reconnect is final (a resumed session would start afresh).
    const session = createLiveSession({ ai, model: MODEL, reconnect: NO_WAIT, resumption: false, inspect: record.inspect });
    onCleanup(() => session.close());
    record.watch(session);
    const first = emu.nextConnection();
    await session.connect();
    const conn = await first;
    expect(conn.path).toContain(`key=${apiKey}`);
    const next = emu.nextConnection();
    const reconnected = nextEvent(session, 'reconnected');
    conn.close(1011, `Internal error encountered for ${conn.path.slice(0, 40)}?key=${apiKey}`);
    await reconnected;
    const closed = nextEvent(session, 'closed');
    (await next).close(1007, `Request contains an invalid argument: key ${apiKey}`);
    record.seen.push(await closed);

    const haystack = record.text();
    expect(['Internal error encountered', 'Request contains an invalid argument'].filter((told) => !haystack.includes(told))).toEqual([]);
    expect(haystack.includes(apiKey)).toBe(false);
  });
});
