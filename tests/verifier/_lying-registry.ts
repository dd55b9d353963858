/**
 * A registry that lies: every read goes to a real registry client, except those the test
 * overrides. The verifier must catch each lie.
 */
import type { VerifierRegistry } from '../../verifier/verifier-registry.ts';

/** `real` with some reads replaced. */
export function lyingRegistry(real: VerifierRegistry, overrides: Partial<Omit<VerifierRegistry, 'baseUrl'>>): VerifierRegistry {
  return {
    baseUrl: real.baseUrl,
    checkpointNote: overrides.checkpointNote ?? (() => real.checkpointNote()),
    treeLeaf: overrides.treeLeaf ?? ((tree, value) => real.treeLeaf(tree, value)),
    treeProof: overrides.treeProof ?? ((tree, i, size) => real.treeProof(tree, i, size)),
    entry: overrides.entry ?? ((seq) => real.entry(seq)),
    entries: overrides.entries ?? ((start, end) => real.entries(start, end)),
    inclusionProof: overrides.inclusionProof ?? ((index, size) => real.inclusionProof(index, size)),
    nullifier: overrides.nullifier ?? ((value) => real.nullifier(value)),
    artifacts: overrides.artifacts ?? (() => real.artifacts()),
  };
}
