/**
 * Groth16 proving and verification of the lot transition and the plot window, at one
 * circuit profile: constraints, proving time, peak memory, warm verification time.
 *
 * Profile: CANOPY_BENCH_PROFILE (default `demo`). The keys come from
 * circuits/build/<profile> (`canopy setup --profile P`); for `demo` they are built here
 * when missing (a few minutes), for `production` they must exist already, since they need
 * a 2^17 powers of tau (`canopy setup --profile production --ptau FILE`, or
 * `--local-ceremony`) — without them the
 * benchmark reports the constraint counts it can compile and says what is missing.
 *
 * Method: one valid witness per circuit, made by the JS twins (every input slot of the
 * transition enabled: the largest witness), then `runs` proofs (default 3,
 * CANOPY_BENCH_PROVING_RUNS) timed one by one; peak memory is the highest resident set
 * size sampled every 20 ms while proving, less the resident size before the first proof.
 * Verification is timed `verifyRuns` times with the curve already warm, and so is
 * snarkjs's `groth16.verify` on the same proof with its own curve warm (the baseline of
 * `verifySpeedupVsSnarkjs`; circuits/toolchain/groth16-verify.ts says what differs).
 *
 * Baseline in the same run: snarkjs's `groth16.fullProve` on the same inputs and keys
 * with a cold curve (built and terminated around the call, what a one-shot snarkjs
 * command pays); Canopy's timed proofs run inside one `withCurves` batch, as
 * `canopy lot` and the registry do (circuits/toolchain/snarkjs.ts).
 *
 * `benchWindowSizes` proves the plot window at every window size k = 0, 1, 2 at the
 * production tree depth, so the sizes compare on equal terms: k = 2 with the production
 * keys, k = 0 and 1 with keys it makes itself (profiles k0 and k1 of a config of its own;
 * config and keys in circuits/build/window-sizes/, cached) from the production folder's
 * powers of tau: the local ceremony's canopy_pot<N>_local.ptau there, or
 * CANOPY_BENCH_PTAU. Without one it reports the constraint counts alone.
 *
 * Run alone: CANOPY_BENCH_PROFILE=production node --import tsx tests/bench/proving.bench.ts
 * @module
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hashTagged } from '../../core/domain.ts';
import { identityConversion, lotTransitionWitnessInput, transitionOutputs, type LotTransition } from '../../core/circuits/lot-transition.ts';
import { plotWindowWitnessInput, windowsForMask } from '../../core/circuits/plot-window.ts';
import { maskFromPredicate } from '../../core/geo/plot-mask.ts';
import { noteCommitment, ownerKey, type LotNote } from '../../core/lots/note.ts';
import { IncrementalMerkleTree } from '../../core/merkle/incremental-merkle-tree.ts';
import { compileMain } from '../../circuits/toolchain/compile.ts';
import { loadConfig } from '../../circuits/toolchain/config.ts';
import { PROJECT_ROOT } from '../../circuits/toolchain/project-root.ts';
import { loadVerificationKey, proveGroth16, verifyGroth16 } from '../../circuits/toolchain/prove.ts';
import { runSetup } from '../../circuits/toolchain/setup.ts';
import { groth16FullProve, withCurves } from '../../circuits/toolchain/snarkjs.ts';
import type { CircuitInput } from '../../circuits/toolchain/witness.ts';
import { syntheticDataset } from '../circuits/_synthetic-dataset.ts';
import { machineInfo } from './_machine.ts';

type Input = CircuitInput;

// snarkjs ships no types; a variable specifier keeps TypeScript from looking for them.
const SNARKJS = 'snarkjs';

const round = (x: number, digits = 0) => Number(x.toFixed(digits));
const now = () => Number(process.hrtime.bigint()) / 1e6;
const mib = (bytes: number) => round(bytes / 2 ** 20, 1);

const config = loadConfig();

function params(circuit: string, profile: string): Record<string, number> {
  const p = config.circuits[circuit]?.profiles[profile];
  if (p === undefined) throw new Error(`circuit ${circuit} has no profile ${profile}`);
  return p;
}

/** A transition spending nIn notes of one owner into two outputs, every slot enabled. */
function transitionInput(profile: string): Input {
  const { depth, nIn } = params('lot_transition', profile) as { depth: number; nIn: number };
  const secret = hashTagged('SEQUENCE', [1n]);
  const owner = ownerKey(secret);
  const notes: LotNote[] = Array.from({ length: nIn }, (_, i) => ({
    ownerKey: owner,
    commodity: 90111n,
    quantityGrams: 1_000_000n + BigInt(i) * 1000n,
    emissionsGramsCo2e: 3_000_000n + BigInt(i) * 7000n,
    deforestationFree: true,
    salt: hashTagged('SEQUENCE', [100n + BigInt(i)]),
  }));
  const tree = new IncrementalMerkleTree(depth);
  tree.appendMany(notes.map(noteCommitment));
  const totalQ = notes.reduce((s, n) => s + n.quantityGrams, 0n);
  const conversion = identityConversion(90111n);
  const added = 250_000n;
  const outputs = transitionOutputs(notes, added, conversion, [
    { ownerKey: owner, quantityGrams: totalQ / 3n, salt: hashTagged('SEQUENCE', [200n]) },
    { ownerKey: owner, quantityGrams: totalQ - totalQ / 3n, salt: hashTagged('SEQUENCE', [201n]) },
  ]);
  const transition: LotTransition = {
    inputs: notes.map((note, i) => ({ note, ownerSecret: secret, proof: tree.proof(i) })),
    outputs,
    addedEmissionsGramsCo2e: added,
    conversion,
  };
  return lotTransitionWitnessInput(transition, { depth, nIn }) as unknown as Input;
}

