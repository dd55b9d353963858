// Tests of the pure side of core/circuits/lot-mint.ts: the witness input's keys against
// the circuit's declarations, the refusal of a deforestation-free claim, and the public
// signal. tests/circuits/lot-mint.test.ts runs the twin against the circuit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../circuits/toolchain/project-root.ts';
import { LOT_MINT_PUBLIC_SIGNALS, lotMintPublicSignals, lotMintWitnessInput } from '../../core/circuits/lot-mint.ts';
import { noteCommitment } from '../../core/lots/note.ts';
import { expectInputError, HOSTILE_INPUTS, isFieldElement } from '../hostile-inputs.ts';
import { BOB, lot } from './_fixtures.ts';

describe('lotMintWitnessInput', () => {
  describe('when the note makes no deforestation claim', () => {
    it('spells its keys like the input signals of circuits/lot_mint.circom, in order, with the note\'s values', () => {
      const note = lot({ ownerKey: BOB, quantityGrams: 60_000_000n, emissionsGramsCo2e: 180_000_000n });
      const input = lotMintWitnessInput(note);
      const text = readFileSync(join(PROJECT_ROOT, 'circuits/lot_mint.circom'), 'utf8');
      expect(Object.keys(input)).toEqual([...text.matchAll(/^\s*signal input (\w+)/gm)].map((m) => m[1]));
      expect(input).toEqual({
        outCommitment: noteCommitment(note).toString(),
        ownerKey: BOB.toString(),
        commodity: '90111',
        quantityGrams: '60000000',
        emissionsGramsCo2e: '180000000',
        deforestationFree: '0',
        salt: note.salt.toString(),
      });
      expect(LOT_MINT_PUBLIC_SIGNALS).toEqual(['outCommitment']);
    });
  });

  describe('when the note claims deforestationFree', () => {
    it('throws INVALID_INPUT: such a lot is minted from capacity', () => {
      expect(() => lotMintWitnessInput(lot({ deforestationFree: true }))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringContaining('CapacityMint') }));
    });
  });

  describe('when a field is out of range', () => {
    it('throws RangeError naming it', () => {
      expectInputError(() => lotMintWitnessInput(lot({ emissionsGramsCo2e: 1n << 64n })), 'note.emissionsGramsCo2e', 'range');
    });
  });
});

describe('lotMintPublicSignals', () => {
  describe('when given a commitment', () => {
    it('is its decimal string', () => expect(lotMintPublicSignals(42n)).toEqual(['42']));
  });

  describe('when given hostile input', () => {
    for (const { name, value } of HOSTILE_INPUTS.filter((h) => !isFieldElement(h.value))) {
      it(`throws naming outCommitment for ${name}`, () => expectInputError(() => lotMintPublicSignals(value as bigint), 'outCommitment'));
    }
  });
});
