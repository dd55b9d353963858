/**
 * A lot's emissions intensity, in exact integer arithmetic (no floating point anywhere):
 *
 *     intensity = emissionsGramsCo2e / quantityGrams          g CO2e per g = kg CO2e per kg
 *
 *     gramsCo2ePerKg  ⌈1000 · E / Q⌉                          an integer, rounded up
 *     kgCo2ePerKg     E / Q as a decimal string               exact when E/Q, reduced, has a
 *                                                             denominator 2^a·5^b with
 *                                                             max(a, b) ≤ 18; otherwise
 *                                                             rounded UP at 18 decimals
 *
 * Rounding is always up, the direction the transition circuits round allocations (no
 * output below the average intensity): a stated intensity never understates the lot's.
 * Eighteen decimals keep the rounding harmless for every note: with Q < 2^48 g,
 * (rounded − exact) · Q < 2^48 · 10^-18 < 1 g, so a reader that multiplies the stated
 * intensity by the lot's mass and rounds up (core/pact `lotEmissionsFromFootprint`) gets
 * E back when the decimal is exact, and E + 1 g at most when it was rounded.
 *
 * A lot of 0 g has no intensity (null).
 * @module
 */
import { assertBigintInRange, assertString, rangeError } from '../core/assert.ts';
import { LOT_EMISSIONS_GRAMS_CO2E_BITS, LOT_QUANTITY_GRAMS_BITS } from '../core/lots/note.ts';

/** Decimal places of a rounded intensity. */
export const INTENSITY_DECIMALS = 18;

/** A lot's intensity. JSON-safe. */
export interface LotIntensity {
  /** ⌈1000 · E / Q⌉, g CO2e per kg, a decimal integer string. */
  gramsCo2ePerKg: string;
  /** E / Q in kg CO2e per kg: exact, or rounded up at 18 decimals (`exact` false). */
  kgCo2ePerKg: string;
  exact: boolean;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

/** `n / 10^d` as a decimal string without trailing zeros. */
function decimalOf(n: bigint, d: number): string {
  const scale = 10n ** BigInt(d);
  const int = (n / scale).toString();
  const frac = (n % scale).toString().padStart(d, '0').replace(/0+$/, '');
  return frac === '' ? int : `${int}.${frac}`;
}

function assertFigures(emissionsGramsCo2e: bigint, quantityGrams: bigint): void {
  assertBigintInRange(emissionsGramsCo2e, 'emissionsGramsCo2e', 0n, 1n << BigInt(LOT_EMISSIONS_GRAMS_CO2E_BITS));
  assertBigintInRange(quantityGrams, 'quantityGrams', 0n, 1n << BigInt(LOT_QUANTITY_GRAMS_BITS));
}

/**
 * The intensity of a lot (module comment), or null for a lot of 0 g.
 * @throws {TypeError|RangeError} if a figure is not a bigint in its note range
 * @example lotIntensity(81_000_000n, 18_000_000n) // { gramsCo2ePerKg: '4500', kgCo2ePerKg: '4.5', exact: true }
 * @example lotIntensity(10n, 3n) // { gramsCo2ePerKg: '3334', kgCo2ePerKg: '3.333333333333333334', exact: false }
 */
export function lotIntensity(emissionsGramsCo2e: bigint, quantityGrams: bigint): LotIntensity | null {
  assertFigures(emissionsGramsCo2e, quantityGrams);
  if (quantityGrams === 0n) return null;
  // Only the reduced denominator decides whether E/Q terminates.
  let den = quantityGrams / gcd(emissionsGramsCo2e, quantityGrams);
  // E/Q terminates iff its reduced denominator is 2^a · 5^b; it then needs max(a, b) places.
  let twos = 0;
  let fives = 0;
  while (den % 2n === 0n) (den /= 2n), twos++;
  while (den % 5n === 0n) (den /= 5n), fives++;
  const places = Math.max(twos, fives);
  const exact = den === 1n && places <= INTENSITY_DECIMALS;
  const d = exact ? places : INTENSITY_DECIMALS;
  return {
    gramsCo2ePerKg: ceilDiv(1000n * emissionsGramsCo2e, quantityGrams).toString(),
    kgCo2ePerKg: decimalOf(ceilDiv(emissionsGramsCo2e * 10n ** BigInt(d), quantityGrams), d),
    exact,
  };
}

const DECIMAL = /^(0|[1-9][0-9]{0,19})(?:\.([0-9]{1,18}))?$/;

/**
 * Whether a lot's exact intensity E/Q, in g CO2e per kg, is at most `max` (compared as
 * fractions: 1000 · E · 10^d ≤ m · Q for max = m / 10^d; no rounding).
 * @param max - an unsigned decimal string such as "4500" or "4500.5"
 * @returns false for a lot of 0 g (it has no intensity)
 * @throws {TypeError|RangeError} if a figure is out of range or `max` is not such a decimal
 * @example intensityAtMost(81_000_000n, 18_000_000n, '4500') // true
 */
export function intensityAtMost(emissionsGramsCo2e: bigint, quantityGrams: bigint, max: string): boolean {
  assertFigures(emissionsGramsCo2e, quantityGrams);
  assertString(max, 'max', 40);
  const m = DECIMAL.exec(max);
  if (m === null) rangeError('max', 'an unsigned decimal such as "4500.5"', max);
  if (quantityGrams === 0n) return false;
  const frac = m[2] ?? '';
  const scaled = BigInt(m[1]! + frac);
  return 1000n * emissionsGramsCo2e * 10n ** BigInt(frac.length) <= scaled * quantityGrams;
}
