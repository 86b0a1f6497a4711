/**
 * Manual voice-activity signals, for sessions configured with automatic activity detection
 * off (`realtimeInputConfig.automaticActivityDetection.disabled`). The application says when the
 * user starts and stops speaking; the machine keeps the bracket well-formed (I5): a start while
 * one is open and an end with no start are dropped and counted, and an end that arrives while
 * gated is deferred until the gate reopens.
 */
import type { InputEvent } from '../machines/types.js';

/** An activity signal the application can give. */
export type ActivitySignal = 'activityStart' | 'activityEnd' | 'audioStreamEnd';

/** The machine event of an activity signal. */
export function activityEvent(signal: ActivitySignal): InputEvent {
  return { type: `input.${signal}` };
}
