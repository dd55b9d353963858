// Tests of core/lots/note.ts: the owner key, commitment and nullifier of a lot note,
// cross-checked live against circomlibjs' Poseidon with tags derived here from their
// ASCII names (independent of core/poseidon.ts and core/domain.ts); every field width at
// 2^bits − 1 and 2^bits; the hostile-input table at every export.
import { buildPoseidon } from 'circomlibjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  assertLotNote,
  LOT_COMMODITY_BITS,
  LOT_EMISSIONS_GRAMS_CO2E_BITS,
  LOT_QUANTITY_GRAMS_BITS,
  noteCommitment,
  nullifier,
  ownerKey,
  type LotNote,
} from '../../core/lots/note.ts';
import { expectInputError, HOSTILE_INPUTS, isFieldElement, isUintBits } from '../hostile-inputs.ts';
import { ALICE_SECRET, BOB_SECRET, lot } from './_fixtures.ts';

const tagOf = (name: string) => BigInt(`0x${Buffer.from(name, 'ascii').toString('hex')}`);
let reference: (inputs: bigint[]) => bigint;

beforeAll(async () => {
  const p = await buildPoseidon();
  reference = (inputs) => p.F.toObject(p(inputs));
});

const NOTE: LotNote = lot({ quantityGrams: 60_000_000n, emissionsGramsCo2e: 180_000_000n, deforestationFree: true });

describe('ownerKey', () => {
  describe('when given a secret', () => {
    it('is Poseidon("canopy/owner-key", ownerSecret) by circomlibjs', () => {
      expect(ownerKey(ALICE_SECRET)).toBe(reference([tagOf('canopy/owner-key'), ALICE_SECRET]));
      expect(ownerKey(0n)).toBe(reference([tagOf('canopy/owner-key'), 0n]));
    });

    it('differs per secret', () => {
      expect(ownerKey(ALICE_SECRET)).not.toBe(ownerKey(BOB_SECRET));
    });
  });

  describe('when given hostile input', () => {
    for (const { name, value } of HOSTILE_INPUTS.filter((h) => !isFieldElement(h.value))) {
      it(`throws naming "ownerSecret" for ${name}`, () => expectInputError(() => ownerKey(value as bigint), 'ownerSecret'));
    }
  });
});

