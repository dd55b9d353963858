/**
 * Canonical JSON per RFC 8785, the JSON Canonicalization Scheme (JCS): one byte string
 * per JSON value, so that a value (a plot's GeoJSON, a manifest) can be hashed and
 * committed to, and anyone re-serialising the same value gets the same digest.
 *
 * Encoding (RFC 8785 §3.2):
 * - no whitespace between tokens;
 * - literals `null`, `true`, `false`;
 * - numbers as ECMAScript's Number.prototype.toString writes them (§3.2.2.3), which is
 *   what `JSON.stringify` emits for a finite number: `-0` → `0`, `1e+30`, `1e-7`,
 *   `4.5`; NaN and ±Infinity are errors;
 * - strings as `JSON.stringify` escapes them (§3.2.2.2): `\"`, `\\`, `\b \t \n \f \r`,
 *   other controls below U+0020 as `\u00xx` (lowercase hex), everything else verbatim,
 *   including `/`, U+007F and U+2028; a lone surrogate is an error (§3.2.2.2, I-JSON);
 * - object members sorted by key, comparing keys as arrays of UTF-16 code units (§3.2.3),
 *   which is JavaScript's default string order; array order is kept;
 * - the output text is encoded as UTF-8 (§3.2.4), which `canonicalJsonBytes` returns.
 *
 * Input is a JavaScript value, not JSON text: null, a boolean, a finite number, a
 * well-formed string, an array of values, or a plain object (prototype Object.prototype or
 * null) of values. Everything else is rejected rather than converted the way
 * JSON.stringify converts it (dropping undefined, calling toJSON, nulling functions), so
 * two callers can never hash different data as the same text:
 * - TypeError for undefined, functions, symbols, bigints, symbol-keyed members, cycles and
 *   non-plain objects (Date, Map, typed arrays, boxed primitives, class instances);
 * - RangeError for NaN, ±Infinity, lone surrogates and nesting deeper than
 *   MAX_CANONICAL_JSON_DEPTH.
 * Each message names the path of the bad value, e.g. `"value.plots[3].area" expected …`.
 *
 * Hand-written rather than taken from a package because the core depends only on
 * `@noble/*`; tests cross-check it against the `canonicalize` package and the RFC 8785
 * test data (tests/vectors/rfc8785/).
 * @module
 */
import { assertString, rangeError, typeError } from './assert.ts';

/** A JSON value as `canonicalJson` accepts it. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/**
 * Deepest nesting accepted (the root is depth 0). Not in RFC 8785: it keeps a hostile
 * value from exhausting the stack, and lies far above any value Canopy hashes
 * (a GeoJSON MultiPolygon nests 4 arrays deep).
 */
export const MAX_CANONICAL_JSON_DEPTH = 256;

// Matches a lone surrogate: with the `u` flag a well-formed pair is read as one
// supplementary code point, so only an unpaired half is a code point of category Cs.
const LONE_SURROGATE = /\p{Cs}/u;

// Identifiers render as `.key` in error paths; other keys as `["key"]`.
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * The RFC 8785 canonical JSON text of `value`.
 * @param value - the value to serialise (attacker-controlled)
 * @param title - names the root in error messages
 * @throws {TypeError} if the value, or any value inside it, is not a JSON value (see module doc)
 * @throws {RangeError} for NaN, ±Infinity, a lone surrogate, or nesting deeper than MAX_CANONICAL_JSON_DEPTH
 * @example canonicalJson({ b: [1e30, 4.50], a: 'é' }) // '{"a":"é","b":[1e+30,4.5]}'
 */
export function canonicalJson(value: unknown, title = 'value'): string {
  assertString(title, 'title');
  const parts: string[] = [];
  serialise(value, { parts, path: [title], open: new Set() });
  return parts.join('');
}

/**
 * The UTF-8 bytes of `canonicalJson(value)`, the form RFC 8785 §3.2.4 hashes.
 * Lossless: lone surrogates, the only strings UTF-8 cannot carry, are rejected.
 * @throws {TypeError|RangeError} as `canonicalJson`
 * @example canonicalJsonBytes({ a: 1 }) // Uint8Array of '{"a":1}'
 */
export function canonicalJsonBytes(value: unknown, title = 'value'): Uint8Array {
  return new TextEncoder().encode(canonicalJson(value, title));
}

interface Walk {
  /** Output tokens, joined once at the end. */
  readonly parts: string[];
  /** Path from the root to the value being serialised; rendered only for an error. */
  readonly path: string[];
  /** Arrays and objects on the current path, to reject cycles. */
  readonly open: Set<object>;
}

function pathOf(walk: Walk): string {
  return walk.path.join('');
}

function serialiseString(s: string, walk: Walk): string {
  if (LONE_SURROGATE.test(s)) rangeError(pathOf(walk), 'string without lone surrogates', s);
  // RFC 8785 §3.2.2.2 specifies exactly JSON.stringify's escaping for a well-formed string.
  return JSON.stringify(s);
}

function serialise(value: unknown, walk: Walk): void {
  const { parts, path } = walk;
  switch (typeof value) {
    case 'boolean':
      parts.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isFinite(value)) rangeError(pathOf(walk), 'finite number', value);
      // Number::toString, as RFC 8785 §3.2.2.3 requires; String(-0) is '0'.
      parts.push(String(value));
      return;
    case 'string':
      parts.push(serialiseString(value, walk));
      return;
    case 'object':
      break;
    default:
      // undefined, bigint, symbol, function: JSON has no such value.
      typeError(pathOf(walk), 'JSON value (null, boolean, finite number, string, array or plain object)', value);
  }
  if (value === null) {
    parts.push('null');
    return;
  }
  const depth = walk.open.size;
  if (walk.open.has(value)) typeError(pathOf(walk), 'acyclic value', value);
  if (depth >= MAX_CANONICAL_JSON_DEPTH) rangeError(pathOf(walk), `nesting of at most ${MAX_CANONICAL_JSON_DEPTH} levels`, value);
  walk.open.add(value);
  if (Array.isArray(value)) {
    parts.push('[');
    for (let i = 0; i < value.length; i++) {
      if (i > 0) parts.push(',');
      path.push(`[${i}]`);
      serialise(value[i], walk);
      path.pop();
    }
    parts.push(']');
  } else {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) typeError(pathOf(walk), 'plain object', value);
    if (Object.getOwnPropertySymbols(value).length > 0) typeError(pathOf(walk), 'object without symbol keys', value);
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, the order RFC 8785 §3.2.3 specifies.
    const keys = Object.keys(record).sort();
    parts.push('{');
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (i > 0) parts.push(',');
      path.push(PLAIN_KEY.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`);
      parts.push(serialiseString(key, walk), ':');
      serialise(record[key], walk);
      path.pop();
    }
    parts.push('}');
  }
  walk.open.delete(value);
}