/** One window of a round plot on a synthetic raster placed in a tree of depth `treeDepth`. */
function plotWindowInput({ k, treeDepth }: { k: number; treeDepth: number }): Input {
  const side = 16 << k;
  const width = side * 2;
  const height = side * 2;
  const layer = new Uint8Array(width * height).map((_, i) => (i * 13 + (i >> 7)) % 21);
  const ds = syntheticDataset({ layer, width, height, depth: treeDepth });
  const r2 = (side * 0.6) ** 2;
  const mask = maskFromPredicate({ col0: 0, row0: 0, width, height }, (c, r) => (c - side) ** 2 + (r - side) ** 2 < r2);
  const window = windowsForMask(mask, ds.grid, k)[0]!;
  return plotWindowWitnessInput({
    window,
    tiles: ds.blockTiles(window.tileX0, window.tileY0, k),
    proof: ds.blockProof(window.tileX0, window.tileY0, k),
    cutoffCode: 21,
    geometryHash: hashTagged('PLOT_GEOMETRY', [1n, 2n]),
    ownerSecret: hashTagged('SEQUENCE', [3n]),
    salt: hashTagged('SEQUENCE', [4n]),
  }) as unknown as Input;
}

/** Runs `fn` while sampling the resident set size; returns its result, time and peak RSS growth. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; peakRssGrowth: number }> {
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const t = now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { value, ms: now() - t, peakRssGrowth: peak - base };
  } finally {
    clearInterval(timer);
  }
}

async function benchCircuit(circuit: string, profile: string, input: Input, keysDir: string, runs: number, verifyRuns: number): Promise<Record<string, unknown>> {
  const prove = [] as number[];
  const verify = [] as number[];
  const snarkjsVerify = [] as number[];
  let peak = 0;
  await withCurves(async () => {
    let last: Awaited<ReturnType<typeof proveGroth16>> | undefined;
    for (let i = 0; i < runs; i++) {
      const m = await measured(() => proveGroth16(circuit, profile, input, keysDir));
      prove.push(m.ms);
      peak = Math.max(peak, m.peakRssGrowth);
      last = m.value;
    }
    const vkey = await loadVerificationKey(circuit, profile, keysDir);
    for (let i = 0; i < verifyRuns; i++) {
      const t = now();
      if (!(await verifyGroth16(vkey, last!.publicSignals, last!.proof))) throw new Error(`${circuit}: proof does not verify`);
      verify.push(now() - t);
    }
    const snarkjs = (await import(SNARKJS)) as { groth16: { verify(v: unknown, s: string[], p: unknown): Promise<boolean> } };
    await snarkjs.groth16.verify(vkey, last!.publicSignals, last!.proof);
    for (let i = 0; i < verifyRuns; i++) {
      const t = now();
      if (!(await snarkjs.groth16.verify(vkey, last!.publicSignals, last!.proof))) throw new Error(`${circuit}: snarkjs rejects the proof`);
      snarkjsVerify.push(now() - t);
    }
  });
  const manifest = JSON.parse(readFileSync(join(keysDir, 'manifest.json'), 'utf8')) as {
    circuits: Record<string, { constraints: { total: number }; files: { wasm: { path: string }; zkey: { path: string } } }>;
  };
  const entry = manifest.circuits[circuit]!;
  const b = await measured(() => groth16FullProve(input, join(keysDir, entry.files.wasm.path), join(keysDir, entry.files.zkey.path)));
  const median = (xs: number[]) => [...xs].sort((a, c) => a - c)[Math.floor(xs.length / 2)]!;
  return {
    circuit,
    constraints: entry.constraints.total,
    proveMedianS: round(median(prove) / 1000, 2),
    proveMinS: round(Math.min(...prove) / 1000, 2),
    peakRssGrowthMiB: mib(peak),
    verifyWarmMedianMs: round(median(verify), 1),
    snarkjsVerifyWarmMedianMs: round(median(snarkjsVerify), 1),
    verifySpeedupVsSnarkjs: round(median(snarkjsVerify) / median(verify), 2),
    snarkjsFullProveS: round(b.ms / 1000, 2),
    snarkjsPeakRssGrowthMiB: mib(b.peakRssGrowth),
    speedupVsColdSnarkjs: round(b.ms / median(prove), 2),
  };
}

/**
 * Proving and warm verification of lot_transition and plot_window at one profile.
 * @example await benchProving() // { profile: 'demo', circuits: [...] }
 */
