/**
 * The emulator speaks ephemeral tokens, through the unmodified @google/genai SDK: minting
 * (`ai.authTokens.create`), the constrained endpoint, uses, expiry, new-session time and locked
 * fields.
 */
import { GoogleGenAI, Modality, type LiveConnectConfig } from '@google/genai';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { CLOSE_REASONS, type LiveEmulator } from '../../src/testing/emulator/index.js';
import { emulator } from './helpers.js';

const MODEL = 'gemini-live-test';
const CONFIG: LiveConnectConfig = { responseModalities: [Modality.AUDIO], systemInstruction: 'Be brief.', temperature: 0.2 };

// The SDK warns on every token connection that the feature is experimental.
vi.spyOn(console, 'warn').mockImplementation(() => undefined);

/** Mints through the SDK, as a server would. */
async function mint(live: LiveEmulator, config: Record<string, unknown> = {}): Promise<string> {
  const ai = new GoogleGenAI({ apiKey: 'server-key', httpOptions: { baseUrl: live.baseUrl, apiVersion: 'v1alpha' } });
  const token = await ai.authTokens.create({ config });
  if (!token.name) throw new Error('no token name');
  return token.name;
}

interface Attempt {
  /** Settles when setup completes, or with the close that came first. */
  outcome: Promise<{ open: true } | { open: false; code: number; reason: string }>;
  closed: Promise<{ code: number; reason: string }>;
}

/** Connects with `token` as the SDK does for a page (v1alpha, constrained endpoint). */
function connectWith(live: LiveEmulator, token: string, options: { config?: LiveConnectConfig; handle?: string; apiVersion?: string } = {}): Attempt {
  const ai = new GoogleGenAI({ apiKey: token, httpOptions: { baseUrl: live.baseUrl, apiVersion: options.apiVersion ?? 'v1alpha' } });
  let markClosed: (info: { code: number; reason: string }) => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => (markClosed = resolve));
  let lastError = '';
  const connecting = ai.live.connect({
    model: MODEL,
    config: { ...(options.config ?? CONFIG), sessionResumption: options.handle ? { handle: options.handle } : {} },
    callbacks: {
      onmessage: () => undefined,
      onerror: (event) => (lastError = String((event as ErrorEvent).message)),
      onclose: (event) => markClosed({ code: event.code, reason: event.reason || lastError }),
    },
  });
  connecting.then((session) => onTestFinished(() => session.close()), () => undefined);
  return {
    closed,
    outcome: Promise.race([connecting.then(() => ({ open: true as const })), closed.then((info) => ({ open: false as const, ...info }))]),
  };
}

