/**
 * Registry log throughput and proof latency, on SQLite (a file in the temp directory, WAL,
 * synchronous=FULL) and on PostgreSQL when CANOPY_TEST_DATABASE_URL is set.
 *
 * `benchRegistry`, plain entries. "Plain" entries are dataset registrations (no proof, no
 * tree leaf), so the figures measure the log itself: canonical encoding, SHA-256, stored
 * hashes, the state look-ups and one durable transaction. Rates are entries over wall time of
 * - `sequential`: one entry per append call, each awaited (one commit, one fsync each);
 * - `concurrent`: that many one-entry calls in flight at once (the sequencer commits the
 *   waiting calls together);
 * - `batched`: calls of 1000 entries, each awaited.
 * Then the log is filled to `entries` (default 100,000; CANOPY_BENCH_REGISTRY_ENTRIES
 * overrides, e.g. 1000000) through a second log on the same store whose group commit takes
 * up to 10,000 entries, with 20 calls of 1000 in flight, so the next calls are encoded
 * while the last commit is being written; the fill rate is reported. At the full size
 * `proofs` inclusion proofs of random entries are served one at a time, first from the
 * store (`proveInclusion`), then over HTTP (a registry server on 127.0.0.1 over the same
 * store, `RegistryClient.inclusionProof`: express, JSON, the client's schema check, what an
 * importer sees); p50/p99 are of their individual latencies, and every tenth proof is
 * checked against the root (over HTTP, the root of the checkpoint the server signed).
 *
 * `benchRegistryProofs`, proof-bearing entries. Real `lot_mint` Groth16 proofs (test-profile
 * keys made once by `runSetup` into circuits/build/test-keys/bench, NOT FOR PRODUCTION;
 * each proof a distinct note) are appended as `lot-mint` entries, all calls in flight at
 * once, through a RegistryLog whose verifier is the worker-thread pool
 * (registry/proof-verifier-pool.ts) with 1 and with 2 workers, on a fresh store each time,
 * lots tree at the production depth. Beside each, measured just before and just after it
 * on the same pool: the pool's raw verification rate of the same proofs with no log. The
 * ratio of the log's rate to the mean of the two shows what the log adds beyond verification. The main-thread rate (verifyGroth16 on a
 * single-threaded curve, the curve each pool worker builds) is the one-core baseline.
 * CANOPY_BENCH_REGISTRY_PROOFS sets the number of proofs (default 200). Proving is not
 * measured, and costs about a second a proof on a loaded machine, so the proofs are saved
 * beside the keys (`lot_mint-bench-proofs.json`, with the key hash they verify under) and
 * reused by later runs under the same key; every measurement verifies all of them again.
 *
 * Run alone: node --import tsx tests/bench/registry.bench.ts [entries]
 * @module
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { pino } from 'pino';
import { BUILD_DIR } from '../../circuits/toolchain/project-root.ts';
import { proveGroth16, verifyGroth16, type ProofWithSignals } from '../../circuits/toolchain/prove.ts';
import { runSetup } from '../../circuits/toolchain/setup.ts';
import { withCurves } from '../../circuits/toolchain/snarkjs.ts';
import { lotMintWitnessInput } from '../../core/circuits/lot-mint.ts';
import { noteCommitment, ownerKey, type LotNote } from '../../core/lots/note.ts';
import { treeHash } from '../../core/tlog/tree-hash.ts';
import { acceptedKeys, loadArtifacts } from '../../registry/api/artifacts.ts';
import { RegistryService, treeDepthsForProfile } from '../../registry/api/registry-service.ts';
import { RegistryClient, verifyCheckpointNote } from '../../registry/client.ts';
import type { LogEntry } from '../../registry/log/entry.ts';
import { checkInclusionProof, proveInclusion } from '../../registry/log/log-proofs.ts';
import type { RegistryLog } from '../../registry/log/registry-log.ts';
import { ProofVerifierPool } from '../../registry/proof-verifier-pool.ts';
import { startRegistryServer } from '../../registry/server.ts';
import type { RegistryStore } from '../../registry/store/store.ts';
import { fakeArtifacts } from '../registry-api/_registry.ts';
import { datasetEntry, fe, FakeVerifier, openLog, REGISTRY_KEY, storeKinds, type StoreFixture } from '../registry/_fixtures.ts';
import { machineInfo } from './_machine.ts';

/** Options of `benchRegistry`; the defaults are the published configuration. */
export interface BenchRegistryOptions {
  /** Log size for the proof latencies (default 100,000 or CANOPY_BENCH_REGISTRY_ENTRIES). */
  entries?: number;
  /** One-entry appends awaited one by one (default 300). */
  sequential?: number;
  /** One-entry appends in flight at once (default 2000). */
  concurrent?: number;
  /** Inclusion proofs timed, through the store and again over HTTP (default 2000 each). */
  proofs?: number;
}