export async function benchProving(): Promise<Record<string, unknown>> {
  const profile = process.env.CANOPY_BENCH_PROFILE ?? 'demo';
  const runs = Number(process.env.CANOPY_BENCH_PROVING_RUNS ?? 3);
  const keysDir = join(PROJECT_ROOT, 'circuits', 'build', profile);
  const circuits = ['lot_transition', 'plot_window'];
  const haveKeys = (id: string) => {
    if (!existsSync(join(keysDir, 'manifest.json'))) return false;
    const m = JSON.parse(readFileSync(join(keysDir, 'manifest.json'), 'utf8')) as { circuits?: Record<string, unknown> };
    return m.circuits?.[id] !== undefined;
  };
  const missing = circuits.filter((id) => !haveKeys(id));
  if (missing.length > 0 && profile !== 'production') await runSetup({ profile, circuits: missing, outDir: keysDir });
  const rows: Record<string, unknown>[] = [];
  const skipped: string[] = [];
  for (const id of circuits) {
    if (!haveKeys(id)) {
      const c = config.circuits[id]!;
      const p = params(id, profile);
      const compiled = await compileMain({ name: `${id}_${Object.values(p).join('_')}`, templateFile: c.file, template: c.template, params: c.params.map((n) => p[n]!), publicInputs: c.publicInputs });
      rows.push({ circuit: id, constraints: compiled.constraints });
      skipped.push(`${id}: no keys in ${keysDir}; run canopy setup --profile ${profile} --ptau FILE (2^17 or more)`);
      continue;
    }
    const input = id === 'lot_transition' ? transitionInput(profile) : plotWindowInput(params(id, profile) as { k: number; treeDepth: number });
    rows.push(await benchCircuit(id, profile, input, keysDir, runs, 20));
  }
  return {
    machine: machineInfo(),
    profile,
    parameters: Object.fromEntries(circuits.map((id) => [id, JSON.stringify(params(id, profile))])),
    runs,
    circuits: rows,
    ...(skipped.length > 0 ? { skipped: skipped.join('; ') } : {}),
  };
}