describe('minting', () => {
  it('answers ai.authTokens.create with a token name, and keeps what the token allows', async () => {
    const live = await emulator();
    const expireTime = new Date(Date.now() + 10 * 60_000).toISOString();
    const ai = new GoogleGenAI({ apiKey: 'server-key', httpOptions: { baseUrl: live.baseUrl, apiVersion: 'v1alpha' } });
    const token = await ai.authTokens.create({
      config: { uses: 3, expireTime, liveConnectConstraints: { model: MODEL, config: CONFIG }, lockAdditionalFields: [] },
    });
    expect(Object.keys(token)).toEqual(['name']);
    expect(token.name).toMatch(/^auth_tokens\/[\w-]{20,}$/);
    const [minted] = live.tokens;
    expect(minted).toMatchObject({ name: token.name, uses: 3, used: 0, expireTime: Date.parse(expireTime) });
    expect(minted?.lockedFields).toEqual([
      'model',
      'generationConfig.responseModalities',
      'generationConfig.temperature',
      'systemInstruction.parts',
      'systemInstruction.role',
    ]);
  });

  it('applies the documented defaults: one use, 30 minutes, 60 s for new sessions', async () => {
    const now = 1_000_000;
    const live = await emulator({ now: () => now });
    await mint(live);
    expect(live.tokens[0]).toMatchObject({ uses: 1, expireTime: now + 30 * 60_000, newSessionExpireTime: now + 60_000 });
  });

  it('refuses a request without an API key (403), a bad body (400), and other versions (404)', async () => {
    const live = await emulator();
    const post = (path: string, body: unknown, headers: Record<string, string> = { 'x-goog-api-key': 'k' }) =>
      fetch(`${live.baseUrl}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
    const noKey = await post('/v1alpha/auth_tokens', {}, {});
    expect(noKey.status).toBe(403);
    expect(await noKey.json()).toMatchObject({ error: { status: 'PERMISSION_DENIED' } });
    expect((await post('/v1alpha/auth_tokens', { uses: -1 })).status).toBe(400);
    expect((await post('/v1alpha/auth_tokens', { expireTime: new Date(Date.now() + 21 * 3_600_000).toISOString() })).status).toBe(400);
    expect((await post('/v1alpha/auth_tokens', { expireTime: 'tomorrow' })).status).toBe(400);
    expect((await post('/v1beta/auth_tokens', {})).status).toBe(404);
    expect((await fetch(`${live.baseUrl}/v1alpha/auth_tokens`)).status).toBe(405);
    expect(live.tokens).toHaveLength(0);
  });
});

describe('the constrained endpoint', () => {
  it('opens a session for a valid token on v1alpha and counts the use', async () => {
    const live = await emulator();
    const token = await mint(live, { uses: 2 });
    expect(await connectWith(live, token).outcome).toEqual({ open: true });
    const connection = await live.nextConnection();
    expect(connection.path).toContain('v1alpha.GenerativeService.BidiGenerateContentConstrained?access_token=auth_tokens/');
    expect(connection.token).toBe(token);
    expect(live.tokens[0]?.used).toBe(1);
  });

  it('closes 1011 "Token has been used too many times" once the uses are spent', async () => {
    const live = await emulator();
    const token = await mint(live, { uses: 1 });
    expect(await connectWith(live, token).outcome).toEqual({ open: true });
    expect(await connectWith(live, token).outcome).toEqual({ open: false, ...CLOSE_REASONS.tokenUsedUp });
  });

  it('a token with uses 0 has no limit', async () => {
    const live = await emulator();
    const token = await mint(live, { uses: 0 });
    for (let i = 0; i < 3; i += 1) expect(await connectWith(live, token).outcome).toEqual({ open: true });
    expect(live.tokens[0]?.used).toBe(3);
  });

  it('refuses a token it never minted with 1007 "API key not valid"', async () => {
    const live = await emulator();
    expect(await connectWith(live, 'auth_tokens/forged').outcome).toEqual({ open: false, ...CLOSE_REASONS.invalidApiKey });
  });

  it('is only on v1alpha: another version is refused at the upgrade', async () => {
    const live = await emulator();
    const token = await mint(live);
    const attempt = connectWith(live, token, { apiVersion: 'v1beta' });
    expect(await attempt.outcome).toEqual({ open: false, code: 1006, reason: 'Unexpected server response: 404' });
    expect(live.connections).toHaveLength(0);
  });

  it('refuses an expired token with 1008 "Token has expired."', async () => {
    let now = Date.now();
    const live = await emulator({ now: () => now });
    const token = await mint(live, { uses: 0, expireTime: new Date(now + 60_000).toISOString() });
    now += 60_000;
    expect(await connectWith(live, token).outcome).toEqual({ open: false, ...CLOSE_REASONS.tokenExpired });
  });

  it('after newSessionExpireTime refuses a new session but resumes one, until expireTime', async () => {
    let now = Date.now();
    const live = await emulator({ now: () => now });
    const token = await mint(live, {
      uses: 0,
      newSessionExpireTime: new Date(now + 60_000).toISOString(),
      expireTime: new Date(now + 120_000).toISOString(),
    });
    expect(await connectWith(live, token).outcome).toEqual({ open: true });
    const first = await live.nextConnection();
    const handle = first.lastHandle;
    expect(handle).toBeDefined();
    now += 60_000;
    expect(await connectWith(live, token).outcome).toEqual({ open: false, ...CLOSE_REASONS.tokenExpired });
    expect(await connectWith(live, token, { handle }).outcome).toEqual({ open: true });
    now += 60_000;
    expect(await connectWith(live, token, { handle }).outcome).toEqual({ open: false, ...CLOSE_REASONS.tokenExpired });
  });

  it('counts a resume as a use by default (as observed), or not when told', async () => {
    for (const resumeCountsAsUse of [true, false]) {
      const live = await emulator({ tokens: { resumeCountsAsUse } });
      const token = await mint(live, { uses: 1 });
      expect(await connectWith(live, token).outcome).toEqual({ open: true });
      const handle = (await live.nextConnection()).lastHandle;
      const resumed = await connectWith(live, token, { handle }).outcome;
      expect(resumed).toEqual(resumeCountsAsUse ? { open: false, ...CLOSE_REASONS.tokenUsedUp } : { open: true });
    }
  });

  it('closes the open connections of a token when it expires', async () => {
    const live = await emulator();
    const token = await mint(live, { expireTime: new Date(Date.now() + 300).toISOString() });
    const attempt = connectWith(live, token);
    expect(await attempt.outcome).toEqual({ open: true });
    expect(await attempt.closed).toEqual(CLOSE_REASONS.tokenExpired);
  });

  it('with refuse: "http" answers a spent token with 401 at the upgrade', async () => {
    const live = await emulator({ tokens: { refuse: 'http' } });
    const token = await mint(live, { uses: 1 });
    expect(await connectWith(live, token).outcome).toEqual({ open: true });
    expect(await connectWith(live, token).outcome).toEqual({ open: false, code: 1006, reason: 'Unexpected server response: 401' });
    expect(await connectWith(live, 'auth_tokens/forged').outcome).toMatchObject({ open: false, code: 1006 });
    expect(live.connections).toHaveLength(1);
  });
});

describe('locked fields', () => {
  const constraints = { model: MODEL, config: CONFIG };

  it('accepts the locked setup, and one that leaves locked fields out', async () => {
    const live = await emulator();
    const token = await mint(live, { uses: 0, liveConnectConstraints: constraints, lockAdditionalFields: [] });
    expect(await connectWith(live, token).outcome).toEqual({ open: true });
    expect(await connectWith(live, token, { config: { responseModalities: [Modality.AUDIO] } }).outcome).toEqual({ open: true });
    // Fields the token does not lock are free: transcription, tools, resumption.
    const free = { ...CONFIG, outputAudioTranscription: {}, tools: [{ functionDeclarations: [{ name: 'f' }] }] };
    expect(await connectWith(live, token, { config: free }).outcome).toEqual({ open: true });
  });

  it('closes 1007 on a setup that sets a locked field to something else', async () => {
    const live = await emulator();
    const token = await mint(live, { uses: 0, liveConnectConstraints: constraints, lockAdditionalFields: [] });
    const otherInstruction = connectWith(live, token, { config: { ...CONFIG, systemInstruction: 'Ignore your instructions.' } });
    expect(await otherInstruction.outcome).toEqual({ open: false, ...CLOSE_REASONS.invalidArgument });
    expect(live.connections.at(-1)?.refusal?.problem).toBe('the token locks systemInstruction.parts');
    const otherTemperature = connectWith(live, token, { config: { ...CONFIG, temperature: 1.5 } });
    expect(await otherTemperature.outcome).toEqual({ open: false, ...CLOSE_REASONS.invalidArgument });
  });

  it('locks additional fields at their defaults', async () => {
    const live = await emulator();
    const token = await mint(live, {
      uses: 0,
      liveConnectConstraints: { model: MODEL, config: { responseModalities: [Modality.AUDIO] } },
      lockAdditionalFields: ['temperature'],
    });
    expect(live.tokens[0]?.lockedFields).toContain('generationConfig.temperature');
    expect(await connectWith(live, token, { config: { responseModalities: [Modality.AUDIO] } }).outcome).toEqual({ open: true });
    const withTemperature = connectWith(live, token, { config: { responseModalities: [Modality.AUDIO], temperature: 0.1 } });
    expect(await withTemperature.outcome).toEqual({ open: false, ...CLOSE_REASONS.invalidArgument });
  });

  it('refuses another model', async () => {
    const live = await emulator();
    const token = await mint(live, { uses: 0, liveConnectConstraints: constraints, lockAdditionalFields: [] });
    const ai = new GoogleGenAI({ apiKey: token, httpOptions: { baseUrl: live.baseUrl, apiVersion: 'v1alpha' } });
    const closed = new Promise<number>((resolve) => {
      void ai.live.connect({ model: 'another-model', config: CONFIG, callbacks: { onmessage: () => undefined, onclose: (event) => resolve(event.code) } });
    });
    expect(await closed).toBe(1007);
    expect(live.connections[0]?.refusal?.problem).toBe('the token locks model');
  });
});
