/**
 * Gemini's OpenAPI subset (the `Schema` of `FunctionDeclaration.parameters`), both ways it is
 * used here: as JSON Schema, so that the same validator checks it, and as the wire form the
 * service takes (upper-case `Type` names, one type per schema, no keyword it does not know).
 *
 * Neither function throws: a value that is not a schema comes back as it was, and the validator
 * or the emulator reports it.
 */

type SchemaObject = Record<string, unknown>;

const isObject = (value: unknown): value is SchemaObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Subset keywords whose value is an integer the proto may carry as a string (int64 in JSON). */
const INTEGER_KEYWORDS = ['minItems', 'maxItems', 'minLength', 'maxLength', 'minProperties', 'maxProperties'];

/**
 * The JSON Schema an OpenAPI-subset schema means: types in lower case (`TYPE_UNSPECIFIED` is no
 * constraint), `nullable: true` as a `null` alternative (in `type`, `enum` and `anyOf` alike),
 * int64 strings as numbers, and the same inside `properties`, `items` and `anyOf`. Other keywords
 * (`minimum`, `maximum`, `format`, `pattern`, `required`, …) mean the same in both and are kept.
 *
 * @example
 * ```ts
 * openApiToJsonSchema({ type: 'STRING', nullable: true }); // { type: ['string', 'null'] }
 * ```
 */
export function openApiToJsonSchema(schema: unknown): unknown {
  if (!isObject(schema)) return schema;
  const out: SchemaObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key === 'propertyOrdering') continue;
    if (key === 'type') {
      const type = lowerType(value);
      if (type !== undefined) out['type'] = type;
    } else if (key === 'items') out['items'] = openApiToJsonSchema(value);
    else if (key === 'anyOf' && Array.isArray(value)) out['anyOf'] = value.map(openApiToJsonSchema);
    else if (key === 'properties' && isObject(value)) {
      out['properties'] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, openApiToJsonSchema(sub)]));
    } else if (INTEGER_KEYWORDS.includes(key) && typeof value === 'string' && /^\d+$/.test(value)) out[key] = Number(value);
    else out[key] = value;
  }
  return schema['nullable'] === true ? withNull(out) : out;
}

function lowerType(type: unknown): unknown {
  const lower = (name: unknown) => (typeof name === 'string' ? name.toLowerCase() : name);
  if (Array.isArray(type)) return type.map(lower);
  if (type === 'TYPE_UNSPECIFIED') return undefined;
  return lower(type);
}

/** Lets `null` through a schema as well as what it allowed before. */
function withNull(schema: SchemaObject): SchemaObject {
  const out = { ...schema };
  if (typeof out['type'] === 'string') out['type'] = [out['type'], 'null'];
  else if (Array.isArray(out['type']) && !out['type'].includes('null')) out['type'] = [...out['type'], 'null'];
  if (Array.isArray(out['enum']) && !out['enum'].includes(null)) out['enum'] = [...out['enum'], null];
  if (Array.isArray(out['anyOf'])) out['anyOf'] = [...out['anyOf'], { type: 'null' }];
  return out;
}

/**
 * Keywords JSON Schema has and the subset's proto does not: the service refuses a declaration
 * carrying one ("Unknown name … Cannot find field", 1007 on Live). `@google/genai` drops
 * `additionalProperties` from `parameters` itself; other transports need it done here.
 */
const NOT_IN_SUBSET = new Set(['$schema', 'additionalProperties']);

/**
 * The wire form of an OpenAPI-subset schema: `type` in upper case, as the `Type` enum spells it,
 * at every depth (`properties`, `items`, `anyOf`); a list of types becomes one type plus
 * `nullable`, or an `anyOf`, since the proto's `type` holds one value (the SDK does the same).
 *
 * @example
 * ```ts
 * toWireOpenApi({ type: 'object', properties: { n: { type: ['integer', 'null'] } } });
 * // { type: 'OBJECT', properties: { n: { type: 'INTEGER', nullable: true } } }
 * ```
 */
export function toWireOpenApi<Schema>(schema: Schema): Schema {
  if (!isObject(schema)) return schema;
  const out: SchemaObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (NOT_IN_SUBSET.has(key)) continue;
    if (key === 'type') Object.assign(out, wireType(value));
    else if (key === 'items') out['items'] = toWireOpenApi(value);
    else if (key === 'anyOf' && Array.isArray(value)) out['anyOf'] = value.map(toWireOpenApi);
    else if (key === 'properties' && isObject(value)) {
      out['properties'] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, toWireOpenApi(sub)]));
    } else out[key] = value;
  }
  return out as Schema;
}

function wireType(type: unknown): SchemaObject {
  if (typeof type === 'string') return { type: type.toUpperCase() };
  if (!Array.isArray(type)) return { type };
  const names = type.filter((name): name is string => typeof name === 'string').map((name) => name.toUpperCase());
  const nullable = names.includes('NULL');
  const rest = names.filter((name) => name !== 'NULL');
  const single = rest.length === 1 ? { type: rest[0] } : { anyOf: rest.map((name) => ({ type: name })) };
  return nullable ? { ...single, nullable: true } : single;
}
