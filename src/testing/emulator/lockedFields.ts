/**
 * The fields an ephemeral token locks, and whether a client's setup keeps to them.
 *
 * A token minted with `liveConnectConstraints` carries the setup it allows
 * (`bidiGenerateContentSetup`) and, unless every field of that setup is locked, a `fieldMask` of
 * dotted paths (`model,generationConfig.responseModalities,…`), as `@google/genai` builds it.
 * Without a mask, the emulator locks the setup's fields two levels deep, the way the SDK spells a
 * mask. A locked field the client leaves out takes the token's value; one it sets to anything
 * else is refused (1007). Whether the real service refuses such a setup or silently overrides the
 * field is unverified: the SDK's documentation says changes are "ignored".
 */

type Json = unknown;

function isObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null;
}

/** The paths `@google/genai` would mask for `setup`: each field, or each of its sub-fields. */
export function fieldPathsOf(setup: Record<string, Json>): string[] {
  const paths: string[] = [];
  for (const [key, value] of Object.entries(setup)) {
    if (isObject(value) && Object.keys(value).length > 0) paths.push(...Object.keys(value).map((sub) => `${key}.${sub}`));
    else paths.push(key);
  }
  return paths;
}

/** The locked paths of a token: its mask, or every field of its setup. */
export function lockedPaths(setup: Record<string, Json> | undefined, fieldMask: string | undefined): string[] {
  if (fieldMask !== undefined) {
    return fieldMask
      .split(',')
      .map((path) => path.trim())
      .filter((path) => path.length > 0);
  }
  return setup ? fieldPathsOf(setup) : [];
}

/** The value at a dotted path (array indices included), or undefined. */
export function valueAt(root: Json, path: string): Json {
  let node = root;
  for (const key of path.split('.')) {
    if (!isObject(node)) return undefined;
    node = node[key];
  }
  return node;
}

/** Structural equality of JSON values, whatever the order of object keys. */
export function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, index) => sameJson(item, b[index]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = Object.keys(a).filter((key) => a[key] !== undefined);
  const otherKeys = Object.keys(b).filter((key) => b[key] !== undefined);
  return keys.length === otherKeys.length && keys.every((key) => sameJson(a[key], b[key]));
}

/** The locked paths at which `client` sets something other than `token` allows. */
export function lockViolations(paths: readonly string[], token: Record<string, Json> | undefined, client: Json): string[] {
  return paths.filter((path) => {
    const wanted = valueAt(client, path);
    return wanted !== undefined && !sameJson(wanted, valueAt(token, path));
  });
}