/** Options of `benchRegistryProofs`. */
export interface BenchRegistryProofsOptions {
  /** Distinct lot_mint proofs made and appended (default 200 or CANOPY_BENCH_REGISTRY_PROOFS). */
  proofs?: number;
  /** Pool sizes to measure (default [1, 2]). */
  workers?: number[];
}

/** Where the benchmark's test-profile keys live (made once, then only re-hashed). */
export const BENCH_KEYS = join(BUILD_DIR, 'test-keys', 'bench');
/** The benchmark's proofs, saved beside the keys with the key hash they verify under. */
const BENCH_PROOFS = join(BENCH_KEYS, 'lot_mint-bench-proofs.json');

// Both trees at the production depth: a lot-mint appends one lots leaf, 32 Poseidon hashes.
const DEPTHS = treeDepthsForProfile('production');
// The fill: calls of the sequencer's maximum size, committed up to 10 at a time.
const FILL_CALL_ENTRIES = 1000;
const FILL_GROUP_ENTRIES = 10_000;
const FILL_CALLS_IN_FLIGHT = 20;

const round = (x: number, digits = 0) => Number(x.toFixed(digits));
const now = () => performance.now();

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function envCount(name: string): number | undefined {
  const v = Number(process.env[name] ?? '');
  return Number.isSafeInteger(v) && v > 0 ? v : undefined;
}

/** Times `count` calls of `fn`, one at a time; returns the sorted latencies in ms. */
async function timeEach(count: number, fn: (i: number) => Promise<void>): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = now();
    await fn(i);
    latencies.push(now() - start);
  }
  return latencies.sort((a, b) => a - b);
}

/** Appends dataset entries until the log holds `entries`, pipelined; returns how many, and in how long. */
async function fill(store: RegistryStore, entries: number, next: () => LogEntry): Promise<{ appended: number; seconds: number }> {
  const filler = await openLog(store, undefined, DEPTHS, { maxGroupEntries: FILL_GROUP_ENTRIES });
  let size = (await store.head()).size;
  const start = size;
  const inFlight: Promise<unknown>[] = [];
  const t = now();
  while (size < entries) {
    const n = Math.min(FILL_CALL_ENTRIES, entries - size);
    const call = filler.append(Array.from({ length: n }, next));
    // Handled here so that a failure is not reported as unhandled before its turn to be awaited.
    call.catch(() => undefined);
    inFlight.push(call);
    size += n;
    if (inFlight.length >= FILL_CALLS_IN_FLIGHT) await inFlight.shift();
  }
  await Promise.all(inFlight);
  return { appended: size - start, seconds: (now() - t) / 1000 };
}

/** Serves `count` inclusion proofs over HTTP from a registry server on the store of `fixture`. */
async function httpInclusion(fixture: StoreFixture, count: number): Promise<{ latencies: number[]; size: number; rootHash: Uint8Array }> {
  const service = await RegistryService.open({
    store: await fixture.open(),
    signerKey: REGISTRY_KEY.signerKey,
    artifacts: fakeArtifacts(),
    depths: DEPTHS,
    verifier: new FakeVerifier(),
    checkpointIntervalMs: 0,
    rateLimit: null,
  });
  try {
    const server = await startRegistryServer(service, { port: 0, host: '127.0.0.1', logger: pino({ level: 'silent' }) });
    try {
      const client = new RegistryClient({ baseUrl: server.url });
      // Opening the service signed a checkpoint of the full log; proofs are checked against its root.
      const { checkpoint } = verifyCheckpointNote(await client.checkpointNote(), REGISTRY_KEY.verifierKey);
      const size = checkpoint.size;
      for (let i = 0; i < 20; i++) await client.inclusionProof(Math.floor(Math.random() * size), size);
      const latencies = await timeEach(count, async (i) => {
        const index = Math.floor(Math.random() * size);
        const proof = await client.inclusionProof(index, size);
        if (i % 10 === 0 && !checkInclusionProof(proof, checkpoint.rootHash)) throw new Error(`inclusion proof of ${index} at ${size} served over HTTP does not verify`);
      });
      return { latencies, size, rootHash: checkpoint.rootHash };
    } finally {
      await server.close();
    }
  } finally {
    await service.close();
  }
}

