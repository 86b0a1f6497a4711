/**
 * The rules of the model named in `setup`. The emulator reads that model's profile from the same
 * table the session reads (`src/models`), so the library and its stand-in cannot disagree: which
 * behaviour an undeclared function has, what realtime input during a BLOCKING call does, which
 * setup fields the model refuses, and whether it reports `interactionStatus`.
 *
 * This module also keeps the tools in force: the setup's, replaced in order by each
 * `contextUpdate.tools`.
 */
import { bareModelName, refusalOf, resolveProfile, type ModelProfile, type ToolBehavior } from '../../models/index.js';
import { CLOSE_REASONS, fitReason, type CloseSpec } from './closes.js';
import { checkDeclarations } from './declarations.js';
import type { ContextUpdateBody, SetupBody, ToolEntry } from './types.js';

/** A refusal of a setup or of a `contextUpdate`: the close, what was wrong, and the field. */
export interface ModelRefusal {
  close: CloseSpec;
  /** For test failures; not sent. For a model's refusal, the message of the session's `ModelRefusalError`. */
  problem: string;
  /** The refused field as the session names it (`ModelRefusalError.field`), e.g. `thinkingConfig.thinkingLevel`. */
  field?: string;
}

type Json = Record<string, unknown>;

/** Where a refusal was found: in the setup, or in a later `contextUpdate`. */
type Origin = 'setup' | 'contextUpdate';

/** Every function declared in a tool list, with where it sits. */
function declaredFunctions(tools: readonly ToolEntry[]): { name: string; behavior: unknown; at: string }[] {
  return tools.flatMap((tool, t) =>
    (Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : []).map((fn, d) => ({
      name: fn.name,
      behavior: fn.behavior,
      at: `tools[${t}].functionDeclarations[${d}]`,
    })),
  );
}

/** The behaviour a declaration states, or the model's default when it states none (or `UNSPECIFIED`). */
function effectiveBehavior(declared: unknown, profile: ModelProfile): ToolBehavior {
  return declared === 'BLOCKING' || declared === 'NON_BLOCKING' ? declared : profile.defaultBehavior;
}

/**
 * The setup frame seen as the SDK's connect config, which is what `refusalOf` reads: the SDK
 * moves some config fields into `setup.generationConfig` (`thinkingConfig`,
 * `enableAffectiveDialog`, `responseModalities`, `speechConfig`…) and leaves the rest at the top
 * (`proactivity`, `systemInstruction`, `tools`…), in 2.x and 3.x alike.
 */
function connectConfigOf(setup: SetupBody): { config: Json; inGenerationConfig: Set<string> } {
  const { model: _model, generationConfig, ...rest } = setup;
  const generation = generationConfig ?? {};
  return { config: { ...generation, ...rest }, inGenerationConfig: new Set(Object.keys(generation)) };
}

/**
 * The rules one connection plays by, from the model in its setup. Built when setup arrives; the
 * tools in force change with each accepted `contextUpdate`.
 */
export class ModelRules {
  /** The model's profile (the conservative one for a model the table does not know). */
  readonly profile: ModelProfile;
  private tools: ToolEntry[];
  private systemInstruction: unknown;
  private readonly config: Json;
  private readonly inGenerationConfig: Set<string>;

  /**
   * @param setup the setup as it arrived.
   * @param override fields over the table's profile, as the session's `modelProfile` option.
   */
  constructor(
    private readonly setup: SetupBody,
    override?: Partial<ModelProfile>,
  ) {
    this.profile = resolveProfile(setup.model, override).profile;
    this.tools = Array.isArray(setup.tools) ? setup.tools : [];
    this.systemInstruction = setup['systemInstruction'];
    ({ config: this.config, inGenerationConfig: this.inGenerationConfig } = connectConfigOf(setup));
  }

  /** The tool list in force: the setup's, or the latest `contextUpdate`'s. */
  get toolsInForce(): readonly ToolEntry[] {
    return this.tools;
  }

