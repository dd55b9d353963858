/**
 * `runDemo`: the whole story of `canopy demo`, from a fresh clone, on a registry it starts
 * for itself. Each step is a module of its own (prover/demo/*), run through the narrator,
 * which prints a readable account with timings on stderr and turns any failure into one
 * line naming the step.
 *
 *     ·  keys       the demo circuits' Groth16 keys (made on the first run, NOT FOR PRODUCTION)
 *     ·  registry   an embedded registry: SQLite in <work>/registry, HTTP on 127.0.0.1
 *     1  parties    the accreditor registers the parties; wallets for those holding lots
 *     2  dataset    the publisher commits the Hansen crop and registers its root
 *     3  plots      farms check and prove their plots; one is refused; attestations submitted
 *     4  farm lots  capacity per window, a deforestation-free mint, transfer to the cooperative
 *     5  cooperative  receive, merge with collection emissions, send to the exporter
 *     6  exporter   receive, coffee-hulling with processing and transport emissions, ship
 *     7  importer   receive, split into two containers, verify one over HTTP, export claim,
 *                   PACT footprint and DDS fields
 *     8  auditor    replay the log, cosign its checkpoint, check a plot disclosure
 *
 * The work folder is emptied first, but only if it is empty or holds the demo's marker
 * file (a folder the demo made): a mistyped `--work` never deletes anything else. Every
 * server the demo starts is stopped before `runDemo` returns; with `holdRegistry`, the
 * registry keeps running until the callback resolves (`canopy demo --keep-registry`).
 * @module
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { withCurves } from '../../circuits/toolchain/snarkjs.ts';
import { defaultOutDir, type SetupEvent } from '../../circuits/toolchain/setup.ts';
import { assertInteger, assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { writeNewKeyFile } from '../../registry/api/key-files.ts';
import type { CliIo } from '../cli/io.ts';
import { DEMO_MARKER, demoPaths, type DemoContext, type DemoPaths } from './_demo-context.ts';
import { Narrator } from './_narrator.ts';
import { attestPlots, type FarmAttestation } from './attest-plots.ts';
import { auditorChecks, type AuditResult } from './auditor.ts';
import { cooperativeMerges, type CooperativeResult, type ReportedLot } from './cooperative.ts';
import { ensureDemoKeys, type DemoKeys } from './demo-keys.ts';
import { startDemoRegistry, type DemoRegistry } from './demo-registry.ts';
import { exporterProcesses, type ExporterResult } from './exporter.ts';
import { mintFarmLots, type FarmLot } from './farm-lots.ts';
import { importerSplits } from './importer-split.ts';
import { publishDataset, type PublishedDataset } from './publish-dataset.ts';
import { registerParties } from './register-parties.ts';
import { DEFAULT_SCENARIO_FILE, DEMO_PROFILE, readDemoScenario } from './scenario.ts';
import { verifyContainer, type VerifiedContainer } from './verify-claim.ts';

/** Format id of the demo's result. */
export const DEMO_RESULT_FORMAT = 'canopy-demo-result/1';

/** Options of `runDemo`; mirrors the flags of `canopy demo`. */
export interface DemoOptions {
  /** The work folder (created; emptied first if the demo made it). */
  workDir: string;
  /** The setup folder of the demo keys (default circuits/build/demo). */
  keysDir?: string;
  /** The scenario file (default examples/demo-scenario.json). */
  scenarioFile?: string;
  /** The registry's TCP port on 127.0.0.1 (default 0: a free one). */
  port?: number;
  /**
   * Called with the result while the registry still runs; the registry stops when the
   * returned promise resolves. Without it the registry stops before `runDemo` returns.
   */
  holdRegistry?: (result: DemoResult) => Promise<void>;
  /** Setup progress while keys are made. */
  onSetupProgress?: (event: SetupEvent) => void;
  /** The clock deciding the harvest year (default now). */
  now?: () => Date;
}

