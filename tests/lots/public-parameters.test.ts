import { describe, expect, it } from 'vitest';
import { LOT_COMMODITY_BITS } from '../../core/lots/note.ts';
import {
  COMMODITIES,
  commodityByCode,
  EUDR_CUTOFF_CODE,
  isAllowedConversion,
  PROCESSING_RULES,
  processingRuleByName,
  YIELD_CEILINGS,
  yieldCeiling,
} from '../../core/lots/public-parameters.ts';

// The largest 250 µ° pixel (at the equator) in hectares, as the module states it.
const MAX_PIXEL_HA_E4 = 772n; // 0.0772 ha × 10^4

describe('COMMODITIES', () => {
  it('has distinct codes that fit the notes’ 20 bits', () => {
    const codes = COMMODITIES.map((c) => c.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c < 1n << BigInt(LOT_COMMODITY_BITS), `code ${c}`).toBe(true);
  });

  it('gives stage codes only from 1,000,000 up and HS codes below', () => {
    for (const c of COMMODITIES) {
      const hsDigits = BigInt(c.hs.replace('.', '').padEnd(6, '0'));
      if (c.code >= 1_000_000n) expect(COMMODITIES.some((o) => o !== c && o.hs === c.hs), `${c.name} shares its HS code`).toBe(true);
      else expect(c.code, c.name).toBe(hsDigits);
    }
  });

  it('finds a commodity by code, and null for an unknown one', () => {
    expect(commodityByCode(90111n)?.hs).toBe('0901.11');
    expect(commodityByCode(12345n)).toBeNull();
  });
});

describe('PROCESSING_RULES', () => {
  it('converts between known, different commodities with a factor below 1', () => {
    for (const r of PROCESSING_RULES) {
      expect(commodityByCode(r.inCommodity), r.name).not.toBeNull();
      expect(commodityByCode(r.outCommodity), r.name).not.toBeNull();
      expect(r.inCommodity).not.toBe(r.outCommodity);
      expect(r.factorDen > 0n && r.factorNum <= r.factorDen, r.name).toBe(true);
      expect(r.factorNum < 1n << 32n && r.factorDen < 1n << 32n).toBe(true);
    }
  });

  describe('processingRuleByName', () => {
    it('returns the named rule', () => {
      expect(processingRuleByName('coffee-hulling').outCommodity).toBe(90111n);
    });
    it('names the unknown rule and the known ones', () => {
      expect(() => processingRuleByName('roasting')).toThrow(/no processing rule "roasting"; known rules: coffee-hulling, palm-oil-extraction/);
    });
  });
});

describe('isAllowedConversion', () => {
  const hulling = processingRuleByName('coffee-hulling');
  it.each([
    ['the identity of a commodity', 90111n, 90111n, 1n, 1n, true],
    ['the identity of any 20-bit code', 999_999n, 999_999n, 1n, 1n, true],
    ['a rule exactly', hulling.inCommodity, hulling.outCommodity, hulling.factorNum, hulling.factorDen, true],
  ])('allows %s', (_name, a, b, n, d, want) => {
    expect(isAllowedConversion(a, b, n, d)).toBe(want);
  });
  it.each([
    ['a factor other than 1 without a change of commodity', 90111n, 90111n, 2n, 1n],
    ['an equivalent but differently written factor (2/10 for 1/5)', hulling.inCommodity, hulling.outCommodity, 2n, 10n],
    ['a more generous factor than the rule', hulling.inCommodity, hulling.outCommodity, 1n, 4n],
    ['a rule run backwards', hulling.outCommodity, hulling.inCommodity, hulling.factorNum, hulling.factorDen],
    ['a change of commodity with no rule', 90111n, 180100n, 1n, 1n],
    ['an identity of a code past 20 bits', 1n << 20n, 1n << 20n, 1n, 1n],
  ])('refuses %s', (_name, a, b, n, d) => {
    expect(isAllowedConversion(a, b, n, d)).toBe(false);
  });
});

describe('YIELD_CEILINGS', () => {
  it('states each per-pixel ceiling as the per-hectare one × 0.0772 ha, rounded up', () => {
    for (const y of YIELD_CEILINGS) {
      const want = (y.gramsPerHectare * MAX_PIXEL_HA_E4 + 9_999n) / 10_000n;
      expect(y.gramsPerPixel, `commodity ${y.commodity}`).toBe(want);
      expect(y.gramsPerPixel < 1n << 32n).toBe(true);
    }
  });

  it('has a ceiling only for commodities a plot grows', () => {
    expect(yieldCeiling(1_000_001n)?.gramsPerPixel).toBe(1_544_000n);
    expect(yieldCeiling(90111n)).toBeNull();
    expect(yieldCeiling(151110n)).toBeNull();
  });
});

describe('EUDR_CUTOFF_CODE', () => {
  it('is 21: loss in 2021 or later fails (cut-off 31 Dec 2020)', () => {
    expect(EUDR_CUTOFF_CODE).toBe(21);
  });
});
