/**
 * The fields of an EUDR due diligence statement (Regulation (EU) 2023/1115, Article 4(2) and
 * Annex II) that a verified claim can fill, for an importer's filing in the EU Information
 * System:
 *
 *     {
 *       "format": "canopy-dds-fields/1",
 *       "hsCode": "090111",                six digits (Annex II point 2), null for a Canopy
 *       "hsHeading": "0901.11",            stage code with no HS heading
 *       "description": "green coffee (not roasted, not decaffeinated)",
 *       "netMassKg": "18000",              exact decimal (point 2: quantity, net mass in kg)
 *       "countryOfProduction": "CO",       ISO 3166-1 alpha-2 (point 3), only when the seller
 *                                          disclosed it; null otherwise
 *       "deforestationFree": true,
 *       "cutoffDate": "2020-12-31",        the cut-off of Article 2(13) the registry enforces
 *       "registryReference": { "origin": …, "sequence": 1207, "leafIndex": 41,
 *                              "checkpointSize": 1300, "verifiedAt": "…" }
 *     }
 *
 * What it does not fill, and why: the operator's own name and address (the importer adds
 * them); the geolocation of the plots (Annex II point 4): Canopy's proofs exist so that
 * plots are not revealed to buyers, and the registry holds only commitments to them; the
 * supplier's disclosure package to an auditor or competent authority carries them.
 * @module
 */
import { rangeError } from '../core/assert.ts';
import { gramsToKilograms } from './kilograms.ts';
import { COUNTRY_CODE } from './pact-footprint.ts';
import type { VerifiedClaim } from './verify-lot-passport.ts';

/** Format id of the DDS fields. */
export const DDS_FIELDS_FORMAT = 'canopy-dds-fields/1';

/** The due diligence statement fields a claim fills. JSON-safe. */
export interface DdsFields {
  format: typeof DDS_FIELDS_FORMAT;
  hsCode: string | null;
  hsHeading: string | null;
  description: string;
  netMassKg: string;
  countryOfProduction: string | null;
  deforestationFree: boolean;
  cutoffDate: string;
  registryReference: { origin: string; sequence: number; leafIndex: number; checkpointSize: number; verifiedAt: string };
}

/**
 * The DDS fields of a verified claim (module comment).
 * @param options.country - ISO 3166-1 alpha-2 country of production, if the seller disclosed it
 * @throws {RangeError} if `country` is not two capital letters
 * @example claimToDdsFields(claim, { country: 'CO' }).netMassKg // '18000'
 */
export function claimToDdsFields(claim: VerifiedClaim, options: { country?: string } = {}): DdsFields {
  if (typeof claim !== 'object' || claim === null) throw new TypeError(`"claim" expected VerifiedClaim, got ${String(claim)}`);
  if (options.country !== undefined && (typeof options.country !== 'string' || !COUNTRY_CODE.test(options.country))) rangeError('options.country', 'an ISO 3166-1 alpha-2 code such as "CO"', options.country);
  const hs = claim.commodity.hs;
  return {
    format: DDS_FIELDS_FORMAT,
    hsCode: hs === null ? null : hs.replace('.', ''),
    hsHeading: hs,
    description: claim.commodity.name ?? `commodity code ${claim.commodity.code}`,
    netMassKg: gramsToKilograms(claim.quantityGrams),
    countryOfProduction: options.country ?? null,
    deforestationFree: claim.deforestationFree,
    cutoffDate: claim.cutoff.date,
    registryReference: {
      origin: claim.registry.origin,
      sequence: claim.registry.sequence,
      leafIndex: claim.registry.leafIndex,
      checkpointSize: claim.checkpoint.size,
      verifiedAt: claim.verifiedAt,
    },
  };
}
