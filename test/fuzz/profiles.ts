/**
 * The models a fuzz case's session and server can play: what the session is told of the model
 * (its `modelProfile`, `whileBlockingCall`), and what the scripted server does (refuse input
 * during a blocking call with 1008, or cancel the call, with or without a toolCallCancellation).
 */
import type { ModelProfile } from '../../src/models/index.js';
import type { ScriptedTransportOptions } from '../../src/testing/index.js';

export interface FuzzProfile {
  modelProfile?: Partial<ModelProfile>;
  whileBlockingCall?: 'gate' | 'interrupt';
  transport: Pick<ScriptedTransportOptions, 'inputDuringBlockingCall' | 'silentCancel'>;
}

const CANCELS: Partial<ModelProfile> = { inputDuringBlockingCall: 'cancelsCall', defaultBehavior: 'NON_BLOCKING' };

/** The profiles by name. */
export const PROFILES = {
  /** 2.5 or 3.1 (the conservative profile): 1008 on input during a blocking call; the old socket closed before a resume. */
  closes1008: { transport: {} },
  /** The same, the old socket kept open after a goAway while calls made on it wait (the issue-11 behaviour). */
  keepsOld: { modelProfile: { closeBeforeResume: false }, transport: {} },
  /** 3.8: tools NON_BLOCKING by default; input during a BLOCKING call cancels it; the session holds input ('gate'). */
  cancels: { modelProfile: CANCELS, transport: { inputDuringBlockingCall: 'cancelsCall' } },
  /** 3.8 under 'interrupt': the user's input goes through and cancels the call, with a toolCallCancellation. */
  interrupts: { modelProfile: CANCELS, whileBlockingCall: 'interrupt', transport: { inputDuringBlockingCall: 'cancelsCall' } },
  /** The same, the server cancelling silently (a field report). */
  interruptsSilently: {
    modelProfile: CANCELS,
    whileBlockingCall: 'interrupt',
    transport: { inputDuringBlockingCall: 'cancelsCall', silentCancel: true },
  },
  /** A model that reports its interaction status: IDLE, not turnComplete, says it is idle. */
  reportsStatus: { modelProfile: { reportsInteractionStatus: true }, transport: {} },
} satisfies Record<string, FuzzProfile>;

export type ProfileName = keyof typeof PROFILES;
export const PROFILE_NAMES = Object.keys(PROFILES) as ProfileName[];
