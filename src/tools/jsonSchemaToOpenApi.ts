/**
 * A JSON Schema brought down to Gemini's OpenAPI subset, for sessions that declare tools in
 * `parameters` (`toolSchemaField: 'parameters'`): several reports say Live models ignored
 * `parametersJsonSchema` and called tools with empty arguments (docs/tools.md).
 *
 * The conversion keeps what the subset can say and drops the rest; the tool's own schema still
 * checks every call, so a dropped constraint (`exclusiveMinimum`, `additionalProperties`, `const`
 * on a number) is enforced all the same, only not shown to the model.
 */
import type { ParameterSchema } from '../protocol/messages.js';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keywords that mean the same in both, copied as they are. */
const SAME = ['title', 'description', 'format', 'minimum', 'maximum', 'minItems', 'maxItems', 'minLength', 'maxLength', 'minProperties', 'maxProperties', 'pattern', 'default', 'propertyOrdering'];

/**
 * The OpenAPI-subset form of a JSON Schema: local `$ref`s inlined, upper-case types, `null`
 * alternatives as `nullable`, `oneOf` as `anyOf`, a string `const` as a one-value `enum`,
 * exclusive bounds as inclusive ones, `required` limited to declared properties.
 *
 * @throws TypeError for a recursive schema (the subset has no references) or an unresolvable `$ref`.
 *
 * @example
 * ```ts
 * jsonSchemaToOpenApi({ type: 'object', properties: { n: { anyOf: [{ type: 'integer' }, { type: 'null' }] } } });
 * // { type: 'OBJECT', properties: { n: { type: 'INTEGER', nullable: true } } }
 * ```
 */
export function jsonSchemaToOpenApi(schema: Json): ParameterSchema {
  const definitions = { ...(isObject(schema['definitions']) ? schema['definitions'] : {}), ...(isObject(schema['$defs']) ? schema['$defs'] : {}) };
  return convert(schema, definitions, []) as ParameterSchema;
}

function convert(schema: unknown, definitions: Json, refs: readonly string[]): Json {
  if (!isObject(schema)) return {};
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const name = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(ref)?.[1];
    const target = name === undefined ? undefined : definitions[decodeURIComponent(name)];
    if (target === undefined) throw new TypeError(`the $ref ${ref} cannot be resolved`);
    if (refs.includes(ref)) throw new TypeError(`the $ref ${ref} is recursive, which the OpenAPI subset cannot say`);
    const { $ref: _ref, ...siblings } = schema;
    return { ...convert(target, definitions, [...refs, ref]), ...convert(siblings, definitions, refs) };
  }

  const out: Json = {};
  for (const key of SAME) if (schema[key] !== undefined) out[key] = schema[key];
  if (typeof schema['exclusiveMinimum'] === 'number') out['minimum'] = schema['exclusiveMinimum'];
  if (typeof schema['exclusiveMaximum'] === 'number') out['maximum'] = schema['exclusiveMaximum'];
  if (Array.isArray(schema['examples']) && schema['examples'].length > 0) out['example'] = schema['examples'][0];

  Object.assign(out, typeOf(schema['type']));
  const values = Array.isArray(schema['enum']) ? schema['enum'] : typeof schema['const'] === 'string' ? [schema['const']] : undefined;
  if (values) {
    if (values.includes(null)) out['nullable'] = true;
    const strings = values.filter((value) => value !== null);
    // The subset's enum holds strings only; other enums are left to the tool's own check.
    if (strings.every((value) => typeof value === 'string')) {
      out['enum'] = strings;
      out['type'] ??= 'STRING';
    }
  }

  const alternatives = [schema['anyOf'], schema['oneOf']].find(Array.isArray);
  if (alternatives) {
    const rest = alternatives.filter((alternative) => !(isObject(alternative) && alternative['type'] === 'null'));
    if (rest.length < alternatives.length) out['nullable'] = true;
    const converted = rest.map((alternative) => convert(alternative, definitions, refs));
    if (converted.length === 1) Object.assign(out, converted[0]);
    else out['anyOf'] = converted;
  }

  if (isObject(schema['properties'])) {
    const properties = Object.fromEntries(Object.entries(schema['properties']).map(([name, sub]) => [name, convert(sub, definitions, refs)]));
    out['properties'] = properties;
    if (Array.isArray(schema['required'])) out['required'] = schema['required'].filter((name) => typeof name === 'string' && name in properties);
  }
  if (isObject(schema['items'])) out['items'] = convert(schema['items'], definitions, refs);
  else if (out['type'] === 'ARRAY') out['items'] = {};
  return out;
}

function typeOf(type: unknown): Json {
  const names = (Array.isArray(type) ? type : type === undefined ? [] : [type]).filter((name): name is string => typeof name === 'string');
  const rest = names.filter((name) => name !== 'null').map((name) => name.toUpperCase());
  const nullable = rest.length < names.length ? { nullable: true } : {};
  if (rest.length === 0) return nullable;
  if (rest.length === 1) return { type: rest[0], ...nullable };
  return { anyOf: rest.map((name) => ({ type: name })), ...nullable };
}
