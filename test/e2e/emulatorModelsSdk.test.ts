/**
 * The per-model rules through the real SDK of this run of the suite (2.x on Node 20, 3.x on Node
 * 22): where each SDK writes the fields a model refuses in the
 * setup frame, and that the emulator closes on each with the field the session's own check names;
 * the 3.8 cancellation, late answers, `contextUpdate` and the new signals as the SDK sends and
 * receives them.
 */
import * as genai2 from '@google/genai';
import { describe, expect, it, onTestFinished } from 'vitest';
import { refusalOf, resolveProfile, type ToolBehavior } from '../../src/models/index.js';
import type { LiveEmulator } from '../../src/testing/emulator/index.js';
import { MODELS, emulator, handled, pcm16k } from '../emulator/helpers.js';
import { clientFor, SDK_VERSION } from './sdk.js';

type Config = genai2.LiveConnectConfig;

const SDKS = { [SDK_VERSION]: (baseUrl: string) => clientFor({ baseUrl } as LiveEmulator) } as Record<string, (baseUrl: string) => genai2.GoogleGenAI>;
const VERSIONS = [SDK_VERSION];

interface SdkClient {
  connecting: Promise<genai2.Session | undefined>;
  messages: genai2.LiveServerMessage[];
  waitFor(predicate: (message: genai2.LiveServerMessage) => boolean): Promise<genai2.LiveServerMessage>;
  closed: Promise<{ code: number; reason: string }>;
}

/** Starts `ai.live.connect`; 2.x never settles it when setup is refused, 3.x rejects (then `undefined`). */
function startSdk(version: string, live: LiveEmulator, model: string, config: Config = {}): SdkClient {
  const messages: genai2.LiveServerMessage[] = [];
  const waiters = new Set<() => void>();
  let markClosed: (info: { code: number; reason: string }) => void = () => undefined;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    markClosed = resolve;
  });
  const client = SDKS[version];
  if (!client) throw new Error(`no SDK ${version} in this run`);
  const connecting = client(live.baseUrl)
    .live.connect({
      model,
      config: { responseModalities: [genai2.Modality.AUDIO], ...config },
      callbacks: {
        onmessage: (message) => {
          messages.push(message);
          for (const waiter of [...waiters]) waiter();
        },
        onclose: (event) => markClosed({ code: event.code, reason: event.reason }),
      },
    })
    .then(
      (session) => {
        onTestFinished(() => session.close());
        return session;
      },
      () => undefined,
    );
  return {
    connecting,
    messages,
    closed,
    waitFor: (predicate) =>
      new Promise((resolve) => {
        const check = (): void => {
          const found = messages.find(predicate);
          if (!found) return;
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
        check();
      }),
  };
}

async function connectSdk(version: keyof typeof SDKS, live: LiveEmulator, model: string, config?: Config) {
  const client = startSdk(version, live, model, config);
  const session = await client.connecting;
  if (!session) throw new Error('connect failed');
  return { ...client, session, connection: await live.nextConnection() };
}

/** The value at a dotted path, for reading the recorded setup frame. */
function at(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? Reflect.get(node, key) : undefined), value);
}

const blocking = (name: string) => ({ functionDeclarations: [{ name, behavior: genai2.Behavior.BLOCKING }] });

