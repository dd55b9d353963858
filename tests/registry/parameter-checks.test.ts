// The registry's checks of public parameters against core/lots/public-parameters.ts:
// every processing rule and the identity pass, anything else is PARAMETER_NOT_ALLOWED;
// capacity issuance at exactly the commodity's ceiling, a cut-off at or before the EUDR's,
// a harvest year of this or last UTC year of the registry clock.
import { describe, expect, it } from 'vitest';
import { EUDR_CUTOFF_CODE, PROCESSING_RULES, YIELD_CEILINGS } from '../../core/lots/public-parameters.ts';
import type { LogEntry } from '../../registry/log/entry.ts';
import { allowedHarvestYears, checkParameters } from '../../registry/log/parameter-checks.ts';
import { EntryRejectedError } from '../../registry/log/rejection.ts';
import { HOSTILE_INPUTS } from '../hostile-inputs.ts';
import { artifacts, CEILING, capacityIssue, datasetEntry, fe, lotMint, transition } from './_fixtures.ts';

const NOW = Date.UTC(2026, 5, 15); // mid-2026

function refusal(entry: LogEntry, now = NOW, index = 0): EntryRejectedError | null {
  try {
    checkParameters(entry, index, now);
    return null;
  } catch (e) {
    if (e instanceof EntryRejectedError) return e;
    throw e;
  }
}

const convert = (inCommodity: bigint, outCommodity: bigint, factorNum: bigint, factorDen: bigint) =>
  transition({ root: 1n, nullifiers: [2n], outCommitments: [3n, 0n], conversion: { inCommodity, outCommodity, factorNum, factorDen } });

const issue = (p: Partial<Parameters<typeof capacityIssue>[0]>) => capacityIssue({ plotsRoot: 1n, issueTag: 2n, capacityCommitment: 3n, harvestYear: 2026, ...p });

describe('checkParameters', () => {
  describe('when a transition converts', () => {
    it('accepts the identity for any 20-bit commodity and every processing rule exactly', () => {
      for (const c of [0n, 90111n, 180100n, (1n << 20n) - 1n]) expect(refusal(convert(c, c, 1n, 1n)), `identity ${c}`).toBeNull();
      for (const r of PROCESSING_RULES) expect(refusal(convert(r.inCommodity, r.outCommodity, r.factorNum, r.factorDen)), r.name).toBeNull();
    });

    it('refuses any other conversion with PARAMETER_NOT_ALLOWED at the entry index', () => {
      const rule = PROCESSING_RULES[0]!;
      const bad: [string, LogEntry][] = [
        ['a factor other than 1/1 without a change of commodity', convert(90111n, 90111n, 2n, 1n)],
        ['1/1 written as 2/2', convert(90111n, 90111n, 2n, 2n)],
        ['a commodity beyond 20 bits', convert(1n << 20n, 1n << 20n, 1n, 1n)],
        ['a rule at a better factor than its ceiling', convert(rule.inCommodity, rule.outCommodity, rule.factorNum + 1n, rule.factorDen)],
        ['a rule with its factor reduced differently', convert(rule.inCommodity, rule.outCommodity, rule.factorNum * 2n, rule.factorDen * 2n)],
        ['a rule run backwards', convert(rule.outCommodity, rule.inCommodity, rule.factorDen, rule.factorNum)],
        ['a change of commodity with no rule', convert(90111n, 180100n, 1n, 1n)],
      ];
      for (const [what, entry] of bad) {
        const e = refusal(entry, NOW, 3);
        expect([what, e?.reason, e?.index]).toEqual([what, 'PARAMETER_NOT_ALLOWED', 3]);
      }
    });
  });

  describe('when capacity is issued', () => {
    it('accepts every listed ceiling exactly, at cut-offs up to the EUDR’s, for this and last year', () => {
      for (const y of YIELD_CEILINGS) expect(refusal(issue({ commodity: y.commodity, yieldCeilingGramsPerPixel: y.gramsPerPixel })), String(y.commodity)).toBeNull();
      for (const cutoffCode of [0, 1, EUDR_CUTOFF_CODE - 1, EUDR_CUTOFF_CODE]) expect(refusal(issue({ cutoffCode }))).toBeNull();
      for (const harvestYear of [2025, 2026]) expect(refusal(issue({ harvestYear }))).toBeNull();
    });

    it('refuses another ceiling, a commodity without one, a later cut-off, and other years', () => {
      const bad: [string, LogEntry, RegExp][] = [
        ['one gram per pixel more', issue({ yieldCeilingGramsPerPixel: CEILING.gramsPerPixel + 1n }), /yield ceiling/],
        ['one gram per pixel less', issue({ yieldCeilingGramsPerPixel: CEILING.gramsPerPixel - 1n }), /yield ceiling/],
        ['a commodity with no ceiling', issue({ commodity: 151110n }), /has no yield ceiling/],
        ['the cut-off after the EUDR’s', issue({ cutoffCode: EUDR_CUTOFF_CODE + 1 }), /cut-off code 22/],
        ['next year', issue({ harvestYear: 2027 }), /harvest year 2027 is not in \[2025, 2026\]/],
        ['two years ago', issue({ harvestYear: 2024 }), /harvest year 2024/],
        ['year 0', issue({ harvestYear: 0 }), /harvest year 0/],
      ];
      for (const [what, entry, message] of bad) {
        const e = refusal(entry);
        expect([what, e?.reason]).toEqual([what, 'PARAMETER_NOT_ALLOWED']);
        expect(e!.message, what).toMatch(message);
      }
    });

    it('moves the harvest-year window at the UTC new year, not before', () => {
      const lastMs2025 = Date.UTC(2026, 0, 1) - 1;
      expect(refusal(issue({ harvestYear: 2026 }), lastMs2025)?.reason).toBe('PARAMETER_NOT_ALLOWED');
      expect(refusal(issue({ harvestYear: 2024 }), lastMs2025)).toBeNull();
      expect(refusal(issue({ harvestYear: 2026 }), lastMs2025 + 1)).toBeNull();
      expect(refusal(issue({ harvestYear: 2024 }), lastMs2025 + 1)?.reason).toBe('PARAMETER_NOT_ALLOWED');
    });
  });

  describe('when an entry has no parameters', () => {
    it('passes datasets, mints and artifacts entries', () => {
      for (const e of [datasetEntry(fe('d')), lotMint(fe('m')), artifacts(['lot_mint'])]) expect(refusal(e)).toBeNull();
    });
  });

  describe('when an argument is malformed', () => {
    it('throws TypeError or RangeError, never a refusal', () => {
      for (const { name, value } of HOSTILE_INPUTS) expect(() => checkParameters(value as LogEntry, 0, NOW), name).toThrow(/^"entry(\.type)?" expected/);
      expect(() => checkParameters(lotMint(1n), -1, NOW)).toThrow(RangeError);
      expect(() => checkParameters(lotMint(1n), 0, 1.5)).toThrow(TypeError);
    });
  });
});

describe('allowedHarvestYears', () => {
  describe('when given a clock reading', () => {
    it('returns the UTC year and the one before', () => {
      expect(allowedHarvestYears(Date.UTC(2026, 0, 1))).toEqual([2025, 2026]);
      expect(allowedHarvestYears(Date.UTC(2026, 0, 1) - 1)).toEqual([2024, 2025]);
      expect(allowedHarvestYears(0)).toEqual([1969, 1970]);
      expect(() => allowedHarvestYears(-1)).toThrow(RangeError);
    });
  });
});
