/**
 * Step 5 of the demo: the cooperative receives the farms' passports (`canopy lot
 * receive`: each note is checked against the registry — origin, leaf under a published
 * root, owner, unspent — before the wallet stores it), merges the lots into one
 * (`canopy lot merge`, one `lot_transition` proof), adding its own collection emissions,
 * and sends the merged lot to the exporter with a passport encrypted to its card.
 *
 * The merged lot carries the sum of the inputs' grams and emissions plus the added
 * emissions, and is deforestation-free because every input is. With a single farm lot
 * there is nothing to merge: the cooperative transfers it, adding its emissions.
 * @module
 */
import { join } from 'node:path';
import { mergeLots, transferLot } from '../lots/transitions.ts';
import { receivePassport } from '../lots/receive-passport.ts';
import type { StoredLotNote } from '../lots/note-file.ts';
import { formatKg } from './_format.ts';
import { lotOptions, partyOf, type DemoContext } from './_demo-context.ts';
import type { FarmLot } from './farm-lots.ts';

/** A lot as the narrative and the result report it. */
export interface ReportedLot {
  commodity: string;
  quantityGrams: string;
  emissionsGramsCo2e: string;
  deforestationFree: boolean;
  /** The entry that created it. */
  sequence: number;
}

/** What step 5 did. */
export interface CooperativeResult {
  received: ReportedLot[];
  addedEmissionsGramsCo2e: string;
  merged: ReportedLot;
  passport: string;
}

/**
 * The report form of a stored lot note.
 * @throws never
 * @example reported(held)
 */
export function reported(n: StoredLotNote): ReportedLot {
  return { commodity: n.note.commodity.toString(), quantityGrams: n.note.quantityGrams.toString(), emissionsGramsCo2e: n.note.emissionsGramsCo2e.toString(), deforestationFree: n.note.deforestationFree, sequence: n.registry!.sequence };
}

/**
 * Receives the farms' lots, merges them with the collection emissions, sends them on (module doc).
 * @throws {CanopyError} CLAIM_REJECTED naming the check a passport failed; INVALID_INPUT,
 *   ENTRY_REJECTED as the merge
 * @example const coop = await cooperativeMerges(ctx, farmLots)
 */
export async function cooperativeMerges(ctx: DemoContext, farmLots: readonly FarmLot[]): Promise<CooperativeResult> {
  const say = (l: string) => ctx.narrator.say(l);
  const s = ctx.scenario;
  const opts = lotOptions(ctx, s.cooperative.id);
  const exporter = partyOf(ctx, s.exporter.id);
  const held: StoredLotNote[] = [];
  for (const f of farmLots) {
    const got = await receivePassport({ ...opts, file: f.transfer.passport });
    held.push(got.held);
    say(`   received ${formatKg(got.held.note.quantityGrams)} kg from ${f.name}: checked against the registry (origin, leaf, owner, unspent)`);
  }
  const added = s.cooperative.collectionGramsCo2e;
  const passport = join(ctx.paths.passports, `${s.cooperative.id}-to-${exporter.id}.passport`);
  const to = { card: exporter.card!, out: passport };
  const refs = held.map((n) => n.commitment.toString());
  const step = held.length >= 2 ? await mergeLots({ ...opts, notes: refs, to, addedEmissionsGramsCo2e: added }) : await transferLot({ ...opts, note: refs[0]!, to, addedEmissionsGramsCo2e: added });
  ctx.proofs.count += 1;
  const merged = step.notes.find((n): n is StoredLotNote => n.kind === 'lot' && n.note.ownerKey === exporter.card!.ownerKey)!;
  say(
    `   ${held.length >= 2 ? `merged ${held.length} lots` : 'forwarded the lot'} into ${formatKg(merged.note.quantityGrams)} kg, ${formatKg(merged.note.emissionsGramsCo2e)} kg CO2e (${held.map((n) => formatKg(n.note.emissionsGramsCo2e)).join(' + ')} + ${formatKg(added)} collection), deforestation-free: ${merged.note.deforestationFree ? 'yes' : 'no'}`,
  );
  say(`   sent to ${exporter.name} (entry ${step.receipt!.sequence}); passport encrypted to its card`);
  return { received: held.map(reported), addedEmissionsGramsCo2e: added.toString(), merged: reported(merged), passport };
}
