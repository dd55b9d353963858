/**
 * Grams as kilograms, exactly: a decimal string with at most three places and no trailing
 * zeros ("18000000" g → "18000", "500" g → "0.5"). Used by the claim exports and the CLI report.
 * @module
 */

/**
 * @param grams - a canonical decimal integer string (a note's quantity)
 * @throws {RangeError} if `grams` is not a canonical non-negative decimal integer
 * @example gramsToKilograms('18000500') // '18000.5'
 */
export function gramsToKilograms(grams: string): string {
  if (typeof grams !== 'string' || !/^(0|[1-9][0-9]{0,19})$/.test(grams)) throw new RangeError(`"grams" expected a canonical decimal integer, got ${JSON.stringify(String(grams)).slice(0, 40)}`);
  const g = BigInt(grams);
  const frac = (g % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return frac === '' ? (g / 1000n).toString() : `${g / 1000n}.${frac}`;
}