/** A field a model refuses, where the SDK writes it in `setup`, and the field the session's check names. */
const REFUSED: { model: string; config: Config; wire: string; field: string }[] = [
  { model: MODELS.live38, config: { proactivity: { proactiveAudio: false } }, wire: 'proactivity.proactiveAudio', field: 'proactivity.proactiveAudio' },
  {
    model: MODELS.live38,
    config: { thinkingConfig: { thinkingLevel: genai2.ThinkingLevel.LOW } },
    wire: 'generationConfig.thinkingConfig.thinkingLevel',
    field: 'thinkingConfig.thinkingLevel',
  },
  { model: MODELS.live38, config: { enableAffectiveDialog: true }, wire: 'generationConfig.enableAffectiveDialog', field: 'enableAffectiveDialog' },
  { model: MODELS.thinking38, config: { tools: [blocking('search')] }, wire: 'tools.0.functionDeclarations.0.behavior', field: 'tools.search.behavior' },
  {
    model: MODELS.flash31,
    config: { tools: [{ functionDeclarations: [{ name: 'f', behavior: genai2.Behavior.NON_BLOCKING }] }] },
    wire: 'tools.0.functionDeclarations.0.behavior',
    field: 'tools.f.behavior',
  },
  { model: MODELS.translate, config: { tools: [{ functionDeclarations: [{ name: 'f' }] }] }, wire: 'tools', field: 'tools' },
  { model: MODELS.translate, config: { systemInstruction: 'Translate.' }, wire: 'systemInstruction', field: 'systemInstruction' },
];

/** A declaration's behaviour as the session states it: its own, or the model's default. */
function behaviorOf(declared: genai2.Behavior | undefined, fallback: ToolBehavior): ToolBehavior {
  if (declared === genai2.Behavior.BLOCKING) return 'BLOCKING';
  return declared === genai2.Behavior.NON_BLOCKING ? 'NON_BLOCKING' : fallback;
}

/** The wire path as the close reason spells it (list indices in brackets). */
const spelled = (wire: string) => wire.replace(/\.(\d+)\./g, '[$1].');

describe.each(VERSIONS)('@google/genai %s: refused setup fields', (version) => {
  it.each(REFUSED)('$model refuses $field: 1007 naming $wire, as the session would', async ({ model, config, wire, field }) => {
    const live = await emulator();
    const sdk = startSdk(version, live, model, config);
    const connection = await live.nextConnection();
    const { code, reason } = await sdk.closed;
    // A refused setup is recorded, never accepted.
    expect(connection.setup).toBeUndefined();
    expect(at(connection.frames[0]?.message?.setup, wire)).toBeDefined();
    expect(code).toBe(1007);
    expect(reason).toMatch(new RegExp(`^Request contains an invalid argument: ${spelled(wire).replace(/[.[\]]/g, '\\$&')}`));
    expect(connection.refusal?.field).toBe(field);
    expect(sdk.messages.some((message) => message.setupComplete)).toBe(false);
    // The session's own check, on the same config, names the same field.
    const tools = (config.tools ?? []).flatMap((tool) => ('functionDeclarations' in tool ? (tool.functionDeclarations ?? []) : []));
    const { profile } = resolveProfile(model);
    const verdict = refusalOf(profile, {
      model,
      config,
      tools: tools.map((fn) => ({ name: fn.name ?? '', behavior: behaviorOf(fn.behavior, profile.defaultBehavior) })),
    });
    expect(verdict?.field).toBe(field);
  });

  it('accepts what the model takes: proactiveAudio true on 3.8, thinkingLevel on 2.5, NON_BLOCKING on extended thinking', async () => {
    const live = await emulator();
    await connectSdk(version, live, MODELS.live38, { proactivity: { proactiveAudio: true } });
    await connectSdk(version, live, MODELS.native25, { thinkingConfig: { thinkingLevel: genai2.ThinkingLevel.LOW } });
    const thinking = await connectSdk(version, live, MODELS.thinking38, { tools: [{ functionDeclarations: [{ name: 'search' }] }] });
    expect(thinking.connection.behaviorOf('search')).toBe('NON_BLOCKING');
  });
});

