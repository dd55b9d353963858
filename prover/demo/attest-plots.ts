/**
 * Step 3 of the demo: each farm checks its plot against the committed dataset
 * (`canopy plot check`: rasterised by the pixel-centre rule in integer micro-degrees, loss
 * per year, a PNG map), then proves it deforestation-free window by window (`canopy plot
 * prove`: one Groth16 proof per 16×16-pixel window, with the owner secret of the farm's
 * wallet, so the capacity it yields belongs to that wallet), and submits the proofs as one
 * `plot-attestation` entry. The registry verifies every window proof before it appends
 * the windows' attestation leaves to its plots tree.
 *
 * A plot with forest loss after the cut-off is refused by the prover before anything is
 * proven, naming the failing pixels' years; the farm then has nothing to submit, and
 * mints nothing. Any other failure ends the demo.
 *
 * The proofs reveal the dataset root and the cut-off; the plot, its size and its position
 * stay in the farm's opening file (`<farm>.proof.opening.json`), which only a disclosure
 * hands over.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CanopyError } from '../../core/errors.ts';
import type { LogEntry } from '../../registry/log/entry.ts';
import { namePublicSignals } from '../../registry/log/circuit-signals.ts';
import { checkPlotFile } from '../plot/check-file.ts';
import { parsePlotProofFile } from '../plot/proof-file.ts';
import { provePlotFile } from '../plot/prove.ts';
import { partyOf, type DemoContext } from './_demo-context.ts';

/** What step 3 established for one farm. */
export interface FarmAttestation {
  id: string;
  name: string;
  plotFile: string;
  pngFile: string;
  pixels: number;
  areaHa: number;
  verdict: string;
  /** Forest loss after the cut-off, by year (empty for a clean plot). */
  lossAfterCutoff: { year: number; pixels: number; ha: number }[];
  /** The prover's refusal, for a plot that is not deforestation-free. */
  refusal: string | null;
  /** For a proven plot: its files, window count and attestation entry. */
  proven: { proofFile: string; openingFile: string; windows: number; sequence: number; plotsLeafIndexes: number[] } | null;
}

/**
 * Checks, proves and submits every farm's plot (module doc).
 * @throws {CanopyError} when a plot that checks clean cannot be proven; {ApiError} when
 *   the registry refuses an attestation
 * @example const farms = await attestPlots(ctx)
 */
export async function attestPlots(ctx: DemoContext): Promise<FarmAttestation[]> {
  const say = (l: string) => ctx.narrator.say(l);
  const out: FarmAttestation[] = [];
  for (const farm of ctx.scenario.farms) {
    const party = partyOf(ctx, farm.id);
    const base = join(ctx.paths.plots, farm.id);
    const pngFile = `${base}.png`;
    const checked = await checkPlotFile({ plotFile: farm.plot, datasetDir: ctx.paths.dataset, pngFile });
    const report = checked.plots[0]!;
    const lossAfterCutoff = report.forestLoss.byYear.filter((y) => y.year > report.cutoffYear).map((y) => ({ year: y.year, pixels: y.pixels, ha: y.ha }));
    say(`   ${party.name.padEnd(20)} ${String(report.mask.pixels).padStart(4)} px ${report.areaHa.toFixed(2).padStart(6)} ha  ${report.verdict}${lossAfterCutoff.length > 0 ? ` (forest lost in ${lossAfterCutoff.map((y) => `${y.year}: ${y.pixels} px`).join(', ')})` : ''}`);
    const record: FarmAttestation = { id: farm.id, name: party.name, plotFile: farm.plot, pngFile, pixels: report.mask.pixels, areaHa: Number(report.areaHa.toFixed(4)), verdict: report.verdict, lossAfterCutoff, refusal: null, proven: null };
    out.push(record);

    let proved: Awaited<ReturnType<typeof provePlotFile>>;
    try {
      proved = await provePlotFile({
        plotFile: farm.plot,
        datasetDir: ctx.paths.dataset,
        outFile: `${base}.proof.json`,
        profile: ctx.profile,
        keysDir: ctx.keysDir,
        ownerSecretFile: join(party.wallet!, 'owner-secret'),
        onProgress: (l) => ctx.narrator.detail(l),
        ...(ctx.onSetupProgress ? { onSetupProgress: ctx.onSetupProgress } : {}),
      });
    } catch (e) {
      // The refusal the story expects: the prover will not prove a plot that fails.
      if (e instanceof CanopyError && e.code === 'INVALID_INPUT' && report.verdict !== 'deforestation-free') {
        record.refusal = e.message;
        say(`   ${' '.repeat(20)} REFUSED by the prover, nothing proven: ${e.message.replace(/^.*nothing was proven: /, '')}`);
        continue;
      }
      throw e;
    }
    if (report.verdict !== 'deforestation-free') throw new Error(`canopy: bad math in attestPlots: ${farm.plot} is ${report.verdict} yet was proven`);
    ctx.proofs.count += proved.windows.length;
    const file = parsePlotProofFile(readFileSync(proved.proofFile, 'utf8'), proved.proofFile);
    const entry: LogEntry = {
      type: 'plot-attestation',
      version: 1,
      body: { windows: file.windows.map((w) => ({ circuit: 'plot_window' as const, vkeyHash: w.artifacts.vkey.sha256, proof: w.proof, publicSignals: namePublicSignals('plot_window', w.publicSignals) })) },
    };
    const [receipt] = await ctx.registry.client.submit([entry], party.signer);
    record.proven = { proofFile: proved.proofFile, openingFile: proved.openingFile, windows: proved.windows.length, sequence: receipt!.sequence, plotsLeafIndexes: receipt!.plotsLeafIndexes };
    say(
      `   ${' '.repeat(20)} ${proved.windows.length} window proofs in ${proved.seconds.toFixed(1)} s; the registry verified them and appended entry ${receipt!.sequence} (plots leaves ${receipt!.plotsLeafIndexes.join(', ')})`,
    );
  }
  say(`   maps: ${ctx.paths.plots}/<farm>.png`);
  return out;
}