describe('noteCommitment', () => {
  describe('when given a valid note', () => {
    it('is Poseidon("canopy/lot-note", ownerKey, commodity, quantityGrams, emissionsGramsCo2e, flag, salt) by circomlibjs', () => {
      const want = reference([tagOf('canopy/lot-note'), NOTE.ownerKey, NOTE.commodity, NOTE.quantityGrams, NOTE.emissionsGramsCo2e, 1n, NOTE.salt]);
      expect(noteCommitment(NOTE)).toBe(want);
      const off = { ...NOTE, deforestationFree: false };
      expect(noteCommitment(off)).toBe(reference([tagOf('canopy/lot-note'), off.ownerKey, off.commodity, off.quantityGrams, off.emissionsGramsCo2e, 0n, off.salt]));
    });

    it('changes when any one field changes (the commitment binds every field)', () => {
      const base = noteCommitment(NOTE);
      const changed: LotNote[] = [
        { ...NOTE, ownerKey: NOTE.ownerKey + 1n },
        { ...NOTE, commodity: NOTE.commodity + 1n },
        { ...NOTE, quantityGrams: NOTE.quantityGrams + 1n },
        { ...NOTE, emissionsGramsCo2e: NOTE.emissionsGramsCo2e + 1n },
        { ...NOTE, deforestationFree: !NOTE.deforestationFree },
        { ...NOTE, salt: NOTE.salt + 1n },
      ];
      const all = new Set([base, ...changed.map(noteCommitment)]);
      expect(all.size).toBe(7);
    });

    const widths = [
      ['commodity', LOT_COMMODITY_BITS],
      ['quantityGrams', LOT_QUANTITY_GRAMS_BITS],
      ['emissionsGramsCo2e', LOT_EMISSIONS_GRAMS_CO2E_BITS],
    ] as const;
    for (const [field, bits] of widths) {
      it(`accepts ${field} = 2^${bits} − 1 and throws RangeError naming note.${field} at 2^${bits}`, () => {
        const max = (1n << BigInt(bits)) - 1n;
        expect(noteCommitment({ ...NOTE, [field]: max })).toBe(noteCommitment({ ...NOTE, [field]: max }));
        expectInputError(() => noteCommitment({ ...NOTE, [field]: max + 1n }), `note.${field}`, 'range');
        expectInputError(() => noteCommitment({ ...NOTE, [field]: -1n }), `note.${field}`, 'range');
      });
    }

    it('has the widths of docs/lots.md: commodity 20, quantity 48, emissions 64 bits', () => {
      expect([LOT_COMMODITY_BITS, LOT_QUANTITY_GRAMS_BITS, LOT_EMISSIONS_GRAMS_CO2E_BITS]).toEqual([20, 48, 64]);
      // A six-digit HS code fits; 2^48 g ≈ 281,000 t.
      expect(999_999n < 1n << 20n).toBe(true);
    });
  });

  describe('when given hostile input', () => {
    const fields: [keyof LotNote, (v: unknown) => boolean][] = [
      ['ownerKey', isFieldElement],
      ['commodity', (v) => isUintBits(v, LOT_COMMODITY_BITS)],
      ['quantityGrams', (v) => isUintBits(v, LOT_QUANTITY_GRAMS_BITS)],
      ['emissionsGramsCo2e', (v) => isUintBits(v, LOT_EMISSIONS_GRAMS_CO2E_BITS)],
      ['deforestationFree', (v) => typeof v === 'boolean'],
      ['salt', isFieldElement],
    ];
    for (const [field, accepts] of fields) {
      it(`throws naming note.${field} for every hostile value it does not accept`, () => {
        let rejected = 0;
        for (const { value } of HOSTILE_INPUTS) {
          if (accepts(value)) continue;
          expectInputError(() => noteCommitment({ ...NOTE, [field]: value } as LotNote), `note.${field}`);
          rejected++;
        }
        expect(rejected).toBeGreaterThan(50);
      });
    }

    for (const { name, value } of HOSTILE_INPUTS.filter((h) => typeof h.value !== 'object' || h.value === null || Array.isArray(h.value))) {
      it(`throws TypeError naming "note" for ${name}`, () => expectInputError(() => noteCommitment(value as LotNote), 'note', 'type'));
    }

    it('throws naming the missing field of an incomplete note', () => {
      const { salt: _salt, ...noSalt } = NOTE;
      expectInputError(() => noteCommitment(noSalt as LotNote), 'note.salt', 'type');
    });
  });
});

describe('nullifier', () => {
  describe('when given a commitment and a secret', () => {
    it('is Poseidon("canopy/nullifier", commitment, ownerSecret) by circomlibjs', () => {
      const cm = noteCommitment(NOTE);
      expect(nullifier(cm, ALICE_SECRET)).toBe(reference([tagOf('canopy/nullifier'), cm, ALICE_SECRET]));
    });

    it('is deterministic: spending the same note again publishes the same nullifier', () => {
      const cm = noteCommitment(NOTE);
      expect(nullifier(cm, ALICE_SECRET)).toBe(nullifier(noteCommitment({ ...NOTE }), ALICE_SECRET));
    });

    it('differs per note and per secret, and from the commitment', () => {
      const cm = noteCommitment(NOTE);
      const values = [cm, nullifier(cm, ALICE_SECRET), nullifier(cm, BOB_SECRET), nullifier(noteCommitment({ ...NOTE, salt: 1n }), ALICE_SECRET)];
      expect(new Set(values).size).toBe(4);
    });
  });

  describe('when given hostile input', () => {
    for (const { name, value } of HOSTILE_INPUTS.filter((h) => !isFieldElement(h.value))) {
      it(`throws naming the argument for ${name}`, () => {
        expectInputError(() => nullifier(value as bigint, 1n), 'commitment');
        expectInputError(() => nullifier(1n, value as bigint), 'ownerSecret');
      });
    }
  });
});

describe('assertLotNote', () => {
  describe('when given a valid note', () => {
    it('returns', () => {
      expect(() => assertLotNote(NOTE, 'n')).not.toThrow();
    });
  });

  describe('when a field is out of range', () => {
    it('names the field under the given title', () => {
      expectInputError(() => assertLotNote({ ...NOTE, quantityGrams: 1n << 48n }, 'inputs[3].note'), 'inputs[3].note.quantityGrams', 'range');
    });
  });
});
