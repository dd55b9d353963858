// The claim exports: a PACT v3 ProductFootprint that core/pact's own reader reads back
// (verifier/pact-footprint.ts), and the EUDR due diligence statement fields
// (verifier/dds-fields.ts); and reading passport inputs (verifier/passport-input.ts).
import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { ownerKey } from '../../core/lots/note.ts';
import { lotEmissionsFromFootprint } from '../../core/pact/lot-emissions.ts';
import { type LotPassport, passportToJson } from '../../core/passport/lot-passport.ts';
import { encryptPassport, generateRecipientKey } from '../../core/passport/passport-encryption.ts';
import { claimToDdsFields } from '../../verifier/dds-fields.ts';
import { lotIntensity } from '../../verifier/lot-intensity.ts';
import { claimToPactFootprint } from '../../verifier/pact-footprint.ts';
import { openPassport, parseRecipientSecretKey } from '../../verifier/passport-input.ts';
import type { VerifiedClaim } from '../../verifier/verify-lot-passport.ts';

function claim(quantityGrams: bigint, emissionsGramsCo2e: bigint, overrides: Partial<VerifiedClaim> = {}): VerifiedClaim {
  return {
    format: 'canopy-verified-claim/1',
    commodity: { code: '90111', name: 'green coffee (not roasted, not decaffeinated)', hs: '0901.11' },
    quantityGrams: quantityGrams.toString(),
    emissionsGramsCo2e: emissionsGramsCo2e.toString(),
    intensity: lotIntensity(emissionsGramsCo2e, quantityGrams),
    deforestationFree: true,
    cutoff: { date: '2020-12-31', lossYearCode: 21 },
    datasets: [],
    checkpoint: { origin: 'registry.example/canopy', size: 1300, rootHash: 'x', lotsRoot: '1', cosigners: [] },
    registry: { origin: 'registry.example/canopy', sequence: 1207, leafIndex: 41, entryType: 'transition', circuit: 'lot_transition' },
    verifiedAt: '2026-01-02T03:04:05.000Z',
    ...overrides,
  };
}