/** What the demo established. JSON-safe; `--json` prints it and the tests read it. */
export interface DemoResult {
  format: typeof DEMO_RESULT_FORMAT;
  /** True: the keys come from the bundled powers of tau. */
  notForProduction: boolean;
  profile: typeof DEMO_PROFILE;
  workDir: string;
  scenario: string;
  keys: DemoKeys;
  registry: { url: string; origin: string; verifierKey: string; kept: boolean };
  parties: { id: string; role: string; name: string; keyFile: string; wallet: string | null }[];
  dataset: PublishedDataset;
  farms: FarmAttestation[];
  farmLots: FarmLot[];
  cooperative: CooperativeResult;
  exporter: ExporterResult;
  importer: { received: ReportedLot; containers: ReportedLot[] } & VerifiedContainer;
  audit: AuditResult;
  /** Groth16 proofs the story made (the registry verified each; so did the audit). */
  proofs: number;
  /** Seconds per step. */
  seconds: Record<string, number>;
  totalSeconds: number;
}

/**
 * Empties and lays out the work folder (module doc).
 * @throws {CanopyError} INVALID_INPUT if the folder holds files but not the demo's marker
 */
function prepareWorkFolder(paths: DemoPaths): void {
  if (existsSync(paths.root)) {
    const entries = readdirSync(paths.root);
    if (entries.length > 0 && !entries.includes(DEMO_MARKER)) {
      throw new CanopyError('INVALID_INPUT', `${paths.root} is not empty and was not made by the demo (no ${DEMO_MARKER} file); the demo empties its work folder, so give it a new or empty one (--work DIR)`);
    }
    rmSync(paths.root, { recursive: true, force: true });
  }
  for (const dir of [paths.root, paths.keys, paths.wallets, paths.plots, paths.passports, paths.importer, paths.auditor]) mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(paths.marker, 'made by `canopy demo`, which empties this folder when it runs again\n');
}

/**
 * Runs the demo (module doc), narrating on `io.err`.
 * @throws {CanopyError} for a bad scenario or work folder (before anything runs); for a
 *   failed step, the step's error as one line `demo step <n> (<name>) failed: …` (with the
 *   original code when it had one)
 * @throws {TypeError|RangeError} for malformed options
 * @example const result = await runDemo({ workDir: '.canopy/demo' }, processIo)
 */
