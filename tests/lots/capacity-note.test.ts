// Tests of core/lots/capacity-note.ts: the commitment of a harvest capacity note,
// cross-checked live against circomlibjs' Poseidon with its tag derived here from its
// ASCII name; field widths at the boundaries; domain separation from lot notes; the
// hostile-input table.
import { buildPoseidon } from 'circomlibjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertCapacityNote, CAPACITY_GRAMS_BITS, CAPACITY_HARVEST_YEAR_BITS, capacityCommitment, type CapacityNote } from '../../core/lots/capacity-note.ts';
import { LOT_COMMODITY_BITS, LOT_QUANTITY_GRAMS_BITS } from '../../core/lots/note.ts';
import { expectInputError, HOSTILE_INPUTS, isFieldElement, isUintBits } from '../hostile-inputs.ts';
import { ALICE, COFFEE, salt } from './_fixtures.ts';

const tagOf = (name: string) => BigInt(`0x${Buffer.from(name, 'ascii').toString('hex')}`);
let reference: (inputs: bigint[]) => bigint;

beforeAll(async () => {
  const p = await buildPoseidon();
  reference = (inputs) => p.F.toObject(p(inputs));
});

const NOTE: CapacityNote = { ownerKey: ALICE, commodity: COFFEE, harvestYear: 2025n, capacityGrams: 2_100_000n, salt: salt() };

describe('capacityCommitment', () => {
  describe('when given a valid note', () => {
    it('is Poseidon("canopy/capacity-note", ownerKey, commodity, harvestYear, capacityGrams, salt) by circomlibjs', () => {
      expect(capacityCommitment(NOTE)).toBe(reference([tagOf('canopy/capacity-note'), NOTE.ownerKey, NOTE.commodity, NOTE.harvestYear, NOTE.capacityGrams, NOTE.salt]));
    });

    it('changes when any one field changes', () => {
      const changed: CapacityNote[] = [
        { ...NOTE, ownerKey: NOTE.ownerKey + 1n },
        { ...NOTE, commodity: NOTE.commodity + 1n },
        { ...NOTE, harvestYear: NOTE.harvestYear + 1n },
        { ...NOTE, capacityGrams: NOTE.capacityGrams + 1n },
        { ...NOTE, salt: NOTE.salt + 1n },
      ];
      expect(new Set([NOTE, ...changed].map(capacityCommitment)).size).toBe(6);
    });

    it('is not the hash of the same inputs under the lot-note tag (own domain)', () => {
      const inputs = [NOTE.ownerKey, NOTE.commodity, NOTE.harvestYear, NOTE.capacityGrams, NOTE.salt];
      expect(reference([tagOf('canopy/lot-note'), ...inputs])).not.toBe(capacityCommitment(NOTE));
    });

    it('gives capacity the width of a lot quantity, so every lot drawn from it fits a note', () => {
      expect(CAPACITY_GRAMS_BITS).toBe(LOT_QUANTITY_GRAMS_BITS);
      expect(CAPACITY_HARVEST_YEAR_BITS).toBe(16);
    });

    for (const [field, bits] of [['commodity', LOT_COMMODITY_BITS], ['harvestYear', CAPACITY_HARVEST_YEAR_BITS], ['capacityGrams', CAPACITY_GRAMS_BITS]] as const) {
      it(`accepts ${field} = 2^${bits} − 1 and throws RangeError naming note.${field} at 2^${bits}`, () => {
        const max = (1n << BigInt(bits)) - 1n;
        expect(typeof capacityCommitment({ ...NOTE, [field]: max })).toBe('bigint');
        expectInputError(() => capacityCommitment({ ...NOTE, [field]: max + 1n }), `note.${field}`, 'range');
      });
    }
  });

  describe('when given hostile input', () => {
    const fields: [keyof CapacityNote, (v: unknown) => boolean][] = [
      ['ownerKey', isFieldElement],
      ['commodity', (v) => isUintBits(v, LOT_COMMODITY_BITS)],
      ['harvestYear', (v) => isUintBits(v, CAPACITY_HARVEST_YEAR_BITS)],
      ['capacityGrams', (v) => isUintBits(v, CAPACITY_GRAMS_BITS)],
      ['salt', isFieldElement],
    ];
    for (const [field, accepts] of fields) {
      it(`throws naming note.${field} for every hostile value it does not accept`, () => {
        for (const { value } of HOSTILE_INPUTS) {
          if (!accepts(value)) expectInputError(() => capacityCommitment({ ...NOTE, [field]: value } as CapacityNote), `note.${field}`);
        }
      });
    }

    it('throws TypeError for a non-object', () => {
      for (const v of [null, undefined, 1n, 'note', []]) expectInputError(() => capacityCommitment(v as unknown as CapacityNote), 'note', 'type');
    });
  });
});

describe('assertCapacityNote', () => {
  describe('when a field is out of range', () => {
    it('names the field under the given title', () => {
      expectInputError(() => assertCapacityNote({ ...NOTE, harvestYear: 1n << 16n }, 'mint.capacity.note'), 'mint.capacity.note.harvestYear', 'range');
    });
  });
});
