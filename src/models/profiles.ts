/**
 * What each Live model does with tools and input, as a table keyed by model name. The session
 * reads the profile of its model to declare every tool's behaviour explicitly, to gate (or not)
 * while a call runs, to refuse a setup the model would refuse, and to know what "idle" means.
 *
 * Sources: the models' pages and migration guides as of November 2026. The README's table of
 * each model's rules is written from this table (`npm run docs:models`); what each rule rests on,
 * and what rests only on a field report, is in the README's section on the emulator's rules.
 */

/** A function's behaviour, as the API names it. */
export type ToolBehavior = 'BLOCKING' | 'NON_BLOCKING';

/** A setup field a model refuses: where it is, which values it refuses, and why. */
export interface RefusedField {
  /** The field's path in the connect config, e.g. `proactivity.proactiveAudio`. */
  path: string;
  /** Whether the given value is refused (absent: any value is). */
  refuses?(value: unknown): boolean;
  /** Why, in a sentence the error carries. */
  why: string;
}

/** What a model does, as far as the session is concerned. */
export interface ModelProfile {
  /** A name for messages: the model, or the family of models the profile is for. */
  name: string;
  /** The behaviours its tools may have; empty for a model that takes no tools. */
  toolBehaviors: readonly ToolBehavior[];
  /** The behaviour of a tool declared without one. */
  defaultBehavior: ToolBehavior;
  /**
   * What realtime input during a BLOCKING call does: the service closes the socket with 1008, or
   * it cancels the call (sometimes without a `toolCallCancellation`).
   */
  inputDuringBlockingCall: 'closes1008' | 'cancelsCall';
  /** Setup fields it refuses. */
  refusedFields: readonly RefusedField[];
  /** Whether it reports `interactionStatus` (then IDLE, not `turnComplete`, means the model is idle). */
  reportsInteractionStatus: boolean;
  /** Whether it takes a system instruction. */
  systemInstruction: boolean;
  /**
   * After a goAway, whether the old socket is closed before the new one's setup goes out (a resume
   * sent while the old socket was still open got 1011: a field report), or after.
   */
  closeBeforeResume: boolean;
  /**
   * The roles conversation content may carry mid-session (a fresh session's seed, an orphaned
   * call's outcome): user and model turns (3.8), or the user's only, the model's lines quoted.
   */
  contentRoles: 'userAndModel' | 'userOnly';
}

const proactiveAudioOff: RefusedField = {
  path: 'proactivity.proactiveAudio',
  refuses: (value) => value === false,
  why: 'proactive audio is always on; false is an error',
};
const thinkingLevel: RefusedField = { path: 'thinkingConfig.thinkingLevel', why: 'thinkingLevel is not supported' };
const affectiveDialog: RefusedField = {
  path: 'enableAffectiveDialog',
  refuses: (value) => value === true,
  why: 'affective dialog was removed on the Gemini API',
};

/** 2.5 native audio: blocking and async tools, and realtime input during a blocking call closes with 1008. */
const NATIVE_AUDIO_25: ModelProfile = {
  name: 'gemini-2.5-flash-native-audio',
  toolBehaviors: ['BLOCKING', 'NON_BLOCKING'],
  defaultBehavior: 'BLOCKING',
  inputDuringBlockingCall: 'closes1008',
  refusedFields: [],
  reportsInteractionStatus: false,
  systemInstruction: true,
  closeBeforeResume: true,
  contentRoles: 'userOnly',
};

/** 3.1 flash live (legacy preview): synchronous tools only, and the same 1008. */
const FLASH_LIVE_31: ModelProfile = {
  name: 'gemini-3.1-flash-live-preview',
  toolBehaviors: ['BLOCKING'],
  defaultBehavior: 'BLOCKING',
  inputDuringBlockingCall: 'closes1008',
  refusedFields: [],
  reportsInteractionStatus: false,
  systemInstruction: true,
  closeBeforeResume: true,
  contentRoles: 'userOnly',
};

