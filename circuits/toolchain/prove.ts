/**
 * Groth16 proving and verification with the keys `canopy setup` made, as plain data.
 *
 * `proveGroth16` finds the circuit's wasm and zkey through the setup manifest and checks
 * their SHA-256 against it (once per file per process, re-checked when the file's size
 * or modification time changes) before proving, so a tampered or stale key is never
 * used. `verifyGroth16` is pure: key, public signals and proof in, boolean out; it runs
 * groth16-verify.ts (snarkjs's equation, plus membership of B in G2, with the key's share
 * of the work cached).
 *
 * Encodings: public signals and coordinates are canonical decimal strings of integers
 * below the BN254 scalar field order r (coordinates: below the base field order q), in
 * the order snarkjs lists them: circuit outputs, then public inputs (circuits.json
 * `publicSignals`).
 *
 * Curves: `proveGroth16` releases snarkjs's worker threads when done (snarkjs.ts); wrap
 * a batch in `withCurves` to build that curve once. `verifyGroth16` uses a
 * single-threaded curve of its own, built once per thread, with no threads to release.
 * @module
 */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { assertString, typeError, rangeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { FIELD_ORDER } from '../../core/field.ts';
import { artifactPath, checkEntry, readManifest, type CircuitManifest } from './manifest.ts';
import { defaultOutDir } from './setup.ts';
import { groth16Verify } from './groth16-verify.ts';
import { groth16FullProve, type Groth16Proof, type ProofWithSignals, type VerificationKey } from './snarkjs.ts';
import type { CircuitInput } from './witness.ts';

export type { Groth16Proof, ProofWithSignals, VerificationKey } from './snarkjs.ts';

/** BN254 base field order q: every proof coordinate lies in [0, q). */
const BASE_FIELD_ORDER = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
/** Longest decimal string accepted for a field element (q has 77 digits). */
const MAX_DIGITS = 78;

const checked = new Map<string, string>();

async function checkedEntry(circuitId: string, profile: string, buildDir: string | undefined, kinds: ('wasm' | 'zkey' | 'vkey')[]): Promise<{ dir: string; entry: CircuitManifest }> {
  assertString(circuitId, 'circuitId', 64);
  assertString(profile, 'profile', 64);
  const dir = buildDir ?? defaultOutDir(profile);
  const manifest = readManifest(dir);
  if (manifest.profile !== profile) throw new CanopyError('INVALID_INPUT', `${dir} holds keys of profile ${manifest.profile}, not ${profile}`);
  const entry = Object.hasOwn(manifest.circuits, circuitId) ? manifest.circuits[circuitId] : undefined;
  if (!entry) {
    throw new CanopyError('NOT_FOUND', `no keys for circuit ${JSON.stringify(circuitId)} in ${dir} (it has ${Object.keys(manifest.circuits).join(', ') || 'none'}): run \`canopy setup --profile ${profile}\``);
  }
  const stale = kinds.filter((k) => {
    const f = entry.files[k];
    const st = statSync(artifactPath(dir, f.path), { throwIfNoEntry: false });
    return !st || checked.get(`${dir}\0${f.path}`) !== `${f.sha256}:${st.size}:${st.mtimeMs}`;
  });
  if (stale.length) {
    const mismatches = await checkEntry(dir, entry, stale);
    if (mismatches.length) {
      throw new CanopyError('ARTIFACT_MISMATCH', `${mismatches.map((m) => `${m.path} (${m.problem})`).join(', ')} in ${dir} do not match the manifest: run \`canopy setup --profile ${profile}\``);
    }
    for (const k of stale) {
      const f = entry.files[k];
      const st = statSync(artifactPath(dir, f.path));
      checked.set(`${dir}\0${f.path}`, `${f.sha256}:${st.size}:${st.mtimeMs}`);
    }
  }
  return { dir, entry };
}

/**
 * Proves `input` for a circuit with the keys of a setup folder.
 * @param input witness input, keys spelled like the circuit's signals (the JS twin builds it)
 * @param buildDir setup output folder (default circuits/build/<profile>)
 * @returns `{ proof, publicSignals }`, plain JSON
 * @throws {CanopyError} NOT_FOUND (no manifest, no such circuit); ARTIFACT_MISMATCH (wasm or zkey altered); WITNESS_FAILED (an input violates the circuit)
 * @example const { proof, publicSignals } = await proveGroth16('membership', 'test', membershipWitnessInput(...));
 */
export async function proveGroth16(circuitId: string, profile: string, input: CircuitInput, buildDir?: string): Promise<ProofWithSignals> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) typeError('input', 'an object of signal values', input);
  const { dir, entry } = await checkedEntry(circuitId, profile, buildDir, ['wasm', 'zkey']);
  try {
    return await groth16FullProve(input, artifactPath(dir, entry.files.wasm.path), artifactPath(dir, entry.files.zkey.path));
  } catch (e) {
    if (e instanceof CanopyError) throw e;
    const msg = String(e instanceof Error ? e.message : e).split('\n')[0]!.slice(0, 300);
    throw new CanopyError('WITNESS_FAILED', `cannot prove ${circuitId}: ${msg}`, { cause: e });
  }
}

