// Circuit tests of circuits/lib/lot_output.circom: LotOutput() gives the commitment of
// noteCommitment (core/lots/note.ts) for an enabled slot and 0 for a disabled one; a
// disabled slot cannot carry quantity or emissions, every field is range-checked as
// fresh (quantity < 2^48, emissions < 2^64, deforestationFree and enabled binary), and a
// prover cannot switch an enabled slot off, or publish another commitment, in a witness.
//
// Constraints measured (circom 2.2.3, --O2, every input public so the optimiser keeps
// them): LotOutput() = 495 = 48 + 64 (range checks) + 2 (bits) + 2 (disabled ⇒ zero)
// + 1 (commitment product) + 378 (the Poseidon(7) of the note, tag constant).
import { beforeAll, describe, expect, it } from 'vitest';
import { compileMain, type CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { LOT_EMISSIONS_GRAMS_CO2E_BITS, LOT_QUANTITY_GRAMS_BITS, noteCommitment, ownerKey, type LotNote } from '../../core/lots/note.ts';
import { expectRejectedBy } from './_tamper.ts';
import { expectSatisfied, expectUnsatisfied, expectWitnessFails, honestWitness, mainSignal, R, setSignals } from './_circuit-test.ts';

const FILE = 'circuits/lib/lot_output.circom';
const INPUTS = ['commodity', 'enabled', 'ownerKey', 'quantityGrams', 'emissionsGramsCo2e', 'deforestationFree', 'salt'];
const CONSTRAINTS = 495;
const Q_BOUND = 1n << BigInt(LOT_QUANTITY_GRAMS_BITS);
const E_BOUND = 1n << BigInt(LOT_EMISSIONS_GRAMS_CO2E_BITS);

const NOTE: LotNote = {
  ownerKey: ownerKey(123456789n),
  commodity: 90111n,
  quantityGrams: 60_000_000n,
  emissionsGramsCo2e: 180_000_000n,
  deforestationFree: true,
  salt: 987654321987654321n,
};

/** The circuit input for a slot: keys spelled like LotOutput's signals. */
function inputOf(note: LotNote, enabled: bigint): Record<string, bigint> {
  return {
    commodity: note.commodity,
    enabled,
    ownerKey: note.ownerKey,
    quantityGrams: note.quantityGrams,
    emissionsGramsCo2e: note.emissionsGramsCo2e,
    deforestationFree: note.deforestationFree ? 1n : 0n,
    salt: note.salt,
  };
}

const DISABLED: LotNote = { ...NOTE, quantityGrams: 0n, emissionsGramsCo2e: 0n };

describe('LotOutput', () => {
  let c: CompiledCircuit;
  beforeAll(async () => {
    c = await compileMain({ name: 'lib_lot_output', templateFile: FILE, template: 'LotOutput', params: [], publicInputs: INPUTS });
  });

  it(`has ${CONSTRAINTS} constraints`, () => {
    expect(c.constraints, 'LotOutput().constraints').toBe(CONSTRAINTS);
  });

  describe('when the slot is enabled', () => {
    const notes: [string, LotNote][] = [
      ['a deforestation-free note', NOTE],
      ['a flagged note', { ...NOTE, deforestationFree: false }],
      ['a note at the largest quantity and emissions', { ...NOTE, quantityGrams: Q_BOUND - 1n, emissionsGramsCo2e: E_BOUND - 1n }],
      ['a note of zero quantity', { ...NOTE, quantityGrams: 0n, emissionsGramsCo2e: 0n }],
    ];
    for (const [label, note] of notes) {
      it(`gives noteCommitment (${label})`, async () => {
        const w = await honestWitness(c, inputOf(note, 1n));
        const got = mainSignal(c, w, 'commitment');
        expect(got, `LotOutput commitment of ${label} = ${got}, want noteCommitment`).toBe(noteCommitment(note));
      });
    }

    it('refuses quantity 2^48 and emissions 2^64', async () => {
      await expectWitnessFails(c, { ...inputOf(NOTE, 1n), quantityGrams: Q_BOUND });
      await expectWitnessFails(c, { ...inputOf(NOTE, 1n), quantityGrams: R - 1n });
      await expectWitnessFails(c, { ...inputOf(NOTE, 1n), emissionsGramsCo2e: E_BOUND });
    });

    it('refuses a non-binary deforestationFree', async () => {
      await expectWitnessFails(c, { ...inputOf(NOTE, 1n), deforestationFree: 2n });
    });

    it('does not keep the commitment when a field or the output is rewritten in an honest witness', async () => {
      const w = await honestWitness(c, inputOf(NOTE, 1n));
      await expectUnsatisfied(c, setSignals(c, w, { 'main.quantityGrams': NOTE.quantityGrams + 1n }));
      await expectUnsatisfied(c, setSignals(c, w, { 'main.deforestationFree': 0n }));
      await expectUnsatisfied(c, setSignals(c, w, { 'main.commodity': NOTE.commodity + 1n }));
      await expectUnsatisfied(c, setSignals(c, w, { 'main.commitment': noteCommitment({ ...NOTE, salt: NOTE.salt + 1n }) }));
    });

    it('does not let a prover switch the slot off and drop the commitment', async () => {
      // The note's quantity and emissions stay: "disabled ⇒ zero" must object.
      const w = await honestWitness(c, inputOf(NOTE, 1n));
      await expectUnsatisfied(c, setSignals(c, w, { 'main.enabled': 0n, 'main.commitment': 0n }));
    });
  });

  describe('when the slot is disabled', () => {
    it('gives commitment 0 for zero quantity and emissions, whatever the other fields', async () => {
      for (const note of [DISABLED, { ...DISABLED, deforestationFree: false, salt: 0n, ownerKey: 0n }]) {
        const w = await honestWitness(c, inputOf(note, 0n));
        expect(mainSignal(c, w, 'commitment'), 'commitment of a disabled slot').toBe(0n);
      }
    });

    it('refuses a non-zero quantity or emissions', async () => {
      await expectWitnessFails(c, { ...inputOf(DISABLED, 0n), quantityGrams: 1n });
      await expectWitnessFails(c, { ...inputOf(DISABLED, 0n), emissionsGramsCo2e: 1n });
    });

    it('does not let a prover hide quantity or emissions in a disabled slot', async () => {
      // A donor witness with the note enabled holds honest range-check bits and hash for
      // the quantity; switching it off with commitment 0 keeps every range check, the hash
      // and the product, so only the two "disabled ⇒ zero" constraints can object.
      const w = await honestWitness(c, inputOf(NOTE, 1n));
      await expectRejectedBy(c, setSignals(c, w, { 'main.enabled': 0n, 'main.commitment': 0n }), ['main.quantityGrams', 'main.emissionsGramsCo2e']);
      // Control: with quantity and emissions 0 the same writes satisfy every constraint.
      const z = await honestWitness(c, inputOf(DISABLED, 1n));
      await expectSatisfied(c, setSignals(c, z, { 'main.enabled': 0n, 'main.commitment': 0n }));
    });
  });

  describe('when enabled is not binary', () => {
    it('fails witness generation and the bit constraint', async () => {
      await expectWitnessFails(c, inputOf(NOTE, 2n));
      await expectWitnessFails(c, inputOf(DISABLED, R - 1n));
      const w = await honestWitness(c, inputOf(DISABLED, 0n));
      await expectUnsatisfied(c, setSignals(c, w, { 'main.enabled': 2n }));
    });
  });
});
