/**
 * `canopy setup`: builds the Groth16 keys of every circuit of a profile, verifies them,
 * and records them in a manifest.
 *
 * For each circuit of the profile (circuits/circuits.json):
 *   1. compile (`compileMain`, content-cached in circuits/build/<id>_<profile>-<key>/);
 *   2.–6. phase 2 (`runPhase2`): new key, contribution, beacon, verify, export;
 *   7. hash the artifacts and write them into the manifest.
 * The powers of tau: the bundled file for profiles whose policy is "bundled" (NOT FOR
 * PRODUCTION), and for "required" profiles a `ptau` file the caller names (a public
 * ceremony's) or a local ceremony. Every ptau must carry at least one contribution.
 *
 * Output folder (default circuits/build/<profile>/):
 *
 *     manifest.json                     see manifest.ts
 *     <id>/<id>.r1cs  <id>/<id>.wasm    copied from the compile cache
 *     <id>/<id>.zkey  <id>/<id>.vkey.json  <id>/<id>.phase2.json (transcript)
 *     ptau/canopy_pot<N>_local.ptau (+ transcripts)   only after a local ceremony
 *
 * Cache: a circuit is up to date when its manifest entry has the same setup key
 * (SHA-256 of compile source key, ptau SHA-256 and circuit id; manifest.ts) and every
 * file still has its recorded size and SHA-256. Then nothing is compiled or keyed: the
 * run only re-hashes. `force` makes new keys regardless. Two setups must not write the
 * same folder at once.
 * @module
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { assertArray, assertBoolean, assertInteger, assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { compileMain, COMPILER_VERSION, mainSource, sourceKey, type CompiledCircuit, type MainSpec } from './compile.ts';
import { circuitParams, getProfile, loadConfig, publicSignalCount, selectCircuits, type CircuitConfig } from './config.ts';
import {
  ARTIFACT_KINDS,
  MANIFEST_FILE,
  MANIFEST_FORMAT,
  artifactFile,
  checkEntry,
  readManifest,
  setupKey,
  writeManifest,
  type ArtifactKind,
  type CircuitManifest,
  type Manifest,
  type PtauRecord,
} from './manifest.ts';
import { PHASE2_STEPS, runPhase2 } from './phase2.ts';
import { BUILD_DIR, PROJECT_ROOT } from './project-root.ts';
import { assertPtauFits, BUNDLED_PTAU, BUNDLED_PTAU_POWER, BUNDLED_PTAU_SHA256, inspectPtau, localCeremony, ptauPowerFor, type PtauInfo } from './ptau.ts';
import { sha256File, timeStep, type OnProgress, type StepEvent } from './_steps.ts';
import { withDirLock } from './pid-lock.ts';
import { withCurves } from './snarkjs.ts';

export type { StepEvent as SetupEvent } from './_steps.ts';

/** Steps reported per circuit: compile, the phase-2 steps, hashing. */
export const STEPS_PER_CIRCUIT = 2 + PHASE2_STEPS;

const require = createRequire(import.meta.url);
/** snarkjs version, recorded in manifests. */
export const SNARKJS_VERSION: string = (JSON.parse(readFileSync(join(dirname(require.resolve('snarkjs')), '..', 'package.json'), 'utf8')) as { version: string }).version;

/** Options of `runSetup`; mirrors the flags of `canopy setup`. */
export interface SetupOptions {
  profile: string;
  /** Circuit ids to build (default: all of the config). */
  circuits?: readonly string[];
  /** A prepared ptau file to use instead of the profile's default. */
  ptau?: string;
  /** Run a local ceremony (power chosen from the circuits) instead of using a file. */
  localCeremony?: { contributions: number };
  /** Output folder (default circuits/build/<profile>). */
  outDir?: string;
  /** Make new keys even when the cached ones are up to date. */
  force?: boolean;
  /** Config file (default circuits/circuits.json). */
  configPath?: string;
  onProgress?: OnProgress;
}

