/**
 * Checks a value against a JSON Schema with `@cfworker/json-schema`: drafts 4 to 2020-12, no
 * code generation (so it runs under a strict Content-Security-Policy), the same in Node and the
 * browser, about 6 KB gzipped. docs/tools.md says why it was chosen over ajv.
 */
import { Validator, type Schema } from '@cfworker/json-schema';
import { fromJsonSchemaErrors, type ToolIssue } from './issues.js';
import { draftOf } from './schema.js';

// A schema is compiled once; tools keep their schema objects for the whole session.
const validators = new WeakMap<object, Validator>();

/**
 * The issues of `value` against `schema`, `[]` when it fits. Throws when the schema itself is
 * broken (an unresolvable `$ref`, a bad `pattern`, …): the caller reports that as its own failure.
 *
 * @example
 * ```ts
 * checkJsonSchema({ type: 'object', required: ['city'] }, {}); // [{ path: ['city'], message: 'is required' }]
 * ```
 */
export function checkJsonSchema(schema: object, value: unknown): ToolIssue[] {
  let validator = validators.get(schema);
  if (!validator) {
    validator = new Validator(schema as Schema, draftOf(schema), false);
    validators.set(schema, validator);
  }
  const { valid, errors } = validator.validate(value);
  return valid ? [] : fromJsonSchemaErrors(errors);
}
