/**
 * Step 4 of the demo: each farm whose plot is attested turns it into a deforestation-free
 * lot and sends it to the cooperative.
 *
 * 1. Capacity (`canopy lot capacity`, one `capacity_issue` proof per window): for the
 *    current harvest year, each window of the plot yields a capacity note of
 *    pixels × the public yield ceiling of fresh coffee cherries (1,544 kg per pixel), owned
 *    by the farm's wallet. A window's capacity can be issued once per year.
 * 2. Mint (`canopy lot mint --deforestation-free`, one `capacity_mint` proof): the lot is
 *    drawn from ONE capacity note, and the rest comes back as a new capacity note. The
 *    demo names the largest window's note, which holds the lot; the other windows'
 *    capacity stays unspent in the wallet. (A lot larger than any one window would be
 *    minted in parts and merged; the scenario's lots fit, which keeps the story short.)
 *    The emissions come from the farm's PACT footprint, exactly, rounded up to a gram.
 * 3. Transfer (`canopy lot transfer`, one `lot_transition` proof): the whole lot to the
 *    cooperative's owner key, with a passport encrypted to the cooperative's recipient card.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { yieldCeiling } from '../../core/lots/public-parameters.ts';
import type { EmissionsBasis } from '../../core/pact/lot-emissions.ts';
import { issueCapacity } from '../lots/issue-capacity.ts';
import { mintLot } from '../lots/mint-lot.ts';
import type { StoredCapacityNote, StoredLotNote } from '../lots/note-file.ts';
import { transferLot } from '../lots/transitions.ts';
import { formatKg } from './_format.ts';
import { lotOptions, partyOf, type DemoContext } from './_demo-context.ts';
import type { FarmAttestation } from './attest-plots.ts';

/** What step 4 made for one farm. */
export interface FarmLot {
  id: string;
  name: string;
  harvestYear: number;
  /** Capacity per window, grams, in window order; and the note the lot was drawn from. */
  capacityGrams: string[];
  mintedFromGrams: string;
  lot: { quantityGrams: string; emissionsGramsCo2e: string; footprint: string; basis: string; sequence: number };
  transfer: { sequence: number; passport: string };
}

function describeBasis(b: EmissionsBasis): string {
  if (b.kind !== 'pact-footprint') return b.kind;
  const unit = b.declaredUnitAmount === '1' ? b.declaredUnit : `${b.declaredUnitAmount} ${b.declaredUnit}s`;
  return `${b.kgCo2ePerDeclaredUnit} kg CO2e per ${unit} (PACT ${b.specVersion})`;
}

/**
 * Issues capacity, mints and transfers for every proven farm (module doc).
 * @throws {CanopyError} INVALID_INPUT when a lot does not fit its largest window's capacity
 *   (naming what is left), FOOTPRINT_MALFORMED / FOOTPRINT_UNSUPPORTED for a footprint
 *   that gives no emissions, ENTRY_REJECTED when the registry refuses a step
 * @example const lots = await mintFarmLots(ctx, attested)
 */
export async function mintFarmLots(ctx: DemoContext, farms: readonly FarmAttestation[]): Promise<FarmLot[]> {
  const say = (l: string) => ctx.narrator.say(l);
  const harvestYear = ctx.now().getUTCFullYear();
  const commodity = ctx.scenario.exporter.rule.inCommodity;
  const perPixel = yieldCeiling(commodity)!.gramsPerPixel;
  const coop = partyOf(ctx, ctx.scenario.cooperative.id);
  const out: FarmLot[] = [];
  say(`   Capacity is issued per plot window (pixels × ${formatKg(perPixel)} kg, the public yield ceiling); a deforestation-free lot`);
  say('   is drawn from one capacity note, so each farm mints from its largest window, which holds its lot.');
  for (const farm of farms) {
    if (farm.proven === null) continue;
    const spec = ctx.scenario.farms.find((f) => f.id === farm.id)!;
    const opts = lotOptions(ctx, farm.id);
    say(`   ${farm.name}:`);

    const issued = await issueCapacity({ ...opts, openingFile: farm.proven.openingFile, commodity, harvestYear, now: ctx.now });
    ctx.proofs.count += issued.entries.length;
    const capacity = issued.notes.filter((n): n is StoredCapacityNote => n.kind === 'capacity');
    say(`     capacity for harvest ${harvestYear}, one note per window: ${capacity.map((c) => `${c.note.capacityGrams / perPixel} px → ${formatKg(c.note.capacityGrams)} kg`).join('; ')} (entries ${issued.receipts.map((r) => r.sequence).join(', ')})`);

    const largest = capacity.reduce((a, c) => (c.note.capacityGrams > a.note.capacityGrams ? c : a));
    const footprint = JSON.parse(readFileSync(spec.footprint, 'utf8')) as unknown;
    const minted = await mintLot({ ...opts, commodity, quantityGrams: spec.lotGrams, emissions: { footprint }, deforestationFree: true, capacity: largest.commitment.toString(), harvestYear });
    ctx.proofs.count += 1;
    const lot = minted.notes.find((n): n is StoredLotNote => n.kind === 'lot' && n.status === 'unspent')!;
    const basis = describeBasis(minted.emissions.basis);
    say(`     minted ${formatKg(lot.note.quantityGrams)} kg of cherries, deforestation-free, from the largest window's ${formatKg(largest.note.capacityGrams)} kg (entry ${minted.receipt!.sequence})`);
    say(`     emissions ${formatKg(lot.note.emissionsGramsCo2e)} kg CO2e = ${formatKg(lot.note.quantityGrams)} kg × ${basis}, from ${spec.footprint.split('/').slice(-2).join('/')}`);

    const passport = join(ctx.paths.passports, `${farm.id}-to-${coop.id}.passport`);
    const sent = await transferLot({ ...opts, note: lot.commitment.toString(), to: { card: coop.card!, out: passport } });
    ctx.proofs.count += 1;
    say(`     transferred to ${coop.name} (entry ${sent.receipt!.sequence}); passport encrypted to its recipient card`);
    out.push({
      id: farm.id,
      name: farm.name,
      harvestYear,
      capacityGrams: capacity.map((c) => c.note.capacityGrams.toString()),
      mintedFromGrams: largest.note.capacityGrams.toString(),
      lot: { quantityGrams: lot.note.quantityGrams.toString(), emissionsGramsCo2e: lot.note.emissionsGramsCo2e.toString(), footprint: spec.footprint, basis, sequence: minted.receipt!.sequence },
      transfer: { sequence: sent.receipt!.sequence, passport },
    });
  }
  return out;
}
