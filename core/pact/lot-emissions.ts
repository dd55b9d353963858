/**
 * A lot's total emissions (integer grams CO2e, the note's `emissionsGramsCo2e`) from a
 * supplier's figures: a WBCSD PACT product footprint, or a plain intensity or total given
 * on the command line.
 *
 * Arithmetic. A footprint gives P kgCO2e per declared unit and a declared unit weighs
 * M kg (see `_read-footprint.ts` for how each version gives M). kgCO2e per kg equals
 * gCO2e per g, so for a lot of Q grams:
 *
 *     emissionsGramsCo2e = ⌈ P · Q / M ⌉
 *
 * P and M are parsed exactly from their decimal strings into BigInt fractions
 * (`_decimal.ts`) and the quotient is rounded once, UP to a whole gram: the figure is the
 * supplier's binding claim, and rounding up never understates it (the same direction as
 * the transition circuits' allocation rule, docs/lots.md rule 4).
 *
 * Ranges (the note's widths, core/lots/note.ts): Q in [1, 2^48) grams; the result must be
 * below 2^64 grams.
 *
 * Privacy. The result keeps what the lot needs and no upstream identity: no footprint id,
 * company name or ids, product ids or description. It does carry the SHA-256 of the
 * footprint's RFC 8785 canonical JSON, so the supplier can commit to the exact document and
 * disclose it to an auditor later. That digest identifies the footprint to anyone holding a
 * copy of it, so keep it inside a salted commitment or a disclosure package, never in a
 * public signal.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { assertBigint, assertString, describe, rangeError, typeError } from '../assert.ts';
import { canonicalJsonBytes } from '../canonical-json.ts';
import { CanopyError } from '../errors.ts';
import { LOT_EMISSIONS_GRAMS_CO2E_BITS as LOT_EMISSIONS_BITS, LOT_QUANTITY_GRAMS_BITS as LOT_QUANTITY_BITS } from '../lots/note.ts';
import { ceilNonNegative, div, mul, parseDecimal, type Rational, rational } from './_decimal.ts';
import { assertFootprintObject, readFootprint } from './_read-footprint.ts';

/** Largest footprint accepted, in bytes of its canonical JSON. Real footprints are a few KiB. */
export const PACT_FOOTPRINT_MAX_BYTES = 1 << 20;

/** An exact non-negative fraction, both parts canonical decimal strings, reduced. JSON-safe. */
export interface Fraction {
  numerator: string;
  denominator: string;
}

/** The emissions came from a PACT footprint. */
export interface PactFootprintBasis {
  kind: 'pact-footprint';
  /** The footprint's `specVersion`, e.g. "2.3.0" or "3.0.0". */
  specVersion: string;
  /** Unit of measurement (`declaredUnit` in v2, `declaredUnitOfMeasurement` in v3). */
  declaredUnit: string;
  /** Units per declared unit: "1" in v2, `declaredUnitAmount` in v3, verbatim. */
  declaredUnitAmount: string;
  /** Emissions per declared unit, kgCO2e, verbatim (`pCfExcludingBiogenic` / `pcfExcludingBiogenicUptake`). */
  kgCo2ePerDeclaredUnit: string;
  /** Mass of one declared unit, kg, verbatim from the field it follows from. */
  kgPerDeclaredUnit: string;
  /** The exact intensity before rounding: gCO2e per g (= kgCO2e per kg). */
  gramsCo2ePerGram: Fraction;
  /** SHA-256 of the footprint's RFC 8785 canonical JSON, lowercase hex. */
  footprintSha256: string;
}

/** The emissions came from an intensity given by the supplier. */
export interface DeclaredIntensityBasis {
  kind: 'declared-intensity';
  /** kgCO2e per kg, verbatim. */
  kgCo2ePerKg: string;
  /** The exact intensity before rounding: gCO2e per g. */
  gramsCo2ePerGram: Fraction;
}

/** The emissions are a total given by the supplier. */
export interface DeclaredTotalBasis {
  kind: 'declared-total';
}

/** Where a lot's emissions figure came from; JSON-safe. */
export type EmissionsBasis = PactFootprintBasis | DeclaredIntensityBasis | DeclaredTotalBasis;

/** A lot's emissions and how they were obtained. */
export interface LotEmissions {
  /** Total emissions of the lot, grams CO2e, in [0, 2^64). */
  emissionsGramsCo2e: bigint;
  basis: EmissionsBasis;
}

/** Figures given directly: an intensity, or the lot's total. */
export type PlainFigures = { kgCo2ePerKg: string } | { gramsCo2eTotal: bigint };

function assertQuantity(quantityGrams: unknown): asserts quantityGrams is bigint {
  assertBigint(quantityGrams, 'quantityGrams');
  if (quantityGrams < 1n || quantityGrams >= 1n << BigInt(LOT_QUANTITY_BITS)) {
    rangeError('quantityGrams', `integer in [1, 2^${LOT_QUANTITY_BITS})`, quantityGrams);
  }
}

/** ⌈intensity · Q⌉, range-checked against the note's emissions width. */
function lotTotal(intensity: Rational, quantityGrams: bigint): bigint {
  const total = ceilNonNegative(mul(intensity, rational(quantityGrams, 1n)));
  if (total >= 1n << BigInt(LOT_EMISSIONS_BITS)) {
    rangeError('emissionsGramsCo2e', `integer in [0, 2^${LOT_EMISSIONS_BITS}) (the lot is too large for this intensity)`, total);
  }
  return total;
}

