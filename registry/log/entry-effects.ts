/**
 * What appending one entry does to the registry's state, read from the entry through the
 * interpretation tables (interpretation.ts): the proofs to verify, the roots to check,
 * the nullifiers to spend, the leaves to append to each Poseidon tree, the dataset or
 * party it registers, the circuit keys it pins. The sequencer applies effects; an auditor replaying the log derives
 * the same effects from the same bytes, so both trees and the nullifier set are a function
 * of the log alone.
 *
 * Checks that need only the entry happen here: a nullifier repeated within one entry
 * (`NULLIFIER_REPEATED`), windows of one attestation that disagree on a shared signal
 * (`WINDOWS_INCONSISTENT`). Checks against the log's state happen in the sequencer.
 * @module
 */
import { assertInteger } from '../../core/assert.ts';
import { parseField } from '../../core/field.ts';
import type { Groth16Proof } from '../../circuits/toolchain/prove.ts';
import type { PartyChange, PinnedKey } from '../store/store.ts';
import { type CircuitId, flattenPublicSignals, signalValues } from './circuit-signals.ts';
import { assertLogEntry, type LogEntry, type ProofBundle } from './entry.ts';
import { INTERPRETATIONS, type RootSet } from './interpretation.ts';
import { EntryRejectedError } from './rejection.ts';

/** A proof to verify, with its public signals flattened to snarkjs order. */
export interface ProofCheck {
  circuit: CircuitId;
  vkeyHash: string;
  publicSignals: string[];
  proof: Groth16Proof;
}

/** Everything appending an entry does, derived from the entry alone. */
export interface EntryEffects {
  /** Proofs that must verify, in entry order. */
  proofs: ProofCheck[];
  /** Values that must be members of a root set, with the signal they came from. */
  roots: { in: RootSet; value: bigint; signal: string }[];
  /** Nullifiers spent (non-zero, distinct), in entry order. */
  nullifiers: bigint[];
  /** Leaves appended to the lots tree (non-zero), in order. */
  lotsLeaves: bigint[];
  /** Leaves appended to the plots tree (non-zero), in order. */
  plotsLeaves: bigint[];
  /** Dataset root registered, or null. */
  datasetRoot: bigint | null;
  /** Party registered or revoked, or null. */
  party: PartyChange | null;
  /** Circuit keys pinned (an artifacts entry), in circuit id order. */
  pinnedKeys: PinnedKey[];
}

/**
 * The effects of `entry` (see the module comment).
 * @param entry - a log entry (checked with assertLogEntry first)
 * @param index - the entry's index in its append call, reported in a refusal
 * @throws {TypeError|RangeError} if the entry is malformed;
 *   {EntryRejectedError} NULLIFIER_REPEATED or WINDOWS_INCONSISTENT
 * @example entryEffects(transition, 0).nullifiers
 */
export function entryEffects(entry: LogEntry, index = 0): EntryEffects {
  assertLogEntry(entry, 'entry');
  assertInteger(index, 'index');
  const fx: EntryEffects = { proofs: [], roots: [], nullifiers: [], lotsLeaves: [], plotsLeaves: [], datasetRoot: null, party: null, pinnedKeys: [] };
  switch (entry.type) {
    case 'party-registration':
      fx.party = { kind: 'register', partyId: entry.body.partyId, role: entry.body.role, publicKey: entry.body.publicKey };
      return fx;
    case 'party-revocation':
      fx.party = { kind: 'revoke', partyId: entry.body.partyId };
      return fx;
    case 'dataset':
      fx.datasetRoot = parseField(entry.body.datasetRoot, 'entry.body.datasetRoot');
      return fx;
    case 'plot-attestation':
      applyProofs(fx, entry.type, entry.body.windows, index);
      return fx;
    case 'lot-mint':
    case 'transition':
    case 'capacity-issue':
      applyProofs(fx, entry.type, [entry.body.proof], index);
      return fx;
    case 'artifacts':
      // Canonical JSON sorts members, so circuit id order is the order of the entry bytes.
      fx.pinnedKeys = Object.keys(entry.body.circuits)
        .sort()
        .map((circuit) => ({ circuit, vkeyHash: entry.body.circuits[circuit as CircuitId]!.vkeyHash }));
      return fx;
  }
}

function applyProofs(fx: EntryEffects, type: keyof typeof INTERPRETATIONS, bundles: readonly ProofBundle[], index: number): void {
  const seen = new Set<bigint>();
  const sharedValues = new Map<string, string>();
  for (const b of bundles) {
    const table = INTERPRETATIONS[type][b.circuit];
    if (table === undefined) throw new Error(`canopy: bad math in entryEffects: no interpretation of ${b.circuit} in ${type}`);
    fx.proofs.push({ circuit: b.circuit, vkeyHash: b.vkeyHash, publicSignals: flattenPublicSignals(b.circuit, b.publicSignals), proof: b.proof });
    for (const name of table.shared) {
      const v = JSON.stringify(b.publicSignals[name]);
      const first = sharedValues.get(name);
      if (first === undefined) sharedValues.set(name, v);
      else if (first !== v) throw new EntryRejectedError('WINDOWS_INCONSISTENT', index, `${name} is ${first} in the first window and ${v} in another`);
    }
    for (const r of table.roots) {
      for (const value of signalValues(b.publicSignals, r.signal)) {
        // A plot attestation's windows share their dataset root; check it once.
        if (!fx.roots.some((x) => x.in === r.in && x.value === value)) fx.roots.push({ in: r.in, value, signal: r.signal });
      }
    }
    for (const name of table.nullifiers) {
      for (const n of signalValues(b.publicSignals, name)) {
        if (n === 0n) continue;
        if (seen.has(n)) throw new EntryRejectedError('NULLIFIER_REPEATED', index, `nullifier ${n} appears twice in the entry`);
        seen.add(n);
        fx.nullifiers.push(n);
      }
    }
    for (const name of table.lotsLeaves) for (const v of signalValues(b.publicSignals, name)) if (v !== 0n) fx.lotsLeaves.push(v);
    for (const name of table.plotsLeaves) for (const v of signalValues(b.publicSignals, name)) if (v !== 0n) fx.plotsLeaves.push(v);
  }
}