/** Outcome for one circuit. */
export interface CircuitSetupResult {
  id: string;
  /** True when the keys were already up to date and nothing was rebuilt. */
  cached: boolean;
  /** Why the keys were (re)built, when they were. */
  reason?: string;
  entry: CircuitManifest;
  seconds: number;
}

/** Outcome of a setup run. */
export interface SetupResult {
  profile: string;
  outDir: string;
  manifestPath: string;
  manifest: Manifest;
  ptau: PtauRecord & { path: string };
  circuits: CircuitSetupResult[];
  seconds: number;
}

/**
 * Default output folder of a profile: circuits/build/<profile>.
 * @example defaultOutDir('test') // '<root>/circuits/build/test'
 */
export function defaultOutDir(profile: string): string {
  return join(BUILD_DIR, profile);
}

/**
 * The compile spec of a circuit in a profile; artifacts are named `<id>_<profile>`.
 * @throws {CanopyError} INVALID_INPUT when the circuit has no parameters for the profile
 * @example mainSpec(config.circuits.membership, 'test').params // [4]
 */
export function mainSpec(circuit: CircuitConfig, profile: string): MainSpec {
  return {
    name: `${circuit.id}_${profile}`,
    templateFile: circuit.file,
    template: circuit.template,
    params: circuitParams(circuit, profile),
    publicInputs: circuit.publicInputs,
  };
}

/**
 * The compile source key of a spec without compiling: writes the generated main file
 * exactly as `compileMain` does and hashes its sources.
 * @throws {CanopyError} NOT_FOUND when the template file is missing; CIRCUIT_COMPILE_FAILED for a missing include
 * @example specSourceKey(mainSpec(config.circuits.membership, 'test')) === (await compileMain(spec)).key
 */
export function specSourceKey(spec: MainSpec, buildDir = BUILD_DIR): string {
  const template = resolve(PROJECT_ROOT, spec.templateFile);
  if (!existsSync(template)) throw new CanopyError('NOT_FOUND', `circuit template ${spec.templateFile} does not exist (${template})`);
  const mainsDir = join(buildDir, 'mains');
  mkdirSync(mainsDir, { recursive: true });
  const mainPath = join(mainsDir, `${spec.name}.circom`);
  const text = mainSource(spec, mainPath);
  if (!existsSync(mainPath) || readFileSync(mainPath, 'utf8') !== text) writeFileSync(mainPath, text);
  return sourceKey(mainPath);
}

function validate(opts: SetupOptions): void {
  assertString(opts.profile, 'profile', 64);
  if (opts.circuits !== undefined) {
    assertArray(opts.circuits, 'circuits', 0, 1000);
    opts.circuits.forEach((c, i) => assertString(c, `circuits[${i}]`, 64));
  }
  if (opts.ptau !== undefined) assertString(opts.ptau, 'ptau', 4096);
  if (opts.outDir !== undefined) assertString(opts.outDir, 'outDir', 4096);
  if (opts.force !== undefined) assertBoolean(opts.force, 'force');
  if (opts.localCeremony !== undefined) assertInteger(opts.localCeremony.contributions, 'contributions', 1, 16);
  if (opts.ptau !== undefined && opts.localCeremony !== undefined) {
    throw new CanopyError('INVALID_INPUT', 'choose one source of powers of tau: --ptau FILE or --local-ceremony, not both');
  }
}

/**
 * Runs the setup of a profile. Re-running with nothing changed compiles nothing, makes
 * no key, and only re-hashes the artifacts.
 * @throws {TypeError|RangeError} for malformed options
 * @throws {CanopyError} INVALID_INPUT (unknown profile or circuit, listing valid ones; production without a ptau);
 *   NOT_FOUND (ptau file, naming its path); PTAU_INVALID (no contribution, not prepared, power too small: names the power needed and where to get a file);
 *   CIRCUIT_COMPILE_FAILED; SETUP_FAILED
 * @example const { manifest } = await runSetup({ profile: 'test' });
 */
