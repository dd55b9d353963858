/**
 * Groth16 proofs for the lot commands: the keys of a profile's setup folder (made by
 * `canopy setup` for a circuit that has none yet, as `canopy plot prove` does), the
 * template parameters of circuits/circuits.json, and one proof per call, with snarkjs or
 * a native prover.
 *
 * Native prover (`nativeProver`, the CLI's `--prover PATH`): a rapidsnark-compatible
 * binary called as
 *
 *     PATH <circuit>.zkey <witness>.wtns <proof>.json <public>.json
 *
 * after snarkjs's witness calculator wrote the .wtns from the circuit's wasm. Its public
 * signals must be the twin's and its proof must verify with the circuit's verification
 * key before it is used, since it comes from outside (PROOF_INVALID otherwise). When PATH is not an executable file, the proof falls back to snarkjs and
 * the progress callback says so.
 *
 * Every proof's public signals are compared with the ones the JS twin computed: the
 * circuit and its twin must agree, and a difference is a bug on one side.
 * @module
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertString } from '../../core/assert.ts';
import { bug, CanopyError } from '../../core/errors.ts';
import { circuitParams, getProfile, loadConfig } from '../../circuits/toolchain/config.ts';
import { artifactPath, MANIFEST_FILE, readManifest } from '../../circuits/toolchain/manifest.ts';
import { assertGroth16Proof, loadVerificationKey, proveGroth16, verifyGroth16, type Groth16Proof, type ProofWithSignals } from '../../circuits/toolchain/prove.ts';
import { defaultOutDir, runSetup, type SetupEvent } from '../../circuits/toolchain/setup.ts';
import type { CircuitInput } from '../../circuits/toolchain/witness.ts';

const run = promisify(execFile);

/** Options of a `CircuitProver`. */
export interface CircuitProverOptions {
  /** Circuit profile: test, demo or production. */
  profile: string;
  /** Setup folder (default circuits/build/<profile>). */
  keysDir?: string;
  /** A native Groth16 prover binary (module doc); snarkjs when absent. */
  nativeProver?: string;
  /** One line per step (the CLI prints them on stderr). */
  onProgress?: (line: string) => void;
  /** Setup progress, when keys have to be made. */
  onSetupProgress?: (event: SetupEvent) => void;
}

/** A proof and how it was made. */
export interface CircuitProof extends ProofWithSignals {
  circuit: string;
  /** SHA-256 of the verification key (the setup manifest's), as log entries name it. */
  vkeyHash: string;
  /** "snarkjs" or the native binary's path. */
  prover: string;
  seconds: number;
}

/** See the module doc. */
export class CircuitProver {
  readonly profile: string;
  readonly keysDir: string;
  readonly #native: string | null;
  readonly #progress: (line: string) => void;
  readonly #setupProgress: ((e: SetupEvent) => void) | undefined;
  #fellBack = false;

  /**
   * @throws {TypeError|RangeError} for a malformed option; {CanopyError} INVALID_INPUT for an unknown profile
   * @example new CircuitProver({ profile: 'test', keysDir: 'circuits/build/test' })
   */
  constructor(options: CircuitProverOptions) {
    assertString(options.profile, 'profile', 64);
    getProfile(loadConfig(), options.profile);
    this.profile = options.profile;
    this.keysDir = options.keysDir ?? defaultOutDir(options.profile);
    assertString(this.keysDir, 'keysDir', 4096);
    if (options.nativeProver !== undefined) assertString(options.nativeProver, 'nativeProver', 4096);
    this.#native = options.nativeProver ?? null;
    this.#progress = options.onProgress ?? (() => undefined);
    this.#setupProgress = options.onSetupProgress;
  }

  /**
   * The template parameters of a circuit in this profile, by name (circuits.json).
   * @throws {CanopyError} INVALID_INPUT for an unknown circuit or one without parameters for the profile
   * @example prover.params('lot_transition') // { depth: 4, nIn: 2 }
   */
  params(circuitId: string): Record<string, number> {
    const config = loadConfig();
    const circuit = Object.hasOwn(config.circuits, circuitId) ? config.circuits[circuitId] : undefined;
    if (circuit === undefined) throw new CanopyError('INVALID_INPUT', `no circuit ${JSON.stringify(circuitId)} in circuits/circuits.json`);
    const values = circuitParams(circuit, this.profile);
    return Object.fromEntries(circuit.params.map((p, i) => [p, values[i]!]));
  }