async function benchStore(kind: string, fixture: StoreFixture, o: Required<BenchRegistryOptions>): Promise<Record<string, unknown>> {
  const store = await fixture.open();
  const log = await openLog(store, undefined, DEPTHS);
  let label = 0;
  const next = () => datasetEntry(fe(`bench-${label++}`));
  // Warm-up: JIT, prepared statements, connections.
  for (let i = 0; i < 20; i++) await log.append([next()]);

  let t = now();
  for (let i = 0; i < o.sequential; i++) await log.append([next()]);
  const sequential = o.sequential / ((now() - t) / 1000);

  t = now();
  await Promise.all(Array.from({ length: o.concurrent }, () => log.append([next()])));
  const concurrent = o.concurrent / ((now() - t) / 1000);

  const batchedCount = Math.min(20_000, Math.max(0, o.entries - label));
  t = now();
  for (let done = 0; done < batchedCount; done += 1000) await log.append(Array.from({ length: Math.min(1000, batchedCount - done) }, next));
  const batched = batchedCount / ((now() - t) / 1000);

  const filled = await fill(store, o.entries, next);

  const size = (await store.head()).size;
  const root = await treeHash(size, store);
  const storeLatencies = await timeEach(o.proofs, async (i) => {
    const index = Math.floor(Math.random() * size);
    const proof = await proveInclusion(store, index, size);
    if (i % 10 === 0 && !checkInclusionProof(proof, root)) throw new Error(`inclusion proof of ${index} at ${size} does not verify`);
  });
  await log.close();

  const http = await httpInclusion(fixture, o.proofs);
  if (http.size !== size || Buffer.compare(Buffer.from(http.rootHash), Buffer.from(root)) !== 0) throw new Error(`the server signed a checkpoint of ${http.size} entries that is not the log's (${size} entries) or has another root`);
  return {
    store: kind,
    'sequential appends/s': round(sequential),
    'concurrent appends/s': round(concurrent),
    'batched entries/s': round(batched),
    'log size': size,
    'fill entries': filled.appended,
    'fill s': round(filled.seconds, 1),
    'fill entries/s': filled.appended === 0 ? 0 : round(filled.appended / filled.seconds),
    'store inclusion p50 ms': round(percentile(storeLatencies, 50), 3),
    'store inclusion p99 ms': round(percentile(storeLatencies, 99), 3),
    'HTTP inclusion p50 ms': round(percentile(http.latencies, 50), 3),
    'HTTP inclusion p99 ms': round(percentile(http.latencies, 99), 3),
  };
}

/**
 * Measures plain append rates, the fill rate, and inclusion-proof latency through the store
 * and over HTTP, on SQLite (and PostgreSQL when CANOPY_TEST_DATABASE_URL is set).
 * @returns machine description, configuration and one row per store
 * @throws {Error} if a served proof does not verify, or the server's checkpoint is not of the full log
 * @example const { results } = await benchRegistry({ entries: 10_000 });
 */
export async function benchRegistry(options: BenchRegistryOptions = {}): Promise<Record<string, unknown>> {
  const o: Required<BenchRegistryOptions> = {
    entries: options.entries ?? envCount('CANOPY_BENCH_REGISTRY_ENTRIES') ?? 100_000,
    sequential: options.sequential ?? 300,
    concurrent: options.concurrent ?? 2000,
    proofs: options.proofs ?? 2000,
  };
  const results: Record<string, unknown>[] = [];
  for (const { kind, fixture } of storeKinds()) {
    const f = fixture();
    try {
      results.push(await benchStore(kind, f, o));
    } finally {
      await f.cleanup();
    }
  }
  return {
    machine: machineInfo(),
    config: { entries: o.entries, sequential: o.sequential, concurrent: o.concurrent, proofs: o.proofs, postgres: storeKinds().some((k) => k.kind === 'postgres') },
    results,
  };
}

