/**
 * `canopy demo`: the supplier's side of the story on the real Hansen crop, with a
 * readable account of each step and its time.
 *
 * 1. A dataset publisher commits the Hansen GFC crop (examples/data/hansen) to a root.
 * 2. Three coffee farms (examples/plots) are checked against it; one lost forest in 2023.
 * 3. The clean farms prove, window by window, that no pixel of their plot lost forest after
 *    31 Dec 2020 — without revealing where the plots are; the third cannot.
 * 4. A verifier checks the proofs against the dataset root, and refuses them against a
 *    dataset committed under another rule.
 * 5. The farm mints a lot of green coffee whose emissions follow from its PACT footprint
 *    (examples/footprints); only the note's commitment becomes public.
 *
 * Keys come from the bundled powers of tau, which is NOT FOR PRODUCTION. They are built on
 * the first run (a few minutes on 2 cores) and reused afterwards.
 * @module
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { lotMintPublicSignals, lotMintWitnessInput } from '../../../core/circuits/lot-mint.ts';
import { CanopyError } from '../../../core/errors.ts';
import { FIELD_ORDER } from '../../../core/field.ts';
import { noteCommitment, ownerKey, type LotNote } from '../../../core/lots/note.ts';
import { lotEmissionsFromFootprint } from '../../../core/pact/lot-emissions.ts';
import { PROJECT_ROOT } from '../../../circuits/toolchain/project-root.ts';
import { loadVerificationKey, proveGroth16, verifyGroth16 } from '../../../circuits/toolchain/prove.ts';
import { defaultOutDir, runSetup } from '../../../circuits/toolchain/setup.ts';
import { withCurves } from '../../../circuits/toolchain/snarkjs.ts';
import { commitDataset } from '../../dataset/commit.ts';
import { checkPlotFile } from '../../plot/check-file.ts';
import { provePlotFile } from '../../plot/prove.ts';
import { randomFieldElement } from '../../plot/owner-secret.ts';
import { verifyPlotProofFile } from '../../plot/verify.ts';
import { printJson, type CliIo } from '../io.ts';
import { progressPrinter } from './_progress.ts';

const EXAMPLES = join(PROJECT_ROOT, 'examples');
const LOSS_TIF = join(EXAMPLES, 'data', 'hansen', 'Hansen_GFC-2023-v1.11_lossyear_20N_080W.tif');
const COVER_TIF = join(EXAMPLES, 'data', 'hansen', 'Hansen_GFC-2023-v1.11_treecover2000_20N_080W.tif');
const FARMS = ['clean.geojson', 'hole.geojson', 'loss.geojson'] as const;
const FOOTPRINT = join(EXAMPLES, 'footprints', 'green-coffee-pact-v3.json');
/** HS 0901.11: coffee, not roasted, not decaffeinated. */
const GREEN_COFFEE_HS = 90111n;

/** Options of `runDemo`; mirrors the flags of `canopy demo`. */
export interface DemoOptions {
  /** Circuit profile (demo). */
  profile: string;
  /** Folder for the demo's files; emptied first. */
  workDir: string;
  /** Setup folder (default circuits/build/<profile>). */
  keysDir?: string;
  /** Mass of the minted lot, grams. */
  lotGrams: bigint;
}

/** What the demo established; `--json` prints it and tests read it. */
export interface DemoResult {
  datasetRoot: string;
  farms: { file: string; verdict: string; pixels: number; areaHa: number; proven: boolean; windows: number; refusal?: string }[];
  proofsVerify: boolean;
  proofsRefusedForOtherDataset: boolean;
  lot: { commitment: string; quantityGrams: string; emissionsGramsCo2e: string; gramsCo2ePerKg: number; proofVerifies: boolean; tamperedRefused: boolean };
  seconds: Record<string, number>;
}

/**
 * Runs the demo, narrating on `io.err`.
 * @throws {CanopyError} if a step that must succeed fails; a refusal the story expects is not an error
 */
