/**
 * What a model would refuse in a session's setup, found before any socket opens: the session
 * fails `connect()` with a {@link ModelRefusalError} naming the field and the model, instead of
 * a close the service would answer with (1007, for most).
 */
import { ModelRefusalError } from '../protocol/errors.js';
import type { ModelProfile, ToolBehavior } from './profiles.js';

/** The value at a dotted path of a config, if there is one. */
function valueAt(config: object | undefined, path: string): unknown {
  let at: unknown = config;
  for (const key of path.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = Reflect.get(at, key);
  }
  return at;
}

/** What a setup holds that a model may refuse. */
export interface SetupToCheck {
  /** The model, as the session was given it. */
  model: string;
  /** The connect config (`LiveConnectConfig`). */
  config: object | undefined;
  /** Each function tool's name and effective behaviour. */
  tools: readonly { name: string; behavior: ToolBehavior }[];
}

/**
 * The first thing in `setup` the model of `profile` refuses, as an error; undefined when it takes
 * it all.
 *
 * @example
 * ```ts
 * refusalOf(resolveProfile('gemini-3.8-live').profile, {
 *   model: 'gemini-3.8-live',
 *   config: { proactivity: { proactiveAudio: false } },
 *   tools: [],
 * })?.field; // 'proactivity.proactiveAudio'
 * ```
 */
export function refusalOf(profile: ModelProfile, setup: SetupToCheck): ModelRefusalError | undefined {
  const { model, config, tools } = setup;
  const configTools = valueAt(config, 'tools');
  const hasConfigTools = Array.isArray(configTools) ? configTools.length > 0 : configTools !== undefined;
  if (profile.toolBehaviors.length === 0 && (tools.length > 0 || hasConfigTools)) {
    return new ModelRefusalError(model, 'tools', 'the model takes no tools');
  }
  for (const tool of tools) {
    if (!profile.toolBehaviors.includes(tool.behavior)) {
      return new ModelRefusalError(
        model,
        `tools.${tool.name}.behavior`,
        `the model runs ${profile.toolBehaviors.join(' and ')} tools only, and '${tool.name}' is ${tool.behavior}`,
      );
    }
  }
  if (!profile.systemInstruction && valueAt(config, 'systemInstruction') !== undefined) {
    return new ModelRefusalError(model, 'systemInstruction', 'the model takes no instructions');
  }
  for (const field of profile.refusedFields) {
    const value = valueAt(config, field.path);
    if (value !== undefined && (field.refuses?.(value) ?? true)) return new ModelRefusalError(model, field.path, field.why);
  }
  return undefined;
}
