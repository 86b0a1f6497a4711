/**
 * Checks a call's arguments against its tool's parameter schema before the tool runs.
 */
import type { JsonValue, ParameterSchema } from '../protocol/messages.js';

/**
 * Checks arguments against a schema: required properties, the types of the properties, enums,
 * and array items. Returns the first problem, or `undefined` when the arguments fit.
 */
export function checkArgs(schema: ParameterSchema | undefined, args: unknown): string | undefined {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return 'arguments must be an object';
  return schema ? checkValue(schema, args as JsonValue, 'args') : undefined;
}

function checkValue(schema: ParameterSchema, value: JsonValue, path: string): string | undefined {
  const type = schema.type?.toLowerCase();
  if (type && !hasType(type, value)) return `${path} must be ${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
  if (schema.enum && !schema.enum.includes(value as string)) return `${path} must be one of ${schema.enum.join(', ')}`;
  if (Array.isArray(value) && schema.items) {
    for (const [i, item] of value.entries()) {
      const problem = checkValue(schema.items, item, `${path}[${i}]`);
      if (problem) return problem;
    }
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of schema.required ?? []) {
      if (!(key in value)) return `${path}.${key} is required`;
    }
    for (const [key, propSchema] of Object.entries(schema.properties ?? {})) {
      const prop = value[key];
      if (prop === undefined) continue;
      const problem = checkValue(propSchema, prop, `${path}.${key}`);
      if (problem) return problem;
    }
  }
  return undefined;
}

function hasType(type: string, value: JsonValue): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    default:
      return true;
  }
}
