/**
 * How the demo's narrative writes quantities: grams as kilograms with thousands
 * separators, exactly (no floating point), e.g. 83415653 g → "83,415.653 kg".
 * @module
 */

/**
 * Grams as an exact decimal number of kilograms with thousands separators.
 * @throws never
 * @example formatKg(83_415_653n) // '83,415.653'
 */
export function formatKg(grams: bigint): string {
  const sign = grams < 0n ? '-' : '';
  const g = grams < 0n ? -grams : grams;
  const whole = (g / 1000n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const rest = (g % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return `${sign}${whole}${rest === '' ? '' : `.${rest}`}`;
}
