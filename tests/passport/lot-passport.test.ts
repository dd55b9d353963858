import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import {
  assertLotPassport,
  type LotPassport,
  PASSPORT_FORMAT_ID,
  PASSPORT_MAX_JSON_BYTES,
  passportFromJson,
  passportToJson,
} from '../../core/passport/lot-passport.ts';
import { expectInputError, HOSTILE_INPUTS, R } from '../hostile-inputs.ts';
import { samplePassport } from './_fixtures.ts';

/** The wire object of a passport, written out here from the documented schema. */
function wire(p: LotPassport): Record<string, any> {
  const n = p.note;
  const json: Record<string, any> = {
    format: 'canopy-lot-passport/1',
    leafIndex: p.leafIndex,
    note: {
      commodity: String(n.commodity),
      deforestationFree: n.deforestationFree ? '1' : '0',
      emissionsGramsCo2e: String(n.emissionsGramsCo2e),
      ownerKey: String(n.ownerKey),
      quantityGrams: String(n.quantityGrams),
      salt: String(n.salt),
    },
    registry: { origin: p.registry.origin, sequence: p.registry.sequence },
  };
  if (p.ownerSecret !== null) json.ownerSecret = String(p.ownerSecret);
  return json;
}

/** Canonical text (by the `canonicalize` package) of the sample wire object after `edit`. */
function editedText(edit: (j: Record<string, any>) => void, bearer = true): string {
  const j = structuredClone(wire(samplePassport(bearer)));
  edit(j);
  return canonicalize(j)!;
}

