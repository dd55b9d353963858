/**
 * `checkLotDisclosure`: what `canopy audit disclosure` does with a lot disclosure
 * (prover/disclose/disclosure-file.ts) — check a lot note's declared figures against the
 * registry. Named checks, in order; the first that fails ends it:
 *
 *     commitment   the disclosed note (owner key, commodity, grams, emissions,
 *                  deforestation-free flag, salt) recomputes to the disclosed commitment
 *                  (core/lots/note.ts noteCommitment)
 *     checkpoint   the registry's latest checkpoint verifies with its key
 *     registry     the commitment is a leaf of the registry's lots tree, by a Poseidon proof
 *                  against that checkpoint's lots root
 *     entry        the entry that appended it is proven included in the checkpoint's log and
 *                  appends the commitment (a lot mint, capacity mint or transition)
 *     proofs       every proof of that entry verifies with the auditor's pinned keys
 *
 * What passing shows: the figures are the ones committed when the lot was created, by a
 * verified entry, and cannot have been changed since. What it does not show: that a
 * minted lot's self-declared emissions are true (binding, not proven), or whether the lot
 * is still unspent (its nullifier needs the owner secret, which a disclosure never holds).
 * @module
 */
import { fieldToString, parseField } from '../../core/field.ts';
import { noteCommitment } from '../../core/lots/note.ts';
import type { Checkpoint } from '../../core/note/checkpoint.ts';
import { withCurves } from '../../circuits/toolchain/snarkjs.ts';
import { disclosedNote, type LotDisclosure } from '../../prover/disclose/disclosure-file.ts';
import type { AuditSource } from './audit-source.ts';
import type { DisclosureCheckResult } from './check-plot-disclosure.ts';
import { openCheckpointNote } from './_checkpoints.ts';
import { hashToBase64 } from './_hash-text.ts';
import type { ResolvedKey } from './pinned-keys.ts';
import { DisclosureCheckError, leafOrigin, verifyEntryProofs } from './_registry-lookups.ts';

/** The checks of a lot disclosure, in order. */
export const LOT_DISCLOSURE_CHECKS = ['commitment', 'checkpoint', 'registry', 'entry', 'proofs'] as const;

/** What a lot disclosure check found. JSON-safe. */
export interface LotDisclosureReport {
  ok: boolean;
  kind: 'lot';
  checks: DisclosureCheckResult[];
  failure: { check: string; message: string } | null;
  lot: {
    commitment: string;
    commodity: string;
    quantityGrams: string;
    emissionsGramsCo2e: string;
    /** Emissions intensity, g CO2e per kg, rounded to three decimals (null for 0 g). */
    intensityGramsPerKg: number | null;
    deforestationFree: boolean;
    /** The entry that created the note and its leaf index, once found. */
    sequence: number | null;
    entryType: string | null;
    leafIndex: number | null;
  };
  checkpoint: { size: number; rootHash: string } | null;
}

/** Options of `checkLotDisclosure`. */
export interface LotDisclosureCheckOptions {
  disclosure: LotDisclosure;
  registry: AuditSource;
  registryKey: string;
  keys: ReadonlyMap<string, ResolvedKey>;
}

/**
 * Checks a lot disclosure (module comment).
 * @returns the report; `ok` false and `failure` naming the first failed check
 * @throws {ApiError} for HTTP failures
 * @example await checkLotDisclosure({ disclosure, registry: client, registryKey, keys })
 */
export async function checkLotDisclosure(options: LotDisclosureCheckOptions): Promise<LotDisclosureReport> {
  const d = options.disclosure;
  const grams = BigInt(d.note.quantityGrams);
  const emissions = BigInt(d.note.emissionsGramsCo2e);
  const report: LotDisclosureReport = {
    ok: false,
    kind: 'lot',
    checks: [],
    failure: null,
    lot: {
      commitment: d.commitment,
      commodity: d.note.commodity,
      quantityGrams: d.note.quantityGrams,
      emissionsGramsCo2e: d.note.emissionsGramsCo2e,
      // g CO2e per kg = emissions / (grams / 1000), to three decimals, in integers.
      intensityGramsPerKg: grams === 0n ? null : Number((emissions * 1_000_000n) / grams) / 1000,
      deforestationFree: d.note.deforestationFree,
      sequence: null,
      entryType: null,
      leafIndex: null,
    },
    checkpoint: null,
  };
  const pass = (check: string, detail: string): void => void report.checks.push({ check, ok: true, detail });
  try {
    // commitment
    let commitment: bigint;
    try {
      commitment = noteCommitment(disclosedNote(d));
    } catch (e) {
      throw new DisclosureCheckError('commitment', `the disclosed note is not a lot note: ${(e as Error).message}`);
    }
    if (commitment !== parseField(d.commitment, 'commitment')) throw new DisclosureCheckError('commitment', `the disclosed note commits to ${commitment}, not ${d.commitment}`);
    pass('commitment', `the note recomputes to ${d.commitment}`);

    // checkpoint
    let cp: Checkpoint;
    try {
      cp = openCheckpointNote(await options.registry.checkpointNote(), options.registryKey).checkpoint;
    } catch (e) {
      throw new DisclosureCheckError('checkpoint', (e as Error).message);
    }
    report.checkpoint = { size: cp.size, rootHash: hashToBase64(cp.rootHash) };
    pass('checkpoint', `size ${cp.size}`);

    // registry, entry
    const origin = await leafOrigin(options.registry, 'lots', commitment, cp);
    report.lot.leafIndex = origin.leafIndex;
    pass('registry', `lots leaf ${origin.leafIndex} under the signed lots root ${fieldToString(cp.canopyRoots!.lots)}`);
    report.lot.sequence = origin.sequence;
    report.lot.entryType = origin.entry.type;
    pass('entry', `${origin.entry.type} entry ${origin.sequence}, included in the log of size ${cp.size}`);

    // proofs
    await withCurves(() => verifyEntryProofs(origin, options.keys));
    pass('proofs', `${origin.effects.proofs.length} ${origin.effects.proofs.length === 1 ? 'proof verifies' : 'proofs verify'} with the pinned keys`);
    report.ok = true;
  } catch (e) {
    if (!(e instanceof DisclosureCheckError)) throw e;
    report.failure = { check: e.check, message: e.message };
    report.checks.push({ check: e.check, ok: false, detail: e.message });
  }
  return report;
}
