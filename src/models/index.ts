/**
 * `gemini-live-fsm/models`: what each Live model does with tools and input (its profile), and what
 * its setup may not hold. A session finds its model's profile itself; an application can give one
 * of its own with the `modelProfile` option.
 *
 * @packageDocumentation
 */
export { CONSERVATIVE_PROFILE, MODEL_PROFILES, bareModelName, resolveProfile } from './profiles.js';
export type { ModelProfile, ProfileSource, RefusedField, ToolBehavior } from './profiles.js';
export { refusalOf } from './refusals.js';
export type { SetupToCheck } from './refusals.js';
