/**
 * The registry's checks of public parameters: the public signals that are not roots,
 * nullifiers or leaves, held against the protocol's public tables
 * (core/lots/public-parameters.ts). A proof shows its statement holds for the parameters
 * it was given; whether those parameters are allowed is the registry's question, and it
 * answers it before it spends time verifying the proof.
 *
 *     entry type       signals                                      allowed when
 *     transition       inCommodity, outCommodity,                   isAllowedConversion: (c, c, 1, 1)
 *                      factorNum, factorDen                         or exactly a PROCESSING_RULES rule
 *     capacity-issue   commodity, yieldCeilingGramsPerPixel         yieldCeiling(commodity) exists and
 *                                                                   its gramsPerPixel equals the signal
 *                      cutoffCode                                   ≤ EUDR_CUTOFF_CODE (21: loss in 2021
 *                                                                   or later fails the plot)
 *                      harvestYear                                  Y − 1 or Y, Y the UTC year of the
 *                                                                   registry clock at the append
 *
 * A refusal is `PARAMETER_NOT_ALLOWED` (the log unchanged). Every other entry passes.
 *
 * Why the harvest-year window: capacity is issued once per (attestation, harvest year),
 * so a plot could otherwise be issued capacity for every future year at once and mint
 * deforestation-free volume it has not grown yet. Last year stays open so a harvest
 * gathered in late December can still be issued in January. This is the one check that
 * depends on the registry's clock; an auditor replaying the log can hold each
 * capacity-issue entry's harvest year against the `signedAt` times of the checkpoints
 * around it.
 *
 * A cut-off code below 21 (an earlier cut-off date) is stricter than the EUDR's and is
 * allowed; a later one is not.
 * @module
 */
import { assertInteger } from '../../core/assert.ts';
import { EUDR_CUTOFF_CODE, isAllowedConversion, yieldCeiling } from '../../core/lots/public-parameters.ts';
import { signalValues } from './circuit-signals.ts';
import { assertLogEntry, type LogEntry } from './entry.ts';
import { EntryRejectedError } from './rejection.ts';

/** Harvest years a capacity issuance may name, counting back from the registry clock's UTC year. */
export const HARVEST_YEARS_BACK = 1;

/**
 * The harvest years a capacity issuance may name at `nowMs`: [Y − HARVEST_YEARS_BACK, Y].
 * @param nowMs - the registry clock, milliseconds since 1970
 * @throws {TypeError|RangeError} if nowMs is not a non-negative safe integer
 * @example allowedHarvestYears(Date.UTC(2026, 0, 5)) // [2025, 2026]
 */
export function allowedHarvestYears(nowMs: number): [first: number, last: number] {
  assertInteger(nowMs, 'nowMs');
  const year = new Date(nowMs).getUTCFullYear();
  return [year - HARVEST_YEARS_BACK, year];
}

/**
 * Checks an entry's public parameters (see the module table).
 * @param entry - a log entry (checked with assertLogEntry first)
 * @param index - the entry's index in its append call, reported in a refusal
 * @param nowMs - the registry clock, milliseconds since 1970 (the harvest-year window)
 * @throws {TypeError|RangeError} if the entry or an argument is malformed;
 *   {EntryRejectedError} PARAMETER_NOT_ALLOWED naming the parameter and the allowed values
 * @example checkParameters(transitionEntry, 0, Date.now())
 */
export function checkParameters(entry: LogEntry, index: number, nowMs: number): void {
  assertLogEntry(entry, 'entry');
  assertInteger(index, 'index');
  assertInteger(nowMs, 'nowMs');
  const refuse = (detail: string): never => {
    throw new EntryRejectedError('PARAMETER_NOT_ALLOWED', index, detail);
  };
  if (entry.type === 'transition') {
    const signals = entry.body.proof.publicSignals;
    const [inCommodity, outCommodity, factorNum, factorDen] = (['inCommodity', 'outCommodity', 'factorNum', 'factorDen'] as const).map((name) => one(signals, name));
    if (!isAllowedConversion(inCommodity!, outCommodity!, factorNum!, factorDen!)) {
      refuse(`conversion ${inCommodity} → ${outCommodity} at ${factorNum}/${factorDen} is neither the identity (c → c at 1/1) nor a processing rule`);
    }
  } else if (entry.type === 'capacity-issue') {
    const signals = entry.body.proof.publicSignals;
    const commodity = one(signals, 'commodity');
    const ceiling = yieldCeiling(commodity);
    if (ceiling === null) refuse(`commodity ${commodity} has no yield ceiling: capacity cannot be issued for it`);
    const perPixel = one(signals, 'yieldCeilingGramsPerPixel');
    if (perPixel !== ceiling!.gramsPerPixel) refuse(`yield ceiling ${perPixel} g per pixel is not the ceiling of commodity ${commodity}, ${ceiling!.gramsPerPixel} g per pixel`);
    const cutoff = one(signals, 'cutoffCode');
    if (cutoff > BigInt(EUDR_CUTOFF_CODE)) refuse(`cut-off code ${cutoff} is later than the EUDR cut-off (code ${EUDR_CUTOFF_CODE})`);
    const year = one(signals, 'harvestYear');
    const [first, last] = allowedHarvestYears(nowMs);
    if (year < BigInt(first) || year > BigInt(last)) refuse(`harvest year ${year} is not in [${first}, ${last}] (the registry clock's UTC year and the one before)`);
  }
}

function one(signals: Parameters<typeof signalValues>[0], name: string): bigint {
  const [v] = signalValues(signals, name);
  return v!;
}
