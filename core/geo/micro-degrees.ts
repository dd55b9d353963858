/**
 * Decimal degrees → integer micro-degrees (µ°), the only rounding in the plot pipeline.
 *
 * A GeoJSON coordinate arrives as a JSON number, i.e. an IEEE-754 double. Its value is
 * read through its shortest round-trip decimal string (ECMAScript Number::toString, the
 * string RFC 8785 canonical JSON writes), so the result depends only on the number and
 * not on how the file spelled it ("18.60", "18.6" and "1.86e1" all give 18 600 000 µ°):
 *
 *     value  = ±D · 10^E             (D, E read exactly from the shortest string)
 *     micro  = round_half_away_from_zero(±D · 10^(E+6))
 *
 * The division by 10^k is done in BigInt, so no binary floating point is involved after
 * the parse. Consequences, stated once here and in docs/plots.md:
 * - a coordinate with at most 6 decimals converts exactly;
 * - a coordinate with more decimals moves by at most 0.5 µ° (exactly 0.5 only on a tie),
 *   i.e. at most 5.6 cm in latitude and less in longitude;
 * - everything after this step (rasterisation, ring checks, hashing) is exact integer
 *   arithmetic, so this is the only rounding between the file and the pixel mask.
 *
 * Conversion back (`microToDegrees`) returns µ°/10^6 as a double, whose shortest string
 * is exactly the decimal with at most 6 places (a number of ≤ 9 significant digits is
 * recovered by the shortest round-trip algorithm), so µ° → degrees → µ° is the identity.
 * @module
 */
import { assertInteger, rangeError, typeError } from '../assert.ts';
import { bug } from '../errors.ts';
import { MICRO_PER_DEGREE } from './grid.ts';

/** Largest |degrees| accepted by `toMicroDegrees`: beyond any coordinate, far below 2^53 µ°. */
export const MAX_ABS_DEGREES = 1000;

// Shortest round-trip strings look like "-71.7377505", "5e-7", "1.5e-7", "123", "1e+21".
const NUMBER_STRING = /^(-?)([0-9]+)(?:\.([0-9]+))?(?:e([+-][0-9]+))?$/;

interface Decimal {
  negative: boolean;
  /** All significant digits as an integer. */
  digits: bigint;
  /** Power of ten: |value| = digits · 10^exponent. */
  exponent: number;
}

function readDecimal(value: number, title: string): Decimal {
  if (typeof value !== 'number') typeError(title, 'number', value);
  if (!Number.isFinite(value)) rangeError(title, 'finite number', value);
  if (Math.abs(value) > MAX_ABS_DEGREES) rangeError(title, `number in [-${MAX_ABS_DEGREES}, ${MAX_ABS_DEGREES}]`, value);
  const m = NUMBER_STRING.exec(String(value));
  // Number::toString of a finite number always matches; anything else is a bug.
  if (m === null) bug('readDecimal', String(value));
  const fraction = m[3] ?? '';
  return {
    negative: m[1] === '-',
    digits: BigInt(m[2]! + fraction),
    exponent: Number(m[4] ?? '0') - fraction.length,
  };
}

/**
 * Integer micro-degrees of a coordinate, rounding half away from zero.
 * @param value - degrees as a JSON number (attacker-controlled), |value| ≤ MAX_ABS_DEGREES
 * @param title - names the value in error messages, e.g. `features[0].geometry.coordinates[0][3][1]`
 * @returns µ°, a safe integer
 * @throws {TypeError} if `value` is not a number
 * @throws {RangeError} if it is NaN, ±Infinity, or |value| > MAX_ABS_DEGREES
 * @example toMicroDegrees(-71.7377505) // -71737751 (tie: away from zero)
 * @example toMicroDegrees(18.6871234) // 18687123
 */
export function toMicroDegrees(value: number, title = 'degrees'): number {
  const { negative, digits, exponent } = readDecimal(value, title);
  const shift = exponent + 6;
  let micro: bigint;
  if (shift >= 0) {
    micro = digits * 10n ** BigInt(shift);
  } else {
    const divisor = 10n ** BigInt(-shift);
    const q = digits / divisor;
    const r = digits % divisor;
    // Half away from zero on the magnitude; the sign is applied afterwards, so the rule
    // is symmetric: -0.0000005° → -1 µ° and 0.0000005° → 1 µ°.
    micro = 2n * r >= divisor ? q + 1n : q;
  }
  const out = Number(negative ? -micro : micro);
  // |value| ≤ 1000° gives |micro| ≤ 1e9, far inside the safe range; -0 normalised to 0.
  return out === 0 ? 0 : out;
}

/**
 * Decimal places of a coordinate as its shortest round-trip string shows them: trailing
 * zeros a file may have written ("18.600000") are not part of the number and are not
 * counted (18.6 → 1). The EUDR precision check therefore looks at the most decimals any
 * coordinate of a feature shows (see core/geo/geojson.ts), not at each coordinate.
 * @throws {TypeError|RangeError} as `toMicroDegrees`
 * @example decimalPlaces(-71.737751) // 6
 * @example decimalPlaces(5e-7) // 7
 */
export function decimalPlaces(value: number, title = 'degrees'): number {
  return Math.max(0, -readDecimal(value, title).exponent);
}

/**
 * Degrees as a double from integer µ°; the inverse of `toMicroDegrees` on integers.
 * @throws {TypeError|RangeError} if `micro` is not an integer in [-1e9, 1e9]
 * @example microToDegrees(-71737751) // -71.737751
 */
export function microToDegrees(micro: number, title = 'micro'): number {
  assertInteger(micro, title, -MAX_ABS_DEGREES * MICRO_PER_DEGREE, MAX_ABS_DEGREES * MICRO_PER_DEGREE);
  // Correctly rounded division of two exact doubles: the nearest double to micro·10^-6.
  return micro / MICRO_PER_DEGREE;
}

/**
 * Exact decimal text of µ° with six places, for messages and reports.
 * @throws {TypeError|RangeError} if `micro` is not an integer in [-1e9, 1e9]
 * @example formatMicroDegrees(-71737750) // "-71.737750"
 */
export function formatMicroDegrees(micro: number, title = 'micro'): string {
  assertInteger(micro, title, -MAX_ABS_DEGREES * MICRO_PER_DEGREE, MAX_ABS_DEGREES * MICRO_PER_DEGREE);
  const abs = Math.abs(micro);
  const whole = Math.floor(abs / MICRO_PER_DEGREE);
  const frac = String(abs % MICRO_PER_DEGREE).padStart(6, '0');
  return `${micro < 0 ? '-' : ''}${whole}.${frac}`;
}
