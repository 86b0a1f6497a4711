/**
 * A setup the model would refuse fails `connect()` with a typed `ModelRefusalError` naming the
 * field and the model, and no socket is ever opened. Guards against the refusal becoming a
 * mysterious 1007 close (or, with reconnects, a loop of them): a BLOCKING tool on extended
 * thinking, `proactiveAudio: false`, `thinkingLevel` and affective dialog on 3.8, tools on live
 * translate, an async tool on 3.1. The emulator counts every socket that reaches it, so "none"
 * is checked, and a setup the model takes does reach it.
 */
import * as genai2 from '@google/genai';
import { describe, expect, it } from 'vitest';
import { defineTool, type AnyTool } from '../../../src/index.js';
import { ModelRefusalError } from '../../../src/protocol/errors.js';
import { emulator, SDK_VERSION } from '../sdk.js';
import { connectedModelSession, declaredFunctions, MODELS, modelSession } from './harness.js';

const tool = (name: string, behavior?: 'BLOCKING' | 'NON_BLOCKING'): AnyTool =>
  defineTool({ name, ...(behavior ? { behavior } : {}), execute: () => 'done' });

const REFUSED: { what: string; model: string; tools?: AnyTool[]; config?: genai2.LiveConnectConfig; field: string }[] = [
  { what: 'a BLOCKING tool on extended thinking', model: MODELS.thinking38, tools: [tool('search_places', 'BLOCKING')], field: 'tools.search_places.behavior' },
  { what: 'proactiveAudio: false on 3.8', model: MODELS.live38, config: { proactivity: { proactiveAudio: false } }, field: 'proactivity.proactiveAudio' },
  { what: 'thinkingLevel on 3.8', model: MODELS.live38, config: { thinkingConfig: { thinkingLevel: genai2.ThinkingLevel.LOW } }, field: 'thinkingConfig.thinkingLevel' },
  { what: 'affective dialog on 3.8', model: MODELS.live38, config: { enableAffectiveDialog: true }, field: 'enableAffectiveDialog' },
  { what: 'a session tool on live translate', model: MODELS.translate, tools: [tool('lookup')], field: 'tools' },
  { what: "the config's own tools on live translate", model: MODELS.translate, config: { tools: [{ googleSearch: {} }] }, field: 'tools' },
  { what: 'an async tool on 3.1', model: MODELS.flash31, tools: [tool('lookup', 'NON_BLOCKING')], field: 'tools.lookup.behavior' },
];

describe(`refusals before any socket, through @google/genai ${SDK_VERSION}`, () => {
  it.each(REFUSED)('$what: connect() fails naming $field, and nothing reaches the emulator', async ({ model, tools, config, field }) => {
    const emu = await emulator();
    const { session, of } = modelSession(emu, model, { tools: tools ?? [], ...(config ? { config } : {}) });
    const failure = await session.connect().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ModelRefusalError);
    expect(failure).toMatchObject({ code: 'MODEL_REFUSES', model, field, retryable: false });
    expect((failure as ModelRefusalError).message).toContain(`${model} refuses ${field}`);
    expect(of('error').map(({ error }) => error)).toEqual([failure]);
    // Asking again changes nothing, and closing leaves nothing behind.
    await expect(session.connect()).rejects.toBeInstanceOf(ModelRefusalError);
    await session.close();
    expect(emu.stats.connections).toBe(0);
    expect(emu.connections).toEqual([]);
  });

  it('lets through what the models take: the same emulator counts those sockets', async () => {
    const emu = await emulator();
    const thinking = await connectedModelSession(emu, MODELS.thinking38, { tools: [tool('search_places')] });
    expect(declaredFunctions(thinking.conn)).toEqual([{ name: 'search_places', behavior: 'NON_BLOCKING' }]);
    await connectedModelSession(emu, MODELS.live38, { config: { proactivity: { proactiveAudio: true } } });
    await connectedModelSession(emu, MODELS.native25, { config: { thinkingConfig: { thinkingLevel: genai2.ThinkingLevel.LOW } } });
    await connectedModelSession(emu, MODELS.translate);
    expect(emu.stats.connections).toBe(4);
    expect(emu.connections.every((connection) => connection.isOpen)).toBe(true);
  });
});
