/**
 * A pool of worker threads hashing blocks of tiles in parallel (internal to
 * `prover/dataset`). Jobs queue in order and go to the first idle worker. A job's pixels
 * should live in a SharedArrayBuffer (as the band buffers of `_bands.ts` do): the worker
 * then reads them in place; pixels in an ordinary buffer are copied into the message.
 *
 * Workers load their TypeScript module through `startTsWorker`
 * (circuits/toolchain/ts-worker.ts, which explains why `execArgv` does not do on Node 20).
 * @module
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { bug, CanopyError } from '../../core/errors.ts';
import { startTsWorker } from '../../circuits/toolchain/ts-worker.ts';
import type { HashJob, HashReply } from './_hash-worker.ts';

const WORKER_URL = new URL('./_hash-worker.ts', import.meta.url);

/**
 * Default number of hashing workers: one per core the process may use.
 * @throws never
 * @example defaultWorkerCount() // 2 on a two-core machine
 */
export function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism());
}

interface Pending {
  readonly job: HashJob;
  readonly resolve: (roots: bigint[]) => void;
  readonly reject: (e: Error) => void;
}

/**
 * Worker threads computing block roots.
 * @throws {RangeError} from the constructor for a size outside 1..64
 * @example
 * const pool = new HashPool(2);
 * try { roots = await pool.run({ shape, bx0: 0, by: 0, count: 4, window }); } finally { await pool.close(); }
 */
export class HashPool {
  readonly size: number;
  readonly #all: Worker[] = [];
  readonly #idle: Worker[] = [];
  readonly #busy = new Map<Worker, Pending>();
  readonly #queue: Pending[] = [];
  #nextId = 0;
  #failure: Error | undefined;
  #closed = false;

  /**
   * Starts `size` workers (they load their modules while the first jobs queue).
   * @param size - 1..64 workers
   * @throws {RangeError} if size is outside 1..64
   */
  constructor(size: number) {
    if (!Number.isSafeInteger(size) || size < 1 || size > 64) throw new RangeError(`"size" expected integer in [1, 64], got ${size}`);
    this.size = size;
    for (let i = 0; i < size; i++) {
      const worker = startTsWorker(WORKER_URL);
      worker.on('message', (reply: HashReply) => this.#settle(worker, reply));
      worker.on('error', (e: Error) => this.#fail(new CanopyError('INVALID_INPUT', `hashing worker failed: ${e.message}`, { cause: e })));
      worker.on('exit', (code) => {
        if (!this.#closed) this.#fail(new CanopyError('INVALID_INPUT', `hashing worker exited with code ${code}`));
      });
      this.#all.push(worker);
      this.#idle.push(worker);
    }
  }

  /**
   * Queues a job; resolves with the roots of its blocks.
   * @throws {CanopyError} (rejects) if a worker failed or the job's input was invalid
   */
  run(job: Omit<HashJob, 'id'>): Promise<bigint[]> {
    if (this.#closed) return Promise.reject(new Error('canopy: hash pool used after close'));
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise((resolve, reject) => {
      this.#queue.push({ job: { ...job, id: this.#nextId++ }, resolve, reject });
      this.#dispatch();
    });
  }

  /** Stops every worker; pending jobs reject. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#rejectAll(new Error('canopy: hash pool closed'));
    await Promise.all(this.#all.map((w) => w.terminate()));
  }

  #dispatch(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const worker = this.#idle.pop()!;
      const pending = this.#queue.shift()!;
      this.#busy.set(worker, pending);
      // Pixels in a SharedArrayBuffer are shared with the worker; others are copied.
      worker.postMessage(pending.job);
    }
  }

  #settle(worker: Worker, reply: HashReply): void {
    // After close() or a failure every job has been rejected and #busy emptied, but a
    // worker that was mid-job still replies before it is terminated: nobody waits for it.
    if (this.#closed || this.#failure) return;
    const pending = this.#busy.get(worker);
    if (pending === undefined || pending.job.id !== reply.id) bug('HashPool', `reply ${reply.id} from a worker without that job`);
    this.#busy.delete(worker);
    this.#idle.push(worker);
    if ('error' in reply) pending.reject(new CanopyError('INVALID_INPUT', `hashing blocks ${pending.job.bx0}..${pending.job.bx0 + pending.job.count - 1} of block row ${pending.job.by}: ${reply.error}`));
    else pending.resolve(reply.roots);
    this.#dispatch();
  }

  #fail(e: Error): void {
    this.#failure ??= e;
    this.#rejectAll(e);
  }

  #rejectAll(e: Error): void {
    for (const p of this.#busy.values()) p.reject(e);
    for (const p of this.#queue) p.reject(e);
    this.#busy.clear();
    this.#queue.length = 0;
  }
}
