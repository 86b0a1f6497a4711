/**
 * The emulator and the user's activity: every connection records the brackets it gets (with the
 * audio inside each) and whether its setup turned automatic detection off; `strictActivity`
 * refuses activity signals under automatic detection with the service's 1007, and a scenario
 * answers at the end of a bracket.
 */
import { describe, expect, it } from 'vitest';
import { EXPLICIT_ACTIVITY_REFUSED } from '../../src/testing/emulator/index.js';
import { audio, connectRaw, emulator, handled, hasContent } from './helpers.js';

const DETECTION_OFF = { realtimeInputConfig: { automaticActivityDetection: { disabled: true } } };
const start = { realtimeInput: { activityStart: {} } };
const end = { realtimeInput: { activityEnd: {} } };

/** `ms` of 16 kHz PCM16 whose every byte is `value`, as a realtimeInput. */
function marked(ms: number, value: number) {
  return { realtimeInput: { audio: { data: Buffer.alloc(ms * 32, value).toString('base64'), mimeType: 'audio/pcm;rate=16000' } } };
}

describe('the activity a connection hears', () => {
  it('records each bracket with the audio inside it, and the audio outside any', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live, DETECTION_OFF);
    expect(connection.activity.automaticDetection).toBe(false);
    client.send(audio(40));
    client.send(start);
    client.send(marked(20, 1));
    client.send(marked(40, 2));
    client.send(end);
    client.send(audio(20));
    client.send(start);
    client.send(marked(20, 3));
    await handled(connection, 9);
    const [first, second] = connection.activity.brackets;
    expect(connection.activity.brackets).toHaveLength(2);
    expect(first).toMatchObject({ startFrame: 2, endFrame: 5, audioMs: 60 });
    expect(first?.audio).toEqual(new Uint8Array([...Buffer.alloc(640, 1), ...Buffer.alloc(1280, 2)]));
    expect(second).toMatchObject({ startFrame: 7, endFrame: undefined, audioMs: 20 });
    expect(connection.activity.audioOutsideMs).toBe(60);
  });

  it('knows automatic detection is on unless setup turns it off', async () => {
    const live = await emulator();
    const { connection } = await connectRaw(live);
    expect(connection.activity.automaticDetection).toBe(true);
  });
});

describe('strictActivity', () => {
  it('closes 1007 on an activity signal under automatic detection, as the service does', async () => {
    const live = await emulator({ strictActivity: true });
    const { client, connection } = await connectRaw(live);
    client.send(audio(20));
    client.send(start);
    expect(await client.closed).toEqual({ code: 1007, reason: EXPLICIT_ACTIVITY_REFUSED.reason });
    expect(connection.refusal?.problem).toBe('activityStart with automatic activity detection on');
  });

  it('takes the signals when setup turned automatic detection off', async () => {
    const live = await emulator({ strictActivity: true });
    const { client, connection } = await connectRaw(live, DETECTION_OFF);
    client.send(start);
    client.send(audio(20));
    client.send(end);
    await handled(connection, 4);
    expect(connection.isOpen).toBe(true);
    expect(connection.activity.brackets).toHaveLength(1);
  });

  it('is off by default: older scripts send signals with detection on', async () => {
    const live = await emulator();
    const { client, connection } = await connectRaw(live);
    client.send(start);
    client.send(end);
    await handled(connection, 3);
    expect(connection.isOpen).toBe(true);
  });
});

describe('a scenario with detection off', () => {
  it('answers once a bracket closes', async () => {
    const live = await emulator({
      strictActivity: true,
      scenario: { steps: [{ after: { activityEnd: true }, do: [{ outputTranscription: 'heard you' }, { turnComplete: true }] }] },
    });
    const { client } = await connectRaw(live, DETECTION_OFF);
    client.send(start);
    client.send(audio(200));
    client.send(end);
    await client.waitFor(hasContent('turnComplete'));
    expect(client.received.some(({ message }) => hasContent('outputTranscription')(message))).toBe(true);
  });
});
