/**
 * `gemini-live-fsm/server`: minting through the real SDK against the emulator, and the request
 * handler mounted on a plain `node:http` server, fetched the way a page fetches it.
 */
import { GoogleGenAI, Modality } from '@google/genai';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { createLiveSession, defineTool } from '../../src/index.js';
import { InvalidOptionsError } from '../../src/protocol/index.js';
import { createTokenHandler, DEFAULT_TOKEN_USES, mintLiveToken, type LiveToken, type TokenHandlerOptions } from '../../src/server/index.js';
import { startLiveEmulator, type LiveEmulator } from '../../src/testing/index.js';

vi.spyOn(console, 'warn').mockImplementation(() => undefined);

const KEY = 'AIzaSyServerOnlyKey0123456789abcdefghijk';
const MODEL = 'gemini-live-test';
const CONFIG = { responseModalities: [Modality.AUDIO], systemInstruction: 'Be kind.' };
const weather = defineTool({
  name: 'get_weather',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
  execute: () => ({ tempC: 18 }),
});

async function liveEmulator(): Promise<LiveEmulator> {
  const live = await startLiveEmulator();
  onTestFinished(() => live.close());
  return live;
}

const serverAi = (live: LiveEmulator) => new GoogleGenAI({ apiKey: KEY, httpOptions: { baseUrl: live.baseUrl } });

/** Serves the handler on 127.0.0.1; returns its URL. */
async function serve(options: TokenHandlerOptions): Promise<string> {
  const handler = createTokenHandler(options);
  const server = createServer((request, response) => void handler(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
}

describe('mintLiveToken', () => {
  it('mints with the model, config and tools locked, uses that cover resumes, and expiries', async () => {
    const live = await liveEmulator();
    const now = Date.now();
    const token = await mintLiveToken({ ai: serverAi(live), model: MODEL, config: CONFIG, tools: [weather], now: () => now });
    expect(token).toEqual({
      name: expect.stringMatching(/^auth_tokens\//),
      uses: DEFAULT_TOKEN_USES,
      expireTime: new Date(now + 30 * 60_000).toISOString(),
      newSessionExpireTime: new Date(now + 60_000).toISOString(),
    });
    expect(DEFAULT_TOKEN_USES).toBeGreaterThan(1);
    const [minted] = live.tokens;
    expect(minted).toMatchObject({ name: token.name, uses: 4 });
    expect(minted?.lockedFields).toEqual([
      'model',
      'generationConfig.responseModalities',
      'systemInstruction.parts',
      'systemInstruction.role',
      'tools.0',
    ]);
    expect(minted?.setup).toMatchObject({ model: `models/${MODEL}`, tools: [{ functionDeclarations: [{ name: 'get_weather' }] }] });
  });

  it('the locked setup is exactly what a session with the same options sends', async () => {
    const live = await liveEmulator();
    const token = await mintLiveToken({ ai: serverAi(live), model: MODEL, config: CONFIG, tools: [weather], uses: 1 });
    const session = createLiveSession({
      tokenProvider: () => token,
      GoogleGenAI,
      httpOptions: { baseUrl: live.baseUrl },
      model: MODEL,
      config: CONFIG,
      tools: [weather],
    });
    onTestFinished(() => session.close());
    await session.connect();
    expect(live.connections[0]?.refusal).toBeUndefined();
    expect(live.tokens[0]?.used).toBe(1);
  });

  it('refuses options that cannot work', async () => {
    const ai = { authTokens: { create: vi.fn() } } as never;
    await expect(mintLiveToken({ ai, model: MODEL, config: { sessionResumption: {} } })).rejects.toThrow(InvalidOptionsError);
    await expect(mintLiveToken({ ai, model: MODEL, uses: 1.5 })).rejects.toThrow('`uses` must be a whole number, 0 (no limit) or more');
    await expect(mintLiveToken({ ai, model: MODEL, expireAfterMs: 21 * 3_600_000 })).rejects.toThrow('`expireAfterMs` must be more than 0 and less than 20 hours');
    await expect(mintLiveToken({ ai, model: MODEL, newSessionWithinMs: 0 })).rejects.toThrow('`newSessionWithinMs`');
  });
});

describe('createTokenHandler', () => {
  it('answers POST with a token as JSON, never cached, and a session connects with it', async () => {
    const live = await liveEmulator();
    const url = await serve({ ai: serverAi(live), model: MODEL, config: CONFIG });
    const response = await fetch(url, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await response.json()) as LiveToken;
    expect(body.name).toBe(live.tokens[0]?.name);
    expect(JSON.stringify(body)).not.toContain(KEY);

    const session = createLiveSession({
      tokenProvider: () => fetch(url, { method: 'POST' }).then((r) => r.json() as Promise<LiveToken>),
      GoogleGenAI,
      httpOptions: { baseUrl: live.baseUrl },
      model: MODEL,
      config: CONFIG,
    });
    onTestFinished(() => session.close());
    await session.connect();
    expect(live.tokens).toHaveLength(2);
    expect(live.connections[0]?.token).toBe(live.tokens[1]?.name);
  });

  it('405 for other methods, 403 when authorize says no', async () => {
    const live = await liveEmulator();
    const seen: string[] = [];
    const authorize = (request: IncomingMessage) => {
      seen.push(String(request.headers['x-user']));
      return request.headers['x-user'] === 'alice';
    };
    const url = await serve({ ai: serverAi(live), model: MODEL, authorize });
    const get = await fetch(url);
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect((await fetch(url, { method: 'POST', headers: { 'x-user': 'mallory' } })).status).toBe(403);
    expect((await fetch(url, { method: 'POST', headers: { 'x-user': 'alice' } })).status).toBe(200);
    expect(seen).toEqual(['mallory', 'alice']);
    expect(live.tokens).toHaveLength(1);
  });

  it('502 when minting fails; onError hears why, redacted, and the page learns nothing more', async () => {
    const errors: Error[] = [];
    const failing = {
      authTokens: { create: () => Promise.reject(new Error(`POST https://host/v1alpha/auth_tokens?key=${KEY} failed: 500`)) },
    } as never;
    const url = await serve({ ai: failing, model: MODEL, onError: (error) => errors.push(error) });
    const response = await fetch(url, { method: 'POST' });
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ error: 'could not mint a token' });
    expect(errors.map((e) => e.message)).toEqual(['POST https://host/v1alpha/auth_tokens?key=[redacted] failed: 500']);

    const throwingHook = await serve({
      ai: failing,
      model: MODEL,
      onError: () => {
        throw new Error('logger down');
      },
    });
    expect((await fetch(throwingHook, { method: 'POST' })).status).toBe(502);
  });
});
