/**
 * The Standard Schema and Standard JSON Schema interfaces (standardschema.dev), copied as their
 * spec recommends so that the library depends on no schema package: zod 4, valibot and arktype
 * objects fit them structurally. Flattened from the spec's namespaces; the shapes are the same.
 */

/** What a Standard Schema validator returns when the value is valid. */
export interface StandardSuccessResult<Output> {
  readonly value: Output;
  readonly issues?: undefined;
}

/** One path segment of an issue, when a library does not use a bare key. */
export interface StandardPathSegment {
  readonly key: PropertyKey;
}

/** One problem a Standard Schema validator found. */
export interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | StandardPathSegment> | undefined;
}

/** What a Standard Schema validator returns when the value is invalid. */
export interface StandardFailureResult {
  readonly issues: ReadonlyArray<StandardIssue>;
}

/** The outcome of `~standard.validate`. */
export type StandardResult<Output> = StandardSuccessResult<Output> | StandardFailureResult;

/** The `~standard` property of a Standard Schema. */
export interface StandardSchemaProps<Input = unknown, Output = Input> {
  readonly version: 1;
  readonly vendor: string;
  readonly validate: (
    value: unknown,
    options?: { readonly libraryOptions?: Record<string, unknown> | undefined } | undefined,
  ) => StandardResult<Output> | Promise<StandardResult<Output>>;
  readonly types?: { readonly input: Input; readonly output: Output } | undefined;
}

/**
 * Any Standard Schema validator: a zod 4 schema, a valibot schema, an arktype type, …
 *
 * @example
 * ```ts
 * const schema: StandardSchemaV1<{ city: string }> = z.object({ city: z.string() });
 * ```
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': StandardSchemaProps<Input, Output>;
}

/** The type a Standard Schema accepts. */
export type InferSchemaInput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['input'];

/** The type a Standard Schema produces (after its transforms and defaults). */
export type InferSchemaOutput<Schema extends StandardSchemaV1> = NonNullable<Schema['~standard']['types']>['output'];

/** Which JSON Schema dialect to ask a Standard JSON Schema converter for. */
export type StandardJsonSchemaTarget = 'draft-2020-12' | 'draft-07' | 'openapi-3.0' | (string & {});

/** The converter of the Standard JSON Schema spec: `~standard.jsonSchema`. */
export interface StandardJsonSchemaConverter {
  readonly input: (options: { readonly target: StandardJsonSchemaTarget }) => Record<string, unknown>;
  readonly output: (options: { readonly target: StandardJsonSchemaTarget }) => Record<string, unknown>;
}

/**
 * A schema that converts itself to JSON Schema (Standard JSON Schema): zod ≥ 4.2 and arktype
 * ≥ 2.1.28 natively, valibot through `toStandardJsonSchema()` of `@valibot/to-json-schema`.
 */
export interface StandardJsonSchemaV1 {
  readonly '~standard': { readonly jsonSchema: StandardJsonSchemaConverter };
}

/** Whether a value is a Standard Schema validator (an object or, as arktype's are, a function). */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const props: unknown = (value as { '~standard'?: unknown })['~standard'];
  return typeof props === 'object' && props !== null && typeof (props as { validate?: unknown }).validate === 'function';
}

/** Whether a Standard Schema also carries its own JSON Schema converter. */
export function hasJsonSchemaConverter(schema: StandardSchemaV1): schema is StandardSchemaV1 & StandardJsonSchemaV1 {
  const converter: unknown = (schema['~standard'] as { jsonSchema?: unknown }).jsonSchema;
  return typeof converter === 'object' && converter !== null && typeof (converter as { input?: unknown }).input === 'function';
}