function fraction(r: Rational): Fraction {
  return { numerator: r.num.toString(10), denominator: r.den.toString(10) };
}

/**
 * The emissions of a lot of `quantityGrams` grams of a product, from the product's PACT
 * footprint (v2.0–2.3 or v3.0), exact and rounded up to a whole gram.
 * @param footprint - a ProductFootprint as `JSON.parse` returns it (attacker-controlled);
 *   not an API response wrapper: pass its `data` member
 * @param quantityGrams - the lot's mass, in [1, 2^48)
 * @returns the emissions and a basis holding only the figures used and the footprint's SHA-256
 * @throws {TypeError|RangeError} if `quantityGrams` is not a bigint in [1, 2^48), or the
 *   result is 2^64 g or more
 * @throws {CanopyError} FOOTPRINT_MALFORMED if the footprint breaks the spec or is not a JSON
 *   value under PACT_FOOTPRINT_MAX_BYTES; FOOTPRINT_UNSUPPORTED if it cannot give a lot's
 *   emissions (unknown version, deprecated, unit without mass, negative figure). The message
 *   names the field and the reason.
 * @example
 * const footprint = JSON.parse(readFileSync('green-coffee.pcf.json', 'utf8'));
 * lotEmissionsFromFootprint(footprint, 18_000_000n).emissionsGramsCo2e // 81000000n at 4.5 kgCO2e/kg
 */
export function lotEmissionsFromFootprint(footprint: unknown, quantityGrams: bigint): LotEmissions {
  assertQuantity(quantityGrams);
  assertFootprintObject(footprint);
  let canonical: Uint8Array;
  try {
    canonical = canonicalJsonBytes(footprint, 'footprint');
  } catch (cause) {
    throw new CanopyError('FOOTPRINT_MALFORMED', `PACT footprint is not a JSON value: ${(cause as Error).message}`, { cause });
  }
  if (canonical.length > PACT_FOOTPRINT_MAX_BYTES) {
    throw new CanopyError('FOOTPRINT_MALFORMED', `PACT footprint of ${canonical.length} bytes exceeds ${PACT_FOOTPRINT_MAX_BYTES} bytes`);
  }
  const f = readFootprint(footprint);
  // massKg > 0: readFootprint refuses a zero or missing mass.
  const intensity = div(f.pcf, f.massKg);
  return {
    emissionsGramsCo2e: lotTotal(intensity, quantityGrams),
    basis: {
      kind: 'pact-footprint',
      specVersion: f.specVersion,
      declaredUnit: f.unit,
      declaredUnitAmount: f.unitAmountText,
      kgCo2ePerDeclaredUnit: f.pcfText,
      kgPerDeclaredUnit: f.massKgText,
      gramsCo2ePerGram: fraction(intensity),
      footprintSha256: bytesToHex(sha256(canonical)),
    },
  };
}

// Unsigned: a figure typed on the command line has no use for a sign.
const PLAIN_DECIMAL = /^[0-9]+(?:\.[0-9]+)?$/;

/**
 * The emissions of a lot from figures given directly, for a supplier without a PACT
 * footprint: an intensity in kgCO2e per kg (a decimal string, exact, rounded up once), or
 * the lot's total in grams CO2e.
 * @param figures - exactly one of `{ kgCo2ePerKg: '4.5' }` or `{ gramsCo2eTotal: 81000000n }`
 * @param quantityGrams - the lot's mass, in [1, 2^48)
 * @throws {TypeError} if `figures` has not exactly one of the two members, or a member has
 *   the wrong type or is not an unsigned decimal of at most 64 characters
 * @throws {RangeError} if `quantityGrams` is outside [1, 2^48), or the total is outside [0, 2^64)
 * @example emissionsFromPlainFigures({ kgCo2ePerKg: '4.5' }, 18_000_000n).emissionsGramsCo2e // 81000000n
 */
export function emissionsFromPlainFigures(figures: PlainFigures, quantityGrams: bigint): LotEmissions {
  if (typeof figures !== 'object' || figures === null || Array.isArray(figures)) typeError('figures', 'object', figures);
  const keys = Object.keys(figures);
  if (keys.length !== 1 || (keys[0] !== 'kgCo2ePerKg' && keys[0] !== 'gramsCo2eTotal')) {
    typeError('figures', 'exactly one of kgCo2ePerKg, gramsCo2eTotal', `keys ${describe(keys.join(', '))}`);
  }
  assertQuantity(quantityGrams);
  if (keys[0] === 'gramsCo2eTotal') {
    const total = (figures as { gramsCo2eTotal: unknown }).gramsCo2eTotal;
    assertBigint(total, 'figures.gramsCo2eTotal');
    if (total < 0n || total >= 1n << BigInt(LOT_EMISSIONS_BITS)) {
      rangeError('figures.gramsCo2eTotal', `integer in [0, 2^${LOT_EMISSIONS_BITS})`, total);
    }
    return { emissionsGramsCo2e: total, basis: { kind: 'declared-total' } };
  }
  const text = (figures as { kgCo2ePerKg: unknown }).kgCo2ePerKg;
  assertString(text, 'figures.kgCo2ePerKg', 64);
  const intensity = PLAIN_DECIMAL.test(text) ? parseDecimal(text) : null;
  if (intensity === null) typeError('figures.kgCo2ePerKg', 'unsigned decimal string such as "4.5"', text);
  return {
    emissionsGramsCo2e: lotTotal(intensity, quantityGrams),
    basis: { kind: 'declared-intensity', kgCo2ePerKg: text, gramsCo2ePerGram: fraction(intensity) },
  };
}
