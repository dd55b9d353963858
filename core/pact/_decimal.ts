/**
 * Exact decimal arithmetic for carbon figures: a decimal string becomes a rational number
 * with BigInt numerator and denominator, so "0.1" is exactly 1/10 and no figure is ever
 * rounded until the single, final rounding up to whole grams.
 *
 * Grammar (PACT Technical Specifications v3.0, OpenAPI schema `Decimal`:
 * `^[+-]?\d+(\.\d+)?$`; v2.x §"Data Type: Decimal", "a dotted-decimal number", examples
 * `10`, `42.12`, `-182.84`):
 *
 *     decimal = [ "+" | "-" ] digit+ [ "." digit+ ]        digit = "0".."9" (ASCII)
 *
 * Rejected: exponents ("1e3", although the v3 prose lists "1.2345e+6", its schema does not
 * match it), "NaN", "Infinity", a bare "." at either end (".5", "5."), whitespace, "_",
 * non-ASCII digits, and strings longer than DECIMAL_MAX_LENGTH characters, which bounds
 * every numerator and denominator below 10^DECIMAL_MAX_LENGTH < 2^213. Leading zeros are
 * accepted ("007.50" = 15/2): the grammar allows them and the value is unambiguous.
 *
 * Hand-written because the core depends only on `@noble/*` (STYLE rule 3), and the
 * arithmetic needed (parse, multiply, divide, compare, ceiling) is a few lines of BigInt;
 * decimal libraries on npm (decimal.js, big.js) use fixed precision and would round.
 *
 * Internal to core/pact: callers see only whole grams and reduced fractions.
 * @module
 */
import { bug } from '../errors.ts';

/**
 * A rational number num/den. Invariant: den > 0 and gcd(|num|, den) = 1, so equal values
 * have equal representations and `===` on both parts is equality.
 */
export interface Rational {
  readonly num: bigint;
  readonly den: bigint;
}

/** Longest decimal string accepted, sign and point included. */
export const DECIMAL_MAX_LENGTH = 64;

// Anchored, ASCII-only, no backtracking ambiguity: sign, integer digits, optional fraction.
const DECIMAL_GRAMMAR = /^([+-]?)([0-9]+)(?:\.([0-9]+))?$/;

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/**
 * The reduced rational num/den.
 * @throws {Error} "canopy: bad math" if den is 0 (callers divide only by checked non-zero values)
 */
export function rational(num: bigint, den: bigint): Rational {
  if (den === 0n) bug('rational', 'zero denominator');
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const g = gcd(num, den);
  // g ≥ 1 because den ≥ 1.
  return { num: num / g, den: den / g };
}

/**
 * Parses a decimal string exactly, or returns null if `text` is not one (see module doc).
 * "-0" and "-0.00" parse to zero.
 * @example parseDecimal('4.50') // { num: 9n, den: 2n }
 */
export function parseDecimal(text: string): Rational | null {
  if (text.length > DECIMAL_MAX_LENGTH) return null;
  const m = DECIMAL_GRAMMAR.exec(text);
  if (m === null) return null;
  const [, sign, whole, fraction = ''] = m;
  const digits = BigInt(whole! + fraction);
  return rational(sign === '-' ? -digits : digits, 10n ** BigInt(fraction.length));
}

/** a · b, reduced. */
export function mul(a: Rational, b: Rational): Rational {
  return rational(a.num * b.num, a.den * b.den);
}

/** a / b, reduced. @throws {Error} "canopy: bad math" if b is zero */
export function div(a: Rational, b: Rational): Rational {
  return rational(a.num * b.den, a.den * b.num);
}

/** Sign of a: -1, 0 or 1. */
export function sign(a: Rational): -1 | 0 | 1 {
  return a.num > 0n ? 1 : a.num < 0n ? -1 : 0;
}

/** Whether a = b (representations are reduced, so this compares parts). */
export function equal(a: Rational, b: Rational): boolean {
  return a.num === b.num && a.den === b.den;
}

/**
 * The least integer ≥ a, for a ≥ 0.
 * @throws {Error} "canopy: bad math" for a negative value (callers reject negatives first)
 */
export function ceilNonNegative(a: Rational): bigint {
  if (a.num < 0n) bug('ceilNonNegative', 'negative value');
  // num ≥ 0 and den ≥ 1: BigInt division truncates towards zero, which is the floor here.
  return (a.num + a.den - 1n) / a.den;
}
