/**
 * The public parameters every party reads the same way: the commodities Canopy knows,
 * the processing rules a transition may apply, the harvest-yield ceilings capacity is
 * issued from, and the EUDR cut-off (docs/lots.md, "Public parameters").
 *
 * The registry refuses a transition whose (inCommodity, outCommodity, factorNum,
 * factorDen) is neither (c, c, 1, 1) nor a rule of `PROCESSING_RULES`, and a capacity
 * issuance whose yield ceiling is not the one listed here for its commodity; verifiers
 * read names and units from here. Changing a value changes what the registry accepts,
 * so each is a protocol constant, not a setting.
 *
 * Commodity codes are six-digit HS codes read as integers (0901.11 → 90111). Where one HS
 * code covers two stages that a rule converts between (fresh coffee cherries and green
 * coffee are both raw coffee of HS 0901.11), the earlier stage gets a code of its own
 * from 1,000,001 up: no HS code reaches it (six digits), and it still fits the notes' 20
 * bits (< 1,048,576; the circuits range-check every commodity to that width).
 * @module
 */
import { CanopyError } from '../errors.ts';
import { LOT_COMMODITY_BITS } from './note.ts';

/** A commodity a lot note may carry. */
export interface Commodity {
  /** The code hashed into notes: an HS code as an integer, or a Canopy stage code ≥ 1,000,000. */
  readonly code: bigint;
  /** A short name for people. */
  readonly name: string;
  /** The HS heading it is declared under (dotted, as on customs forms). */
  readonly hs: string;
}

/** Commodities Canopy knows by name. Notes may carry any 20-bit code; these get names. */
export const COMMODITIES: readonly Commodity[] = [
  { code: 1_000_001n, name: 'fresh coffee cherries', hs: '0901.11' },
  { code: 90111n, name: 'green coffee (not roasted, not decaffeinated)', hs: '0901.11' },
  { code: 180100n, name: 'cocoa beans', hs: '1801.00' },
  { code: 120710n, name: 'oil palm fruit and kernels', hs: '1207.10' },
  { code: 151110n, name: 'crude palm oil', hs: '1511.10' },
];

/**
 * A public processing rule: up to factorNum / factorDen grams of `outCommodity` per gram
 * of `inCommodity`. The factor is a ceiling (the best yield the process reaches), so an
 * honest processor's output always fits under it.
 */
export interface ProcessingRule {
  /** Name used on the command line, e.g. "coffee-hulling". */
  readonly name: string;
  readonly inCommodity: bigint;
  readonly outCommodity: bigint;
  readonly factorNum: bigint;
  readonly factorDen: bigint;
  /** Why this factor: the source or the reasoning, for auditors. */
  readonly basis: string;
}

/** Every processing rule the registry accepts. */
export const PROCESSING_RULES: readonly ProcessingRule[] = [
  {
    name: 'coffee-hulling',
    inCommodity: 1_000_001n,
    outCommodity: 90111n,
    factorNum: 1n,
    factorDen: 5n,
    basis: 'fresh cherries to green coffee: 5 to 6 kg of cherries make 1 kg of green coffee; 1/5 is the ceiling',
  },
  {
    name: 'palm-oil-extraction',
    inCommodity: 120710n,
    outCommodity: 151110n,
    factorNum: 1n,
    factorDen: 5n,
    basis: 'fresh fruit bunches to crude palm oil: oil extraction rates stay below 20 %',
  },
];

/**
 * Harvest ceilings in grams per dataset pixel, for the 250 µ° Hansen grid. A pixel is at
 * most 0.0772 ha (at the equator: 27.83 m × 27.83 m), so the per-pixel ceiling is the
 * per-hectare ceiling × 0.0772, rounded up: generous away from the equator, never short.
 */
export interface YieldCeiling {
  readonly commodity: bigint;
  /** Highest credible yield per hectare and harvest year, grams. */
  readonly gramsPerHectare: bigint;
  /** The same per 250 µ° pixel: what capacity_issue multiplies the pixel count by. */
  readonly gramsPerPixel: bigint;
}

/** The ceilings capacity may be issued at, one per commodity a plot grows. */
export const YIELD_CEILINGS: readonly YieldCeiling[] = [
  // Intensive coffee reaches ~ 4 t/ha green coffee, ~ 20 t/ha cherries.
  { commodity: 1_000_001n, gramsPerHectare: 20_000_000n, gramsPerPixel: 1_544_000n },
  { commodity: 180100n, gramsPerHectare: 3_000_000n, gramsPerPixel: 231_600n },
  { commodity: 120710n, gramsPerHectare: 40_000_000n, gramsPerPixel: 3_088_000n },
];

/** Largest loss-year code the EUDR accepts as a cut-off: loss in 2021 (code 21) or later fails. */
export const EUDR_CUTOFF_CODE = 21;

/** The EUDR cut-off date, as verified claims state it. */
export const EUDR_CUTOFF_DATE = '2020-12-31';

/**
 * The commodity with this code, or null when Canopy has no name for it.
 * @example commodityByCode(90111n)?.name // 'green coffee (not roasted, not decaffeinated)'
 */
export function commodityByCode(code: bigint): Commodity | null {
  return COMMODITIES.find((c) => c.code === code) ?? null;
}

/**
 * The processing rule with this name.
 * @throws {CanopyError} PARAMETER_UNKNOWN naming the rule and the known ones
 * @example processingRuleByName('coffee-hulling').factorDen // 5n
 */
export function processingRuleByName(name: string): ProcessingRule {
  const rule = PROCESSING_RULES.find((r) => r.name === name);
  if (rule === undefined) {
    throw new CanopyError('PARAMETER_UNKNOWN', `no processing rule "${name}"; known rules: ${PROCESSING_RULES.map((r) => r.name).join(', ')}`);
  }
  return rule;
}

/**
 * Whether a transition's public conversion is allowed: the identity (c, c, 1, 1) for a
 * 20-bit commodity c, or exactly a rule of `PROCESSING_RULES`.
 * @example isAllowedConversion(90111n, 90111n, 1n, 1n) // true
 */
export function isAllowedConversion(inCommodity: bigint, outCommodity: bigint, factorNum: bigint, factorDen: bigint): boolean {
  if (inCommodity === outCommodity) {
    return factorNum === 1n && factorDen === 1n && inCommodity >= 0n && inCommodity < 1n << BigInt(LOT_COMMODITY_BITS);
  }
  return PROCESSING_RULES.some(
    (r) => r.inCommodity === inCommodity && r.outCommodity === outCommodity && r.factorNum === factorNum && r.factorDen === factorDen,
  );
}

/**
 * The yield ceiling for a commodity, or null when capacity cannot be issued for it.
 * @example yieldCeiling(1_000_001n)?.gramsPerPixel // 1544000n
 */
export function yieldCeiling(commodity: bigint): YieldCeiling | null {
  return YIELD_CEILINGS.find((y) => y.commodity === commodity) ?? null;
}
