// @ts-check
/**
 * RFC 8785 canonical JSON of a parsed JSON value, in the browser: the bytes a registry entry
 * is hashed from (registry/log/entry.ts: leaf hash = SHA-256(0x00 ‖ canonical JSON of
 * `{ type, version, body }`)). The explorer recomputes every entry's leaf hash from the
 * entry it displays, so that an inclusion proof vouches for what the page shows and not
 * only for a hash the server sent beside it.
 *
 * Same rules as core/canonical-json.ts (which the page cannot load: it is TypeScript):
 * members sorted by UTF-16 code units, no whitespace, strings and finite numbers as
 * `JSON.stringify` writes them (RFC 8785 §3.2.2), lone surrogates and non-finite numbers
 * refused. Input here is what `JSON.parse` returned, so it holds only JSON values.
 * tests/explorer/canonical-json.test.ts holds it to the RFC 8785 reference vectors.
 * @module
 */

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The canonical JSON text of a parsed JSON value.
 * @param {unknown} value
 * @returns {string}
 * @throws {TypeError} for a value JSON.parse cannot produce; {RangeError} for a lone surrogate, a non-finite number, or nesting deeper than 256
 * @example canonicalJson({ b: [1e30, 4.50], a: 'é' }) // '{"a":"é","b":[1e+30,4.5]}'
 */
export function canonicalJson(value) {
  return write(value, 0);
}

/**
 * @param {unknown} v
 * @param {number} depth
 * @returns {string}
 */
function write(v, depth) {
  if (depth > 256) throw new RangeError('"value" expected nesting of at most 256, got deeper');
  if (v === null || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new RangeError(`"value" expected a finite number, got ${v}`);
    return JSON.stringify(v);
  }
  if (typeof v === 'string') {
    if (LONE_SURROGATE.test(v)) throw new RangeError('"value" expected well-formed text, got a lone surrogate');
    return JSON.stringify(v);
  }
  if (Array.isArray(v)) return `[${v.map((x) => write(x, depth + 1)).join(',')}]`;
  if (typeof v === 'object' && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null)) {
    const o = /** @type {Record<string, unknown>} */ (v);
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${write(k, depth + 1)}:${write(o[k], depth + 1)}`)
      .join(',')}}`;
  }
  throw new TypeError(`"value" expected a JSON value, got ${typeof v}`);
}
