/**
 * The `activity` option, checked when the session is created (each refusal an
 * `InvalidOptionsError` that names what is wrong), and what setup declares for each mode.
 */
import { describe, expect, it } from 'vitest';
import { connectConfig } from '../../src/adapters/genai.js';
import { createLiveSession, type LiveSessionOptions } from '../../src/index.js';
import { InvalidOptionsError } from '../../src/protocol/errors.js';
import { createScriptedTransport } from '../../src/testing/index.js';
import { energyDetector } from './activityAudio.js';

function refusal(options: Record<string, unknown>): string {
  try {
    createLiveSession({ transport: createScriptedTransport(), ...options } as LiveSessionOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidOptionsError);
    return (error as InvalidOptionsError).reason;
  }
  throw new Error('the options were accepted');
}

/** A fake SDK client: only `live.connect` is looked at when the session is created. */
const ai = { live: { connect: () => Promise.reject(new Error('not used')) } };

describe('the activity option', () => {
  it('refuses a mode that is not one of the three', () => {
    expect(refusal({ activity: 'auto' })).toMatch(/activity must be 'vad', 'manual' or 'server'.*got auto/);
    expect(refusal({ activity: { mode: 'loud' } })).toMatch(/got \{ mode: loud \}/);
    expect(refusal({ activity: 7 })).toMatch(/activity must be/);
  });

  it('refuses bad settings, saying which', () => {
    expect(refusal({ activity: { mode: 'vad', preRollMs: -1 } })).toMatch(/^activity: preRollMs must be a finite number ≥ 0, got -1/);
    expect(refusal({ activity: { mode: 'vad', preRollMs: 5000 } })).toMatch(/activity\.preRollMs must be at most 2000 ms, got 5000/);
    expect(refusal({ activity: { mode: 'vad', detector: {} } })).toMatch(/detector must be a VoiceActivityDetector or a function/);
    expect(refusal({ activity: { mode: 'vad', segmenter: { hangoverMs: -5 } } })).toMatch(/^activity\.segmenter: hangoverMs must be a finite number ≥ 0/);
    expect(refusal({ activity: { mode: 'vad', segmenter: 'fast' } })).toMatch(/activity\.segmenter must be an object/);
    expect(refusal({ activity: { mode: 'server', detector: energyDetector(), maxBacklogMs: Number.NaN } })).toMatch(/maxBacklogMs must be a finite number/);
  });

  it('refuses settings the mode would ignore', () => {
    expect(refusal({ activity: { mode: 'manual', detector: energyDetector() } })).toMatch(/activity\.detector: 'manual' mode runs no detector/);
    expect(refusal({ activity: { mode: 'manual', segmenter: {} } })).toMatch(/activity\.segmenter: 'manual' mode runs no detector/);
    expect(refusal({ activity: { mode: 'server', preRollMs: 300 } })).toMatch(/activity\.preRollMs: in 'server' mode/);
  });

  it('refuses a connect config that contradicts the mode', () => {
    const detectionOn = { realtimeInputConfig: { automaticActivityDetection: { disabled: false } } };
    const detectionOff = { realtimeInputConfig: { automaticActivityDetection: { disabled: true } } };
    const transport = undefined;
    expect(refusal({ transport, ai, model: 'm', config: detectionOn, activity: 'vad' })).toMatch(/activity 'vad' brackets speech on the client, and .*disabled is false/);
    expect(refusal({ transport, ai, model: 'm', config: detectionOn, activity: 'manual' })).toMatch(/activity 'manual' brackets speech/);
    expect(refusal({ transport, ai, model: 'm', config: detectionOff, activity: 'server' })).toMatch(/activity 'server' needs the server's activity detection/);
    // Agreeing configs are fine.
    expect(() => createLiveSession({ ai: ai as never, model: 'm', config: detectionOff, activity: 'vad' })).not.toThrow();
    expect(() => createLiveSession({ ai: ai as never, model: 'm', config: detectionOn, activity: 'server' })).not.toThrow();
  });
});

describe('what setup declares', () => {
  const request = { functionDeclarations: [], sessionResumption: false, resumptionHandle: undefined };

  it("turns the server's detection off when the session brackets speech, keeping the rest of the config", () => {
    const config = connectConfig(
      { realtimeInputConfig: { automaticActivityDetection: { silenceDurationMs: 300 }, activityHandling: 'NO_INTERRUPTION' as never } },
      { ...request, automaticActivityDetection: false },
    );
    expect(config.realtimeInputConfig).toEqual({
      activityHandling: 'NO_INTERRUPTION',
      automaticActivityDetection: { silenceDurationMs: 300, disabled: true },
    });
    expect(connectConfig(undefined, { ...request, automaticActivityDetection: false })).toEqual({
      realtimeInputConfig: { automaticActivityDetection: { disabled: true } },
    });
  });

  it('leaves the config alone otherwise', () => {
    expect(connectConfig({ temperature: 0 }, request)).toEqual({ temperature: 0 });
    expect(connectConfig({ temperature: 0 }, { ...request, automaticActivityDetection: true })).toEqual({ temperature: 0 });
  });
});
