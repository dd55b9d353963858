/**
 * Input assertions shared by every export. Each takes the value and a `title` naming it,
 * and throws `"title" expected X, got Y`: a `TypeError` for a wrong type, a `RangeError`
 * for a value out of range. The value is quoted so a caller sees what was wrong.
 * @module
 */

/** Renders an attacker-controlled value for an error message, bounded in length. */
export function describe(value: unknown): string {
  let s: string;
  if (typeof value === 'bigint') s = `${value}n`;
  else if (typeof value === 'string') s = JSON.stringify(value);
  else if (value instanceof Uint8Array) s = `Uint8Array(${value.length})`;
  else if (Array.isArray(value)) s = `array(${value.length})`;
  else if (value === null) s = 'null';
  else if (typeof value === 'object') s = 'object';
  else s = String(value);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

function fail(kind: 'type' | 'range', title: string, expected: string, got: unknown): never {
  const msg = `"${title}" expected ${expected}, got ${describe(got)}`;
  throw kind === 'type' ? new TypeError(msg) : new RangeError(msg);
}

/** @throws {TypeError} if `value` is not a bigint */
export function assertBigint(value: unknown, title: string): asserts value is bigint {
  if (typeof value !== 'bigint') fail('type', title, 'bigint', value);
}

/** @throws {TypeError} if `value` is not a safe integer; {RangeError} if outside [min, max] */
export function assertInteger(value: unknown, title: string, min = 0, max = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail('type', title, 'safe integer', value);
  if (value < min || value > max) fail('range', title, `integer in [${min}, ${max}]`, value);
}

/** @throws {TypeError} if not a bigint; {RangeError} if outside the half-open range [min, max) */
export function assertBigintInRange(value: unknown, title: string, min: bigint, max: bigint): asserts value is bigint {
  assertBigint(value, title);
  if (value < min || value >= max) fail('range', title, `bigint in [${min}, ${max})`, value);
}

/** @throws {TypeError} if `value` is not a Uint8Array; {RangeError} if its length differs from `length` */
export function assertBytes(value: unknown, title: string, length?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) fail('type', title, 'Uint8Array', value);
  if (length !== undefined && value.length !== length) fail('range', title, `${length} bytes`, value);
}

/** @throws {TypeError} if `value` is not a string; {RangeError} if longer than `maxLength` */
export function assertString(value: unknown, title: string, maxLength = Infinity): asserts value is string {
  if (typeof value !== 'string') fail('type', title, 'string', value);
  if (value.length > maxLength) fail('range', title, `string of at most ${maxLength} characters`, value);
}

/** @throws {TypeError} if `value` is not an array; {RangeError} if its length is outside [min, max] */
export function assertArray(value: unknown, title: string, min = 0, max = Infinity): asserts value is unknown[] {
  if (!Array.isArray(value)) fail('type', title, 'array', value);
  if (value.length < min || value.length > max) fail('range', title, `array of ${min}..${max} items`, value);
}

/** @throws {TypeError} if `value` is not a boolean */
export function assertBoolean(value: unknown, title: string): asserts value is boolean {
  if (typeof value !== 'boolean') fail('type', title, 'boolean', value);
}

/** @throws {RangeError} with the standard message; for checks the helpers above do not cover */
export function rangeError(title: string, expected: string, got: unknown): never {
  fail('range', title, expected, got);
}

/** @throws {TypeError} with the standard message; for checks the helpers above do not cover */
export function typeError(title: string, expected: string, got: unknown): never {
  fail('type', title, expected, got);
}
