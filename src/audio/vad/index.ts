/**
 * Voice activity detection: the detector seam, the two built-in detectors (both optional peer
 * dependencies, loaded on first use), the hysteresis that turns frames into speech starts and
 * stops, the pre-roll ring, and the stream that feeds a detector chunks of any size.
 */
export { VAD_SAMPLE_RATE } from './detector.js';
export type { BinarySource, VoiceActivityDetector } from './detector.js';
export { DEFAULT_WEBRTC_FRAME_MS, DEFAULT_WEBRTC_MODE, createWebRtcVad } from './webrtc.js';
export type { WebRtcVadOptions } from './webrtc.js';
export { createSileroVad } from './silero.js';
export type { SileroModelVersion, SileroVadOptions } from './silero.js';
export { DEFAULT_SEGMENTER, createSpeechSegmenter } from './segmenter.js';
export type { SpeechSegmentEvent, SpeechSegmenter, SpeechSegmenterOptions } from './segmenter.js';
export { createPreRollBuffer } from './preRoll.js';
export type { PreRollBuffer, PreRollBufferOptions } from './preRoll.js';
export { createDetectorStream } from './detectorStream.js';
export type { DetectorStream, DetectorStreamOptions, FrameScore } from './detectorStream.js';
