/**
 * `gemini-live-fsm/audio`: audio in and out of a session. Sources of 16 kHz PCM16 for
 * `session.attachMic` (a paced PCM stream, a WAV file, synthetic speech, the browser microphone),
 * the resampling they share, voice activity detection (detectors, hysteresis, pre-roll, the
 * activity actor a session runs with its `activity` option, and that option's types), and players
 * of the model's 24 kHz audio that stop within one render quantum on barge-in (an AudioWorklet in
 * the browser, any writable stream in Node).
 *
 * @packageDocumentation
 */
export { pacedPcm, readWav, syntheticSpeech } from './sources.js';
export type { DecodedWav, PacedPcmOptions } from './sources.js';
export { mediaStreamSource } from './browserMic.js';
export type { MediaStreamAudioSource, MediaStreamSourceOptions } from './browserMic.js';
export { createChunker, createPcm16Converter, createStreamResampler, floatToPcm16 } from './resample.js';
export type { StreamResampler } from './resample.js';
export * from './vad/index.js';
export { DEFAULT_PRE_ROLL_MS, activityLogic, checkActivityInput } from '../actors/activity.js';
export type { ActivityInput, DetectorSource } from '../actors/activity.js';
export type { ActivityCommand, ActivityEvent, ActivityMode } from '../machines/activityEvents.js';
export type { ActivityOption, SessionActivityOptions } from '../session/activityOptions.js';
export { createAudioPlayer } from './audioPlayer.js';
export type { AudioPlayerOptions, BrowserAudioPlayer } from './audioPlayer.js';
export { createStreamPlayer } from './streamPlayer.js';
export type { PcmSink, StreamPlayerOptions } from './streamPlayer.js';
export { pcm16ToFloat } from './player.js';
export type { AttachOptions, AudioPlayer, PlaybackReport, PlaybackStats, PlayerSession } from './player.js';