export async function runDemo(options: DemoOptions, io: CliIo): Promise<DemoResult> {
  const t0 = performance.now();
  if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected DemoOptions, got ${String(options)}`);
  assertString(options.workDir, 'workDir', 4096);
  const port = options.port ?? 0;
  assertInteger(port, 'port', 0, 65_535);
  const keysDir = resolve(options.keysDir ?? defaultOutDir(DEMO_PROFILE));
  const scenarioFile = options.scenarioFile ?? DEFAULT_SCENARIO_FILE;
  const scenario = readDemoScenario(scenarioFile);
  const paths = demoPaths(resolve(options.workDir));
  prepareWorkFolder(paths);

  const n = new Narrator(io);
  n.say('Canopy demo: coffee from farms to an importer, proven deforestation-free and carrying its carbon figures;');
  n.say('the importer learns what it buys, and neither who grew it nor where.');
  n.say(`  scenario ${scenarioFile}`);
  n.say(`  work folder ${paths.root}`);
  n.say(`  profile ${DEMO_PROFILE}: keys in ${keysDir}, made from the bundled powers of tau, which is NOT FOR PRODUCTION`);

  const keys = await n.step('keys', '· Groth16 keys of the demo circuits (canopy setup --profile demo)', async () => {
    const k = await ensureDemoKeys(keysDir, options.onSetupProgress);
    if (k.built.length > 0) n.say(`   made keys for ${k.built.map((b) => `${b.circuit} (${b.constraints} constraints, ${b.seconds} s)`).join(', ')}`);
    if (k.reused.length > 0) n.say(`   reused the keys of ${k.reused.join(', ')} (files re-hashed against the manifest)`);
    n.say(`   powers of tau ${k.ptauSha256.slice(0, 16)}…: NOT FOR PRODUCTION (a local ceremony on one machine)`);
    return k;
  });

  const { registry, accreditor } = await n.step('registry', '· The registry (embedded: SQLite, HTTP on 127.0.0.1)', async () => {
    const keyFile = join(paths.keys, `${scenario.accreditor.id}.key`);
    const pair = writeNewKeyFile(keyFile, scenario.accreditor.id);
    const r = await startDemoRegistry({ dataDir: paths.registry, origin: scenario.registry.origin, keysDir, profile: DEMO_PROFILE, accreditorKey: pair.verifierKey, port });
    n.say(`   ${r.url} (explorer page at ${r.url}/), log origin ${r.origin}, data in ${paths.registry}`);
    n.say(`   registry key ${r.verifierKey}`);
    n.say(`   accreditor ${scenario.accreditor.name}: key ${keyFile}`);
    return { registry: r, accreditor: { keyId: pair.name, signerKey: pair.signerKey } };
  });

  try {
    // One BN254 curve for every proof and verification of the story (seconds saved per proof).
    const result = await withCurves(async (): Promise<DemoResult> => {
      const ctx: DemoContext = {
        scenario,
        paths,
        profile: DEMO_PROFILE,
        keysDir,
        registry,
        parties: new Map(),
        narrator: n,
        now: options.now ?? (() => new Date()),
        proofs: { count: 0 },
        ...(options.onSetupProgress ? { onSetupProgress: options.onSetupProgress } : {}),
      };
      const parties = await n.step('1 parties', `1. ${scenario.accreditor.name} registers the parties; those holding lots get a wallet`, () => registerParties(ctx, accreditor));
      const dataset = await n.step('2 dataset', `2. ${scenario.publisher.name} commits the Hansen crop to a Poseidon root and registers it`, () => publishDataset(ctx));
      const farms = await n.step('3 plots', '3. The farms check their plots, prove the clean ones window by window, and submit the attestations', async () => {
        const attested = await attestPlots(ctx);
        if (!attested.some((f) => f.proven !== null)) throw new CanopyError('INVALID_INPUT', 'no farm could prove its plot deforestation-free, so there is nothing to trade');
        return attested;
      });
      const farmLots = await n.step('4 farm lots', '4. Each clean farm issues this harvest\'s capacity, mints a deforestation-free lot from its PACT footprint, and sends it to the cooperative', () =>
        mintFarmLots(ctx, farms),
      );
      const cooperative = await n.step('5 cooperative', `5. ${scenario.cooperative.name} receives the lots, merges them with its collection emissions, and sends them to the exporter`, () =>
        cooperativeMerges(ctx, farmLots),
      );
      const exporter = await n.step('6 exporter', `6. ${scenario.exporter.name} hulls the cherries into green coffee (${scenario.exporter.rule.name}), adds its emissions, and ships to the importer`, () =>
        exporterProcesses(ctx, cooperative.passport),
      );
      const importer = await n.step('7 importer', `7. ${scenario.importer.name} receives the coffee, splits it into two containers, and verifies container 1 over HTTP`, async () => {
        const lots = await importerSplits(ctx, exporter.passport);
        const verified = await verifyContainer(ctx, dataset, lots.passport);
        return { received: lots.received, containers: lots.containers, ...verified };
      });
      const audit = await n.step('8 auditor', `8. ${scenario.auditor.name} replays the log, cosigns its checkpoint, and checks a disclosure of one farm's plot`, () => auditorChecks(ctx, farms));
      if (audit.proofs !== ctx.proofs.count) throw new Error(`canopy: bad math in runDemo: the story made ${ctx.proofs.count} proofs, the audit re-verified ${audit.proofs}`);

      const totalSeconds = Number(((performance.now() - t0) / 1000).toFixed(1));
      n.say(`\nDone in ${totalSeconds} s: ${ctx.proofs.count} Groth16 proofs, each verified by the registry when submitted and again by the auditor.`);
      n.say(`Files: ${paths.root} (wallets, passports, importer/claim.json, importer/pact-footprint.json, importer/dds-fields.json, auditor/)`);
      return {
        format: DEMO_RESULT_FORMAT,
        notForProduction: !keys.forProduction,
        profile: DEMO_PROFILE,
        workDir: paths.root,
        scenario: scenarioFile,
        keys,
        registry: { url: registry.url, origin: registry.origin, verifierKey: registry.verifierKey, kept: options.holdRegistry !== undefined },
        parties: parties.map((p) => ({ id: p.id, role: p.role, name: p.name, keyFile: p.keyFile, wallet: p.wallet })),
        dataset,
        farms,
        farmLots,
        cooperative,
        exporter,
        importer,
        audit,
        proofs: ctx.proofs.count,
        seconds: { ...n.seconds },
        totalSeconds,
      };
    });
    if (options.holdRegistry) await options.holdRegistry(result);
    return result;
  } finally {
    await registry.close();
  }
}
