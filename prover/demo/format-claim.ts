/**
 * What `canopy demo` prints on stdout at the end: the importer's verified claim, as people
 * read it (the same claim is in importer/claim.json, and `--json` prints the whole result).
 *
 *     Verified claim of container 1 of 2 (canopy-verified-claim/1)
 *       commodity            green coffee (not roasted, not decaffeinated), HS 0901.11, code 90111
 *       quantity             19,200 kg
 *       total emissions      83,415.653 kg CO2e
 *       intensity            4,345 g CO2e per kg (4.344565217391304348 kg per kg, rounded up)
 *       deforestation-free   yes
 *       cut-off              2020-12-31: no forest loss after it (loss-year code < 21)
 *       datasets             <name>: root <root>, entry <n>
 *       checkpoint           <origin>, size <n>, root hash <base64>, lots root <decimal>
 *       created by           entry <n> (transition, lot_transition), lots leaf <n>
 * @module
 */
import type { DemoResult } from './run-demo.ts';
import { formatKg } from './_format.ts';

/**
 * The claim block of a demo result (module doc), ending with a newline.
 * @throws never
 * @example io.out(formatDemoClaim(result))
 */
export function formatDemoClaim(result: DemoResult): string {
  const c = result.importer.claim;
  const row = (label: string, value: string) => `  ${label.padEnd(20)} ${value}\n`;
  const commodity = [c.commodity.name ?? 'unnamed commodity', c.commodity.hs === null ? null : `HS ${c.commodity.hs}`, `code ${c.commodity.code}`].filter((x) => x !== null).join(', ');
  const intensity =
    c.intensity === null
      ? 'none (a lot of 0 g)'
      : `${formatKg(BigInt(c.intensity.gramsCo2ePerKg) * 1000n)} g CO2e per kg (${c.intensity.kgCo2ePerKg} kg per kg${c.intensity.exact ? ', exact' : ', rounded up'})`;
  return (
    `Verified claim of container 1 of ${result.importer.containers.length} (${c.format}), as the importer's verifier service answered POST /verify:\n` +
    row('commodity', commodity) +
    row('quantity', `${formatKg(BigInt(c.quantityGrams))} kg`) +
    row('total emissions', `${formatKg(BigInt(c.emissionsGramsCo2e))} kg CO2e`) +
    row('intensity', intensity) +
    row('deforestation-free', c.deforestationFree ? 'yes' : 'no') +
    row('cut-off', `${c.cutoff.date}: no forest loss after it (loss-year code < ${c.cutoff.lossYearCode})`) +
    c.datasets.map((d, i) => row(i === 0 ? 'datasets' : '', `${d.name}: root ${d.root}, entry ${d.sequence}`)).join('') +
    row('checkpoint', `${c.checkpoint.origin}, size ${c.checkpoint.size}, root hash ${c.checkpoint.rootHash}, lots root ${c.checkpoint.lotsRoot}`) +
    row('created by', `entry ${c.registry.sequence} (${c.registry.entryType}, ${c.registry.circuit}), lots leaf ${c.registry.leafIndex}`)
  );
}