/** The powers of tau for the window-size keys: CANOPY_BENCH_PTAU, else a local ceremony's file in the production folder. */
function windowSizesPtau(): string | undefined {
  if (process.env.CANOPY_BENCH_PTAU) return process.env.CANOPY_BENCH_PTAU;
  const dir = join(PROJECT_ROOT, 'circuits', 'build', 'production', 'ptau');
  if (!existsSync(dir)) return undefined;
  const local = readdirSync(dir).filter((f) => /^canopy_pot\d+_local\.ptau$/.test(f)).sort();
  return local.length > 0 ? join(dir, local.at(-1)!) : undefined;
}

/**
 * Constraints, proving time and warm verification of the plot window per window size
 * (k = 0, 1, 2) at the production tree depth.
 * @example await benchWindowSizes() // { treeDepth: 24, windows: [{ k: 0, constraints: … }, …] }
 */
export async function benchWindowSizes(): Promise<Record<string, unknown>> {
  const production = params('plot_window', 'production') as { k: number; treeDepth: number };
  const { treeDepth } = production;
  const runs = Number(process.env.CANOPY_BENCH_PROVING_RUNS ?? 3);
  const dir = join(PROJECT_ROOT, 'circuits', 'build', 'window-sizes');
  const productionKeys = join(PROJECT_ROOT, 'circuits', 'build', 'production');
  const sizes = [0, 1, 2].filter((k) => k <= production.k);
  const { id: _id, profiles: _profiles, ...base } = config.circuits.plot_window!;
  const profileOf = (k: number) => (k === production.k ? 'production' : `k${k}`);
  // A config of its own: the sizes other than production's are not profiles of circuits.json.
  mkdirSync(dir, { recursive: true });
  const configPath = join(dir, 'circuits.json');
  writeFileSync(
    configPath,
    `${JSON.stringify(
      {
        profiles: Object.fromEntries(sizes.filter((k) => k !== production.k).map((k) => [profileOf(k), { description: `plot window k = ${k}, tree depth ${treeDepth}`, ptau: 'required' }])),
        circuits: { plot_window: { ...base, profiles: Object.fromEntries(sizes.filter((k) => k !== production.k).map((k) => [profileOf(k), { k, treeDepth }])) } },
      },
      null,
      2,
    )}\n`,
  );
  const ptau = windowSizesPtau();
  const rows: Record<string, unknown>[] = [];
  const notes: string[] = [];
  for (const k of sizes) {
    const profile = profileOf(k);
    const keysDir = k === production.k ? productionKeys : join(dir, profile);
    const have = existsSync(join(keysDir, 'manifest.json')) && (JSON.parse(readFileSync(join(keysDir, 'manifest.json'), 'utf8')) as { circuits?: Record<string, unknown> }).circuits?.plot_window !== undefined;
    if (!have && k !== production.k && ptau !== undefined) {
      await runSetup({ profile, configPath, circuits: ['plot_window'], ptau, outDir: keysDir });
    } else if (!have) {
      const compiled = await compileMain({ name: `plot_window_${k}_${treeDepth}`, templateFile: base.file, template: base.template, params: [k, treeDepth], publicInputs: base.publicInputs });
      rows.push({ k, tiles: 4 ** k, pixels: 256 * 4 ** k, constraints: compiled.constraints });
      notes.push(`k = ${k}: no keys in ${keysDir} (${k === production.k ? 'canopy setup --profile production' : 'no powers of tau: CANOPY_BENCH_PTAU or a local ceremony in circuits/build/production/ptau'})`);
      continue;
    }
    const row = await benchCircuit('plot_window', profile, plotWindowInput({ k, treeDepth }), keysDir, runs, 20);
    rows.push({ k, tiles: 4 ** k, pixels: 256 * 4 ** k, ...row });
  }
  return {
    machine: machineInfo(),
    treeDepth,
    ptau: ptau === undefined ? 'none' : `${ptau} (local ceremony or given file; NOT FOR PRODUCTION unless from a public ceremony)`,
    runs,
    windows: rows,
    ...(notes.length > 0 ? { skipped: notes.join('; ') } : {}),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchProving();
  console.log(JSON.stringify(result, null, 2));
  process.exit(0);
}
