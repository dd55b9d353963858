/**
 * The BN254 scalar field, in which every circuit signal and Poseidon input lives.
 *
 * Encodings: an element is a `bigint` in [0, r). On the wire (JSON, snarkjs inputs and
 * public signals) it is a canonical decimal string: no sign, no leading zeros, no
 * whitespace, as snarkjs writes it. Integers with a unit (grams, micro-degrees, indexes)
 * enter the field only through `encodeUint`, which range-checks against an explicit bit
 * width so that a value that does not fit is an error, never a silent wrap modulo r.
 * @module
 */
import { assertBigint, assertInteger, assertString, rangeError, typeError } from './assert.ts';
import { BN254_R } from './poseidon-bn254.ts';

/** BN254 scalar field order r. */
export const FIELD_ORDER = BN254_R;

/**
 * Widest integer `encodeUint` accepts. 2^252 < r, so a 252-bit value never wraps, and
 * sums of up to 2^1 such values stay below r as well (r ≈ 2^253.6).
 */
export const MAX_UINT_BITS = 252;

/**
 * Checks that `value` is a canonical field element.
 * @throws {TypeError} if not a bigint; {RangeError} if outside [0, r)
 * @example assertField(5n, 'leaf')
 */
export function assertField(value: unknown, title: string): asserts value is bigint {
  assertBigint(value, title);
  if (value < 0n || value >= FIELD_ORDER) rangeError(title, 'field element in [0, r)', value);
}

/**
 * Encodes a non-negative integer of at most `bits` bits as a field element.
 * @param value - a bigint, or a safe-integer number
 * @param bits - the width the circuit range-checks it to, 1..252
 * @throws {TypeError} if not an integer; {RangeError} if negative or ≥ 2^bits
 * @example encodeUint(1500n, 64, 'quantityGrams') // 1500n
 */
export function encodeUint(value: bigint | number, bits: number, title: string): bigint {
  assertInteger(bits, 'bits', 1, MAX_UINT_BITS);
  let v: bigint;
  if (typeof value === 'number') {
    assertInteger(value, title, 0);
    v = BigInt(value);
  } else {
    assertBigint(value, title);
    v = value;
  }
  if (v < 0n || v >= 1n << BigInt(bits)) rangeError(title, `integer in [0, 2^${bits})`, v);
  return v;
}

/**
 * Formats a field element as snarkjs does: a canonical decimal string.
 * @throws {RangeError} if `value` is not in [0, r)
 * @example fieldToString(7n) // '7'
 */
export function fieldToString(value: bigint, title = 'value'): string {
  assertField(value, title);
  return value.toString(10);
}

/**
 * Parses a canonical decimal field element. Rejects signs, leading zeros, whitespace,
 * hex, exponents and values ≥ r: the string must equal the re-formatted number.
 * @throws {TypeError} if not a string or not a canonical decimal; {RangeError} if ≥ r
 * @example parseField('7', 'root') // 7n
 */
export function parseField(text: unknown, title: string): bigint {
  assertString(text, title, 80);
  if (!/^(0|[1-9][0-9]*)$/.test(text)) typeError(title, 'canonical decimal field element', text);
  const v = BigInt(text);
  if (v >= FIELD_ORDER) rangeError(title, 'field element in [0, r)', text);
  return v;
}

/** Reduces any integer into [0, r). Only for values the caller knows to be field arithmetic. */
export function mod(value: bigint): bigint {
  const m = value % FIELD_ORDER;
  return m < 0n ? m + FIELD_ORDER : m;
}
