/**
 * Worker thread body for `_hash-pool.ts` (internal): receives a job (a run of blocks and
 * the committed-layer pixels under them), answers with the blocks' subtree roots.
 *
 *     in:  { id, shape: BlockShape, bx0, by, count, window: PixelWindow }   (pixels transferred)
 *     out: { id, roots: bigint[] }  or  { id, error: string }
 * @module
 */
import { parentPort } from 'node:worker_threads';
import { bug } from '../../core/errors.ts';
import { blockRoots, type BlockShape, type PixelWindow } from './_block-hash.ts';

/** One job of the pool. */
export interface HashJob {
  readonly id: number;
  readonly shape: BlockShape;
  readonly bx0: number;
  readonly by: number;
  readonly count: number;
  readonly window: PixelWindow;
}

/** A job's answer. */
export type HashReply = { readonly id: number; readonly roots: bigint[] } | { readonly id: number; readonly error: string };

const port = parentPort ?? bug('_hash-worker', 'loaded outside a worker thread');
port.on('message', (job: HashJob) => {
  let reply: HashReply;
  try {
    reply = { id: job.id, roots: blockRoots(job.shape, job.bx0, job.by, job.count, job.window) };
  } catch (e) {
    reply = { id: job.id, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  port.postMessage(reply);
});
