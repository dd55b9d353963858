/**
 * A first importer policy for one registry, by trust on first use: it pins the
 * verification keys the registry serves right now, and the registry key the caller got
 * from the operator.
 *
 * Trust on first use means: whoever answers at the URL today decides what is pinned. The
 * registry's note key cannot be learnt from the registry (no route serves it; a
 * checkpoint's signature line carries only a 4-byte key hash), so the caller passes it,
 * and it should come from the operator out of band (`canopy registry serve` prints it;
 * DIR/registry.vkey holds it). The verification keys are taken from `GET /v1/artifacts`
 * and each served key must hash to the hash it is served under (pinned-keys.ts); whether
 * they are the keys of an honest setup is what the importer accepts on first use, and
 * what an auditor (or `canopy setup --verify` of the same ceremony) can confirm later.
 *
 * The policy written asks for deforestation-free lots under the EUDR cut-off, accepts any
 * dataset, no cosigners and no intensity limit: the importer edits it from there.
 * @module
 */
import { assertString } from '../core/assert.ts';
import { CanopyError } from '../core/errors.ts';
import { EUDR_CUTOFF_DATE } from '../core/lots/public-parameters.ts';
import type { PublishedArtifacts } from '../registry/api/artifacts.ts';
import { verifyCheckpointNote } from '../registry/client.ts';
import { formatImporterPolicy, type ImporterPolicy, LOT_CIRCUITS, type LotCircuit } from './importer-policy.ts';
import { verificationKeyFileHash } from './pinned-keys.ts';

/** What `initImporterPolicy` reads from the registry. */
export interface PolicyInitRegistry {
  readonly baseUrl: string;
  checkpointNote(): Promise<string>;
  artifacts(): Promise<PublishedArtifacts>;
}

/** A first policy and what the caller must be told about it. */
export interface InitializedPolicy {
  policy: ImporterPolicy;
  /** Sentences to show the user before relying on the policy. */
  warnings: string[];
}

/**
 * Builds a first policy for a registry (module comment).
 * @param registryKey - the registry's note verifier key, obtained from its operator
 * @throws {CanopyError} NOTE_UNVERIFIED, SIGNATURE_INVALID, KEY_MALFORMED if the registry's
 *   checkpoint does not verify under the key; NOT_FOUND if the registry serves no key of a
 *   lot circuit that hashes to its name (one that does not is left out, with a warning); ApiError from the client
 * @example const { policy, warnings } = await initImporterPolicy(new RegistryClient({ baseUrl }), vkey)
 */
export async function initImporterPolicy(registry: PolicyInitRegistry, registryKey: string): Promise<InitializedPolicy> {
  assertString(registryKey, 'registryKey', 1024);
  const { checkpoint } = verifyCheckpointNote(await registry.checkpointNote(), registryKey);
  const artifacts = await registry.artifacts();
  const vkeyHashes: Partial<Record<LotCircuit, string[]>> = {};
  const refused: string[] = [];
  for (const c of artifacts.circuits) {
    if (!(LOT_CIRCUITS as readonly string[]).includes(c.circuit)) continue;
    // A key that does not hash to the hash it is served under is not pinned: proofs naming
    // that hash could never be checked against it.
    const actual = verificationKeyFileHash(c.vkey);
    if (actual !== c.vkeyHash) refused.push(`The registry serves a ${c.circuit} key as ${c.vkeyHash} that hashes to ${actual}: it is not pinned, and lots created under it will be refused.`);
    else (vkeyHashes[c.circuit as LotCircuit] ??= []).push(c.vkeyHash);
  }
  if (Object.keys(vkeyHashes).length === 0) {
    throw new CanopyError('NOT_FOUND', `the registry at ${registry.baseUrl} serves no verification key of ${LOT_CIRCUITS.join(', ')} that hashes to its name${refused.length ? ` (${refused.join(' ')})` : ''}`);
  }
  const policy: ImporterPolicy = {
    registries: [{ origin: checkpoint.origin, key: registryKey, url: registry.baseUrl }],
    cosigners: { k: 0, keys: [] },
    artifacts: { keysDir: null, vkeyHashes },
    datasets: 'any',
    cutoffDate: EUDR_CUTOFF_DATE,
    maxIntensityGramsCo2ePerKg: null,
    requireDeforestationFree: true,
  };
  // Validates what was built (the URL and key included), as reading the file back will.
  formatImporterPolicy(policy);
  const warnings = [
    `TRUST ON FIRST USE: the policy pins the verification keys ${registry.baseUrl} serves today (${Object.entries(vkeyHashes).map(([c, h]) => `${c} ${h![0]!.slice(0, 16)}…`).join(', ')}); whoever answered at that URL chose them.`,
    `It pins the registry key you gave (${registryKey.split('+').slice(0, 2).join('+')}…): compare it with the one the operator published, through a channel other than this registry.`,
  ];
  if (!artifacts.forProduction) warnings.push(`The registry's keys come from a setup marked NOT FOR PRODUCTION (profile ${artifacts.profile}): proofs under them prove nothing against a party that knows the toxic waste.`);
  warnings.push(...refused);
  missingCircuits(vkeyHashes).forEach((c) => warnings.push(`No ${c} key is pinned: lots created by ${c} proofs will be refused until the policy pins one.`));
  return { policy, warnings };
}

function missingCircuits(pinned: Partial<Record<LotCircuit, string[]>>): LotCircuit[] {
  return LOT_CIRCUITS.filter((c) => pinned[c] === undefined);
}
