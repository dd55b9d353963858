/**
 * The seam through which the sequencer checks zk proofs. The registry's HTTP layer plugs in
 * snarkjs (Groth16 over BN254) running off the request thread, with the verification keys
 * of the setup manifests it trusts; tests plug in a fake.
 *
 * Contract of `verify(circuitId, vkeyHash, publicSignals, proof)`:
 * - `circuitId` is an accepted circuit (circuit-signals.ts); `vkeyHash` names the
 *   verification key as 64 lowercase hex digits, the SHA-256 of the key file (the
 *   `files.vkey.sha256` of a setup manifest, circuits/toolchain/manifest.ts);
 * - `publicSignals` is the snarkjs array, in the circuit's order, already flattened from
 *   the entry's named signals; `proof` is a Groth16 proof of checked shape;
 * - it resolves `true` only if the key is one the verifier accepts for that circuit and
 *   the proof verifies under it with exactly these signals; `false` otherwise (an unknown
 *   key included);
 * - it rejects only for a fault of its own (a crashed worker); the sequencer then fails
 *   the append without acknowledging anything, and does not report a refusal.
 * @module
 */
import { typeError } from '../../core/assert.ts';
import type { Groth16Proof } from '../../circuits/toolchain/prove.ts';
import type { CircuitId } from './circuit-signals.ts';

/** Verifies proofs for the sequencer. See the module comment for the contract. */
export interface ProofVerifier {
  verify(circuitId: CircuitId, vkeyHash: string, publicSignals: readonly string[], proof: Groth16Proof): Promise<boolean>;
}

/**
 * Checks that `value` has a `verify` method.
 * @throws {TypeError} if it does not
 * @example assertProofVerifier(options.verifier, 'options.verifier')
 */
export function assertProofVerifier(value: unknown, title: string): asserts value is ProofVerifier {
  if (typeof value !== 'object' || value === null || typeof (value as ProofVerifier).verify !== 'function') {
    typeError(title, 'object with a verify(circuitId, vkeyHash, publicSignals, proof) method', value);
  }
}