export async function runDemo(opts: DemoOptions, io: CliIo): Promise<DemoResult> {
  const say = (text: string) => io.err(`${text}\n`);
  const seconds: Record<string, number> = {};
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      seconds[name] = Number(((performance.now() - t0) / 1000).toFixed(2));
    }
  };
  const keysDir = opts.keysDir ?? defaultOutDir(opts.profile);
  const work = resolve(opts.workDir);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const rel = (p: string) => relative(process.cwd(), p) || p;

  say(`Canopy demo (profile ${opts.profile}; keys from the bundled powers of tau, NOT FOR PRODUCTION)\n`);
  say('1. The dataset publisher commits the Hansen Global Forest Change crop (Sierra de Neiba, DO).');
  const dataset = join(work, 'dataset');
  const committed = await timed('dataset', () => commitDataset({ lossYear: LOSS_TIF, treeCover: COVER_TIF, outDir: dataset, workers: 0 }));
  const datasetRoot = committed.manifest.root;
  say(`   root ${datasetRoot}`);
  say(`   ${committed.pixels} pixels, rule "loss year where tree cover 2000 > 10 %", ${seconds.dataset} s\n`);

  say('2. Three coffee farms check their plots against it (pixel-centre rule, exact integers).');
  const farms: DemoResult['farms'] = [];
  for (const file of FARMS) {
    const checked = await timed(`check ${file}`, () => checkPlotFile({ plotFile: join(EXAMPLES, 'plots', file), datasetDir: dataset, pngFile: join(work, file.replace('.geojson', '.png')) }));
    const report = checked.plots[0]!;
    say(`   ${(report.plot.name ?? report.plot.label).padEnd(34)} ${String(report.mask.pixels).padStart(4)} px  ${report.areaHa.toFixed(2).padStart(6)} ha  ${report.verdict}`);
    farms.push({ file, verdict: report.verdict, pixels: report.mask.pixels, areaHa: Number(report.areaHa.toFixed(4)), proven: false, windows: 0 });
  }
  say(`   maps: ${rel(work)}/*.png\n`);

  say('3. Each farm proves its plot deforestation-free, one Groth16 proof per 16×16-pixel window.');
  say('   The proofs reveal the dataset root and the cut-off, not the plot or its size.');
  const proofFiles: string[] = [];
  for (const farm of farms) {
    const outFile = join(work, farm.file.replace('.geojson', '.proof.json'));
    try {
      const proved = await timed(`prove ${farm.file}`, () =>
        provePlotFile({
          plotFile: join(EXAMPLES, 'plots', farm.file),
          datasetDir: dataset,
          outFile,
          profile: opts.profile,
          keysDir,
          onSetupProgress: progressPrinter(io),
        }),
      );
      farm.proven = true;
      farm.windows = proved.windows.length;
      proofFiles.push(outFile);
      say(`   ${farm.file}: ${proved.windows.length} window proofs in ${seconds[`prove ${farm.file}`]} s${proved.setupRan ? ' (keys built first)' : ''} → ${rel(outFile)}`);
    } catch (e) {
      if (!(e instanceof CanopyError)) throw e;
      farm.refusal = e.message.split('\n')[0];
      say(`   ${farm.file}: REFUSED — ${farm.refusal}`);
    }
  }
  say('');

  say('4. An importer verifies the proofs against the dataset root, then against another dataset.');
  const other = join(work, 'dataset-threshold-30');
  await timed('other dataset', () => commitDataset({ lossYear: LOSS_TIF, treeCover: COVER_TIF, outDir: other, canopyThreshold: 30, workers: 0 }));
  let proofsVerify = true;
  let refusedForOther = true;
  for (const proofFile of proofFiles) {
    const ok = await timed(`verify ${proofFile}`, () => verifyPlotProofFile({ proofFile, datasetDir: dataset, keysDir }));
    const bad = await verifyPlotProofFile({ proofFile, datasetDir: other, keysDir });
    proofsVerify &&= ok.valid;
    refusedForOther &&= !bad.valid;
    say(`   ${rel(proofFile)}: ${ok.valid ? 'VALID' : `INVALID (${ok.failure?.reason})`}; against the threshold-30 dataset: ${bad.valid ? 'ACCEPTED (wrong!)' : `refused at step "${bad.failure?.step}"`}`);
  }
  say('');

  say('5. Finca Los Cedros mints a lot of green coffee; its emissions follow from its PACT v3 footprint.');
  const footprint = JSON.parse(readFileSync(FOOTPRINT, 'utf8')) as unknown;
  const { emissionsGramsCo2e, basis } = lotEmissionsFromFootprint(footprint, opts.lotGrams);
  const note: LotNote = {
    ownerKey: ownerKey(randomFieldElement()),
    commodity: GREEN_COFFEE_HS,
    quantityGrams: opts.lotGrams,
    emissionsGramsCo2e,
    deforestationFree: false,
    salt: randomFieldElement(),
  };
  const intensity = Number((emissionsGramsCo2e * 1000n) / opts.lotGrams);
  say(`   ${opts.lotGrams / 1000n} kg × ${basis.kind === 'pact-footprint' ? `${basis.kgCo2ePerDeclaredUnit} kg CO2e per ${basis.declaredUnitAmount} ${basis.declaredUnit}` : 'declared figures'} = ${emissionsGramsCo2e} g CO2e (${intensity} g/kg), exact, rounded up`);
  await timed('lot keys', () => runSetup({ profile: opts.profile, circuits: ['lot_mint'], outDir: keysDir, onProgress: progressPrinter(io) }));
  const lot = await withCurves(async () => {
    const commitment = noteCommitment(note);
    const { proof, publicSignals } = await timed('lot prove', () => proveGroth16('lot_mint', opts.profile, lotMintWitnessInput(note), keysDir));
    const vkey = await loadVerificationKey('lot_mint', opts.profile, keysDir);
    const verifies = await verifyGroth16(vkey, publicSignals, proof);
    const tampered = await verifyGroth16(vkey, lotMintPublicSignals((commitment + 1n) % FIELD_ORDER), proof);
    return { commitment, verifies, tampered, publicSignals };
  });
  say(`   public: commitment ${lot.commitment} — quantity, emissions, owner stay private`);
  say(`   mint proof ${lot.verifies ? 'VALID' : 'INVALID'}; with another commitment: ${lot.tampered ? 'ACCEPTED (wrong!)' : 'refused'}`);
  say('   (this lot claims no deforestation-free status: that takes a capacity note from an attested plot)\n');

  const result: DemoResult = {
    datasetRoot,
    farms,
    proofsVerify,
    proofsRefusedForOtherDataset: refusedForOther,
    lot: {
      commitment: lot.commitment.toString(),
      quantityGrams: opts.lotGrams.toString(),
      emissionsGramsCo2e: emissionsGramsCo2e.toString(),
      gramsCo2ePerKg: intensity,
      proofVerifies: lot.verifies,
      tamperedRefused: !lot.tampered,
    },
    seconds,
  };
  const expected = farms.map((f) => f.proven).join() === 'true,true,false' && proofsVerify && refusedForOther && lot.verifies && !lot.tampered;
  if (!expected) throw new Error('canopy: bad math in runDemo: a step came out the wrong way');
  return result;
}

