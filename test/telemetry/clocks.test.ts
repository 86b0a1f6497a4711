import { describe, expect, it } from 'vitest';
import { GateClock, TurnLatency } from '../../src/telemetry/clocks.js';

describe('the gate clock', () => {
  it('adds up the closed stretches and runs while closed', () => {
    const gate = new GateClock();
    expect(gate.open(5)).toBeUndefined();
    gate.close(10);
    gate.close(12); // already closed: the stretch started at 10
    expect(gate.read(15)).toBe(5);
    expect(gate.open(30)).toBe(20);
    expect(gate.read(100)).toBe(20);
    gate.close(200);
    expect(gate.read(250)).toBe(70);
  });
});

describe('time to the first model audio', () => {
  it('prefers the application’s own end of turn to the server’s finished transcription', () => {
    const turns = new TurnLatency();
    turns.userStopped('audioStreamEnd', 100);
    turns.transcriptFinished(300);
    expect(turns.modelAudio(450)).toEqual({ ms: 350, signal: 'audioStreamEnd' });
    expect(turns.modelAudio(460)).toBeUndefined();
  });

  it('falls back on the transcription, and measures once per stop', () => {
    const turns = new TurnLatency();
    turns.transcriptFinished(1000);
    expect(turns.modelAudio(1600)).toEqual({ ms: 600, signal: 'inputTranscription' });
    turns.userStopped('activityEnd', 2000);
    turns.userSpeaks();
    expect(turns.modelAudio(2500)).toBeUndefined();
  });
});
