/**
 * A verified claim as a WBCSD PACT v3.0 ProductFootprint (docs/pact.md cites the spec), so
 * an importer can pass the lot's carbon figure on in the format its customers read.
 *
 *     pcf.declaredUnitOfMeasurement   "kilogram"
 *     pcf.declaredUnitAmount          "1"      (the spec: a product supplied in bulk per kg MUST use 1)
 *     pcf.productMassPerDeclaredUnit  "1"
 *     pcf.pcfExcludingBiogenicUptake  the intensity in kg CO2e per kg, a decimal string:
 *                                     exact when E/Q has a terminating decimal of ≤ 18 places,
 *                                     else rounded up at 18 (lot-intensity.ts); `comment` says which
 *     pcf.geographyCountry            the country of production, only when the caller gives it
 *
 * The lot's note carries one figure: total cradle-to-gate emissions excluding biogenic
 * uptake, declared by the accredited suppliers who minted its inputs and conserved through
 * every proven transition. That is `pcfExcludingBiogenicUptake`, and nothing else of the
 * PACT data model is known. The figures the v3 schema also requires but the proofs do not
 * carry (`pcfIncludingBiogenicUptake`, `fossilGhgEmissions`, `fossilCarbonContent`,
 * `referencePeriodStart`/`End`, `ipccCharacterizationFactors`, `crossSectoralStandards`,
 * `exemptedEmissionsPercent`) are left out rather than invented; `comment` lists them. A
 * reader that needs them must get them from the supplier's own footprint.
 *
 * Identities: nothing upstream. `id` is a UUID (version 8, RFC 9562 §5.8) derived from the
 * registry reference, so one lot always gets one id; `productIds` is the registry
 * reference as a URN; `companyName` and `companyIds` describe whoever issues this
 * footprint (the importer), "undisclosed" unless given.
 *
 * core/pact's reader (`lotEmissionsFromFootprint`) reads the result back: for a lot of Q g
 * it gives E g exactly when the intensity is exact, and at most E + 1 g when rounded (so a
 * rounded lot at the note bound, E = 2^64 − 1 g, reads back as 2^64 g, which it refuses).
 * @module
 */
import { createHash } from 'node:crypto';
import { assertArray, assertString, rangeError } from '../core/assert.ts';
import { CanopyError } from '../core/errors.ts';
import { gramsToKilograms } from './kilograms.ts';
import type { VerifiedClaim } from './verify-lot-passport.ts';

/** The PACT spec version written. */
export const PACT_SPEC_VERSION = '3.0.0';

/** Options of `claimToPactFootprint`. */
export interface PactFootprintOptions {
  /** ISO 3166-1 alpha-2 country of production, if the seller disclosed it. */
  country?: string;
  /** The issuing company (default "undisclosed"). */
  companyName?: string;
  /** URNs of the issuing company (default: a URN of the registry). */
  companyIds?: string[];
}

/** ISO 3166-1 alpha-2 shape. */
export const COUNTRY_CODE = /^[A-Z]{2}$/;

const URN = /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[^\s]+$/;

function urnPart(text: string): string {
  return encodeURIComponent(text);
}

/** A version 8 UUID (RFC 9562 §5.8) from SHA-256 of `text`: deterministic, unique per text. */
function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest();
  h[6] = (h[6]! & 0x0f) | 0x80;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * The claim as a PACT v3.0 ProductFootprint (module comment).
 * @throws {CanopyError} INVALID_INPUT for a lot of 0 g (no footprint per kg)
 * @throws {TypeError|RangeError} if an option is malformed (a country not two capital letters, a company id not a URN)
 * @example const footprint = claimToPactFootprint(claim, { country: 'CO' }); // footprint.pcf.pcfExcludingBiogenicUptake === '4.5'
 */
export function claimToPactFootprint(claim: VerifiedClaim, options: PactFootprintOptions = {}): Record<string, unknown> {
  if (typeof claim !== 'object' || claim === null) throw new TypeError(`"claim" expected VerifiedClaim, got ${String(claim)}`);
  if (options.country !== undefined && (typeof options.country !== 'string' || !COUNTRY_CODE.test(options.country))) rangeError('options.country', 'an ISO 3166-1 alpha-2 code such as "CO"', options.country);
  if (options.companyName !== undefined) assertString(options.companyName, 'options.companyName', 500);
  if (options.companyIds !== undefined) {
    assertArray(options.companyIds, 'options.companyIds', 1, 100);
    options.companyIds.forEach((id, i) => {
      assertString(id, `options.companyIds[${i}]`, 1000);
      if (!URN.test(id)) rangeError(`options.companyIds[${i}]`, 'a URN (RFC 8141) such as "urn:company:example:importer"', id);
    });
  }
  if (claim.intensity === null) throw new CanopyError('INVALID_INPUT', 'the lot weighs 0 g: it has no footprint per kilogram');
  const r = claim.registry;
  const name = claim.commodity.name ?? `commodity ${claim.commodity.code}`;
  const hs = claim.commodity.hs;
  const kg = gramsToKilograms(claim.quantityGrams);
  const omitted = ['pcfIncludingBiogenicUptake', 'fossilGhgEmissions', 'fossilCarbonContent', 'referencePeriodStart', 'referencePeriodEnd', 'ipccCharacterizationFactors', 'crossSectoralStandards', 'exemptedEmissionsPercent'];
  const comment = [
    `Derived from a Canopy lot verified against registry ${r.origin} (entry ${r.sequence}, lots leaf ${r.leafIndex}) at its checkpoint of size ${claim.checkpoint.size} on ${claim.verifiedAt}.`,
    `pcfExcludingBiogenicUptake is the lot's total of ${claim.emissionsGramsCo2e} g CO2e over ${claim.quantityGrams} g, ${claim.intensity.exact ? 'exact' : 'rounded up at 18 decimal places'}: cradle-to-gate emissions declared by accredited suppliers at mint and conserved through every proven transition.`,
    `Not stated, because the proofs do not carry them: ${omitted.join(', ')}.`,
  ].join('\n');
  const pcf: Record<string, unknown> = {
    declaredUnitOfMeasurement: 'kilogram',
    declaredUnitAmount: '1',
    productMassPerDeclaredUnit: '1',
    pcfExcludingBiogenicUptake: claim.intensity.kgCo2ePerKg,
    boundaryProcessesDescription: 'Cradle to gate, as declared by the accredited suppliers of the lot and carried through its processing steps; biogenic uptake excluded.',
  };
  if (options.country !== undefined) pcf.geographyCountry = options.country;
  return {
    id: uuidFrom(`canopy-pact-footprint/1\0${r.origin}\0${r.sequence}\0${r.leafIndex}`),
    specVersion: PACT_SPEC_VERSION,
    created: claim.verifiedAt,
    status: 'Active',
    companyName: options.companyName ?? 'undisclosed',
    companyIds: options.companyIds ?? [`urn:canopy:registry:${urnPart(r.origin)}`],
    productDescription: `${name}${hs === null ? '' : ` (HS ${hs})`}, a lot of ${kg} kg${claim.deforestationFree ? `, deforestation-free under the cut-off ${claim.cutoff.date}` : ''}`,
    productIds: [`urn:canopy:lot:${urnPart(r.origin)}:${r.sequence}:${r.leafIndex}`],
    ...(hs === null ? {} : { productClassifications: [`urn:pact:productclassification:hs:${hs.replace('.', '')}`] }),
    productNameCompany: name,
    comment,
    pcf,
  };
}