export async function runSetup(opts: SetupOptions): Promise<SetupResult> {
  validate(opts);
  const outDir = resolve(opts.outDir ?? defaultOutDir(getProfile(loadConfig(opts.configPath), opts.profile).name));
  mkdirSync(outDir, { recursive: true });
  // Two setups writing one folder would interleave keys and manifest: the second waits,
  // then finds the first's keys up to date. One curve for every snarkjs step of the run.
  return withDirLock(
    outDir,
    () => withCurves(() => setup(opts)),
    (pid) => opts.onProgress?.({ step: 'wait', index: 1, total: 1, status: 'note', detail: `another setup (process ${pid}) is writing ${outDir}` }),
  );
}

async function setup(opts: SetupOptions): Promise<SetupResult> {
  const t0 = performance.now();
  const config = loadConfig(opts.configPath);
  const profile = getProfile(config, opts.profile);
  const circuits = selectCircuits(config, opts.circuits);
  if (profile.ptau === 'required' && opts.ptau === undefined && opts.localCeremony === undefined) {
    throw new CanopyError(
      'INVALID_INPUT',
      `profile ${profile.name} needs --ptau FILE from a public ceremony (e.g. powersOfTau28_hez_final_NN.ptau) or --local-ceremony; the bundled ptau is not for production`,
    );
  }
  const outDir = resolve(opts.outDir ?? defaultOutDir(profile.name));
  mkdirSync(outDir, { recursive: true });
  const previous = existsSync(join(outDir, MANIFEST_FILE)) ? readManifest(outDir) : undefined;
  if (previous && previous.profile !== profile.name) {
    throw new CanopyError('INVALID_INPUT', `${outDir} holds keys of profile ${previous.profile}, not ${profile.name}: choose another --out`);
  }
  const onProgress = opts.onProgress;
  const previousEntry = (id: string): CircuitManifest | undefined => (previous && Object.hasOwn(previous.circuits, id) ? previous.circuits[id] : undefined);

  const specs = new Map(circuits.map((c) => [c.id, mainSpec(c, profile.name)]));
  const keys = new Map(circuits.map((c) => [c.id, specSourceKey(specs.get(c.id)!)]));
  const compiled = new Map<string, CompiledCircuit>();
  const total = STEPS_PER_CIRCUIT;
  const compile = async (c: CircuitConfig): Promise<CompiledCircuit> => {
    let done = compiled.get(c.id);
    if (!done) {
      done = await timeStep(onProgress, { step: 'compile', index: 1, total, circuit: c.id }, () => compileMain(specs.get(c.id)!), (r) => `${r.constraints} constraints`);
      compiled.set(c.id, done);
    }
    return done;
  };

  // The powers of tau.
  let ptauPath: string;
  let source: PtauRecord['source'];
  if (opts.ptau !== undefined) {
    ptauPath = resolve(opts.ptau);
    if (!existsSync(ptauPath)) throw new CanopyError('NOT_FOUND', `ptau file ${ptauPath} does not exist`);
    source = 'file';
  } else if (opts.localCeremony !== undefined) {
    // The ceremony's power depends on the circuits' sizes: known from the manifest for
    // unchanged circuits, otherwise from compiling them.
    let needed = 1;
    for (const c of circuits) {
      const entry = previousEntry(c.id);
      const size =
        entry && entry.sourceKey === keys.get(c.id)
          ? { constraints: entry.constraints.total, publicSignals: entry.publicInputs + entry.publicOutputs }
          : await compile(c).then((r) => ({ constraints: r.constraints, publicSignals: r.publicInputs + r.publicOutputs }));
      needed = Math.max(needed, ptauPowerFor(size.constraints, size.publicSignals));
    }
    ptauPath = await localPtau(join(outDir, 'ptau'), needed, opts.localCeremony.contributions, opts.force === true, onProgress);
    source = 'local-ceremony';
  } else {
    ptauPath = BUNDLED_PTAU;
    if (!existsSync(ptauPath)) {
      throw new CanopyError(
        'NOT_FOUND',
        `the bundled ptau ${ptauPath} does not exist: make it with \`circuits/ptau/ceremony.sh ${BUNDLED_PTAU_POWER} circuits/ptau\`, or pass --ptau FILE`,
      );
    }
    source = 'bundled';
  }
  const info = inspectPtau(ptauPath);
  const ptauSha = await timeStep(onProgress, { step: 'hash powers of tau', index: 1, total: 1 }, () => sha256File(ptauPath), () => displayPath(ptauPath));
  if (source === 'bundled' && ptauSha !== BUNDLED_PTAU_SHA256) {
    throw new CanopyError('PTAU_INVALID', `the bundled ptau ${ptauPath} has SHA-256 ${ptauSha}, not the recorded ${BUNDLED_PTAU_SHA256}: restore it from git`);
  }
  // The labelled test file, under its own name or another one.
  const notForProduction = ptauSha === BUNDLED_PTAU_SHA256 || /not_for_production/.test(basename(ptauPath));
  if (profile.ptau === 'required' && notForProduction) {
    throw new CanopyError('PTAU_INVALID', `${ptauPath} is labelled not for production and cannot key profile ${profile.name}: use a public ceremony file or --local-ceremony`);
  }
  const ptau: PtauRecord = { file: basename(ptauPath), sha256: ptauSha, power: info.power, source, forProduction: !notForProduction };

  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    profile: profile.name,
    snarkjs: SNARKJS_VERSION,
    circuits: { ...(previous?.circuits ?? {}) },
  };
  const results: CircuitSetupResult[] = [];
  for (const c of circuits) {
    const c0 = performance.now();
    const key = keys.get(c.id)!;
    const sk = setupKey(key, ptauSha, c.id);
    const old = previousEntry(c.id);
    let reason: string;
    if (opts.force) reason = 'forced';
    else if (!old) reason = 'no keys yet';
    else if (old.sourceKey !== key) reason = 'circuit source changed';
    else if (old.ptau.sha256 !== ptauSha) reason = 'powers of tau changed';
    else if (old.setupKey !== sk) reason = 'setup key changed';
    else {
      const mismatches = await checkEntry(outDir, old);
      if (mismatches.length === 0) {
        const seconds = (performance.now() - c0) / 1000;
        onProgress?.({ step: 'up to date (artifacts re-hashed)', index: total, total, status: 'cached', seconds, circuit: c.id });
        results.push({ id: c.id, cached: true, entry: old, seconds });
        continue;
      }
      reason = `artifacts changed: ${mismatches.map((m) => `${m.path} ${m.problem}`).join(', ')}`;
    }
    const entry = await buildCircuit(c, profile.name, config.source, reason, outDir, await compile(c), info, ptau, sk, onProgress);
    manifest.circuits[c.id] = entry;
    // Written after each circuit so a later failure keeps the keys already made.
    writeManifest(outDir, manifest);
    results.push({ id: c.id, cached: false, reason, entry, seconds: (performance.now() - c0) / 1000 });
  }
  if (!existsSync(join(outDir, MANIFEST_FILE))) writeManifest(outDir, manifest);
  return {
    profile: profile.name,
    outDir,
    manifestPath: join(outDir, MANIFEST_FILE),
    manifest,
    ptau: { ...ptau, path: ptauPath },
    circuits: results,
    seconds: (performance.now() - t0) / 1000,
  };
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

