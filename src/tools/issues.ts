/**
 * What was wrong with a tool's arguments or result, in one shape whichever validator found it,
 * and the text the model gets back: each issue's path and message, so it can correct itself.
 */
import type { StandardIssue } from './standardSchema.js';

/** One problem with a value: where (`[]` is the value itself) and what. */
export interface ToolIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/** The issues of a Standard Schema validator, with its path segments flattened to keys. */
export function fromStandardIssues(issues: readonly StandardIssue[]): ToolIssue[] {
  return issues.map((issue) => ({
    path: (issue.path ?? []).map((segment) => {
      const key = typeof segment === 'object' && segment !== null ? segment.key : segment;
      return typeof key === 'number' ? key : String(key);
    }),
    message: String(issue.message),
  }));
}

/** One error unit of `@cfworker/json-schema`'s output. */
export interface JsonSchemaError {
  readonly instanceLocation: string;
  readonly keyword: string;
  readonly keywordLocation: string;
  readonly error: string;
}

/**
 * Keywords whose error only says that something below failed; the error below says what. Dropped
 * so that each problem is listed once, where it is.
 */
const CONTAINERS = new Set([
  'properties', 'patternProperties', 'additionalProperties', 'unevaluatedProperties', 'items', 'prefixItems',
  'additionalItems', 'unevaluatedItems', 'contains', 'allOf', '$ref', '$recursiveRef', 'dependentSchemas',
  'dependencies', 'if', 'then', 'else', 'propertyNames',
]);

/** Keywords whose error stands for its failed alternatives: these are folded into its message. */
const ALTERNATIVES = new Set(['anyOf', 'oneOf']);

/**
 * The issues of a JSON Schema validation, one per problem: a missing property is reported at its
 * own path ("is required"), an `anyOf` lists what each alternative wanted, and container errors
 * ("Property "x" does not match schema") give way to the error they stand for.
 */
export function fromJsonSchemaErrors(errors: readonly JsonSchemaError[]): ToolIssue[] {
  const alternatives = errors.filter((error) => ALTERNATIVES.has(error.keyword));
  const insideAlternative = (error: JsonSchemaError) =>
    alternatives.some((outer) => outer !== error && error.keywordLocation.startsWith(`${outer.keywordLocation}/`));
  const issues: ToolIssue[] = [];
  for (const error of errors) {
    if (CONTAINERS.has(error.keyword) || insideAlternative(error)) continue;
    const path = pointerPath(error.instanceLocation);
    if (error.keyword === 'required') {
      const missing = /required property "(.*)"/.exec(error.error)?.[1];
      issues.push(missing === undefined ? { path, message: tidy(error.error) } : { path: [...path, missing], message: 'is required' });
    } else if (error.keyword === 'false') {
      issues.push({ path, message: 'is not allowed here' });
    } else if (ALTERNATIVES.has(error.keyword)) {
      const wanted = errors
        .filter((inner) => inner.keywordLocation.startsWith(`${error.keywordLocation}/`) && !CONTAINERS.has(inner.keyword))
        .map(messageOf);
      const detail = wanted.length > 0 ? ` (${[...new Set(wanted)].join('; or ')})` : '';
      issues.push({ path, message: `matches none of the allowed forms${detail}` });
    } else {
      issues.push({ path, message: messageOf(error) });
    }
  }
  return issues;
}

/** `#/tags/1` → `['tags', 1]`, undoing JSON Pointer escapes. */
function pointerPath(location: string): (string | number)[] {
  return location
    .replace(/^#\/?/, '')
    .split('/')
    .filter((part) => part !== '')
    .map((part) => decodePointerPart(part).replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
}

function decodePointerPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

const tidy = (message: string) => message.replace(/\.$/, '');

/** The validator's message, shortened where it is long-winded: `expected string or null, got number`. */
function messageOf(error: JsonSchemaError): string {
  const type = /^Instance type "(.*?)" is invalid\. Expected (.*?)\.?$/.exec(error.error);
  if (error.keyword !== 'type' || !type) return tidy(error.error);
  const expected = (type[2] ?? '').split(',').map((name) => name.trim().replace(/^"|"$/g, ''));
  return `expected ${expected.join(' or ')}, got ${type[1]}`;
}

/**
 * A path as the model reads it: `args.tags[1]`, `args["odd key"]`, or `args` for the value itself.
 *
 * @example
 * ```ts
 * formatPath('args', ['items', 0, 'name']); // 'args.items[0].name'
 * ```
 */
export function formatPath(root: string, path: readonly (string | number)[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return /^[A-Za-z_$][\w$]*$/.test(key) ? `${text}.${key}` : `${text}[${JSON.stringify(key)}]`;
  }, root);
}

/** Every issue as `path: message`, joined by `; `. */
export function formatIssues(root: string, issues: readonly ToolIssue[]): string {
  return issues.map((issue) => `${formatPath(root, issue.path)}: ${issue.message}`).join('; ');
}
