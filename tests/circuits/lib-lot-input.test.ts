// Circuit tests of circuits/lib/lot_input.circom: LotInput(depth) spends a note of the
// lots tree (core/merkle IncrementalMerkleTree over noteCommitment of core/lots/note.ts)
// and gives its nullifier, or is a neutral disabled slot with nullifier 0. Checked at
// depth 2: the nullifier equals the JS nullifier(noteCommitment(note), ownerSecret); a
// note not in the tree (wrong root, sibling, commodity or secret) is refused; quantity
// 2^48 and emissions 2^64 are refused even for an enabled slot; a disabled slot cannot
// carry quantity, emissions or a false flag, nor publish a real nullifier; and a prover
// cannot switch an enabled slot off in a witness.
//
// Constraints measured (circom 2.2.3, --O2, every input public so the optimiser keeps
// them): LotInput(2) = 1512: 48 + 64 (range checks), 2 (bits), 3 (disabled ⇒ neutral),
// 2 (root and nullifier products), 378 (the note's Poseidon(7)), 520 (MerkleInclusion(2))
// and the remaining 495 for the owner key's Poseidon(2) and the nullifier's Poseidon(3).
import { beforeAll, describe, expect, it } from 'vitest';
import { compileMain, type CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { LOT_EMISSIONS_GRAMS_CO2E_BITS, LOT_QUANTITY_GRAMS_BITS, noteCommitment, nullifier, ownerKey, type LotNote } from '../../core/lots/note.ts';
import { IncrementalMerkleTree } from '../../core/merkle/incremental-merkle-tree.ts';
import { pathIndices } from '../../core/merkle/merkle-proof.ts';
import { expectSatisfied, expectUnsatisfied, expectWitnessFails, fr, honestWitness, mainSignal, R, setSignals } from './_circuit-test.ts';
import { expectRejectedBy } from './_tamper.ts';

const FILE = 'circuits/lib/lot_input.circom';
const DEPTH = 2;
const INPUTS = ['root', 'commodity', 'enabled', 'ownerSecret', 'quantityGrams', 'emissionsGramsCo2e', 'deforestationFree', 'salt', 'pathIndices', 'siblings'];
const CONSTRAINTS = 1512;
const Q_BOUND = 1n << BigInt(LOT_QUANTITY_GRAMS_BITS);
const E_BOUND = 1n << BigInt(LOT_EMISSIONS_GRAMS_CO2E_BITS);
const SECRET = 123456789n;

/** A note held by SECRET. */
function noteOf(fields: Partial<LotNote>): LotNote {
  return { ownerKey: ownerKey(SECRET), commodity: 90111n, quantityGrams: 60_000_000n, emissionsGramsCo2e: 180_000_000n, deforestationFree: true, salt: 987654321n, ...fields };
}

// Leaves 0..3 of the lots tree: three notes of SECRET and one of another owner.
const NOTES: LotNote[] = [
  noteOf({}),
  noteOf({ deforestationFree: false, salt: 5n }),
  noteOf({ quantityGrams: Q_BOUND - 1n, emissionsGramsCo2e: E_BOUND - 1n, salt: 6n }),
  noteOf({ ownerKey: ownerKey(42n), salt: 7n }),
];
const TREE = new IncrementalMerkleTree(DEPTH);
TREE.appendMany(NOTES.map(noteCommitment));

/** The circuit input spending leaf i with `secret`: keys spelled like LotInput's signals. */
function spend(i: number, secret = SECRET): Record<string, bigint | bigint[]> {
  const note = NOTES[i]!;
  return {
    root: TREE.root,
    commodity: note.commodity,
    enabled: 1n,
    ownerSecret: secret,
    quantityGrams: note.quantityGrams,
    emissionsGramsCo2e: note.emissionsGramsCo2e,
    deforestationFree: note.deforestationFree ? 1n : 0n,
    salt: note.salt,
    pathIndices: pathIndices(i, DEPTH).map(BigInt),
    siblings: TREE.proof(i).siblings.slice(),
  };
}

/** A disabled slot: zero quantity and emissions, flag 1, the rest arbitrary. */
const DISABLED = { ...spend(0), enabled: 0n, quantityGrams: 0n, emissionsGramsCo2e: 0n, deforestationFree: 1n, root: 777n };

describe('LotInput', () => {
  let c: CompiledCircuit;
  beforeAll(async () => {
    c = await compileMain({ name: `lib_lot_input_${DEPTH}`, templateFile: FILE, template: 'LotInput', params: [DEPTH], publicInputs: INPUTS });
  });

  it(`has ${CONSTRAINTS} constraints`, () => {
    expect(c.constraints, `LotInput(${DEPTH}).constraints`).toBe(CONSTRAINTS);
  });

  describe('when the slot is enabled', () => {
    for (const [i, label] of [[0, 'a deforestation-free note'], [1, 'a flagged note'], [2, 'a note at the largest quantity and emissions']] as const) {
      it(`gives the JS nullifier of leaf ${i} (${label})`, async () => {
        const w = await honestWitness(c, spend(i));
        const got = mainSignal(c, w, 'nullifier');
        expect(got, `LotInput nullifier of leaf ${i} = ${got}, want nullifier(noteCommitment)`).toBe(nullifier(noteCommitment(NOTES[i]!), SECRET));
      });
    }

    it('refuses a note that is not in the tree', async () => {
      await expectWitnessFails(c, { ...spend(0), root: fr(TREE.root + 1n) });
      await expectWitnessFails(c, { ...spend(0), siblings: [fr(TREE.proof(0).siblings[0]! + 1n), TREE.proof(0).siblings[1]!] });
      await expectWitnessFails(c, { ...spend(0), pathIndices: [1n, 0n] });
      await expectWitnessFails(c, { ...spend(0), commodity: 90112n }); // another commodity hashes to another leaf
      await expectWitnessFails(c, { ...spend(0), quantityGrams: NOTES[0]!.quantityGrams + 1n });
      await expectWitnessFails(c, spend(3)); // another owner's note: SECRET gives another owner key
      await expectWitnessFails(c, spend(0, 42n));
    });

    it('refuses quantity 2^48 and emissions 2^64', async () => {
      await expectWitnessFails(c, { ...spend(2), quantityGrams: Q_BOUND });
      await expectWitnessFails(c, { ...spend(2), emissionsGramsCo2e: E_BOUND });
      await expectWitnessFails(c, { ...spend(0), quantityGrams: R - 1n });
    });

    it('refuses a non-binary deforestationFree', async () => {
      await expectWitnessFails(c, { ...spend(0), deforestationFree: 2n });
    });

    it('does not keep the statement when the root, the nullifier or a field is rewritten in an honest witness', async () => {
      const w = await honestWitness(c, spend(0));
      await expectUnsatisfied(c, setSignals(c, w, { 'main.root': fr(TREE.root + 1n) }));
      await expectUnsatisfied(c, setSignals(c, w, { 'main.nullifier': nullifier(noteCommitment(NOTES[1]!), SECRET) }));
      await expectUnsatisfied(c, setSignals(c, w, { 'main.quantityGrams': NOTES[0]!.quantityGrams + 1n }));
      await expectUnsatisfied(c, setSignals(c, w, { 'main.commodity': 90112n }));
    });

    it('does not let a prover switch the slot off to spend without publishing the nullifier', async () => {
      // enabled = 0 and nullifier = 0 keep both products; the note's quantity, emissions
      // (and range bits, hashes, path) stay honest, so only "disabled ⇒ neutral" objects.
      const w = await honestWitness(c, spend(0));
      await expectRejectedBy(c, setSignals(c, w, { 'main.enabled': 0n, 'main.nullifier': 0n }), ['main.quantityGrams', 'main.emissionsGramsCo2e']);
    });
  });

  describe('when the slot is disabled', () => {
    it('gives nullifier 0 whatever the root, secret, salt and path', async () => {
      for (const input of [DISABLED, { ...DISABLED, root: 0n, ownerSecret: 0n, salt: R - 1n, pathIndices: [1n, 1n], siblings: [0n, 0n] }]) {
        const w = await honestWitness(c, input);
        expect(mainSignal(c, w, 'nullifier'), 'nullifier of a disabled slot').toBe(0n);
      }
    });

    it('refuses non-zero quantity or emissions, or a false flag', async () => {
      await expectWitnessFails(c, { ...DISABLED, quantityGrams: 1n });
      await expectWitnessFails(c, { ...DISABLED, emissionsGramsCo2e: 1n });
      await expectWitnessFails(c, { ...DISABLED, deforestationFree: 0n });
    });

    it('does not let a prover burn a real nullifier from a disabled slot', async () => {
      // A zero-quantity note of SECRET in a disabled slot: its nullifier is computed inside
      // the witness, but the published one must stay 0.
      const w = await honestWitness(c, DISABLED);
      const real = nullifier(noteCommitment(noteOf({ quantityGrams: 0n, emissionsGramsCo2e: 0n })), SECRET);
      await expectUnsatisfied(c, setSignals(c, w, { 'main.nullifier': real }));
      // Control: the disabled witness itself satisfies every constraint.
      await expectSatisfied(c, w);
    });

    it('does not let a prover set a false flag in a disabled slot', async () => {
      // Flipping the flag changes the note's hash; rejected by the neutral-flag rule or the hash.
      const w = await honestWitness(c, DISABLED);
      await expectUnsatisfied(c, setSignals(c, w, { 'main.deforestationFree': 0n }));
    });
  });

  describe('when enabled is not binary', () => {
    it('fails witness generation and the bit constraint', async () => {
      await expectWitnessFails(c, { ...spend(0), enabled: 2n });
      await expectWitnessFails(c, { ...DISABLED, enabled: R - 1n });
      const w = await honestWitness(c, DISABLED);
      await expectUnsatisfied(c, setSignals(c, w, { 'main.enabled': 2n }));
    });
  });
});