/** Expects PASSPORT_MALFORMED with a message matching `pattern`. */
function expectMalformed(text: string, pattern: RegExp | string): void {
  let thrown: unknown;
  try {
    passportFromJson(text);
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected PASSPORT_MALFORMED').toBeInstanceOf(CanopyError);
  expect((thrown as CanopyError).code).toBe('PASSPORT_MALFORMED');
  expect((thrown as CanopyError).message).toMatch(pattern);
}

describe('passportToJson', () => {
  describe('when given a bearer passport', () => {
    it('writes the canonical JSON of the documented schema', () => {
      const p = samplePassport(true);
      const text = passportToJson(p);
      expect(text).toBe(canonicalize(wire(p)));
      expect(text.startsWith('{"format":"canopy-lot-passport/1","leafIndex":41,"note":{"commodity":"90111","deforestationFree":"1"')).toBe(true);
      expect(text).toContain(`"ownerSecret":"${p.ownerSecret}"`);
    });
  });

  describe('when given a passport without owner secret', () => {
    it('leaves out the ownerSecret member', () => {
      const text = passportToJson(samplePassport(false));
      expect(text).not.toContain('ownerSecret');
      expect(text).toBe(canonicalize(wire(samplePassport(false))));
    });
  });

  describe('when the passport is malformed', () => {
    type Edit = [string, (p: any) => void, string];
    const edits: Edit[] = [
      ['ownerKey ≥ r', (p) => (p.note.ownerKey = R), 'passport.note.ownerKey'],
      ['commodity 2^20', (p) => (p.note.commodity = 1n << 20n), 'passport.note.commodity'],
      ['quantityGrams 2^48', (p) => (p.note.quantityGrams = 1n << 48n), 'passport.note.quantityGrams'],
      ['emissionsGramsCo2e 2^64', (p) => (p.note.emissionsGramsCo2e = 1n << 64n), 'passport.note.emissionsGramsCo2e'],
      ['deforestationFree 1n', (p) => (p.note.deforestationFree = 1n), 'passport.note.deforestationFree'],
      ['salt a number', (p) => (p.note.salt = 5), 'passport.note.salt'],
      ['ownerSecret of another key', (p) => (p.ownerSecret = p.ownerSecret + 1n), 'passport.ownerSecret'],
      ['ownerSecret undefined', (p) => (p.ownerSecret = undefined), 'passport.ownerSecret'],
      ['leafIndex 2^32', (p) => (p.leafIndex = 2 ** 32), 'passport.leafIndex'],
      ['leafIndex 1.5', (p) => (p.leafIndex = 1.5), 'passport.leafIndex'],
      ['sequence 2^51', (p) => (p.registry.sequence = 2 ** 51), 'passport.registry.sequence'],
      ['origin empty', (p) => (p.registry.origin = ''), 'passport.registry.origin'],
      ['origin with newline', (p) => (p.registry.origin = 'a\nb'), 'passport.registry.origin'],
      ['origin with U+2028', (p) => (p.registry.origin = 'a\u2028b'), 'passport.registry.origin'],
      ['origin with lone surrogate', (p) => (p.registry.origin = 'a\ud800'), 'passport.registry.origin'],
      ['origin 256 characters', (p) => (p.registry.origin = 'o'.repeat(256)), 'passport.registry.origin'],
      ['note missing', (p) => delete p.note, 'passport.note'],
      ['registry null', (p) => (p.registry = null), 'passport.registry'],
    ];
    it.each(edits.map(([name, edit, title]) => [name, title, edit] as const))('%s: throws naming %s', (_name, title, edit) => {
      const p: any = samplePassport(true);
      edit(p);
      expectInputError(() => passportToJson(p), title);
    });

    it.each(HOSTILE_INPUTS.map((h) => [h.name, h.value]))('throws an input error for the hostile passport %s', (_name, value) => {
      // An object passes the first check and fails on its missing "note".
      const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
      expectInputError(() => passportToJson(value as LotPassport), isObject ? 'passport.note' : 'passport', 'type');
    });
  });
});

describe('passportFromJson', () => {
  describe('when the text is a canonical passport', () => {
    it('round-trips a bearer passport', () => {
      const p = samplePassport(true);
      expect(passportFromJson(passportToJson(p))).toEqual(p);
    });

    it('round-trips a passport without owner secret', () => {
      const p = samplePassport(false);
      expect(passportFromJson(passportToJson(p))).toEqual(p);
    });

    it('round-trips the bounds of every range', () => {
      const p = samplePassport(false);
      p.note = { ownerKey: R - 1n, commodity: (1n << 20n) - 1n, quantityGrams: (1n << 48n) - 1n, emissionsGramsCo2e: (1n << 64n) - 1n, deforestationFree: false, salt: 0n };
      p.leafIndex = 2 ** 32 - 1;
      p.registry = { origin: 'é'.repeat(255), sequence: 2 ** 51 - 1 };
      expect(passportFromJson(passportToJson(p))).toEqual(p);
    });
  });

  describe('when the text is not canonical', () => {
    const good = passportToJson(samplePassport(true));
    it.each([
      ['pretty-printed', JSON.stringify(JSON.parse(good), null, 2)],
      ['with a trailing newline', `${good}\n`],
      ['with a leading space', ` ${good}`],
      ['with members out of order', JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(good)).reverse()))],
      ['with leafIndex 41.0', good.replace('"leafIndex":41', '"leafIndex":41.0')],
      ['with leafIndex 4.1e1', good.replace('"leafIndex":41', '"leafIndex":4.1e1')],
      ['with an escaped letter', good.replace('registry.example', 'registry.ex\\u0061mple')],
      ['with a duplicate member', good.replace('"leafIndex":41', '"leafIndex":7,"leafIndex":41')],
    ])('throws PASSPORT_MALFORMED %s', (_name, text) => {
      expect(text).not.toBe(good);
      expectMalformed(text, /canonical|JSON/);
    });
  });

  describe('when a member is wrong', () => {
    type Edit = [string, (j: Record<string, any>) => void, RegExp | string];
    const edits: Edit[] = [
      ['format missing', (j) => delete j.format, '"format"'],
      ['format of version 2', (j) => (j.format = 'canopy-lot-passport/2'), '"format"'],
      ['an unknown member', (j) => (j.extra = 1), '"extra"'],
      ['an unknown note member', (j) => (j.note.owner = '1'), '"owner"'],
      ['an unknown registry member', (j) => (j.registry.url = 'https://x'), '"url"'],
      ['note missing', (j) => delete j.note, '"note"'],
      ['note an array', (j) => (j.note = []), '"note"'],
      ...['ownerKey', 'commodity', 'quantityGrams', 'emissionsGramsCo2e', 'deforestationFree', 'salt'].flatMap((k): Edit[] => [
        [`note.${k} missing`, (j) => delete j.note[k], `"note.${k}"`],
        [`note.${k} a number`, (j) => (j.note[k] = 1), `"note.${k}"`],
        [`note.${k} with a leading zero`, (j) => (j.note[k] = '01'), `"note.${k}"`],
        [`note.${k} negative`, (j) => (j.note[k] = '-1'), `"note.${k}"`],
        [`note.${k} = r`, (j) => (j.note[k] = String(R)), `"note.${k}"`],
      ]),
      ['commodity 2^20', (j) => (j.note.commodity = String(1n << 20n)), '"passport.note.commodity"'],
      ['quantityGrams 2^48', (j) => (j.note.quantityGrams = String(1n << 48n)), '"passport.note.quantityGrams"'],
      ['emissionsGramsCo2e 2^64', (j) => (j.note.emissionsGramsCo2e = String(1n << 64n)), '"passport.note.emissionsGramsCo2e"'],
      ['deforestationFree 2', (j) => (j.note.deforestationFree = '2'), '"note.deforestationFree"'],
      ['ownerSecret of another key', (j) => (j.ownerSecret = String(BigInt(j.ownerSecret) + 1n)), '"passport.ownerSecret"'],
      ['ownerSecret null', (j) => (j.ownerSecret = null), '"ownerSecret"'],
      ['ownerSecret a number', (j) => (j.ownerSecret = 5), '"ownerSecret"'],
      ['leafIndex missing', (j) => delete j.leafIndex, '"passport.leafIndex"'],
      ['leafIndex a string', (j) => (j.leafIndex = '41'), '"passport.leafIndex"'],
      ['leafIndex -1', (j) => (j.leafIndex = -1), '"passport.leafIndex"'],
      ['leafIndex 2^32', (j) => (j.leafIndex = 2 ** 32), '"passport.leafIndex"'],
      ['registry missing', (j) => delete j.registry, '"registry"'],
      ['registry.origin missing', (j) => delete j.registry.origin, '"passport.registry.origin"'],
      ['registry.origin empty', (j) => (j.registry.origin = ''), '"passport.registry.origin"'],
      ['registry.origin with a tab', (j) => (j.registry.origin = 'a\tb'), '"passport.registry.origin"'],
      ['registry.origin with DEL', (j) => (j.registry.origin = 'a\u007fb'), '"passport.registry.origin"'],
      ['registry.sequence 2^51', (j) => (j.registry.sequence = 2 ** 51), '"passport.registry.sequence"'],
      ['registry.sequence a string', (j) => (j.registry.sequence = '1207'), '"passport.registry.sequence"'],
    ];
    it.each(edits.map(([name, edit, pattern]) => [name, pattern, edit] as const))('%s: throws PASSPORT_MALFORMED naming %s', (_name, pattern, edit) => {
      expectMalformed(editedText(edit), pattern);
    });
  });

  describe('when the text is not a passport at all', () => {
    it.each([
      ['empty', ''],
      ['not JSON', '{"format":'],
      ['an array', '[]'],
      ['null', 'null'],
      ['a number', '1'],
      ['a string', '"canopy-lot-passport/1"'],
    ])('throws PASSPORT_MALFORMED for %s', (_name, text) => {
      expectMalformed(text, /malformed lot passport/);
    });

    it(`throws PASSPORT_MALFORMED above ${PASSPORT_MAX_JSON_BYTES} bytes`, () => {
      expectMalformed(editedText((j) => (j.registry.origin = 'o'.repeat(PASSPORT_MAX_JSON_BYTES))), /exceeds/);
      // 2100 two-byte characters: under the limit in UTF-16 units, over it in UTF-8 bytes.
      const wide = passportToJson(samplePassport(true)).replace('registry.example/canopy', 'é'.repeat(2100));
      expect(wide.length).toBeLessThan(PASSPORT_MAX_JSON_BYTES);
      expectMalformed(wide, /exceeds/);
    });

    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value !== 'string').map((h) => [h.name, h.value]))('throws TypeError for the non-string %s', (_name, value) => {
      expectInputError(() => passportFromJson(value as string), 'text', 'type');
    });

    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value === 'string').map((h) => [h.name, h.value]))('throws PASSPORT_MALFORMED for the string %s', (_name, value) => {
      expectMalformed(value as string, /malformed lot passport/);
    });
  });
});

describe('assertLotPassport', () => {
  describe('when the passport is valid', () => {
    it('does not throw', () => {
      expect(() => assertLotPassport(samplePassport(true), 'p')).not.toThrow();
      expect(() => assertLotPassport(samplePassport(false), 'p')).not.toThrow();
    });
  });
});