/** The note of proof `i`: distinct owner and salt, so every commitment differs. */
function benchNote(i: number): LotNote {
  return { ownerKey: ownerKey(fe(`bench-owner-${i}`)), commodity: 90111n, quantityGrams: 60_000_000n + BigInt(i), emissionsGramsCo2e: 180_000_000n, deforestationFree: false, salt: fe(`bench-salt-${i}`) };
}

/** Proofs made at a time: the prover's curve threads and the witness calculator overlap. */
const PROVING_CONCURRENCY = 4;

/**
 * The lot_mint proofs of notes 0..count − 1 under the key `vkeyHash`: those saved in
 * BENCH_PROOFS by an earlier run under the same key, the others proven now and saved. A
 * saved proof is used only if it commits to its note; whether it verifies, every
 * measurement checks.
 */
async function benchProofs(count: number, vkeyHash: string): Promise<{ proofs: ProofWithSignals[]; cached: number }> {
  let saved: ProofWithSignals[] = [];
  if (existsSync(BENCH_PROOFS)) {
    const file = JSON.parse(readFileSync(BENCH_PROOFS, 'utf8')) as { vkeyHash?: unknown; proofs?: unknown };
    if (file.vkeyHash === vkeyHash && Array.isArray(file.proofs)) saved = file.proofs as ProofWithSignals[];
  }
  // The longest saved prefix whose proofs commit to their notes.
  const proofs: ProofWithSignals[] = [];
  for (const p of saved.slice(0, count)) {
    if (p?.publicSignals?.[0] !== noteCommitment(benchNote(proofs.length)).toString()) break;
    proofs.push(p);
  }
  const cached = proofs.length;
  if (cached < count) {
    await withCurves(async () => {
      for (let i = cached; i < count; i += PROVING_CONCURRENCY) {
        const batch = Array.from({ length: Math.min(PROVING_CONCURRENCY, count - i) }, (_, j) => i + j);
        proofs.push(...(await Promise.all(batch.map((n) => proveGroth16('lot_mint', 'test', lotMintWitnessInput(benchNote(n)), BENCH_KEYS)))));
      }
    });
    proofs.forEach((p, i) => {
      if (p.publicSignals[0] !== noteCommitment(benchNote(i)).toString()) throw new Error(`proof ${i} does not commit to its note`);
    });
    writeFileSync(BENCH_PROOFS, `${JSON.stringify({ vkeyHash, proofs })}\n`);
  }
  return { proofs, cached };
}

/** Verifications per second of `proofs` on this thread, on the single-threaded curve each pool worker also uses. */
async function mainThreadRate(vkey: Parameters<typeof verifyGroth16>[0], proofs: readonly ProofWithSignals[]): Promise<number> {
  for (const p of proofs.slice(0, 3)) await verifyGroth16(vkey, p.publicSignals, p.proof);
  const t = now();
  for (const [i, p] of proofs.entries()) {
    if (!(await verifyGroth16(vkey, p.publicSignals, p.proof))) throw new Error(`proof ${i} does not verify on the main thread`);
  }
  return proofs.length / ((now() - t) / 1000);
}

/** Verifications per second of `proofs` through `pool`, all submitted at once. */
async function poolRate(pool: ProofVerifierPool, vkeyHash: string, proofs: readonly ProofWithSignals[]): Promise<number> {
  const t = now();
  const answers = await Promise.all(proofs.map((p) => pool.verify('lot_mint', vkeyHash, p.publicSignals, p.proof)));
  const rate = proofs.length / ((now() - t) / 1000);
  const bad = answers.indexOf(false);
  if (bad >= 0) throw new Error(`proof ${bad} does not verify in the pool`);
  return rate;
}

/** Appends every proof as a lot-mint entry, all calls in flight at once; returns entries/s. */
async function logRate(log: RegistryLog, entries: readonly LogEntry[]): Promise<number> {
  // Warm-up of the store: statements, connection, the first transaction.
  await log.append([datasetEntry(fe('bench-proofs-warm-up'))]);
  const before = (await log.store.head()).lotsSize;
  const t = now();
  const receipts = await Promise.all(entries.map((e) => log.append([e])));
  const rate = entries.length / ((now() - t) / 1000);
  const after = await log.store.head();
  if (receipts.length !== entries.length || after.lotsSize - before !== entries.length) {
    throw new Error(`appended ${entries.length} lot mints, the lots tree grew by ${after.lotsSize - before}`);
  }
  return rate;
}

