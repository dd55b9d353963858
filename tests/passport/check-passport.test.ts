import { describe, expect, it } from 'vitest';
import type { LotNote } from '../../core/lots/note.ts';
import { checkPassport } from '../../core/passport/check-passport.ts';
import { expectInputError, HOSTILE_INPUTS, isFieldElement, R } from '../hostile-inputs.ts';
import { referenceNoteCommitment, samplePassport } from './_fixtures.ts';

const owned = samplePassport(false);
// Computed from docs/lots.md by the test's own reference, not by core/lots/note.ts.
const commitment = referenceNoteCommitment(owned.note);

/** The passport with one note field changed to another value in its range. */
function altered(key: keyof LotNote) {
  const note: LotNote = { ...owned.note };
  if (key === 'deforestationFree') note.deforestationFree = !note.deforestationFree;
  else note[key] = note[key] - 1n;
  return { ...owned, note };
}

describe('checkPassport', () => {
  describe('when the opening matches the commitment', () => {
    it('returns true for a passport without owner secret', () => {
      expect(checkPassport(owned, commitment)).toBe(true);
    });

    it('returns true for the bearer passport of the same note', () => {
      expect(checkPassport(samplePassport(true), commitment)).toBe(true);
    });

    it('returns true for a note that is not deforestation-free', () => {
      const p = altered('deforestationFree');
      expect(checkPassport(p, referenceNoteCommitment(p.note))).toBe(true);
    });
  });

  describe('when the opening does not match', () => {
    const keys: (keyof LotNote)[] = ['ownerKey', 'commodity', 'quantityGrams', 'emissionsGramsCo2e', 'deforestationFree', 'salt'];
    it.each(keys)('returns false if note.%s differs', (key) => {
      expect(checkPassport(altered(key), commitment)).toBe(false);
    });

    it('returns false for another commitment', () => {
      expect(checkPassport(owned, (commitment + 1n) % R)).toBe(false);
    });
  });

  describe('when an argument is hostile', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !isFieldElement(h.value)).map((h) => [h.name, h.value]))('throws an input error for the commitment %s', (_name, value) => {
      expectInputError(() => checkPassport(owned, value as bigint), 'expectedCommitment');
    });

    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value !== 'object' || h.value === null || Array.isArray(h.value)).map((h) => [h.name, h.value]))(
      'throws TypeError for the passport %s',
      (_name, value) => {
        expectInputError(() => checkPassport(value as never, commitment), 'passport', 'type');
      },
    );

    it('throws an input error for a bearer passport whose secret is not the owner key', () => {
      const bad = { ...samplePassport(true) };
      bad.ownerSecret = bad.ownerSecret! + 1n;
      expectInputError(() => checkPassport(bad, commitment), 'passport.ownerSecret', 'range');
    });

    it('throws an input error for a note field out of range', () => {
      const bad = { ...owned, note: { ...owned.note, quantityGrams: 1n << 48n } };
      expectInputError(() => checkPassport(bad, commitment), 'passport.note.quantityGrams', 'range');
    });
  });
});