async function buildCircuit(
  c: CircuitConfig,
  profile: string,
  configSource: string,
  reason: string,
  outDir: string,
  compiled: CompiledCircuit,
  info: PtauInfo,
  ptau: PtauRecord,
  sk: string,
  onProgress: OnProgress | undefined,
): Promise<CircuitManifest> {
  const publicSignals = compiled.publicInputs + compiled.publicOutputs;
  const listed = publicSignalCount(c, profile);
  if (publicSignals !== listed) {
    throw new CanopyError(
      'SETUP_FAILED',
      `circuit ${c.id} has ${publicSignals} public signals but ${configSource} lists ${listed} (${c.publicSignals.join(', ')})`,
    );
  }
  assertPtauFits(info, `circuit ${c.id} (profile ${profile})`, compiled.constraints, publicSignals);
  const dir = join(outDir, c.id);
  mkdirSync(dir, { recursive: true });
  const rel = (name: string) => `${c.id}/${name}`;
  const names: Record<ArtifactKind, string> = {
    r1cs: `${c.id}.r1cs`,
    wasm: `${c.id}.wasm`,
    zkey: `${c.id}.zkey`,
    vkey: `${c.id}.vkey.json`,
    transcript: `${c.id}.phase2.json`,
  };
  copyFileSync(compiled.r1csPath, join(dir, names.r1cs));
  copyFileSync(compiled.wasmPath, join(dir, names.wasm));
  onProgress?.({ step: 'make keys', index: 2, total: STEPS_PER_CIRCUIT, status: 'note', detail: reason, circuit: c.id });
  const p2 = await runPhase2({
    circuit: c.id,
    r1csPath: join(dir, names.r1cs),
    ptauPath: info.path,
    ptauSha256: ptau.sha256,
    zkeyPath: join(dir, names.zkey),
    vkeyPath: join(dir, names.vkey),
    transcriptPath: join(dir, names.transcript),
    onProgress,
    firstStep: 2,
    totalSteps: STEPS_PER_CIRCUIT,
  });
  const files = await timeStep(
    onProgress,
    { step: 'hash artifacts', index: STEPS_PER_CIRCUIT, total: STEPS_PER_CIRCUIT, circuit: c.id },
    async () => {
      const out = {} as Record<ArtifactKind, Awaited<ReturnType<typeof artifactFile>>>;
      for (const kind of ARTIFACT_KINDS) out[kind] = await artifactFile(outDir, rel(names[kind]));
      return out;
    },
    (f) => `zkey ${f.zkey.sha256.slice(0, 16)}…`,
  );
  return {
    circuit: c.id,
    profile,
    template: c.template,
    params: Object.fromEntries(c.params.map((p) => [p, c.profiles[profile]![p]!])),
    publicSignals: [...c.publicSignals],
    constraints: { total: compiled.constraints, nonLinear: compiled.nonLinearConstraints, linear: compiled.linearConstraints },
    publicInputs: compiled.publicInputs,
    publicOutputs: compiled.publicOutputs,
    privateInputs: compiled.privateInputs,
    wires: compiled.wires,
    compiler: COMPILER_VERSION,
    sourceKey: compiled.key,
    setupKey: sk,
    ptau,
    phase2: { circuitHash: p2.circuitHash, contributionHash: p2.contributionHash, beaconHash: p2.beaconHash, beaconIterationsExp: p2.beaconIterationsExp },
    files,
  };
}

/**
 * A local ceremony's ptau in `dir` of at least `power`: reuses one made earlier (it
 * must parse, carry a contribution and be prepared), or runs a new ceremony.
 */
async function localPtau(dir: string, power: number, contributions: number, force: boolean, onProgress: OnProgress | undefined): Promise<string> {
  if (!force && existsSync(dir)) {
    for (const name of readdirSync(dir).sort()) {
      const m = /^canopy_pot(\d+)_local\.ptau$/.exec(name);
      if (!m || Number(m[1]) < power) continue;
      const info = inspectPtau(join(dir, name));
      if (info.power >= power && info.preparedPhase2 && info.contributions.length > 0) {
        onProgress?.({ step: `local ceremony: reusing ${name}`, index: 1, total: 1, status: 'cached', seconds: 0 });
        return info.path;
      }
    }
  }
  const r = await localCeremony({
    power,
    contributions,
    outDir: dir,
    // snarkjs made the file here a moment ago; a full `powersoftau verify` would double
    // the ceremony's time. `canopy ptau verify FILE` runs it on demand.
    verify: false,
    onProgress: (e) => onProgress?.({ ...e, step: `local ceremony: ${e.step}` }),
  });
  return r.ptauPath;
}