/** 3.8 live: async tools by default, and realtime input during a BLOCKING call cancels it. */
const LIVE_38: ModelProfile = {
  name: 'gemini-3.8-live',
  toolBehaviors: ['BLOCKING', 'NON_BLOCKING'],
  defaultBehavior: 'NON_BLOCKING',
  inputDuringBlockingCall: 'cancelsCall',
  refusedFields: [proactiveAudioOff, thinkingLevel, affectiveDialog],
  reportsInteractionStatus: false,
  systemInstruction: true,
  closeBeforeResume: true,
  // clientContent with explicit user and model roles is allowed for the whole session on 3.8.
  contentRoles: 'userAndModel',
};

/** 3.8 live with extended thinking: async tools only, and interaction status says when it is idle. */
const LIVE_38_EXTENDED: ModelProfile = {
  ...LIVE_38,
  name: 'gemini-3.8-live-extended-thinking',
  toolBehaviors: ['NON_BLOCKING'],
  reportsInteractionStatus: true,
};

/** Live translate: speech to speech, no tools and no instructions. */
const LIVE_TRANSLATE: ModelProfile = {
  name: 'gemini-3.5-live-translate-preview',
  toolBehaviors: [],
  defaultBehavior: 'BLOCKING',
  inputDuringBlockingCall: 'closes1008',
  refusedFields: [],
  reportsInteractionStatus: false,
  systemInstruction: false,
  closeBeforeResume: true,
  contentRoles: 'userOnly',
};

/**
 * The profile of a model nobody has told the session about: tools declared BLOCKING unless they
 * say otherwise, and input held while a blocking call runs, which is right on every model known.
 */
export const CONSERVATIVE_PROFILE: ModelProfile = { ...NATIVE_AUDIO_25, name: 'unknown model (conservative)' };

/**
 * The known models, most specific first: each matches a model name that starts with its key
 * (after any `models/` or `publishers/…/models/` prefix).
 */
export const MODEL_PROFILES: readonly (readonly [prefix: string, profile: ModelProfile])[] = [
  ['gemini-3.8-live-extended-thinking', LIVE_38_EXTENDED],
  ['gemini-3.8-live', LIVE_38],
  ['gemini-3.5-live-translate', LIVE_TRANSLATE],
  ['gemini-3.1-flash-live', FLASH_LIVE_31],
  ['gemini-2.5-flash-native-audio', NATIVE_AUDIO_25],
  ['gemini-live-2.5-flash-native-audio', NATIVE_AUDIO_25],
];

/** A model's name without its resource path: `projects/p/…/models/gemini-3.8-live` → `gemini-3.8-live`. */
export function bareModelName(model: string): string {
  const at = model.lastIndexOf('models/');
  return at < 0 ? model : model.slice(at + 'models/'.length);
}

/** How a profile was found: from the table, given by the application, or the conservative one. */
export type ProfileSource = 'table' | 'application' | 'conservative';

/**
 * The profile of `model`: the application's own (a full profile, or fields over the table's), the
 * table's, or, for a model the table does not know, {@link CONSERVATIVE_PROFILE}.
 *
 * @example
 * ```ts
 * resolveProfile('models/gemini-3.8-live').profile.defaultBehavior; // 'NON_BLOCKING'
 * ```
 */
export function resolveProfile(model: string | undefined, override?: Partial<ModelProfile>): { profile: ModelProfile; source: ProfileSource } {
  const name = model === undefined ? undefined : bareModelName(model);
  const known = name === undefined ? undefined : MODEL_PROFILES.find(([prefix]) => name.startsWith(prefix))?.[1];
  if (override) return { profile: { ...(known ?? CONSERVATIVE_PROFILE), ...override }, source: 'application' };
  if (known) return { profile: known, source: 'table' };
  return { profile: { ...CONSERVATIVE_PROFILE, name: name ?? CONSERVATIVE_PROFILE.name }, source: 'conservative' };
}
