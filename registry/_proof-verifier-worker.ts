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
 * The curve: `verifyGroth16` runs on a single-threaded BN254 curve built once per thread
 * (circuits/toolchain/groth16-verify.ts), so a pool of N workers holds N curves and no
 * other threads. Each worker builds its curve before it reports ready, keeping that cost
 * out of the first proof it verifies.
 * @module
 */
import { parentPort, workerData } from 'node:worker_threads';
import { bug } from '../core/errors.ts';
import { groth16Curve } from '../circuits/toolchain/groth16-verify.ts';
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

const port = parentPort ?? bug('_proof-verifier-worker', 'loaded outside a worker thread');
const keys = new Map(Object.entries((workerData as { keys: Record<string, VerificationKey> }).keys));

const curve = groth16Curve();

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
