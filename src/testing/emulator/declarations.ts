/**
 * The function declarations of `setup.tools`, checked the way the service checks them: a bad one
 * closes the connection with 1007 before `setupComplete`.
 *
 * What rests on evidence: `parameters` is a proto message, so a keyword it has no field for is
 * refused as "Unknown name … Cannot find field" (1007 on Live for `$schema` and
 * `additionalProperties`, seen on gemini-3.1-flash-live-preview), a list in `type` as "Proto
 * field is not repeating" and an ARRAY without `items` as "missing field" (generateContent);
 * `parameters` and `parametersJsonSchema` are mutually exclusive (API reference); the name's
 * alphabet and length are documented. Not verified against the service, and marked so below:
 * that a `required` entry must name a declared property, that `type` must be spelled as the
 * enum spells it (upper case), and every check of `parametersJsonSchema`.
 */
import { CLOSE_REASONS, fitReason as fit, type CloseSpec } from './closes.js';

/** A refusal of the setup: the close to send, and what was wrong (for test failures). */
export interface DeclarationRefusal {
  close: CloseSpec;
  problem: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The fields of the proto `Schema` (the OpenAPI subset). */
const SCHEMA_FIELDS = new Set([
  'type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems', 'properties', 'required',
  'minProperties', 'maxProperties', 'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'propertyOrdering',
  'default', 'items', 'minimum', 'maximum',
]);

/** The names of the proto `Type` enum. */
const SCHEMA_TYPES = new Set(['TYPE_UNSPECIFIED', 'STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL']);

/** The type names of JSON Schema. */
const JSON_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object', 'null']);

/** Documented: letters, digits, underscores, colons, dots and dashes, at most 64. */
const FUNCTION_NAME = /^[A-Za-z0-9_.:-]{1,64}$/;


const invalid = (problem: string): DeclarationRefusal => ({ close: CLOSE_REASONS.invalidArgument, problem });

const unknownName = (name: string, at: string): DeclarationRefusal => ({
  close: { code: 1007, reason: fit(`Invalid JSON payload received. Unknown name "${name}" at '${at}': Cannot find field.`) },
  problem: `${at} has ${name}, which the Schema proto does not have`,
});

/** The names of the proto `Behavior` enum. */
const BEHAVIORS = new Set(['UNSPECIFIED', 'BLOCKING', 'NON_BLOCKING']);

/**
 * The first problem with the declarations of a tool list, if any: a setup's `tools` (`at` is
 * `setup.tools`) or a `contextUpdate`'s (`context_update.tools.tools`).
 */
export function checkDeclarations(tools: unknown, at = 'setup.tools'): DeclarationRefusal | undefined {
  if (tools === undefined) return undefined;
  if (!Array.isArray(tools)) return invalid(`${at} is not a list`);
  for (const [t, tool] of tools.entries()) {
    if (!isObject(tool)) return invalid(`${at}[${t}] is not an object`);
    const declarations = tool['functionDeclarations'];
    if (declarations === undefined) continue;
    if (!Array.isArray(declarations)) return invalid(`${at}[${t}].functionDeclarations is not a list`);
    for (const [d, declaration] of declarations.entries()) {
      const refusal = checkDeclaration(declaration, `${at}[${t}].function_declarations[${d}]`);
      if (refusal) return refusal;
    }
  }
  return undefined;
}

function checkDeclaration(declaration: unknown, at: string): DeclarationRefusal | undefined {
  if (!isObject(declaration)) return invalid(`${at} is not an object`);
  const name = declaration['name'];
  if (typeof name !== 'string' || !FUNCTION_NAME.test(name)) return invalid(`${at}.name ${JSON.stringify(name)} is not a valid function name`);
  // Unverified: a value the enum does not have is refused, as protobuf's JSON parser refuses one.
  const behavior = declaration['behavior'];
  if (behavior !== undefined && (typeof behavior !== 'string' || !BEHAVIORS.has(behavior))) {
    return invalid(`${at}.behavior ${JSON.stringify(behavior)} is not a Behavior`);
  }
  const { parameters, parametersJsonSchema } = declaration;
  if (parameters !== undefined && parametersJsonSchema !== undefined) {
    return invalid(`${at} has both parameters and parametersJsonSchema`);
  }
  if (parameters !== undefined) return checkSchema(parameters, `${at}.parameters`);
  if (parametersJsonSchema !== undefined) return checkParametersJsonSchema(parametersJsonSchema, `${at}.parameters_json_schema`);
  return undefined;
}

/** A `parameters` schema: the proto `Schema`, at every depth. */
function checkSchema(schema: unknown, at: string): DeclarationRefusal | undefined {
  if (!isObject(schema)) return invalid(`${at} is not an object`);
  for (const key of Object.keys(schema)) if (!SCHEMA_FIELDS.has(key)) return unknownName(key, at);
  const { type, properties, required, items, anyOf } = schema;
  if (Array.isArray(type)) return invalid(`${at}.type is a list; the proto field is not repeating`);
  // Unverified: lower-case names are refused (the SDK always sends the enum's upper-case names).
  if (type !== undefined && (typeof type !== 'string' || !SCHEMA_TYPES.has(type))) return invalid(`${at}.type ${JSON.stringify(type)} is not a Type`);
  if (schema['enum'] !== undefined && (!Array.isArray(schema['enum']) || !schema['enum'].every((v) => typeof v === 'string'))) {
    return invalid(`${at}.enum must be a list of strings`);
  }
  if (type === 'ARRAY' && items === undefined) return invalid(`${at}.items: missing field`);
  if (properties !== undefined && !isObject(properties)) return invalid(`${at}.properties is not a map`);
  const requiredProblem = checkRequired(required, properties, at);
  if (requiredProblem) return requiredProblem;
  for (const [key, sub] of Object.entries(properties ?? {})) {
    const refusal = checkSchema(sub, `${at}.properties[${key}].value`);
    if (refusal) return refusal;
  }
  if (items !== undefined) {
    const refusal = checkSchema(items, `${at}.items`);
    if (refusal) return refusal;
  }
  if (anyOf !== undefined) {
    if (!Array.isArray(anyOf)) return invalid(`${at}.any_of is not a list`);
    for (const [i, sub] of anyOf.entries()) {
      const refusal = checkSchema(sub, `${at}.any_of[${i}]`);
      if (refusal) return refusal;
    }
  }
  return undefined;
}

/** Unverified against the service: each `required` entry names a declared property. */
function checkRequired(required: unknown, properties: unknown, at: string): DeclarationRefusal | undefined {
  if (required === undefined) return undefined;
  if (!Array.isArray(required) || !required.every((name) => typeof name === 'string')) return invalid(`${at}.required must be a list of names`);
  const known = isObject(properties) ? properties : {};
  for (const [i, name] of required.entries()) {
    if (!Object.hasOwn(known, name)) return invalid(`${at}.required[${i}]: property "${name}" is not defined`);
  }
  return undefined;
}

/**
 * A `parametersJsonSchema`: documented to describe an object. Unverified against the service:
 * that it refuses unknown `type` names and `required` entries naming no property, at any depth.
 */
function checkParametersJsonSchema(schema: unknown, at: string): DeclarationRefusal | undefined {
  if (!isObject(schema)) return invalid(`${at} is not an object`);
  if (schema['type'] !== undefined && schema['type'] !== 'object') return invalid(`${at} must describe an object`);
  return checkJsonSchema(schema, at);
}

function checkJsonSchema(schema: unknown, at: string): DeclarationRefusal | undefined {
  if (typeof schema === 'boolean') return undefined;
  if (!isObject(schema)) return invalid(`${at} is not a schema`);
  const { type, properties, required } = schema;
  const types = Array.isArray(type) ? type : type === undefined ? [] : [type];
  for (const name of types) if (typeof name !== 'string' || !JSON_TYPES.has(name)) return invalid(`${at}.type ${JSON.stringify(name)} is not a JSON type`);
  if (properties !== undefined && !isObject(properties)) return invalid(`${at}.properties is not an object`);
  // JSON Schema allows `required` without `properties`; only a declared map is held to it.
  if (properties !== undefined) {
    const requiredProblem = checkRequired(required, properties, at);
    if (requiredProblem) return requiredProblem;
  }
  const subschemas: [string, unknown][] = [
    ...Object.entries(properties ?? {}).map(([key, sub]): [string, unknown] => [`${at}.properties.${key}`, sub]),
    ...['items', 'additionalProperties', 'not'].map((key): [string, unknown] => [`${at}.${key}`, schema[key]]),
    ...['anyOf', 'oneOf', 'allOf', 'prefixItems', 'items'].flatMap((key) =>
      Array.isArray(schema[key]) ? schema[key].map((sub, i): [string, unknown] => [`${at}.${key}[${i}]`, sub]) : [],
    ),
    ...Object.entries(isObject(schema['$defs']) ? schema['$defs'] : {}).map(([key, sub]): [string, unknown] => [`${at}.$defs.${key}`, sub]),
  ];
  for (const [where, sub] of subschemas) {
    if (sub === undefined) continue;
    const refusal = checkJsonSchema(sub, where);
    if (refusal) return refusal;
  }
  return undefined;
}
