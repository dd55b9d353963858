/**
 * Step 7, first half: the importer receives the exporter's green coffee (checked against
 * the registry like every passport), splits it into two containers (`canopy lot split`,
 * one `lot_transition` proof: the emissions are shared by grams and rounded up, so neither
 * container's intensity is below the lot's), and writes the plain passport of the first
 * container (`canopy lot passport`: no secret in it) for its verifier.
 * @module
 */
import { join } from 'node:path';
import { exportPassport } from '../lots/export-passport.ts';
import type { StoredLotNote } from '../lots/note-file.ts';
import { receivePassport } from '../lots/receive-passport.ts';
import { splitLot } from '../lots/transitions.ts';
import { formatKg } from './_format.ts';
import { lotOptions, partyOf, type DemoContext } from './_demo-context.ts';
import { reported, type ReportedLot } from './cooperative.ts';

/** What the importer holds after the split. */
export interface ImporterLots {
  received: ReportedLot;
  containers: ReportedLot[];
  /** The plain passport of the first container. */
  passport: string;
}

/**
 * Receives the green coffee, splits it and writes container 1's passport (module doc).
 * @throws {CanopyError} CLAIM_REJECTED for a passport that fails a check; INVALID_INPUT,
 *   ENTRY_REJECTED as the split
 * @example const lots = await importerSplits(ctx, exporter.passport)
 */
export async function importerSplits(ctx: DemoContext, passportFile: string): Promise<ImporterLots> {
  const say = (l: string) => ctx.narrator.say(l);
  const s = ctx.scenario;
  const opts = lotOptions(ctx, s.importer.id);
  const got = await receivePassport({ ...opts, file: passportFile });
  say(`   received ${formatKg(got.held.note.quantityGrams)} kg of green coffee, ${formatKg(got.held.note.emissionsGramsCo2e)} kg CO2e, deforestation-free: ${got.held.note.deforestationFree ? 'yes' : 'no'}`);
  const step = await splitLot({ ...opts, note: got.held.commitment.toString(), quantitiesGrams: [...s.importer.containersGrams] });
  ctx.proofs.count += 1;
  // commitStep stores a step's outputs in the order the entry appends them: container 1, then 2.
  const parts = step.notes.filter((n): n is StoredLotNote => n.kind === 'lot' && n.status === 'unspent');
  if (parts.length !== 2 || parts[0]!.note.quantityGrams !== s.importer.containersGrams[0]) throw new Error(`canopy: bad math in importerSplits: the split stored ${parts.length} parts`);
  parts.forEach((p, i) => say(`   container ${i + 1}: ${formatKg(p.note.quantityGrams)} kg, ${formatKg(p.note.emissionsGramsCo2e)} kg CO2e (shared by grams, rounded up)`));
  say(`   split recorded as entry ${step.receipt!.sequence}`);
  const passport = join(ctx.paths.importer, 'container-1.passport.json');
  await exportPassport({ wallet: partyOf(ctx, s.importer.id).wallet!, note: parts[0]!.commitment.toString(), out: passport });
  return { received: reported(got.held), containers: parts.map(reported), passport };
}