/**
 * Reads the verification key of a circuit from a setup folder, checked against the manifest.
 * @throws {CanopyError} NOT_FOUND; ARTIFACT_MISMATCH
 * @example const vkey = await loadVerificationKey('membership', 'test');
 */
export async function loadVerificationKey(circuitId: string, profile: string, buildDir?: string): Promise<VerificationKey> {
  const { dir, entry } = await checkedEntry(circuitId, profile, buildDir, ['vkey']);
  return JSON.parse(await readFile(artifactPath(dir, entry.files.vkey.path), 'utf8')) as VerificationKey;
}

function assertDecimal(value: unknown, title: string, bound: bigint): void {
  if (typeof value !== 'string') typeError(title, 'a decimal string', value);
  // Canonical: digits only, no sign, no leading zero (except "0"), below the bound.
  if (value.length > MAX_DIGITS || !/^(0|[1-9][0-9]*)$/.test(value)) rangeError(title, 'a canonical decimal string', value);
  if (BigInt(value) >= bound) rangeError(title, `a decimal below ${bound}`, value);
}

function assertPoint(value: unknown, title: string, dims: 1 | 2, length: number): void {
  if (!Array.isArray(value) || value.length !== length) typeError(title, `an array of ${length} coordinates`, value);
  value.forEach((v, i) => {
    if (dims === 1) assertDecimal(v, `${title}[${i}]`, BASE_FIELD_ORDER);
    else {
      if (!Array.isArray(v) || v.length !== 2) typeError(`${title}[${i}]`, 'an array of 2 decimal strings', v);
      v.forEach((x, j) => assertDecimal(x, `${title}[${i}][${j}]`, BASE_FIELD_ORDER));
    }
  });
}

/**
 * Checks the shape of a proof: Groth16 over bn128, projective points of canonical decimals.
 * @throws {TypeError|RangeError} naming the bad field
 * @example assertGroth16Proof(JSON.parse(text));
 */
export function assertGroth16Proof(proof: unknown): asserts proof is Groth16Proof {
  if (typeof proof !== 'object' || proof === null || Array.isArray(proof)) typeError('proof', 'an object', proof);
  const p = proof as Record<string, unknown>;
  if (p.protocol !== 'groth16') rangeError('proof.protocol', '"groth16"', p.protocol);
  if (p.curve !== 'bn128') rangeError('proof.curve', '"bn128"', p.curve);
  assertPoint(p.pi_a, 'proof.pi_a', 1, 3);
  assertPoint(p.pi_b, 'proof.pi_b', 2, 3);
  assertPoint(p.pi_c, 'proof.pi_c', 1, 3);
}

/**
 * Verifies a Groth16 proof.
 * @returns true iff the proof is valid for `publicSignals` under `vkey`
 * @throws {TypeError|RangeError} for a malformed key, proof or public signal (non-canonical decimal, ≥ r, wrong count) — malformed input is not a false proof
 * @example const ok = await verifyGroth16(vkey, publicSignals, proof);
 */
export async function verifyGroth16(vkey: VerificationKey, publicSignals: readonly string[], proof: Groth16Proof): Promise<boolean> {
  if (typeof vkey !== 'object' || vkey === null) typeError('vkey', 'a verification key object', vkey);
  if (vkey.protocol !== 'groth16' || vkey.curve !== 'bn128') rangeError('vkey', 'a groth16 bn128 key', `${String(vkey.protocol)}/${String(vkey.curve)}`);
  if (!Number.isSafeInteger(vkey.nPublic) || !Array.isArray(vkey.IC) || vkey.IC.length !== vkey.nPublic + 1) {
    rangeError('vkey.IC', `nPublic + 1 points`, vkey.IC);
  }
  vkey.IC.forEach((p, i) => assertPoint(p, `vkey.IC[${i}]`, 1, 3));
  assertPoint(vkey.vk_alpha_1, 'vkey.vk_alpha_1', 1, 3);
  for (const k of ['vk_beta_2', 'vk_gamma_2', 'vk_delta_2'] as const) assertPoint(vkey[k], `vkey.${k}`, 2, 3);
  if (!Array.isArray(publicSignals)) typeError('publicSignals', 'an array of decimal strings', publicSignals);
  if (publicSignals.length !== vkey.nPublic) rangeError('publicSignals', `${vkey.nPublic} signals`, publicSignals);
  publicSignals.forEach((s, i) => assertDecimal(s, `publicSignals[${i}]`, FIELD_ORDER));
  assertGroth16Proof(proof);
  return groth16Verify(vkey, publicSignals, proof);
}