describe('claimToPactFootprint', () => {
  describe('when the intensity is an exact decimal', () => {
    it('declares 1 kilogram at that intensity, and core/pact reads back the lot’s emissions exactly', () => {
      const c = claim(18_000_000n, 81_000_000n);
      const fp = claimToPactFootprint(c, { country: 'CO' });
      expect(fp).toMatchObject({
        specVersion: '3.0.0',
        status: 'Active',
        created: '2026-01-02T03:04:05.000Z',
        productNameCompany: 'green coffee (not roasted, not decaffeinated)',
        productIds: ['urn:canopy:lot:registry.example%2Fcanopy:1207:41'],
        productClassifications: ['urn:pact:productclassification:hs:090111'],
        pcf: { declaredUnitOfMeasurement: 'kilogram', declaredUnitAmount: '1', productMassPerDeclaredUnit: '1', pcfExcludingBiogenicUptake: '4.5', geographyCountry: 'CO' },
      });
      expect(fp.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(fp.comment).toMatch(/exact/);
      const back = lotEmissionsFromFootprint(JSON.parse(JSON.stringify(fp)), 18_000_000n);
      expect(back.emissionsGramsCo2e).toBe(81_000_000n);
      expect(back.basis).toMatchObject({ kind: 'pact-footprint', specVersion: '3.0.0', declaredUnit: 'kilogram', gramsCo2ePerGram: { numerator: '9', denominator: '2' } });
    });
  });
  describe('when the intensity does not terminate', () => {
    it('rounds up at 18 places, says so, and reads back at most 1 g over', () => {
      for (const [q, e] of [
        [3_000n, 10_000n],
        [7n, 1n],
        [2n ** 48n - 1n, 2n ** 64n - 2n],
        [999_999_937n, 4_500_000_000n],
      ] as const) {
        const fp = claimToPactFootprint(claim(q, e));
        expect(fp.comment).toMatch(/rounded up at 18 decimal places/);
        const back = lotEmissionsFromFootprint(fp, q).emissionsGramsCo2e;
        expect(back === e || back === e + 1n, `read back ${back} for ${e} g over ${q} g`).toBe(true);
      }
    });
  });
  describe('when a rounded intensity meets the 2^64 g bound of a note', () => {
    it('reads back as 2^64 g, which core/pact refuses', () => {
      expect(() => lotEmissionsFromFootprint(claimToPactFootprint(claim(2n ** 48n - 1n, 2n ** 64n - 1n)), 2n ** 48n - 1n)).toThrow(RangeError);
    });
  });
  describe('for every lot of 1..30 g with 0..30 g CO2e', () => {
    it('reads back E exactly when exact, E + 1 otherwise', () => {
      for (let q = 1n; q <= 30n; q++) {
        for (let e = 0n; e <= 30n; e++) {
          const c = claim(q, e);
          const back = lotEmissionsFromFootprint(claimToPactFootprint(c), q).emissionsGramsCo2e;
          expect(back, `${e} g over ${q} g`).toBe(c.intensity!.exact ? e : e + 1n);
        }
      }
    });
  });
  describe('identities', () => {
    it('gives one id per lot, another for another lot, and names nothing upstream', () => {
      const a = claimToPactFootprint(claim(1000n, 1000n));
      expect(claimToPactFootprint(claim(1000n, 1000n, { verifiedAt: '2027-01-01T00:00:00.000Z' })).id).toBe(a.id);
      expect(claimToPactFootprint(claim(1000n, 1000n, { registry: { ...claim(1n, 1n).registry, leafIndex: 42 } })).id).not.toBe(a.id);
      expect(a.companyName).toBe('undisclosed');
      expect(claimToPactFootprint(claim(1000n, 1000n), { companyName: 'Importer GmbH', companyIds: ['urn:company:example:importer'] })).toMatchObject({ companyName: 'Importer GmbH', companyIds: ['urn:company:example:importer'] });
    });
    it('leaves out a classification for a commodity without an HS heading', () => {
      const fp = claimToPactFootprint(claim(1000n, 1000n, { commodity: { code: '1090111', name: 'fresh coffee cherries', hs: null } }));
      expect(fp.productClassifications).toBeUndefined();
      expect(fp.productDescription).toMatch(/^fresh coffee cherries, a lot of 1 kg/);
    });
  });
  describe('when the lot weighs 0 g or an option is malformed', () => {
    it('throws', () => {
      expect(() => claimToPactFootprint(claim(0n, 5n))).toThrow(CanopyError);
      expect(() => claimToPactFootprint(claim(1n, 1n), { country: 'co' })).toThrow(/"options\.country" expected an ISO 3166-1 alpha-2 code/);
      expect(() => claimToPactFootprint(claim(1n, 1n), { companyIds: ['not a urn'] })).toThrow(/"options\.companyIds\[0\]" expected a URN/);
    });
  });
});

describe('claimToDdsFields', () => {
  describe('when the seller disclosed the country of production', () => {
    it('fills HS code, description, net mass, country, cut-off and the registry reference', () => {
      expect(claimToDdsFields(claim(18_000_500n, 81_000_000n), { country: 'CO' })).toEqual({
        format: 'canopy-dds-fields/1',
        hsCode: '090111',
        hsHeading: '0901.11',
        description: 'green coffee (not roasted, not decaffeinated)',
        netMassKg: '18000.5',
        countryOfProduction: 'CO',
        deforestationFree: true,
        cutoffDate: '2020-12-31',
        registryReference: { origin: 'registry.example/canopy', sequence: 1207, leafIndex: 41, checkpointSize: 1300, verifiedAt: '2026-01-02T03:04:05.000Z' },
      });
    });
  });
  describe('when it did not, or the commodity has no HS heading', () => {
    it('leaves those fields null', () => {
      const d = claimToDdsFields(claim(1n, 1n, { commodity: { code: '1090111', name: null, hs: null } }));
      expect([d.countryOfProduction, d.hsCode, d.hsHeading, d.description, d.netMassKg]).toEqual([null, null, null, 'commodity code 1090111', '0.001']);
    });
  });
  describe('when the country is malformed', () => {
    it('throws RangeError', () => {
      for (const bad of ['C', 'COL', 'co', '1A']) expect(() => claimToDdsFields(claim(1n, 1n), { country: bad })).toThrow(RangeError);
    });
  });
});

const passport: LotPassport = {
  note: { ownerKey: ownerKey(7n), commodity: 90111n, quantityGrams: 10n, emissionsGramsCo2e: 20n, deforestationFree: false, salt: 3n },
  ownerSecret: 7n,
  leafIndex: 2,
  registry: { origin: 'registry.example/canopy', sequence: 9 },
};

describe('openPassport', () => {
  describe('when the passport is plain JSON', () => {
    it('parses it strictly', () => {
      const text = passportToJson({ ...passport, ownerSecret: null });
      expect(openPassport(new TextEncoder().encode(text), null)).toEqual({ passport: { ...passport, ownerSecret: null }, encrypted: false });
      expect(() => openPassport(new TextEncoder().encode(`${text}\n`), null)).toThrow(/PASSPORT_MALFORMED|canonical/);
    });
  });
  describe('when the passport is encrypted', () => {
    it('opens it with the recipient key, and only with it', () => {
      const { secretKey, publicKey } = generateRecipientKey();
      const blob = encryptPassport(passport, publicKey);
      expect(openPassport(blob, secretKey)).toEqual({ passport, encrypted: true });
      expect(() => openPassport(blob, null)).toThrow(/--key FILE/);
      expect(() => openPassport(blob, generateRecipientKey().secretKey)).toThrow(expect.objectContaining({ code: 'PASSPORT_UNDECRYPTABLE' }));
    });
  });
  describe('when the bytes are neither form', () => {
    it('throws PASSPORT_MALFORMED', () => {
      expect(() => openPassport(new Uint8Array([0x02, 1, 2]), null)).toThrow(expect.objectContaining({ code: 'PASSPORT_MALFORMED' }));
      expect(() => openPassport(new Uint8Array(9000).fill(0x7b), null)).toThrow(/larger than any passport/);
    });
  });
});

describe('parseRecipientSecretKey', () => {
  it('reads canonical base64 of 32 bytes with an optional newline, and nothing else', () => {
    const key = new Uint8Array(32).fill(5);
    const b64 = Buffer.from(key).toString('base64');
    expect(parseRecipientSecretKey(b64)).toEqual(key);
    expect(parseRecipientSecretKey(`${b64}\n`)).toEqual(key);
    for (const bad of [`${b64}\n\n`, b64.slice(0, -2), `${b64.slice(0, -2)}x=`, ` ${b64}`, Buffer.from(new Uint8Array(31)).toString('base64')]) {
      expect(() => parseRecipientSecretKey(bad), JSON.stringify(bad)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
  });
});
