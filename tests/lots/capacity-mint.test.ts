// Tests of the pure side of core/circuits/capacity-mint.ts: the lot and remainder a mint
// must create, its public statement, the witness input's keys against the circuit's
// declarations, and the refusals (more than the capacity, a proof of another leaf, a
// secret that does not open the owner key). tests/circuits/capacity-mint.test.ts runs
// the twin against the circuit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../circuits/toolchain/project-root.ts';
import {
  CAPACITY_MINT_PUBLIC_SIGNALS,
  capacityMintNotes,
  capacityMintPublic,
  capacityMintPublicSignals,
  capacityMintWitnessInput,
  type CapacityMint,
} from '../../core/circuits/capacity-mint.ts';
import { capacityCommitment, type CapacityNote } from '../../core/lots/capacity-note.ts';
import { noteCommitment, nullifier } from '../../core/lots/note.ts';
import { IncrementalMerkleTree } from '../../core/merkle/incremental-merkle-tree.ts';
import { expectInputError, HOSTILE_INPUTS, isFieldElement } from '../hostile-inputs.ts';
import { ALICE, ALICE_SECRET, BOB, BOB_SECRET, COFFEE, salt } from './_fixtures.ts';

const CAPACITY: CapacityNote = { ownerKey: ALICE, commodity: COFFEE, harvestYear: 2025n, capacityGrams: 2_100_000n, salt: salt() };
const TREE = new IncrementalMerkleTree(4);
TREE.append(capacityCommitment(CAPACITY));
const LOT = { ownerKey: BOB, quantityGrams: 500_000n, emissionsGramsCo2e: 1_500_000n, salt: 11n };
const MINT: CapacityMint = { capacity: { note: CAPACITY, ownerSecret: ALICE_SECRET, proof: TREE.proof(0) }, lot: LOT, remainderSalt: 12n };

describe('capacityMintNotes', () => {
  describe('when the lot fits', () => {
    it('makes a deforestation-free lot of the capacity\'s commodity and the remainder of the same owner, year and commodity', () => {
      expect(capacityMintNotes(CAPACITY, LOT, 12n)).toEqual({
        lot: { ownerKey: BOB, commodity: COFFEE, quantityGrams: 500_000n, emissionsGramsCo2e: 1_500_000n, deforestationFree: true, salt: 11n },
        remainder: { ownerKey: ALICE, commodity: COFFEE, harvestYear: 2025n, capacityGrams: 1_600_000n, salt: 12n },
      });
    });

    it('leaves 0 g when the lot takes exactly the capacity', () => {
      expect(capacityMintNotes(CAPACITY, { ...LOT, quantityGrams: 2_100_000n }, 12n).remainder.capacityGrams).toBe(0n);
    });
  });

  describe('when the lot exceeds the capacity by 1 g', () => {
    it('throws INVALID_INPUT', () => {
      expect(() => capacityMintNotes(CAPACITY, { ...LOT, quantityGrams: 2_100_001n }, 12n)).toThrow(/lot of 2100001 g exceeds the 2100000 g of capacity left/);
    });
  });

  describe('when given hostile input', () => {
    for (const { name, value } of HOSTILE_INPUTS.filter((h) => !isFieldElement(h.value))) {
      it(`throws naming remainderSalt or lot.ownerKey for ${name}`, () => {
        expectInputError(() => capacityMintNotes(CAPACITY, LOT, value as bigint), 'remainderSalt');
        expectInputError(() => capacityMintNotes(CAPACITY, { ...LOT, ownerKey: value as bigint }, 12n), 'lot.ownerKey');
      });
    }
  });
});

describe('capacityMintPublic', () => {
  describe('when the mint is valid', () => {
    it('is the root, the capacity\'s nullifier and the two new commitments', () => {
      const { lot, remainder } = capacityMintNotes(CAPACITY, LOT, 12n);
      expect(capacityMintPublic(MINT)).toEqual({
        root: TREE.root,
        capacityNullifier: nullifier(capacityCommitment(CAPACITY), ALICE_SECRET),
        lotCommitment: noteCommitment(lot),
        remainderCommitment: capacityCommitment(remainder),
      });
    });
  });

  describe('when the spend is not the prover\'s', () => {
    it('throws INVALID_INPUT for another secret, a proof of another leaf, or a proof missing its root', () => {
      const bad: CapacityMint[] = [
        { ...MINT, capacity: { ...MINT.capacity, ownerSecret: BOB_SECRET } },
        { ...MINT, capacity: { ...MINT.capacity, note: { ...CAPACITY, capacityGrams: 9_999_999n } } },
        { ...MINT, capacity: { ...MINT.capacity, proof: { ...TREE.proof(0), root: 1n } } },
      ];
      for (const m of bad) expect(() => capacityMintPublic(m)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    });
  });
});

describe('capacityMintPublicSignals', () => {
  describe('when given a statement', () => {
    it('lists root, capacityNullifier, lotCommitment, remainderCommitment', () => {
      expect(CAPACITY_MINT_PUBLIC_SIGNALS).toEqual(['root', 'capacityNullifier', 'lotCommitment', 'remainderCommitment']);
      expect(capacityMintPublicSignals({ root: 1n, capacityNullifier: 2n, lotCommitment: 3n, remainderCommitment: 4n })).toEqual(['1', '2', '3', '4']);
    });
  });

  describe('when a value is not a field element', () => {
    it('throws naming it', () => {
      expectInputError(() => capacityMintPublicSignals({ root: 1n, capacityNullifier: -2n, lotCommitment: 3n, remainderCommitment: 4n }), 'pub.capacityNullifier', 'range');
    });
  });
});

describe('capacityMintWitnessInput', () => {
  describe('when the mint is valid', () => {
    it('spells its keys like the input signals of circuits/capacity_mint.circom, in order', () => {
      const text = readFileSync(join(PROJECT_ROOT, 'circuits/capacity_mint.circom'), 'utf8');
      const input = capacityMintWitnessInput(MINT, 4);
      expect(Object.keys(input)).toEqual([...text.matchAll(/^\s*signal input (\w+)/gm)].map((m) => m[1]));
      expect(input.capacityGrams).toBe('2100000');
      expect(input.pathIndices).toEqual(['0', '0', '0', '0']);
    });
  });

  describe('when the proof has another depth than the circuit', () => {
    it('throws RangeError', () => {
      expectInputError(() => capacityMintWitnessInput(MINT, 5), 'mint.capacity.proof.depth', 'range');
    });
  });
});
