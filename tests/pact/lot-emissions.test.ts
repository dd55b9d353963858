import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { emissionsFromPlainFigures, lotEmissionsFromFootprint, PACT_FOOTPRINT_MAX_BYTES } from '../../core/pact/lot-emissions.ts';
import { expectInputError, HOSTILE_INPUTS } from '../hostile-inputs.ts';

const VECTORS = fileURLToPath(new URL('../vectors/pact/', import.meta.url));

/** A vector file as text (verbatim) and parsed. */
function vector(name: string): { text: string; json: Record<string, any> } {
  const text = readFileSync(`${VECTORS}${name}`, 'utf8');
  return { text, json: JSON.parse(text) };
}

/** SHA-256 of RFC 8785 canonical JSON, computed with the `canonicalize` package and node:crypto. */
function referenceSha256(value: unknown): string {
  return createHash('sha256').update(canonicalize(value)!, 'utf8').digest('hex');
}

const TON = 1_000_000n;
const LOT = 18n * TON; // 18 t of green coffee, 300 bags of 60 kg

/** Expects `fn` to throw a CanopyError with `code` whose message names `field`. */
function expectRejected(fn: () => unknown, code: 'FOOTPRINT_MALFORMED' | 'FOOTPRINT_UNSUPPORTED', field: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected ${code} naming "${field}"`).toBeInstanceOf(CanopyError);
  const err = thrown as CanopyError;
  expect(`${err.code}: ${err.message}`).toContain(`${code}: `);
  expect(err.message).toContain(`"${field}"`);
}

/** A deep copy of a vector with `edit` applied. */
function edited(name: string, edit: (f: Record<string, any>) => void): Record<string, any> {
  const f = structuredClone(vector(name).json);
  edit(f);
  return f;
}

describe('lotEmissionsFromFootprint', () => {
  describe('when the footprint is a PACT spec example (wbcsd)', () => {
    it('v3-example-1: 0.384 kgCO2e per kilogram gives 6,912,000 g for 18 t', () => {
      const { json } = vector('wbcsd/v3-example-1.json');
      const got = lotEmissionsFromFootprint(json, LOT);
      expect(got.emissionsGramsCo2e).toBe(6_912_000n);
      expect(got.basis).toEqual({
        kind: 'pact-footprint',
        specVersion: '3.0.0',
        declaredUnit: 'kilogram',
        declaredUnitAmount: '1',
        kgCo2ePerDeclaredUnit: '0.384',
        kgPerDeclaredUnit: '1',
        gramsCo2ePerGram: { numerator: '48', denominator: '125' },
        footprintSha256: referenceSha256(json),
      });
    });

    it('v3-example-2: 5.14 kgCO2e per 12 liter weighing 9.468 kg gives ⌈18e6 · 1285/2367⌉ g', () => {
      const got = lotEmissionsFromFootprint(vector('wbcsd/v3-example-2.json').json, LOT);
      // 5.14 / 9.468 = 1285/2367; 18e6 · 1285 / 2367 = 9771863.11…
      expect(got.emissionsGramsCo2e).toBe(9_771_864n);
      expect(got.basis).toMatchObject({ declaredUnit: 'liter', declaredUnitAmount: '12', kgPerDeclaredUnit: '9.468', gramsCo2ePerGram: { numerator: '1285', denominator: '2367' } });
    });

    it('v3-example-3: 77.0 kgCO2e per piece of 25 kg gives 3.08 g/g', () => {
      const got = lotEmissionsFromFootprint(vector('wbcsd/v3-example-3.json').json, LOT);
      expect(got.emissionsGramsCo2e).toBe(55_440_000n);
      expect(got.basis).toMatchObject({ declaredUnit: 'piece', kgCo2ePerDeclaredUnit: '77.0', kgPerDeclaredUnit: '25', gramsCo2ePerGram: { numerator: '77', denominator: '25' } });
    });

    it('v3-example-4: 0.42 kgCO2e per kilogram gives 7,560,000 g', () => {
      expect(lotEmissionsFromFootprint(vector('wbcsd/v3-example-4.json').json, LOT).emissionsGramsCo2e).toBe(7_560_000n);
    });

    it('v2-get-footprint-response: refuses the API response wrapper, pointing at "data"', () => {
      const { json } = vector('wbcsd/v2-get-footprint-response.json');
      expectRejected(() => lotEmissionsFromFootprint(json, LOT), 'FOOTPRINT_MALFORMED', 'specVersion');
      expect(() => lotEmissionsFromFootprint(json, LOT)).toThrow(/"data" member/);
    });

    it('v2-get-footprint-response: refuses its liter footprint, which gives no mass per liter', () => {
      const { json } = vector('wbcsd/v2-get-footprint-response.json');
      expectRejected(() => lotEmissionsFromFootprint(json.data, LOT), 'FOOTPRINT_UNSUPPORTED', 'pcf.productMassPerDeclaredUnit');
      expect(() => lotEmissionsFromFootprint(json.data, LOT)).toThrow(/"liter" is a volume/);
    });
  });

  describe('when the footprint is a coffee example (canopy)', () => {
    it('coffee-v2.3-green-kilogram: 4.5 kgCO2e/kg × 18,000,000 g = 81,000,000 g exactly', () => {
      const { json } = vector('canopy/coffee-v2.3-green-kilogram.json');
      const got = lotEmissionsFromFootprint(json, LOT);
      expect(got.emissionsGramsCo2e).toBe(81_000_000n);
      // unitaryProductAmount (60, the bag) does not scale the per-kilogram figure.
      expect(got.basis).toMatchObject({ specVersion: '2.3.0', declaredUnit: 'kilogram', declaredUnitAmount: '1', kgPerDeclaredUnit: '1', gramsCo2ePerGram: { numerator: '9', denominator: '2' } });
    });

    it('coffee-v2.3-cold-brew-liter: 0.95 kgCO2e per liter of 1.02 kg', () => {
      const { json } = vector('canopy/coffee-v2.3-cold-brew-liter.json');
      expect(lotEmissionsFromFootprint(json, 1_020_000n).emissionsGramsCo2e).toBe(950_000n);
      expect(lotEmissionsFromFootprint(json, 1n).emissionsGramsCo2e).toBe(1n);
      expect(lotEmissionsFromFootprint(json, LOT).emissionsGramsCo2e).toBe(16_764_706n);
    });

    it('coffee-v2.2-roastery-electricity-kwh: refuses energy', () => {
      const { json } = vector('canopy/coffee-v2.2-roastery-electricity-kwh.json');
      expectRejected(() => lotEmissionsFromFootprint(json, LOT), 'FOOTPRINT_UNSUPPORTED', 'pcf.declaredUnit');
      expect(() => lotEmissionsFromFootprint(json, LOT)).toThrow(/measures energy/);
    });

    it('coffee-v3-green-bag-kilogram and coffee-v3-green-bag-piece: 270 kgCO2e per 60 kg bag = 4.5 g/g', () => {
      const kg = lotEmissionsFromFootprint(vector('canopy/coffee-v3-green-bag-kilogram.json').json, LOT);
      const piece = lotEmissionsFromFootprint(vector('canopy/coffee-v3-green-bag-piece.json').json, LOT);
      expect(kg.emissionsGramsCo2e).toBe(81_000_000n);
      expect(piece.emissionsGramsCo2e).toBe(81_000_000n);
      expect(kg.basis).toMatchObject({ declaredUnit: 'kilogram', declaredUnitAmount: '60', kgPerDeclaredUnit: '60' });
      expect(piece.basis).toMatchObject({ declaredUnit: 'piece', declaredUnitAmount: '1', kgPerDeclaredUnit: '60' });
    });

    it('coffee-v3-roasted-thirds: 10/3 g/g rounds up', () => {
      const { json } = vector('canopy/coffee-v3-roasted-thirds.json');
      const at = (q: bigint) => lotEmissionsFromFootprint(json, q).emissionsGramsCo2e;
      expect(at(1n)).toBe(4n);
      expect(at(2n)).toBe(7n);
      expect(at(3n)).toBe(10n);
      expect(at(1_000_000n)).toBe(3_333_334n);
      expect(at((1n << 48n) - 1n)).toBe(938_249_922_368_850n);
    });
  });

  describe('when the intensity is a third-type fraction', () => {
    const third = (pcf: string) =>
      edited('canopy/coffee-v3-roasted-thirds.json', (f) => {
        f.pcf.pcfExcludingBiogenicUptake = pcf;
      });

    it('rounds 1/3 g/g up to the next whole gram and never down', () => {
      const f = third('1');
      for (let q = 1n; q <= 30n; q++) {
        const got = lotEmissionsFromFootprint(f, q).emissionsGramsCo2e;
        // got = ⌈q/3⌉: got·3 ≥ q and (got − 1)·3 < q.
        expect(got * 3n >= q && (got - 1n) * 3n < q, `q = ${q}: got ${got}`).toBe(true);
      }
    });

    it('gives 0 for a zero footprint', () => {
      expect(lotEmissionsFromFootprint(third('0'), LOT).emissionsGramsCo2e).toBe(0n);
      expect(lotEmissionsFromFootprint(third('-0'), LOT).emissionsGramsCo2e).toBe(0n);
    });
  });

  describe('when the lot emissions reach 2^64 g', () => {
    it('throws RangeError naming emissionsGramsCo2e', () => {
      const f = edited('canopy/coffee-v3-roasted-thirds.json', (x) => {
        x.pcf.declaredUnitAmount = '1';
        x.pcf.productMassPerDeclaredUnit = '1';
        x.pcf.pcfExcludingBiogenicUptake = '65536'; // 2^16 g/g × 2^48 g = 2^64 g
      });
      expect(lotEmissionsFromFootprint(f, (1n << 48n) - 1n).emissionsGramsCo2e).toBe((1n << 64n) - (1n << 16n));
      f.pcf.pcfExcludingBiogenicUptake = '65536.0000001';
      expectInputError(() => lotEmissionsFromFootprint(f, (1n << 48n) - 1n), 'emissionsGramsCo2e', 'range');
    });
  });

  describe('when the basis is inspected', () => {
    it('does not carry any upstream identity', () => {
      for (const name of ['wbcsd/v3-example-1.json', 'wbcsd/v3-example-3.json', 'canopy/coffee-v2.3-green-kilogram.json']) {
        const { json } = vector(name);
        const text = JSON.stringify(lotEmissionsFromFootprint(json, LOT).basis);
        for (const secret of [json.id, json.companyName, ...json.companyIds, ...json.productIds, json.productNameCompany, json.productDescription]) {
          expect(text, `${name} leaks ${secret}`).not.toContain(secret);
        }
      }
    });

    it('hashes the canonical JSON, so formatting does not change the digest but content does', () => {
      const { json } = vector('canopy/coffee-v2.3-green-kilogram.json');
      const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(json).reverse())));
      const a = lotEmissionsFromFootprint(json, LOT).basis;
      const b = lotEmissionsFromFootprint(reordered, LOT).basis;
      expect(a).toEqual(b);
      const c = lotEmissionsFromFootprint({ ...json, comment: 'changed' }, LOT).basis;
      expect(c.kind === 'pact-footprint' && a.kind === 'pact-footprint' && c.footprintSha256 !== a.footprintSha256).toBe(true);
    });
  });

  describe('when the footprint is not a ProductFootprint object', () => {
    it.each([
      ['a string', '{"specVersion":"3.0.0"}'],
      ['an array', []],
      ['null', null],
      ['a number', 1],
      ['undefined', undefined],
    ])('throws FOOTPRINT_MALFORMED for %s', (_name, value) => {
      expectRejected(() => lotEmissionsFromFootprint(value, LOT), 'FOOTPRINT_MALFORMED', '(root)');
    });

    it('throws FOOTPRINT_MALFORMED for a value that is not JSON', () => {
      const f = edited('canopy/coffee-v3-green-bag-kilogram.json', () => {});
      f.pcf.extra = 1n;
      expect(() => lotEmissionsFromFootprint(f, LOT)).toThrow(expect.objectContaining({ code: 'FOOTPRINT_MALFORMED' }));
      f.pcf.extra = Number.NaN;
      expect(() => lotEmissionsFromFootprint(f, LOT)).toThrow(expect.objectContaining({ code: 'FOOTPRINT_MALFORMED' }));
    });

    it(`throws FOOTPRINT_MALFORMED above ${PACT_FOOTPRINT_MAX_BYTES} bytes`, () => {
      const f = edited('canopy/coffee-v3-green-bag-kilogram.json', (x) => {
        x.comment = 'x'.repeat(PACT_FOOTPRINT_MAX_BYTES);
      });
      expect(() => lotEmissionsFromFootprint(f, LOT)).toThrow(expect.objectContaining({ code: 'FOOTPRINT_MALFORMED', message: expect.stringMatching(/exceeds/) }));
    });
  });

  describe('when a field of a v3 footprint is wrong', () => {
    const V3 = 'canopy/coffee-v3-green-bag-piece.json';
    type Case = [string, (f: Record<string, any>) => void, 'FOOTPRINT_MALFORMED' | 'FOOTPRINT_UNSUPPORTED', string];
    // Test names show the case name, code and field; the edit function goes last.
    const cases: Case[] = [
      ['specVersion missing', (f) => delete f.specVersion, 'FOOTPRINT_MALFORMED', 'specVersion'],
      ['specVersion a number', (f) => (f.specVersion = 3), 'FOOTPRINT_MALFORMED', 'specVersion'],
      ...['3.0', 'v3.0.0', '03.0.0', '3.0.0-2025', '3.0.0 ', '3.0.0-beta'].map(
        (v): Case => [`specVersion ${JSON.stringify(v)}`, (f) => (f.specVersion = v), 'FOOTPRINT_MALFORMED', 'specVersion'],
      ),
      ...['1.0.1', '2.4.0', '3.1.0', '4.0.0', '0.9.0'].map((v): Case => [`specVersion ${v}`, (f) => (f.specVersion = v), 'FOOTPRINT_UNSUPPORTED', 'specVersion']),
      ['status missing', (f) => delete f.status, 'FOOTPRINT_MALFORMED', 'status'],
      ['status "active"', (f) => (f.status = 'active'), 'FOOTPRINT_MALFORMED', 'status'],
      ['status "Deprecated"', (f) => (f.status = 'Deprecated'), 'FOOTPRINT_UNSUPPORTED', 'status'],
      ['pcf missing', (f) => delete f.pcf, 'FOOTPRINT_MALFORMED', 'pcf'],
      ['pcf an array', (f) => (f.pcf = []), 'FOOTPRINT_MALFORMED', 'pcf'],
      ['declaredUnitOfMeasurement missing', (f) => delete f.pcf.declaredUnitOfMeasurement, 'FOOTPRINT_MALFORMED', 'pcf.declaredUnitOfMeasurement'],
      ...['tonne', 'gram', 'kg', 'Kilogram', 'kilogram ', 'ton'].map(
        (u): Case => [`unit ${JSON.stringify(u)}`, (f) => (f.pcf.declaredUnitOfMeasurement = u), 'FOOTPRINT_MALFORMED', 'pcf.declaredUnitOfMeasurement'],
      ),
      ...['kilowatt hour', 'megajoule', 'ton kilometer', 'hour', 'megabit second'].map(
        (u): Case => [`unit ${u}`, (f) => (f.pcf.declaredUnitOfMeasurement = u), 'FOOTPRINT_UNSUPPORTED', 'pcf.declaredUnitOfMeasurement'],
      ),
      ['declaredUnitAmount missing', (f) => delete f.pcf.declaredUnitAmount, 'FOOTPRINT_MALFORMED', 'pcf.declaredUnitAmount'],
      ['declaredUnitAmount "0"', (f) => (f.pcf.declaredUnitAmount = '0'), 'FOOTPRINT_MALFORMED', 'pcf.declaredUnitAmount'],
      ['declaredUnitAmount "-1"', (f) => (f.pcf.declaredUnitAmount = '-1'), 'FOOTPRINT_MALFORMED', 'pcf.declaredUnitAmount'],
      ['declaredUnitAmount 1 (a number)', (f) => (f.pcf.declaredUnitAmount = 1), 'FOOTPRINT_MALFORMED', 'pcf.declaredUnitAmount'],
      ['pcfExcludingBiogenicUptake missing', (f) => delete f.pcf.pcfExcludingBiogenicUptake, 'FOOTPRINT_MALFORMED', 'pcf.pcfExcludingBiogenicUptake'],
      ['pcfExcludingBiogenicUptake null', (f) => (f.pcf.pcfExcludingBiogenicUptake = null), 'FOOTPRINT_MALFORMED', 'pcf.pcfExcludingBiogenicUptake'],
      ['pcfExcludingBiogenicUptake 270 (a number)', (f) => (f.pcf.pcfExcludingBiogenicUptake = 270), 'FOOTPRINT_MALFORMED', 'pcf.pcfExcludingBiogenicUptake'],
      ...['2.7e2', '1e3', '1.2345e+6', 'NaN', 'Infinity', '', ' 270', '270 ', '270,5', '.5', '5.', '0x10', '270kg', '٢٧٠'].map(
        (v): Case => [`pcfExcludingBiogenicUptake ${JSON.stringify(v)}`, (f) => (f.pcf.pcfExcludingBiogenicUptake = v), 'FOOTPRINT_MALFORMED', 'pcf.pcfExcludingBiogenicUptake'],
      ),
      ['pcfExcludingBiogenicUptake too long', (f) => (f.pcf.pcfExcludingBiogenicUptake = `1.${'0'.repeat(63)}`), 'FOOTPRINT_MALFORMED', 'pcf.pcfExcludingBiogenicUptake'],
      ['pcfExcludingBiogenicUptake "-0.1"', (f) => (f.pcf.pcfExcludingBiogenicUptake = '-0.1'), 'FOOTPRINT_UNSUPPORTED', 'pcf.pcfExcludingBiogenicUptake'],
      ['productMassPerDeclaredUnit missing for piece', (f) => delete f.pcf.productMassPerDeclaredUnit, 'FOOTPRINT_MALFORMED', 'pcf.productMassPerDeclaredUnit'],
      ['productMassPerDeclaredUnit null for piece', (f) => (f.pcf.productMassPerDeclaredUnit = null), 'FOOTPRINT_MALFORMED', 'pcf.productMassPerDeclaredUnit'],
      [
        'productMassPerDeclaredUnit missing for liter',
        (f) => {
          f.pcf.declaredUnitOfMeasurement = 'liter';
          delete f.pcf.productMassPerDeclaredUnit;
        },
        'FOOTPRINT_MALFORMED',
        'pcf.productMassPerDeclaredUnit',
      ],
      [
        'productMassPerDeclaredUnit missing for square meter',
        (f) => {
          f.pcf.declaredUnitOfMeasurement = 'square meter';
          delete f.pcf.productMassPerDeclaredUnit;
        },
        'FOOTPRINT_MALFORMED',
        'pcf.productMassPerDeclaredUnit',
      ],
      ['productMassPerDeclaredUnit "0"', (f) => (f.pcf.productMassPerDeclaredUnit = '0'), 'FOOTPRINT_UNSUPPORTED', 'pcf.productMassPerDeclaredUnit'],
      ['productMassPerDeclaredUnit "-60"', (f) => (f.pcf.productMassPerDeclaredUnit = '-60'), 'FOOTPRINT_MALFORMED', 'pcf.productMassPerDeclaredUnit'],
      ['productMassPerDeclaredUnit 60 (a number)', (f) => (f.pcf.productMassPerDeclaredUnit = 60), 'FOOTPRINT_MALFORMED', 'pcf.productMassPerDeclaredUnit'],
      [
        'kilogram whose mass contradicts declaredUnitAmount',
        (f) => {
          f.pcf.declaredUnitOfMeasurement = 'kilogram';
          f.pcf.declaredUnitAmount = '60';
          f.pcf.productMassPerDeclaredUnit = '1';
        },
        'FOOTPRINT_MALFORMED',
        'pcf.productMassPerDeclaredUnit',
      ],
      ...['declaredUnit', 'unitaryProductAmount', 'pCfExcludingBiogenic'].map(
        (k): Case => [`v2 field ${k} present`, (f) => (f.pcf[k] = k === 'declaredUnit' ? 'kilogram' : '1'), 'FOOTPRINT_MALFORMED', `pcf.${k}`],
      ),
    ];
    it.each(cases.map(([name, edit, code, field]) => [name, code, field, edit] as const))('%s: throws %s naming %s', (_name, code, field, edit) => {
      const f = edited(V3, edit);
      expectRejected(() => lotEmissionsFromFootprint(f, LOT), code, field);
    });
  });

  describe('when a v3 field is unusual but valid', () => {
    it('accepts a kilogram footprint without productMassPerDeclaredUnit, or with it null', () => {
      for (const mass of [undefined, null]) {
        const f = edited('canopy/coffee-v3-green-bag-kilogram.json', (x) => {
          if (mass === undefined) delete x.pcf.productMassPerDeclaredUnit;
          else x.pcf.productMassPerDeclaredUnit = mass;
        });
        expect(lotEmissionsFromFootprint(f, LOT).emissionsGramsCo2e).toBe(81_000_000n);
      }
    });

    it('accepts equal kilogram figures written differently ("60" and "060.00")', () => {
      const f = edited('canopy/coffee-v3-green-bag-kilogram.json', (x) => (x.pcf.productMassPerDeclaredUnit = '060.00'));
      expect(lotEmissionsFromFootprint(f, LOT).emissionsGramsCo2e).toBe(81_000_000n);
    });

    it('accepts an area unit with a mass per declared unit (0.5 kg per square meter)', () => {
      const f = edited('canopy/coffee-v3-green-bag-piece.json', (x) => {
        x.pcf.declaredUnitOfMeasurement = 'square meter';
        x.pcf.declaredUnitAmount = '1';
        x.pcf.productMassPerDeclaredUnit = '0.5';
        x.pcf.pcfExcludingBiogenicUptake = '1.5';
      });
      expect(lotEmissionsFromFootprint(f, 1000n).emissionsGramsCo2e).toBe(3000n);
    });

    it('accepts a "+" sign and a dated spec version', () => {
      const f = edited('canopy/coffee-v3-green-bag-piece.json', (x) => {
        x.specVersion = '3.0.2-20250612';
        x.pcf.pcfExcludingBiogenicUptake = '+270';
      });
      expect(lotEmissionsFromFootprint(f, LOT).emissionsGramsCo2e).toBe(81_000_000n);
    });

    it('does not read inherited members', () => {
      const f = edited('canopy/coffee-v3-green-bag-piece.json', (x) => delete x.pcf.productMassPerDeclaredUnit);
      const proto = Object.prototype as Record<string, unknown>;
      proto.productMassPerDeclaredUnit = '60';
      try {
        expectRejected(() => lotEmissionsFromFootprint(f, LOT), 'FOOTPRINT_MALFORMED', 'pcf.productMassPerDeclaredUnit');
      } finally {
        delete proto.productMassPerDeclaredUnit;
      }
    });
  });

  describe('when a field of a v2 footprint is wrong', () => {
    const V2 = 'canopy/coffee-v2.3-green-kilogram.json';
    type Case = [string, (f: Record<string, any>) => void, 'FOOTPRINT_MALFORMED' | 'FOOTPRINT_UNSUPPORTED', string];
    // Test names show the case name, code and field; the edit function goes last.
    const cases: Case[] = [
      ['declaredUnit missing', (f) => delete f.pcf.declaredUnit, 'FOOTPRINT_MALFORMED', 'pcf.declaredUnit'],
      ['declaredUnit "piece" (v3 only)', (f) => (f.pcf.declaredUnit = 'piece'), 'FOOTPRINT_MALFORMED', 'pcf.declaredUnit'],
      ...['kilowatt hour', 'megajoule', 'ton kilometer'].map((u): Case => [`unit ${u}`, (f) => (f.pcf.declaredUnit = u), 'FOOTPRINT_UNSUPPORTED', 'pcf.declaredUnit']),
      ['unitaryProductAmount missing', (f) => delete f.pcf.unitaryProductAmount, 'FOOTPRINT_MALFORMED', 'pcf.unitaryProductAmount'],
      ['unitaryProductAmount "0"', (f) => (f.pcf.unitaryProductAmount = '0'), 'FOOTPRINT_MALFORMED', 'pcf.unitaryProductAmount'],
      ['pCfExcludingBiogenic missing', (f) => delete f.pcf.pCfExcludingBiogenic, 'FOOTPRINT_MALFORMED', 'pcf.pCfExcludingBiogenic'],
      ['pCfExcludingBiogenic "-4.5"', (f) => (f.pcf.pCfExcludingBiogenic = '-4.5'), 'FOOTPRINT_MALFORMED', 'pcf.pCfExcludingBiogenic'],
      ['pCfExcludingBiogenic 4.5 (a number)', (f) => (f.pcf.pCfExcludingBiogenic = 4.5), 'FOOTPRINT_MALFORMED', 'pcf.pCfExcludingBiogenic'],
      ['pCfExcludingBiogenic "4.5E0"', (f) => (f.pcf.pCfExcludingBiogenic = '4.5E0'), 'FOOTPRINT_MALFORMED', 'pcf.pCfExcludingBiogenic'],
      ['kilogram with productMassPerDeclaredUnit "60"', (f) => (f.pcf.productMassPerDeclaredUnit = '60'), 'FOOTPRINT_MALFORMED', 'pcf.productMassPerDeclaredUnit'],
      ['kilogram with productMassPerDeclaredUnit "0"', (f) => (f.pcf.productMassPerDeclaredUnit = '0'), 'FOOTPRINT_MALFORMED', 'pcf.productMassPerDeclaredUnit'],
      [
        'cubic meter without mass',
        (f) => {
          f.pcf.declaredUnit = 'cubic meter';
          delete f.pcf.productMassPerDeclaredUnit;
        },
        'FOOTPRINT_UNSUPPORTED',
        'pcf.productMassPerDeclaredUnit',
      ],
      [
        'square meter with mass "0"',
        (f) => {
          f.pcf.declaredUnit = 'square meter';
          f.pcf.productMassPerDeclaredUnit = '0';
        },
        'FOOTPRINT_UNSUPPORTED',
        'pcf.productMassPerDeclaredUnit',
      ],
      [
        'liter with mass in a 2.2 footprint (not a 2.2 field)',
        (f) => {
          f.specVersion = '2.2.0';
          f.pcf.declaredUnit = 'liter';
          f.pcf.productMassPerDeclaredUnit = '1.02';
        },
        'FOOTPRINT_UNSUPPORTED',
        'pcf.productMassPerDeclaredUnit',
      ],
      ...['declaredUnitOfMeasurement', 'declaredUnitAmount', 'pcfExcludingBiogenicUptake'].map(
        (k): Case => [`v3 field ${k} present`, (f) => (f.pcf[k] = '1'), 'FOOTPRINT_MALFORMED', `pcf.${k}`],
      ),
    ];
    it.each(cases.map(([name, edit, code, field]) => [name, code, field, edit] as const))('%s: throws %s naming %s', (_name, code, field, edit) => {
      const f = edited(V2, edit);
      expectRejected(() => lotEmissionsFromFootprint(f, LOT), code, field);
    });

    it.each(['2.0.0', '2.0.1-20230314', '2.1.0', '2.2.0', '2.3.0'])('accepts a kilogram footprint of version %s', (v) => {
      const f = edited(V2, (x) => {
        x.specVersion = v;
        delete x.pcf.productMassPerDeclaredUnit;
      });
      expect(lotEmissionsFromFootprint(f, LOT).emissionsGramsCo2e).toBe(81_000_000n);
    });

    it('accepts a 2.3 square meter footprint with a mass per declared unit', () => {
      const f = edited(V2, (x) => {
        x.pcf.declaredUnit = 'square meter';
        x.pcf.productMassPerDeclaredUnit = '0.25';
        x.pcf.pCfExcludingBiogenic = '1';
      });
      expect(lotEmissionsFromFootprint(f, 1000n).emissionsGramsCo2e).toBe(4000n);
    });
  });

  describe('when quantityGrams is hostile', () => {
    const { json } = vector('canopy/coffee-v2.3-green-kilogram.json');
    const bad = HOSTILE_INPUTS.filter((h) => !(typeof h.value === 'bigint' && h.value >= 1n && h.value < 1n << 48n));
    it.each(bad.map((h) => [h.name, h.value]))('throws an input error naming quantityGrams for %s', (_name, value) => {
      expectInputError(() => lotEmissionsFromFootprint(json, value as bigint), 'quantityGrams');
    });

    it('accepts 1 and 2^48 − 1', () => {
      expect(lotEmissionsFromFootprint(json, 1n).emissionsGramsCo2e).toBe(5n);
      expect(lotEmissionsFromFootprint(json, (1n << 48n) - 1n).emissionsGramsCo2e).toBe((((1n << 48n) - 1n) * 9n + 1n) / 2n);
    });
  });
});

describe('emissionsFromPlainFigures', () => {
  describe('when given an intensity in kgCO2e per kg', () => {
    it('4.5 kgCO2e/kg × 18,000,000 g = 81,000,000 g exactly', () => {
      expect(emissionsFromPlainFigures({ kgCo2ePerKg: '4.5' }, LOT)).toEqual({
        emissionsGramsCo2e: 81_000_000n,
        basis: { kind: 'declared-intensity', kgCo2ePerKg: '4.5', gramsCo2ePerGram: { numerator: '9', denominator: '2' } },
      });
    });

    it('rounds up once', () => {
      expect(emissionsFromPlainFigures({ kgCo2ePerKg: '2.5' }, 3n).emissionsGramsCo2e).toBe(8n);
      expect(emissionsFromPlainFigures({ kgCo2ePerKg: '0.0001' }, 1n).emissionsGramsCo2e).toBe(1n);
      expect(emissionsFromPlainFigures({ kgCo2ePerKg: '0.3333' }, 3n).emissionsGramsCo2e).toBe(1n);
      expect(emissionsFromPlainFigures({ kgCo2ePerKg: '0.3334' }, 3n).emissionsGramsCo2e).toBe(2n);
      expect(emissionsFromPlainFigures({ kgCo2ePerKg: '0' }, LOT).emissionsGramsCo2e).toBe(0n);
    });

    it.each(['-4.5', '+4.5', '4.5e0', '', 'NaN', ' 4.5', '4,5', '.5', '4.'])('throws TypeError for %j', (text) => {
      expectInputError(() => emissionsFromPlainFigures({ kgCo2ePerKg: text }, LOT), 'figures.kgCo2ePerKg', 'type');
    });

    it('throws RangeError for a string over 64 characters', () => {
      expectInputError(() => emissionsFromPlainFigures({ kgCo2ePerKg: '1'.repeat(65) }, LOT), 'figures.kgCo2ePerKg', 'range');
    });

    it('throws RangeError when the total reaches 2^64', () => {
      expectInputError(() => emissionsFromPlainFigures({ kgCo2ePerKg: '65537' }, (1n << 48n) - 1n), 'emissionsGramsCo2e', 'range');
    });

    const badValues = HOSTILE_INPUTS.filter((h) => !(typeof h.value === 'string' && /^[0-9]+(\.[0-9]+)?$/.test(h.value) && h.value.length <= 64));
    it.each(badValues.map((h) => [h.name, h.value]))('throws an input error for kgCo2ePerKg = %s', (_name, value) => {
      expectInputError(() => emissionsFromPlainFigures({ kgCo2ePerKg: value as string }, LOT), 'figures.kgCo2ePerKg');
    });
  });

  describe('when given a total in grams CO2e', () => {
    it('returns it unchanged', () => {
      expect(emissionsFromPlainFigures({ gramsCo2eTotal: 81_000_000n }, LOT)).toEqual({ emissionsGramsCo2e: 81_000_000n, basis: { kind: 'declared-total' } });
      expect(emissionsFromPlainFigures({ gramsCo2eTotal: (1n << 64n) - 1n }, LOT).emissionsGramsCo2e).toBe((1n << 64n) - 1n);
    });

    const badTotals = HOSTILE_INPUTS.filter((h) => !(typeof h.value === 'bigint' && h.value >= 0n && h.value < 1n << 64n));
    it.each(badTotals.map((h) => [h.name, h.value]))('throws an input error for gramsCo2eTotal = %s', (_name, value) => {
      expectInputError(() => emissionsFromPlainFigures({ gramsCo2eTotal: value as bigint }, LOT), 'figures.gramsCo2eTotal');
    });
  });

  describe('when the figures object is wrong', () => {
    it.each([
      ['both members', { kgCo2ePerKg: '4.5', gramsCo2eTotal: 1n }],
      ['no member', {}],
      ['an unknown member', { kgCo2ePerTonne: '4500' }],
      ['null', null],
      ['a string', '4.5'],
      ['an array', ['4.5']],
    ])('throws TypeError for %s', (_name, figures) => {
      expectInputError(() => emissionsFromPlainFigures(figures as never, LOT), 'figures', 'type');
    });

    it('checks quantityGrams too', () => {
      expectInputError(() => emissionsFromPlainFigures({ gramsCo2eTotal: 1n }, 0n), 'quantityGrams', 'range');
    });
  });
});