  /** The names of the functions declared in the tools in force. */
  get functionNames(): string[] {
    return declaredFunctions(this.tools).map((fn) => fn.name);
  }

  /** Whether realtime input during a BLOCKING call cancels it (instead of a 1008 close). */
  get inputCancelsBlockingCall(): boolean {
    return this.profile.inputDuringBlockingCall === 'cancelsCall';
  }

  /** The behaviour of a call to `name`: its declaration's in the tools in force, or the model's default. */
  behaviorOf(name: string): ToolBehavior {
    return effectiveBehavior(declaredFunctions(this.tools).find((fn) => fn.name === name)?.behavior, this.profile);
  }

  /** What the model refuses in the setup itself, if anything. */
  setupRefusal(): ModelRefusal | undefined {
    return this.refusalOf(this.config, this.tools, 'setup');
  }

  /**
   * What is wrong with a `contextUpdate`, if anything: a declaration the service refuses, or
   * something the model refuses (a BLOCKING function on extended thinking, tools on live
   * translate). Unverified against the service: that a refused update closes the connection
   * with 1007 as a refused setup does.
   */
  updateRefusal(update: ContextUpdateBody): ModelRefusal | undefined {
    const tools = update.tools === undefined ? undefined : (update.tools.tools ?? []);
    if (tools !== undefined) {
      const bad = checkDeclarations(tools, 'context_update.tools.tools');
      if (bad) return bad;
    }
    const config = { ...this.config, tools: tools ?? this.tools, systemInstruction: update.systemInstruction ?? this.systemInstruction };
    return this.refusalOf(config, tools ?? this.tools, 'contextUpdate');
  }

  /** Applies an accepted `contextUpdate`: its tools replace the tools in force. */
  apply(update: ContextUpdateBody): void {
    if (update.tools !== undefined) this.tools = update.tools.tools ?? [];
    if (update.systemInstruction !== undefined) this.systemInstruction = update.systemInstruction;
  }

  private refusalOf(config: Json, tools: readonly ToolEntry[], origin: Origin): ModelRefusal | undefined {
    const functions = declaredFunctions(tools);
    const error = refusalOf(this.profile, {
      model: bareModelName(this.setup.model),
      config,
      tools: functions.map((fn) => ({ name: fn.name, behavior: effectiveBehavior(fn.behavior, this.profile) })),
    });
    if (!error) return undefined;
    const path = this.wirePath(error.field, functions, origin);
    return { close: refusalClose(path), problem: error.message, field: error.field };
  }

  /** Where the SDK wrote a field the session names by its connect-config path. */
  private wirePath(field: string, functions: readonly { name: string; at: string }[], origin: Origin): string {
    const prefix = origin === 'contextUpdate' ? 'contextUpdate.' : '';
    if (field.startsWith('tools.') && field.endsWith('.behavior')) {
      const name = field.slice('tools.'.length, -'.behavior'.length);
      const at = functions.find((fn) => fn.name === name)?.at ?? 'tools';
      return origin === 'contextUpdate' ? `contextUpdate.tools.${at}.behavior` : `${at}.behavior`;
    }
    if (field === 'tools' || field === 'systemInstruction') return `${prefix}${field}`;
    const head = field.split('.')[0] ?? field;
    return this.inGenerationConfig.has(head) ? `generationConfig.${field}` : field;
  }
}

/**
 * The close for a field the model refuses: 1007, as the service answers an invalid setup, with a
 * reason naming the field where the SDK wrote it. Unverified: the service's own text for these
 * refusals; ours keeps its known prefix and names the field.
 */
function refusalClose(path: string): CloseSpec {
  const base = CLOSE_REASONS.invalidArgument.reason.replace(/\.$/, '');
  const long = `${base}: ${path} is not supported by this model.`;
  return { code: CLOSE_REASONS.invalidArgument.code, reason: Buffer.byteLength(long) <= 123 ? long : fitReason(`${base}: ${path}`) };
}
