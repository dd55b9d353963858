/**
 * `canopy disclose …`: package what a supplier hands to an auditor or a competent
 * authority (prover/disclose/*). The files written reveal what the commitments hide and
 * are written with mode 0600; they never hold an owner secret.
 *
 *     canopy disclose plot PLOT.proof.json [--opening FILE.opening.json] --geojson PLOT.geojson --out DISCLOSURE.json [--json]
 *     canopy disclose lot NOTE_FILE --out DISCLOSURE.json [--json]
 *
 * The reader checks a disclosure with `canopy audit disclosure`. Exit code 0 when the
 * file is written; 1 when an input is missing, malformed, or the inputs disagree.
 * @module
 */
import type { Command } from 'commander';
import { type DiscloseLotOptions, discloseLot } from '../../disclose/lot-disclosure.ts';
import { type DisclosePlotOptions, disclosePlot } from '../../disclose/plot-disclosure.ts';
import { plotProofCompanions } from '../../plot/prove.ts';
import { printJson, type CliIo } from '../io.ts';

/** Flags of `canopy disclose plot`. */
export interface DisclosePlotFlags {
  opening?: string;
  geojson: string;
  out: string;
  json?: boolean;
}

/** Flags of `canopy disclose lot`. */
export interface DiscloseLotFlags {
  out: string;
  json?: boolean;
}

/**
 * Maps `canopy disclose plot` flags to options; the opening defaults to the proof file's companion.
 * @throws {RangeError} when --out names an input file
 * @example disclosePlotOptionsFromFlags('farm.proof.json', { geojson: 'farm.geojson', out: 'farm.disclosure.json' })
 */
export function disclosePlotOptionsFromFlags(proofFile: string, flags: DisclosePlotFlags): DisclosePlotOptions {
  const openingFile = flags.opening ?? plotProofCompanions(proofFile).openingFile;
  if ([proofFile, openingFile, flags.geojson].includes(flags.out)) throw new RangeError(`"--out" expected a file other than the inputs, got ${JSON.stringify(flags.out)}`);
  return { proofFile, openingFile, geojsonFile: flags.geojson, outFile: flags.out };
}

/**
 * Maps `canopy disclose lot` flags to options.
 * @throws {RangeError} when --out names the note file
 * @example discloseLotOptionsFromFlags('note.json', { out: 'lot.disclosure.json' })
 */
export function discloseLotOptionsFromFlags(noteFile: string, flags: DiscloseLotFlags): DiscloseLotOptions {
  if (flags.out === noteFile) throw new RangeError(`"--out" expected a file other than the note file, got ${JSON.stringify(flags.out)}`);
  return { noteFile, outFile: flags.out };
}

/**
 * Registers `canopy disclose plot` and `canopy disclose lot`.
 * @example registerDisclose(program, processIo);
 */
export function registerDisclose(program: Command, io: CliIo): void {
  const disclose = program.command('disclose').description('Package a plot or lot for an auditor or competent authority (checked with `canopy audit disclosure`).');
  disclose
    .command('plot')
    .description("Package an attested plot: its declared GeoJSON, mask, windows, salts and owner key (never the owner secret).")
    .argument('<proof>', 'plot proof file written by `canopy plot prove`')
    .option('--opening <file>', 'its opening (default: the proof file with .opening.json)')
    .requiredOption('--geojson <file>', 'the GeoJSON file declaring the plot')
    .requiredOption('--out <file>', 'disclosure file to write (mode 0600)')
    .option('--json', 'print the disclosure on stdout too')
    .action(async (proof: string, flags: DisclosePlotFlags) => {
      const d = await disclosePlot(disclosePlotOptionsFromFlags(proof, flags));
      if (flags.json) printJson(io, d);
      else io.out(`wrote ${flags.out}: plot of ${d.mask.pixels} pixels in ${d.windows.length} ${d.windows.length === 1 ? 'window' : 'windows'}, dataset root ${d.datasetRoot} (private: it reveals the plot)\n`);
    });
  disclose
    .command('lot')
    .description("Package a lot note's figures: owner key, commodity, grams, emissions, deforestation-free flag, salt (never a secret).")
    .argument('<note>', 'wallet note file (canopy-wallet-note/1)')
    .requiredOption('--out <file>', 'disclosure file to write (mode 0600)')
    .option('--json', 'print the disclosure on stdout too')
    .action(async (note: string, flags: DiscloseLotFlags) => {
      const d = await discloseLot(discloseLotOptionsFromFlags(note, flags));
      if (flags.json) printJson(io, d);
      else io.out(`wrote ${flags.out}: lot ${d.commitment}: ${d.note.quantityGrams} g of ${d.note.commodity}, ${d.note.emissionsGramsCo2e} g CO2e (private: it reveals the lot)\n`);
    });
}
