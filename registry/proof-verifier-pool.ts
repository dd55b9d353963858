/**
 * The registry's `ProofVerifier` (registry/log/proof-verifier.ts): snarkjs Groth16
 * verification over BN254 in a pool of worker threads, so that the request thread never
 * runs a pairing. Each worker holds every accepted verification key and builds one
 * single-threaded curve when it starts (`_proof-verifier-worker.ts`), so a proof costs a
 * message and a verification, not a curve build.
 *
 * Contract (that of ProofVerifier):
 * - `verify(circuitId, vkeyHash, publicSignals, proof)` resolves true only if
 *   `circuitId/vkeyHash` is one of the keys the pool was started with and the proof
 *   verifies under it with exactly these signals; false for an unknown key, a wrong signal
 *   count or any input snarkjs refuses as malformed;
 * - it rejects only for a fault of its own: a worker that crashed or timed out while
 *   holding the job (the worker is replaced and the pool goes on), or a full queue
 *   (`VerifierOverloadedError`, which the HTTP layer answers with 503).
 *
 * Scheduling: jobs queue in arrival order and go to the first idle worker; at most
 * `maxQueue` jobs wait. A worker that dies before it is ready fails the pool (a broken
 * build, not a transient fault), so a broken setup cannot respawn forever.
 * @module
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { assertArray, assertInteger, assertString, rangeError } from '../core/assert.ts';
import { bug } from '../core/errors.ts';
import type { Groth16Proof, VerificationKey } from '../circuits/toolchain/prove.ts';
import { startTsWorker } from '../circuits/toolchain/ts-worker.ts';
import { assertCircuitId, type CircuitId } from './log/circuit-signals.ts';
import type { ProofVerifier } from './log/proof-verifier.ts';
import type { VerifyJob, VerifyReply } from './_proof-verifier-worker.ts';

const WORKER_URL = new URL('./_proof-verifier-worker.ts', import.meta.url);

// ffjavascript imports the `web-worker` package, which, loaded in any worker thread,
// assumes it started that thread and loads `workerData.mod` as the worker's script
// (web-worker/cjs/node.js, workerThread); without one it logs a failed require(undefined).
// An empty module for it to load keeps it quiet and does nothing else.
const WEB_WORKER_SHIM = { mod: 'data:text/javascript,', type: 'module' } as const;

/** Most jobs waiting for a worker, by default. */
export const DEFAULT_MAX_QUEUE = 1000;

/** Longest a worker may spend on one proof before it is replaced, by default (ms). */
export const DEFAULT_VERIFY_TIMEOUT_MS = 30_000;

/** A verification key the pool accepts. */
export interface AcceptedKey {
  circuit: CircuitId;
  /** SHA-256 of the key file, 64 lowercase hex (the setup manifest's `files.vkey.sha256`). */
  vkeyHash: string;
  vkey: VerificationKey;
}

/** Options of `ProofVerifierPool.start`. */
export interface ProofVerifierPoolOptions {
  /** The keys to accept (at least one). */
  keys: readonly AcceptedKey[];
  /** Worker threads, 1..64 (default `defaultVerifierWorkers()`). */
  workers?: number;
  /** Most waiting jobs before `verify` rejects with VerifierOverloadedError (default 1000). */
  maxQueue?: number;
  /** Per-proof time limit in ms (default 30,000). */
  timeoutMs?: number;
}

/** The queue is full: the registry is verifying as fast as it can. Retry later. */
export class VerifierOverloadedError extends Error {
  /**
   * @param queued - proofs waiting when the call was refused
   * @example throw new VerifierOverloadedError(1000)
   */
  constructor(queued: number) {
    super(`proof verification queue is full (${queued} proofs waiting)`);
    this.name = 'VerifierOverloadedError';
  }
}

/**
 * Default worker count: all cores but one (left to the request thread and the database), at least one.
 * @throws never
 * @example defaultVerifierWorkers() // 1 on a two-core machine
 */
export function defaultVerifierWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

interface Pending {
  readonly job: VerifyJob;
  readonly resolve: (valid: boolean) => void;
  readonly reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Pending | null;
  timer: NodeJS.Timeout | null;
}

