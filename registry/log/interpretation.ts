/**
 * The interpretation tables: for each proof-bearing entry type and each circuit it may
 * carry, which public signals (by NAME, circuit-signals.ts) play which role.
 *
 *     role        the registry …
 *     roots       requires the value to be in a set: a lots root or plots root that a
 *                 signed checkpoint published, or the root of a dataset entry of the log
 *     nullifiers  requires each value to be unspent, then records it as spent
 *     lotsLeaves  appends each value to the lots tree, in table order
 *     plotsLeaves appends each value to the plots tree, in table order
 *     shared      requires the value to be equal in every proof of the entry
 *
 * A zero value of a nullifier or leaf signal is a disabled slot (docs/lots.md: a disabled
 * input of lot_transition publishes nullifier 0, a disabled output commitment 0) and is
 * skipped. For the single-valued signals zero never occurs with a valid proof (it would
 * need a Poseidon preimage of 0), so skipping it there changes nothing.
 *
 * | entry type         | circuit          | roots                     | nullifiers          | lots leaves                            | plots leaves      | shared                  |
 * | ------------------ | ---------------- | ------------------------- | ------------------- | -------------------------------------- | ----------------- | ----------------------- |
 * | `transition`       | `lot_transition` | `root` → published lots   | `nullifiers[nIn]`   | `outCommitments[2]`                    | —                 | —                       |
 * | `lot-mint`         | `lot_mint`       | —                         | —                   | `outCommitment`                        | —                 | —                       |
 * | `lot-mint`         | `capacity_mint`  | `root` → published lots   | `capacityNullifier` | `lotCommitment`, `remainderCommitment` | —                 | —                       |
 * | `plot-attestation` | `plot_window`    | `datasetRoot` → datasets  | —                   | —                                      | `attestationLeaf` | `datasetRoot`, `cutoffCode` |
 * | `capacity-issue`   | `capacity_issue` | `plotsRoot` → published plots | `issueTag`      | `capacityCommitment`                   | —                 | —                       |
 *
 * Signals not named here are public parameters: the registry checks some of them against
 * the protocol's public tables before it verifies the proof (parameter-checks.ts: a
 * transition's conversion, a capacity issuance's yield ceiling, cut-off and harvest year)
 * and records all of them in the entry for the verifiers of a claim.
 * @module
 */
import type { CircuitId } from './circuit-signals.ts';
import type { ProofEntryType } from './entry.ts';

/** A set a root signal must belong to. */
export type RootSet = 'published-lots-root' | 'published-plots-root' | 'dataset-root';

/** The roles of one circuit's public signals within one entry type. */
export interface Interpretation {
  /** Signals that must be members of a root set. */
  readonly roots: readonly { readonly signal: string; readonly in: RootSet }[];
  /** Signals whose non-zero values are nullifiers to spend. */
  readonly nullifiers: readonly string[];
  /** Signals whose non-zero values are appended to the lots tree, in this order. */
  readonly lotsLeaves: readonly string[];
  /** Signals whose non-zero values are appended to the plots tree, in this order. */
  readonly plotsLeaves: readonly string[];
  /** Signals that must be equal across all proofs of the entry. */
  readonly shared: readonly string[];
}

const none = [] as const;

/** Per entry type, the circuits it may carry and what their signals mean (table above). */
export const INTERPRETATIONS: { readonly [T in ProofEntryType]: Readonly<Partial<Record<CircuitId, Interpretation>>> } = {
  transition: {
    lot_transition: { roots: [{ signal: 'root', in: 'published-lots-root' }], nullifiers: ['nullifiers'], lotsLeaves: ['outCommitments'], plotsLeaves: none, shared: none },
  },
  'lot-mint': {
    lot_mint: { roots: none, nullifiers: none, lotsLeaves: ['outCommitment'], plotsLeaves: none, shared: none },
    capacity_mint: {
      roots: [{ signal: 'root', in: 'published-lots-root' }],
      nullifiers: ['capacityNullifier'],
      lotsLeaves: ['lotCommitment', 'remainderCommitment'],
      plotsLeaves: none,
      shared: none,
    },
  },
  'plot-attestation': {
    plot_window: { roots: [{ signal: 'datasetRoot', in: 'dataset-root' }], nullifiers: none, lotsLeaves: none, plotsLeaves: ['attestationLeaf'], shared: ['datasetRoot', 'cutoffCode'] },
  },
  'capacity-issue': {
    // The issuance tag shares the nullifier set: one capacity note per (attestation, harvest year).
    capacity_issue: { roots: [{ signal: 'plotsRoot', in: 'published-plots-root' }], nullifiers: ['issueTag'], lotsLeaves: ['capacityCommitment'], plotsLeaves: none, shared: none },
  },
};

/** The circuits each proof-bearing entry type may carry: the keys of its table. */
export const ENTRY_CIRCUITS: { readonly [T in ProofEntryType]: readonly CircuitId[] } = {
  transition: Object.keys(INTERPRETATIONS.transition) as CircuitId[],
  'lot-mint': Object.keys(INTERPRETATIONS['lot-mint']) as CircuitId[],
  'plot-attestation': Object.keys(INTERPRETATIONS['plot-attestation']) as CircuitId[],
  'capacity-issue': Object.keys(INTERPRETATIONS['capacity-issue']) as CircuitId[],
};
