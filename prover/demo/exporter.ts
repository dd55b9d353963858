/**
 * Step 6 of the demo: the exporter receives the cooperative's lot, processes the fresh
 * coffee cherries into green coffee under the public rule `coffee-hulling` (`canopy lot
 * process`, one `lot_transition` proof: output grams ≤ input grams × 1/5, the output
 * commodity the rule's), adds its own emissions (pulping, drying, hulling and transport to
 * the port), and sends the green coffee to the importer with a passport encrypted to the
 * importer's card. The output carries every input gram of CO2e plus the added ones, so the
 * mass lost in hulling concentrates the emissions in fewer kilograms.
 * @module
 */
import { join } from 'node:path';
import { commodityByCode } from '../../core/lots/public-parameters.ts';
import { processLots } from '../lots/transitions.ts';
import { receivePassport } from '../lots/receive-passport.ts';
import type { StoredLotNote } from '../lots/note-file.ts';
import { formatKg } from './_format.ts';
import { lotOptions, partyOf, type DemoContext } from './_demo-context.ts';
import { reported, type ReportedLot } from './cooperative.ts';

/** What step 6 did. */
export interface ExporterResult {
  received: ReportedLot;
  rule: string;
  addedEmissionsGramsCo2e: string;
  output: ReportedLot;
  passport: string;
}

/**
 * Receives, processes and ships (module doc).
 * @throws {CanopyError} CLAIM_REJECTED for a passport that fails a check; INVALID_INPUT when
 *   the scenario's output exceeds the rule's yield (naming the most it allows); ENTRY_REJECTED
 * @example const exp = await exporterProcesses(ctx, coop.passport)
 */
export async function exporterProcesses(ctx: DemoContext, passportFile: string): Promise<ExporterResult> {
  const say = (l: string) => ctx.narrator.say(l);
  const s = ctx.scenario;
  const opts = lotOptions(ctx, s.exporter.id);
  const importer = partyOf(ctx, s.importer.id);
  const got = await receivePassport({ ...opts, file: passportFile });
  const rule = s.exporter.rule;
  const name = (code: bigint) => commodityByCode(code)?.name ?? `commodity ${code}`;
  say(`   received ${formatKg(got.held.note.quantityGrams)} kg of ${name(got.held.note.commodity)}, ${formatKg(got.held.note.emissionsGramsCo2e)} kg CO2e`);
  const passport = join(ctx.paths.passports, `${s.exporter.id}-to-${importer.id}.passport`);
  const step = await processLots({
    ...opts,
    notes: [got.held.commitment.toString()],
    rule: rule.name,
    outputGrams: s.exporter.outputGrams,
    addedEmissionsGramsCo2e: s.exporter.addedGramsCo2e,
    to: { card: importer.card!, out: passport },
  });
  ctx.proofs.count += 1;
  const out = step.notes.find((n): n is StoredLotNote => n.kind === 'lot' && n.note.ownerKey === importer.card!.ownerKey)!;
  say(`   ${rule.name}: ${formatKg(got.held.note.quantityGrams)} kg → ${formatKg(out.note.quantityGrams)} kg of ${name(rule.outCommodity)} (the rule allows at most ${rule.factorNum}/${rule.factorDen}: ${formatKg((got.held.note.quantityGrams * rule.factorNum) / rule.factorDen)} kg)`);
  say(`   emissions ${formatKg(out.note.emissionsGramsCo2e)} kg CO2e (${formatKg(got.held.note.emissionsGramsCo2e)} + ${formatKg(s.exporter.addedGramsCo2e)} processing and transport), deforestation-free: ${out.note.deforestationFree ? 'yes' : 'no'}`);
  say(`   sent to ${importer.name} (entry ${step.receipt!.sequence}); passport encrypted to its card`);
  return { received: reported(got.held), rule: rule.name, addedEmissionsGramsCo2e: s.exporter.addedGramsCo2e.toString(), output: reported(out), passport };
}
