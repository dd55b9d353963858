/**
 * `verifyPlotProofFile`: what `canopy plot verify` does — check every window proof of a
 * plot proof file (proof-file.ts) with the verification key of the local setup.
 *
 * A list of named steps per window, run in order; the first that fails ends the check
 * and is reported with the window's number (1-based) and the reason:
 *
 *   key           the local setup manifest (keysDir, default circuits/build/<profile>)
 *                 has keys for the window's circuit, and their vkey SHA-256 is the one
 *                 the proof file records: a proof made with other keys says nothing
 *                 under these, so it is reported, not silently failed;
 *   dataset       with `datasetDir`: the window's datasetRoot is that dataset's root;
 *   proof         the Groth16 proof verifies for the window's public signals;
 *   distinct      no attestation leaf appears twice (one window cannot count twice).
 *
 * The parser has already checked that every window's datasetRoot and cutoffCode are the
 * file's. A malformed file, a missing setup or an altered key file is an error (thrown),
 * not a verdict.
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { PLOT_WINDOW_PUBLIC_SIGNALS } from '../../core/circuits/plot-window.ts';
import { readManifest } from '../../circuits/toolchain/manifest.ts';
import { loadVerificationKey, verifyGroth16, type VerificationKey } from '../../circuits/toolchain/prove.ts';
import { defaultOutDir } from '../../circuits/toolchain/setup.ts';
import { withCurves } from '../../circuits/toolchain/snarkjs.ts';
import { closeDataset, openDataset } from '../dataset/read-window.ts';
import { MAX_PROOF_FILE_BYTES, parsePlotProofFile } from './proof-file.ts';

/** The checks run on each window, in order. */
export const PLOT_VERIFY_STEPS = ['key', 'dataset', 'proof', 'distinct'] as const;
/** One of PLOT_VERIFY_STEPS. */
export type PlotVerifyStep = (typeof PLOT_VERIFY_STEPS)[number];

/** Options of `verifyPlotProofFile`; mirrors the flags of `canopy plot verify`. */
export interface PlotVerifyOptions {
  readonly proofFile: string;
  /** Also check the windows' datasetRoot against this dataset's root. */
  readonly datasetDir?: string;
  /** Setup folder holding the keys (default circuits/build/<profile of the windows>). */
  readonly keysDir?: string;
}

/** Result of `verifyPlotProofFile`; JSON-safe. */
export interface PlotVerifyResult {
  proofFile: string;
  valid: boolean;
  datasetRoot: string;
  cutoffYear: number;
  cutoffCode: number;
  /** Circuit and profile of the windows (the first window's, when they differ). */
  circuit: string;
  profile: string;
  windows: number;
  /** Attestation leaves of the windows that passed every step, in file order. */
  attestationLeaves: string[];
  dataset?: { dir: string; root: string };
  failure?: { window: number; step: PlotVerifyStep; reason: string };
}

const LEAF = PLOT_WINDOW_PUBLIC_SIGNALS.indexOf('attestationLeaf');

/**
 * Verifies a plot proof file (module doc).
 * @returns valid = true when every window passes every step; otherwise the first failure
 * @throws {CanopyError} NOT_FOUND (proof file, dataset, setup manifest or keys);
 *   INVALID_INPUT (malformed proof file); ARTIFACT_MISMATCH (a local key file altered)
 * @example const r = await verifyPlotProofFile({ proofFile: 'farm.proof.json', datasetDir: 'ds' }); r.valid
 */
export async function verifyPlotProofFile(options: PlotVerifyOptions): Promise<PlotVerifyResult> {
  assertString(options.proofFile, 'proofFile', 4096);
  if (options.datasetDir !== undefined) assertString(options.datasetDir, 'datasetDir', 4096);
  if (options.keysDir !== undefined) assertString(options.keysDir, 'keysDir', 4096);
  let size: number;
  try {
    size = (await stat(options.proofFile)).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new CanopyError('NOT_FOUND', `proof file not found: ${options.proofFile}`);
    throw e;
  }
  if (size > MAX_PROOF_FILE_BYTES) throw new CanopyError('INVALID_INPUT', `${options.proofFile}: ${size} bytes, more than the ${MAX_PROOF_FILE_BYTES} a proof file may have`);
  const file = parsePlotProofFile(await readFile(options.proofFile, 'utf8'), options.proofFile);

  let dataset: { dir: string; root: string } | undefined;
  if (options.datasetDir !== undefined) {
    const ds = await openDataset(options.datasetDir, { checkSources: 'never' });
    dataset = { dir: ds.dir, root: ds.root.toString() };
    await closeDataset(ds);
  }

  const result: PlotVerifyResult = {
    proofFile: options.proofFile,
    valid: false,
    datasetRoot: file.datasetRoot,
    cutoffYear: file.cutoffYear,
    cutoffCode: file.cutoffCode,
    circuit: file.windows[0]!.circuit,
    profile: file.windows[0]!.profile,
    windows: file.windows.length,
    attestationLeaves: [],
    ...(dataset ? { dataset } : {}),
  };
  const keys = new Map<string, { sha256: string; vkey: VerificationKey }>();
  const seen = new Set<string>();

  const failure = await withCurves(async () => {
    for (const [i, w] of file.windows.entries()) {
      const fail = (step: PlotVerifyStep, reason: string) => ({ window: i + 1, step, reason });
      // key
      const id = `${w.circuit}\0${w.profile}`;
      let key = keys.get(id);
      if (!key) {
        const dir = options.keysDir ?? defaultOutDir(w.profile);
        const manifest = readManifest(dir);
        if (manifest.profile !== w.profile) return fail('key', `${dir} holds keys of profile ${manifest.profile}, the window was proven with profile ${w.profile}`);
        const entry = Object.hasOwn(manifest.circuits, w.circuit) ? manifest.circuits[w.circuit] : undefined;
        if (!entry) throw new CanopyError('NOT_FOUND', `no keys for circuit ${w.circuit} in ${dir}: verify with the setup that made the proofs (--keys DIR)`);
        key = { sha256: entry.files.vkey.sha256, vkey: await loadVerificationKey(w.circuit, w.profile, dir) };
        keys.set(id, key);
      }
      if (key.sha256 !== w.artifacts.vkey.sha256) {
        return fail('key', `proven with verification key ${w.artifacts.vkey.sha256.slice(0, 16)}…, the local setup's is ${key.sha256.slice(0, 16)}…: verify with the setup that made the proofs`);
      }
      // dataset
      if (dataset && w.publicSignals[PLOT_WINDOW_PUBLIC_SIGNALS.indexOf('datasetRoot')] !== dataset.root) {
        return fail('dataset', `proven against dataset root ${file.datasetRoot}, ${dataset.dir} has root ${dataset.root}`);
      }
      // proof
      if (!(await verifyGroth16(key.vkey, w.publicSignals, w.proof))) return fail('proof', 'the Groth16 proof does not verify for its public signals');
      // distinct
      const leaf = w.publicSignals[LEAF]!;
      if (seen.has(leaf)) return fail('distinct', `attestation leaf ${leaf} appears twice`);
      seen.add(leaf);
      result.attestationLeaves.push(leaf);
    }
    return undefined;
  });
  if (failure) result.failure = failure;
  else result.valid = true;
  return result;
}