describe.each(VERSIONS)('@google/genai %s on gemini-3.8-live', (version) => {
  const audio = { audio: { data: pcm16k(20), mimeType: 'audio/pcm;rate=16000' } };

  it('sendRealtimeInput during a BLOCKING call cancels it; the late sendToolResponse is ignored', async () => {
    const live = await emulator({ graceMs: 0 });
    const sdk = await connectSdk(version, live, MODELS.live38, { tools: [blocking('issue_refund')] });
    const [id] = sdk.connection.sendToolCall([{ name: 'issue_refund' }]);
    await sdk.waitFor((message) => message.toolCall !== undefined);
    sdk.session.sendRealtimeInput(audio);
    const cancellation = await sdk.waitFor((message) => message.toolCallCancellation !== undefined);
    expect(cancellation.toolCallCancellation?.ids).toEqual([id]);
    sdk.session.sendToolResponse({ functionResponses: [{ id, name: 'issue_refund', response: { output: 'refunded' } }] });
    await handled(sdk.connection, 3);
    expect(sdk.connection.isOpen).toBe(true);
    expect(sdk.connection.counters.lateAnswers).toBe(1);
  });

  it('sendClientContent with turnComplete cancels it silently under silentCancel', async () => {
    const live = await emulator({ graceMs: 0, silentCancel: true });
    const sdk = await connectSdk(version, live, MODELS.live38, { tools: [blocking('issue_refund')] });
    sdk.connection.sendToolCall([{ name: 'issue_refund' }]);
    await sdk.waitFor((message) => message.toolCall !== undefined);
    sdk.session.sendClientContent({ turns: [{ role: 'user', parts: [{ text: 'stop' }] }], turnComplete: true });
    await handled(sdk.connection, 2);
    expect(sdk.connection.pendingToolCallIds).toEqual([]);
    expect(sdk.connection.counters.callsCancelledByInput).toBe(1);
    // Everything the emulator sent has arrived once this does, and no cancellation is among it.
    sdk.connection.sendWaitingForInput();
    await sdk.waitFor((message) => message.serverContent?.waitingForInput === true);
    expect(sdk.messages.filter((message) => message.toolCallCancellation)).toEqual([]);
  });

  it('sendContextUpdate replaces the tools: the re-declared function then blocks', async () => {
    const live = await emulator({ graceMs: 0 });
    const sdk = await connectSdk(version, live, MODELS.live38, { tools: [{ functionDeclarations: [{ name: 'f' }] }] });
    sdk.session.sendContextUpdate({ tools: { tools: [blocking('f')] } });
    const update = await sdk.connection.waitForMessage((message) => message.contextUpdate !== undefined);
    expect(update).toEqual({ contextUpdate: { tools: { tools: [{ functionDeclarations: [{ name: 'f', behavior: 'BLOCKING' }] }] } } });
    expect(sdk.connection.behaviorOf('f')).toBe('BLOCKING');
  });

  it('sendContextUpdate with a bare list (not the wrapper) writes tools: {}, which clears every tool', async () => {
    const live = await emulator({ graceMs: 0 });
    const sdk = await connectSdk(version, live, MODELS.live38, { tools: [blocking('f')] });
    // What a JavaScript caller, or a cast, could pass; the types ask for { tools: { tools } }.
    Reflect.apply(sdk.session.sendContextUpdate, sdk.session, [{ tools: [blocking('f')] }]);
    const update = await sdk.connection.waitForMessage((message) => message.contextUpdate !== undefined);
    expect(update).toEqual({ contextUpdate: { tools: {} } });
    expect(sdk.connection.tools).toEqual([]);
    expect(sdk.connection.behaviorOf('f')).toBe('NON_BLOCKING');
  });

  it('hands interactionStatus and waitingForInput to onmessage as sent', async () => {
    const live = await emulator();
    const sdk = await connectSdk(version, live, MODELS.thinking38);
    sdk.connection.sendTurnComplete(undefined, { interactionStatus: 'IN_PROGRESS' });
    sdk.connection.sendTurnComplete();
    sdk.connection.sendWaitingForInput();
    await sdk.waitFor((message) => message.serverContent?.waitingForInput === true);
    expect(sdk.messages.slice(1).map((message) => message.serverContent)).toEqual([
      { turnComplete: true, interactionStatus: 'IN_PROGRESS' },
      { turnComplete: true, interactionStatus: 'IDLE' },
      { waitingForInput: true },
    ]);
  });
});