/** Counters, for /healthz and the load test. */
export interface VerifierPoolStats {
  workers: number;
  queued: number;
  busy: number;
  verified: number;
  replaced: number;
}

/** Groth16 verification in worker threads. See the module comment. */
export class ProofVerifierPool implements ProofVerifier {
  readonly #keys: Record<string, VerificationKey>;
  readonly #slots: Slot[] = [];
  readonly #queue: Pending[] = [];
  readonly #maxQueue: number;
  readonly #timeoutMs: number;
  #nextId = 0;
  #verified = 0;
  #replaced = 0;
  #failure: Error | null = null;
  #closed = false;
  #readyWaiters: { resolve: () => void; reject: (e: Error) => void }[] = [];

  private constructor(keys: Record<string, VerificationKey>, workers: number, maxQueue: number, timeoutMs: number) {
    this.#keys = keys;
    this.#maxQueue = maxQueue;
    this.#timeoutMs = timeoutMs;
    for (let i = 0; i < workers; i++) this.#slots.push(this.#spawn());
  }

  /**
   * Starts the workers and resolves once every one has built its curve.
   * @throws {TypeError|RangeError} if an option is malformed (no keys, a repeated key, a
   *   bad hash); rejects if a worker fails to start
   * @example const pool = await ProofVerifierPool.start({ keys: [{ circuit: 'lot_mint', vkeyHash, vkey }] })
   */
  static async start(options: ProofVerifierPoolOptions): Promise<ProofVerifierPool> {
    if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected ProofVerifierPoolOptions, got ${String(options)}`);
    assertArray(options.keys, 'options.keys', 1, 1000);
    const keys: Record<string, VerificationKey> = {};
    options.keys.forEach((k, i) => {
      assertCircuitId(k.circuit, `options.keys[${i}].circuit`);
      assertVkeyHash(k.vkeyHash, `options.keys[${i}].vkeyHash`);
      if (typeof k.vkey !== 'object' || k.vkey === null) throw new TypeError(`"options.keys[${i}].vkey" expected a verification key object, got ${String(k.vkey)}`);
      const id = keyId(k.circuit, k.vkeyHash);
      if (Object.prototype.hasOwnProperty.call(keys, id)) rangeError(`options.keys[${i}]`, 'keys without repeats', id);
      keys[id] = k.vkey;
    });
    const workers = options.workers ?? defaultVerifierWorkers();
    assertInteger(workers, 'options.workers', 1, 64);
    const maxQueue = options.maxQueue ?? DEFAULT_MAX_QUEUE;
    assertInteger(maxQueue, 'options.maxQueue', 0, 1_000_000);
    const timeoutMs = options.timeoutMs ?? DEFAULT_VERIFY_TIMEOUT_MS;
    assertInteger(timeoutMs, 'options.timeoutMs', 1, 3_600_000);
    const pool = new ProofVerifierPool(keys, workers, maxQueue, timeoutMs);
    try {
      await pool.#allReady();
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  /**
   * Whether the pool holds the key `circuit/vkeyHash`.
   * @throws never
   * @example pool.accepts('lot_mint', manifest.circuits.lot_mint.files.vkey.sha256)
   */
  accepts(circuit: string, vkeyHash: string): boolean {
    return typeof circuit === 'string' && typeof vkeyHash === 'string' && Object.prototype.hasOwnProperty.call(this.#keys, keyId(circuit, vkeyHash));
  }

  /**
   * Verifies a proof off the calling thread (see the module comment for the contract).
   * @throws (rejects) VerifierOverloadedError when the queue is full; an Error when a
   *   worker crashed or timed out holding the job, or the pool is closed or failed
   * @example await pool.verify('lot_mint', vkeyHash, ['123…'], proof) // true
   */
  verify(circuitId: CircuitId, vkeyHash: string, publicSignals: readonly string[], proof: Groth16Proof): Promise<boolean> {
    if (this.#closed) return Promise.reject(new Error('canopy: proof verifier pool used after close'));
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (!this.accepts(circuitId, vkeyHash)) return Promise.resolve(false);
    if (!Array.isArray(publicSignals) || publicSignals.length !== this.#keys[keyId(circuitId, vkeyHash)]!.nPublic) return Promise.resolve(false);
    if (this.#queue.length >= this.#maxQueue) return Promise.reject(new VerifierOverloadedError(this.#queue.length));
    return new Promise((resolve, reject) => {
      this.#queue.push({ job: { id: this.#nextId++, key: keyId(circuitId, vkeyHash), publicSignals: [...publicSignals], proof }, resolve, reject });
      this.#dispatch();
    });
  }

  /**
   * Current counters.
   * @throws never
   * @example pool.stats().verified
   */
  stats(): VerifierPoolStats {
    return { workers: this.#slots.length, queued: this.#queue.length, busy: this.#slots.filter((s) => s.job !== null).length, verified: this.#verified, replaced: this.#replaced };
  }

  /**
   * Stops every worker; waiting and running jobs reject.
   * @throws never
   * @example await pool.close()
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#rejectAll(new Error('canopy: proof verifier pool closed'));
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }

  #spawn(): Slot {
    const worker = startTsWorker(WORKER_URL, { workerData: { keys: this.#keys, ...WEB_WORKER_SHIM } });
    const slot: Slot = { worker, ready: false, job: null, timer: null };
    worker.on('message', (reply: VerifyReply) => this.#onReply(slot, reply));
    worker.on('error', (e: Error) => this.#onDeath(slot, `failed: ${e.message}`));
    worker.on('exit', (code) => this.#onDeath(slot, `exited with code ${code}`));
    return slot;
  }

  #onReply(slot: Slot, reply: VerifyReply): void {
    if ('ready' in reply) {
      slot.ready = true;
      if (this.#slots.every((s) => s.ready)) for (const w of this.#readyWaiters.splice(0)) w.resolve();
      this.#dispatch();
      return;
    }
    const pending = slot.job;
    // Invariant: a worker answers only the one job it was given.
    if (pending === null || pending.job.id !== reply.id) bug('ProofVerifierPool', `reply ${reply.id} from a worker without that job`);
    this.#finish(slot);
    if ('valid' in reply) {
      this.#verified++;
      pending.resolve(reply.valid);
    } else if ('malformed' in reply) {
      pending.resolve(false);
    } else {
      pending.reject(new Error(`canopy: proof verifier worker fault: ${reply.fault}`));
    }
    this.#dispatch();
  }

  #onDeath(slot: Slot, how: string): void {
    const index = this.#slots.indexOf(slot);
    if (index < 0 || this.#closed) return;
    const error = new Error(`canopy: proof verifier worker ${how}`);
    const job = slot.job;
    this.#finish(slot);
    job?.reject(error);
    if (!slot.ready) {
      // It never started: the keys or the build are broken, not a passing fault.
      this.#failure = error;
      this.#rejectAll(error);
      for (const w of this.#readyWaiters.splice(0)) w.reject(error);
      return;
    }
    this.#replaced++;
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    this.#slots[index] = this.#spawn();
  }

  #finish(slot: Slot): void {
    if (slot.timer !== null) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
  }

  #dispatch(): void {
    for (const slot of this.#slots) {
      if (this.#queue.length === 0) return;
      if (!slot.ready || slot.job !== null) continue;
      const pending = this.#queue.shift()!;
      slot.job = pending;
      slot.timer = setTimeout(() => {
        const job = slot.job;
        this.#finish(slot);
        job?.reject(new Error(`canopy: proof verification took longer than ${this.#timeoutMs} ms`));
        // Terminating fires 'exit', which replaces the worker.
        void slot.worker.terminate();
      }, this.#timeoutMs);
      slot.worker.postMessage(pending.job);
    }
  }

  #allReady(): Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#slots.every((s) => s.ready)) return Promise.resolve();
    return new Promise((resolve, reject) => this.#readyWaiters.push({ resolve, reject }));
  }

  #rejectAll(e: Error): void {
    for (const slot of this.#slots) {
      const job = slot.job;
      this.#finish(slot);
      job?.reject(e);
    }
    for (const p of this.#queue.splice(0)) p.reject(e);
  }
}

function keyId(circuit: string, vkeyHash: string): string {
  return `${circuit}/${vkeyHash}`;
}

function assertVkeyHash(value: unknown, title: string): asserts value is string {
  assertString(value, title, 64);
  if (!/^[0-9a-f]{64}$/.test(value)) rangeError(title, '64 lowercase hex digits (a SHA-256)', value);
}
