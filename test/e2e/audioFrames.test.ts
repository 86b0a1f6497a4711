import { describe, expect, it } from 'vitest';
import { createGenAITransport } from '../../src/protocol/index.js';
import { audioFrameText } from '../../src/adapters/genai.js';
import { clientFor, emulator, MODEL, onCleanup, SDK_VERSION } from './sdk.js';

const handlers = { onMessage: () => undefined, onClose: () => undefined, onError: () => undefined };

describe(`the prepared audio frame (SDK ${SDK_VERSION})`, () => {
  it('is byte for byte the frame the SDK writes for the same audio', async () => {
    const emu = await emulator();
    const pcm = Uint8Array.from({ length: 640 }, (_, i) => (i * 37) % 256);
    const ai = clientFor(emu);

    const raw = await ai.live.connect({ model: MODEL, callbacks: { onmessage: () => undefined } });
    onCleanup(() => raw.close());
    const rawServer = await emu.nextConnection();
    raw.sendRealtimeInput({ audio: { data: Buffer.from(pcm).toString('base64'), mimeType: 'audio/pcm;rate=16000' } });
    const fromSdk = await rawServer.waitForMessage((m) => m.realtimeInput !== undefined);

    const connection = await createGenAITransport({ ai, model: MODEL }).connect({
      functionDeclarations: [],
      sessionResumption: false,
      resumptionHandle: undefined,
      handlers,
    });
    onCleanup(() => connection.close());
    const ourServer = await emu.nextConnection();
    connection.sendRealtimeInput({ kind: 'audio', data: pcm, mimeType: 'audio/pcm;rate=16000' });
    const fromAdapter = await ourServer.waitForMessage((m) => m.realtimeInput !== undefined);

    expect(fromAdapter).toEqual(fromSdk);
    const sizes = [rawServer, ourServer].map((server) => server.frames.find((f) => f.message?.realtimeInput)?.bytes);
    expect(sizes[1]).toBe(sizes[0]);
    expect(JSON.parse(audioFrameText(pcm))).toEqual(fromSdk);
    expect(audioFrameText(pcm)).toBe(JSON.stringify(fromSdk));
  });
});