function parseGrams(value: string): bigint {
  if (!/^[1-9][0-9]{0,13}$/.test(value)) throw new CanopyError('INVALID_INPUT', `--lot-kg expected a whole number of kilograms, got ${JSON.stringify(value)}`);
  return BigInt(value) * 1000n;
}

/**
 * Registers `canopy demo`.
 * @example registerDemo(program, processIo);
 */
export function registerDemo(program: Command, io: CliIo): void {
  program
    .command('demo')
    .description('Run the end-to-end demo on the bundled Hansen crop: commit the dataset, check and prove three farms, verify, mint a lot.')
    .option('--profile <name>', 'circuit profile', 'demo')
    .option('--work <dir>', 'folder for the demo files (emptied first)', '.canopy/demo')
    .option('--keys <dir>', 'setup folder (default circuits/build/<profile>)')
    .option('--lot-kg <kg>', 'mass of the minted lot, kilograms', '1200')
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText(
      'after',
      '\nThe first run builds the Groth16 keys of the demo circuits (a few minutes on 2 cores);\n' +
        'later runs reuse them. Keys come from the bundled powers of tau: NOT FOR PRODUCTION.\n',
    )
    .action(async (flags: { profile: string; work: string; keys?: string; lotKg: string; json?: boolean }) => {
      const t0 = performance.now();
      const result = await runDemo({ profile: flags.profile, workDir: flags.work, keysDir: flags.keys, lotGrams: parseGrams(flags.lotKg) }, io);
      if (flags.json) printJson(io, result);
      else io.out(`demo complete in ${((performance.now() - t0) / 1000).toFixed(1)} s: 2 farms proven deforestation-free and verified, 1 refused; a lot minted with its PACT emissions.\n`);
    });
}