  /**
   * Makes sure the setup folder has keys for the circuit, running the setup of that
   * circuit alone when it has none (minutes), and returns the key hash.
   * @throws {CanopyError} as `runSetup`
   * @example const { vkeyHash } = await prover.ensureKeys('lot_mint')
   */
  async ensureKeys(circuitId: string): Promise<{ vkeyHash: string; setupRan: boolean }> {
    const has = existsSync(join(this.keysDir, MANIFEST_FILE)) && Object.hasOwn(readManifest(this.keysDir).circuits, circuitId);
    let setupRan = false;
    if (!has) {
      this.#progress(`no keys for ${circuitId} (profile ${this.profile}) in ${this.keysDir}: running canopy setup --profile ${this.profile} --circuit ${circuitId} (minutes)`);
      await runSetup({ profile: this.profile, circuits: [circuitId], outDir: this.keysDir, ...(this.#setupProgress ? { onProgress: this.#setupProgress } : {}) });
      setupRan = true;
    }
    const manifest = readManifest(this.keysDir);
    if (manifest.profile !== this.profile) throw new CanopyError('INVALID_INPUT', `${this.keysDir} holds keys of profile ${manifest.profile}, not ${this.profile}`);
    return { vkeyHash: manifest.circuits[circuitId]!.files.vkey.sha256, setupRan };
  }

  /**
   * Proves `input` and checks the public signals are `expected` (the twin's).
   * @throws {CanopyError} WITNESS_FAILED (the circuit refuses the input); PROOF_INVALID
   *   (a native prover failed or made a proof that does not verify); as `ensureKeys`
   * @example await prover.prove('lot_mint', lotMintWitnessInput(note), lotMintPublicSignals(cm))
   */
  async prove(circuitId: string, input: CircuitInput, expected: readonly string[]): Promise<CircuitProof> {
    const { vkeyHash } = await this.ensureKeys(circuitId);
    const t0 = performance.now();
    const native = this.#usableNative();
    const result = native === null ? await proveGroth16(circuitId, this.profile, input, this.keysDir) : await this.#proveNative(native, circuitId, input, expected);
    if (result.publicSignals.join() !== expected.join()) {
      bug('CircuitProver.prove', `${circuitId} public signals ${result.publicSignals.join(', ')}, the JS twin says ${expected.join(', ')}`);
    }
    const seconds = (performance.now() - t0) / 1000;
    return { ...result, circuit: circuitId, vkeyHash, prover: native ?? 'snarkjs', seconds };
  }

  #usableNative(): string | null {
    if (this.#native === null) return null;
    try {
      if (!statSync(this.#native).isFile()) throw new Error('not a file');
      accessSync(this.#native, constants.X_OK);
      return this.#native;
    } catch {
      if (!this.#fellBack) this.#progress(`prover ${this.#native} is not an executable file: proving with snarkjs`);
      this.#fellBack = true;
      return null;
    }
  }

  async #proveNative(binary: string, circuitId: string, input: CircuitInput, expected: readonly string[]): Promise<ProofWithSignals> {
    const manifest = readManifest(this.keysDir);
    const entry = manifest.circuits[circuitId]!;
    const dir = mkdtempSync(join(tmpdir(), 'canopy-prove-'));
    try {
      const wtns = join(dir, 'witness.wtns');
      try {
        const snarkjs = (await import(SNARKJS_SPECIFIER)) as { wtns: { calculate(input: unknown, wasm: string, wtns: string): Promise<void> } };
        await snarkjs.wtns.calculate(input, artifactPath(this.keysDir, entry.files.wasm.path), wtns);
      } catch (e) {
        throw new CanopyError('WITNESS_FAILED', `cannot prove ${circuitId}: ${String(e instanceof Error ? e.message : e).split('\n')[0]!.slice(0, 300)}`, { cause: e });
      }
      const proofFile = join(dir, 'proof.json');
      const publicFile = join(dir, 'public.json');
      try {
        await run(binary, [artifactPath(this.keysDir, entry.files.zkey.path), wtns, proofFile, publicFile], { timeout: 600_000, maxBuffer: 1 << 20 });
      } catch (e) {
        const err = e as { code?: unknown; stderr?: string };
        throw new CanopyError('PROOF_INVALID', `prover ${binary} failed (exit ${String(err.code)}): ${(err.stderr ?? '').trim().split('\n')[0]?.slice(0, 300) ?? ''}`, { cause: e });
      }
      let proof: Groth16Proof;
      let publicSignals: string[];
      try {
        const raw = JSON.parse(readFileSync(proofFile, 'utf8')) as Record<string, unknown>;
        // rapidsnark writes the three points and the protocol; older builds omit the curve.
        proof = { pi_a: raw.pi_a, pi_b: raw.pi_b, pi_c: raw.pi_c, protocol: raw.protocol ?? 'groth16', curve: raw.curve ?? 'bn128' } as unknown as Groth16Proof;
        assertGroth16Proof(proof);
        publicSignals = JSON.parse(readFileSync(publicFile, 'utf8')) as string[];
        if (!Array.isArray(publicSignals) || publicSignals.some((s) => typeof s !== 'string')) throw new TypeError('public.json is not an array of decimal strings');
      } catch (e) {
        throw new CanopyError('PROOF_INVALID', `prover ${binary} wrote no usable proof: ${(e as Error).message}`, { cause: e });
      }
      // An outside prover is checked against the statement the twin computed, not its own.
      if (publicSignals.join() !== expected.join()) throw new CanopyError('PROOF_INVALID', `prover ${binary} wrote public signals that are not the witness's`);
      const vkey = await loadVerificationKey(circuitId, this.profile, this.keysDir);
      if (!(await verifyGroth16(vkey, publicSignals, proof))) throw new CanopyError('PROOF_INVALID', `prover ${binary} made a ${circuitId} proof that does not verify`);
      return { proof, publicSignals };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

// A variable specifier keeps TypeScript from looking for snarkjs's (absent) types.
const SNARKJS_SPECIFIER = 'snarkjs';
