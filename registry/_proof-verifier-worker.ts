/**
 * Worker thread body of `proof-verifier-pool.ts` (internal): verifies Groth16 proofs with
 * the verification keys it was started with, on a BN254 curve built once per worker.
 *
 *     workerData: { keys: { "<circuit>/<vkeyHash>": VerificationKey }, mod, type }   (mod, type: see the pool)
 *     out (once): { ready: true }                   after the curve is built
 *     in:         { id, key, publicSignals, proof }
 *     out:        { id, valid: boolean }            the proof verified, or did not
 *                 { id, malformed: string }         verifyGroth16 refused the input as malformed
 *                 { id, fault: string }             anything else (a fault of the worker)
 *
 * The curve. snarkjs's `groth16.verify` asks ffjavascript for bn128, which returns the
 * curve cached in `globalThis.curve_bn128` when there is one and otherwise builds a
 * multi-threaded curve with a thread per core (circuits/toolchain/snarkjs.ts). Inside a
 * pool that would start cores × workers threads. So each worker builds a single-threaded
 * curve once and caches it there before any verification: snarkjs then uses it, and
 * `withCurves`'s release at the end of each call is a no-op for a single-threaded curve
 * (ffjavascript terminates only multi-threaded ones), so it stays built for the next proof.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { bug } from '../core/errors.ts';
import { verifyGroth16, type Groth16Proof, type VerificationKey } from '../circuits/toolchain/prove.ts';

/** A verification job. */
export interface VerifyJob {
  readonly id: number;
  /** "<circuit>/<vkeyHash>", a key of workerData.keys. */
  readonly key: string;
  readonly publicSignals: readonly string[];
  readonly proof: Groth16Proof;
}

/** A job's outcome, or the worker's ready signal. */
export type VerifyReply =
  | { readonly ready: true }
  | { readonly id: number; readonly valid: boolean }
  | { readonly id: number; readonly malformed: string }
  | { readonly id: number; readonly fault: string };

interface CurvesModule {
  curves: { getCurveFromName(name: string, options: { singleThread: boolean }): Promise<NonNullable<typeof globalThis.curve_bn128>> };
}

const port = parentPort ?? bug('_proof-verifier-worker', 'loaded outside a worker thread');
const keys = new Map(Object.entries((workerData as { keys: Record<string, VerificationKey> }).keys));

// A variable specifier, as in snarkjs.ts: snarkjs ships no types.
const SNARKJS = 'snarkjs';
const curve = (import(SNARKJS) as Promise<CurvesModule>).then(async (s) => {
  globalThis.curve_bn128 = await s.curves.getCurveFromName('bn128', { singleThread: true });
});

// A curve that cannot be built leaves this rejection unhandled, which ends the worker
// with an 'error' event: the pool counts a worker that dies before it is ready as broken.
void curve.then(() => port.postMessage({ ready: true } satisfies VerifyReply));

port.on('message', (job: VerifyJob) => {
  void run(job).then((reply) => port.postMessage(reply));
});

async function run(job: VerifyJob): Promise<VerifyReply> {
  try {
    await curve;
    const vkey = keys.get(job.key);
    if (vkey === undefined) return { id: job.id, fault: `no verification key ${job.key} in this worker` };
    return { id: job.id, valid: await verifyGroth16(vkey, job.publicSignals, job.proof) };
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) return { id: job.id, malformed: e.message };
    return { id: job.id, fault: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