/**
 * Measures proof-bearing appends (real lot_mint Groth16 proofs) through the log with the
 * worker-thread verifier pool, beside the raw verification rate of the same proofs on the
 * main thread and in the same pool.
 * @returns machine, configuration, setup and proving times, one row per (verifier, store)
 * @throws {Error} if a proof does not verify, or an append does not add its lots leaf
 * @example const { results } = await benchRegistryProofs({ proofs: 50, workers: [1] });
 */
export async function benchRegistryProofs(options: BenchRegistryProofsOptions = {}): Promise<Record<string, unknown>> {
  const count = options.proofs ?? envCount('CANOPY_BENCH_REGISTRY_PROOFS') ?? 200;
  const workerCounts = options.workers ?? [1, 2];
  let t = now();
  const setup = await runSetup({ profile: 'test', circuits: ['lot_mint'], outDir: BENCH_KEYS });
  const setupSeconds = (now() - t) / 1000;
  const artifacts = await loadArtifacts(BENCH_KEYS);
  const key = artifacts.circuits.find((c) => c.circuit === 'lot_mint')!;

  t = now();
  const { proofs, cached } = await benchProofs(count, key.vkeyHash);
  const provingSeconds = (now() - t) / 1000;
  const entries: LogEntry[] = proofs.map((p) => ({
    type: 'lot-mint',
    version: 1,
    body: { proof: { circuit: 'lot_mint', vkeyHash: key.vkeyHash, proof: p.proof, publicSignals: { outCommitment: p.publicSignals[0]! } } },
  }));

  const mainRate = await mainThreadRate(key.vkey, proofs);
  const results: Record<string, unknown>[] = [{ verifier: 'main thread (verifyGroth16)', store: '—', 'raw verifications/s before': round(mainRate, 1) }];
  for (const workers of workerCounts) {
    const pool = await ProofVerifierPool.start({ keys: acceptedKeys(artifacts), workers, maxQueue: count });
    try {
      // Warm-up: each worker's first verifications (JIT of the pairing code).
      await Promise.all(proofs.slice(0, 2 * workers).map((p) => pool.verify('lot_mint', key.vkeyHash, p.publicSignals, p.proof)));
      for (const { kind, fixture } of storeKinds()) {
        // The baseline is measured just before and just after the log run, on the same
        // pool, and averaged: the machine's load drifts on the scale of one run.
        const rawBefore = await poolRate(pool, key.vkeyHash, proofs);
        const f = fixture();
        try {
          const log = await openLog(await f.open(), pool, DEPTHS);
          try {
            const appended = await logRate(log, entries);
            const rawAfter = await poolRate(pool, key.vkeyHash, proofs);
            const raw = (rawBefore + rawAfter) / 2;
            results.push({
              verifier: `pool, ${workers} worker${workers === 1 ? '' : 's'}`,
              store: kind,
              'raw verifications/s before': round(rawBefore, 1),
              'log entries/s': round(appended, 1),
              'raw verifications/s after': round(rawAfter, 1),
              'log / raw (mean)': round(appended / raw, 2),
            });
          } finally {
            await log.close();
          }
        } finally {
          await f.cleanup();
        }
      }
    } finally {
      await pool.close();
    }
  }
  return {
    machine: machineInfo(),
    config: { proofs: count, workers: workerCounts.join(', '), circuit: 'lot_mint', profile: 'test', constraints: key.constraints, lotsDepth: DEPTHS.lots, postgres: storeKinds().some((k) => k.kind === 'postgres') },
    keys: { dir: BENCH_KEYS, cached: setup.circuits.every((c) => c.cached), 'setup s': round(setupSeconds, 1) },
    proving: { proofs: count, 'saved by an earlier run': cached, 'proven now': count - cached, 's': round(provingSeconds, 1) },
    results,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const entries = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  console.log(JSON.stringify(await benchRegistry({ entries }), null, 2));
  console.log(JSON.stringify(await benchRegistryProofs(), null, 2));
}
