/**
 * The `policy` check of a lot claim: what the importer requires of a lot whose proofs all
 * passed. A pure function of the note, the registry's complete list of datasets, and the
 * policy, run last by `verifyLotPassport`:
 *
 *     requireDeforestationFree   the note's flag must be 1
 *     cutoffDate                 for a deforestation-free lot: the registry's cut-off
 *                                (EUDR_CUTOFF_DATE, core/lots/public-parameters.ts) must not be
 *                                later than the policy's
 *     datasets                   for a deforestation-free lot and a list: EVERY dataset the
 *                                registry registered must be on it, root (and manifest hash when
 *                                the policy gives one) equal. The proofs hide which dataset a
 *                                lot's plots were attested against, so one unaccepted dataset
 *                                in the registry is one the lot may descend from.
 *     maxIntensityGramsCo2ePerKg E / Q ≤ max, compared exactly (lot-intensity.ts); a lot of 0 g
 *                                has no intensity and fails a maximum
 *
 * A lot that makes no deforestation-free claim rests on no dataset and no cut-off, so those
 * two rules do not apply to it (and `requireDeforestationFree` refuses it when asked).
 * @module
 */
import type { LotNote } from '../core/lots/note.ts';
import { EUDR_CUTOFF_DATE } from '../core/lots/public-parameters.ts';
import { ClaimRejectedError } from './claim-rejected.ts';
import type { ImporterPolicy } from './importer-policy.ts';
import { intensityAtMost, lotIntensity } from './lot-intensity.ts';
import type { RegistryDataset } from './registry-datasets.ts';

const short = (s: string): string => (s.length > 16 ? `${s.slice(0, 8)}…${s.slice(-6)}` : s);

/**
 * Holds a note against a policy (module comment).
 * @param datasets - every dataset registered in the registry (registry-datasets.ts)
 * @returns the requirements met, for the report (empty when the policy asks for none)
 * @throws {ClaimRejectedError} check `policy`, naming the rule and the value that breaks it
 * @example checkClaimPolicy(note, datasets, policy) // ['deforestation-free', 'cut-off 2020-12-31 ≤ 2020-12-31']
 */
export function checkClaimPolicy(note: LotNote, datasets: readonly RegistryDataset[], policy: ImporterPolicy): string[] {
  const met: string[] = [];
  const fail = (message: string): never => {
    throw new ClaimRejectedError('policy', message);
  };
  if (policy.requireDeforestationFree) {
    if (!note.deforestationFree) fail('the lot is not deforestation-free (its note carries deforestationFree 0), and the policy requires it');
    met.push('deforestation-free');
  }
  if (note.deforestationFree && policy.cutoffDate !== null) {
    // ISO dates (YYYY-MM-DD) order as strings.
    if (EUDR_CUTOFF_DATE > policy.cutoffDate) fail(`the registry's deforestation cut-off is ${EUDR_CUTOFF_DATE}, later than the policy's ${policy.cutoffDate}`);
    met.push(`cut-off ${EUDR_CUTOFF_DATE} ≤ ${policy.cutoffDate}`);
  }
  if (note.deforestationFree && policy.datasets !== 'any') {
    const accepted = policy.datasets;
    for (const d of datasets) {
      const ok = accepted.some((a) => a.root === d.root && (a.manifestSha256 === null || a.manifestSha256 === d.manifestSha256));
      if (!ok) {
        fail(`the registry has registered dataset ${JSON.stringify(d.name)} (root ${short(d.root)}, manifest ${d.manifestSha256.slice(0, 12)}…, entry ${d.sequence}), which the policy does not accept; a deforestation-free lot may descend from any registered dataset`);
      }
    }
    met.push(`all ${datasets.length} registered datasets accepted`);
  }
  const max = policy.maxIntensityGramsCo2ePerKg;
  if (max !== null) {
    const intensity = lotIntensity(note.emissionsGramsCo2e, note.quantityGrams);
    if (intensity === null) fail('the lot weighs 0 g, so it has no intensity to hold against the policy maximum');
    if (!intensityAtMost(note.emissionsGramsCo2e, note.quantityGrams, max)) {
      fail(`the lot's intensity is ${intensity!.kgCo2ePerKg} kg CO2e/kg (${intensity!.gramsCo2ePerKg} g/kg rounded up), above the policy maximum of ${max} g CO2e/kg`);
    }
    met.push(`intensity ≤ ${max} g CO2e/kg`);
  }
  return met;
}
