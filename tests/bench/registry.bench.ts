/**
 * Registry log throughput and proof latency, on SQLite (a file in the temp directory, WAL,
 * synchronous=FULL) and on PostgreSQL when CANOPY_TEST_DATABASE_URL is set.
 *
 * Method: "plain" entries are dataset registrations (no proof, no tree leaf), so the
 * figures measure the log itself: canonical encoding, SHA-256, stored hashes, the state
 * look-ups and one durable transaction. Rates are entries over wall time of
 * - `sequential`: one entry per append call, each awaited (one commit, one fsync each);
 * - `concurrent`: that many one-entry calls in flight at once (the sequencer commits the
 *   waiting calls together);
 * - `batched`: calls of 1000 entries.
 * Then the log is filled to `entries` (default 100,000; CANOPY_BENCH_REGISTRY_ENTRIES
 * overrides, e.g. 1000000) and `proofs` inclusion proofs of random entries at the full size
 * are served from the store one at a time; p50/p99 are of their individual latencies, and
 * every tenth proof is checked against the root.
 *
 * Run alone: node --import tsx tests/bench/registry.bench.ts [entries]
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { arch, cpus, loadavg, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { treeHash } from '../../core/tlog/tree-hash.ts';
import { checkInclusionProof, proveInclusion } from '../../registry/log/log-proofs.ts';
import { openPostgresStore } from '../../registry/store/postgres.ts';
import { openSqliteStore } from '../../registry/store/sqlite.ts';
import type { RegistryStore } from '../../registry/store/store.ts';
import { datasetEntry, fe, openLog } from '../registry/_fixtures.ts';
import pg from 'pg';

/** Options of `benchRegistry`; the defaults are the published configuration. */
export interface BenchRegistryOptions {
  /** Log size for the proof latencies (default 100,000 or CANOPY_BENCH_REGISTRY_ENTRIES). */
  entries?: number;
  /** One-entry appends awaited one by one (default 300). */
  sequential?: number;
  /** One-entry appends in flight at once (default 2000). */
  concurrent?: number;
  /** Inclusion proofs timed (default 2000). */
  proofs?: number;
}

const round = (x: number, digits = 0) => Number(x.toFixed(digits));
const now = () => Number(process.hrtime.bigint()) / 1e6;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function benchStore(kind: string, store: RegistryStore, o: Required<BenchRegistryOptions>): Promise<Record<string, unknown>> {
  const log = await openLog(store, undefined, { lots: 32, plots: 32 });
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

  t = now();
  while (label < o.entries) await log.append(Array.from({ length: Math.min(1000, o.entries - label) }, next));
  const fillSeconds = (now() - t) / 1000;

  const size = (await store.head()).size;
  const root = await treeHash(size, store);
  const latencies: number[] = [];
  for (let i = 0; i < o.proofs; i++) {
    const index = Math.floor(Math.random() * size);
    const start = now();
    const proof = await proveInclusion(store, index, size);
    latencies.push(now() - start);
    if (i % 10 === 0 && !checkInclusionProof(proof, root)) throw new Error(`inclusion proof of ${index} at ${size} does not verify`);
  }
  latencies.sort((a, b) => a - b);
  await log.close();
  return {
    store: kind,
    'sequential appends/s': round(sequential),
    'concurrent appends/s': round(concurrent),
    'batched entries/s': round(batched),
    'log size': size,
    'fill s': round(fillSeconds, 1),
    'inclusion p50 ms': round(percentile(latencies, 50), 3),
    'inclusion p99 ms': round(percentile(latencies, 99), 3),
  };
}

/**
 * Measures append rates and inclusion-proof latency on SQLite (and PostgreSQL when
 * CANOPY_TEST_DATABASE_URL is set).
 * @returns machine description, configuration and one row per store
 * @throws {Error} if a served proof does not verify
 * @example const { results } = await benchRegistry({ entries: 10_000 });
 */
export async function benchRegistry(options: BenchRegistryOptions = {}): Promise<Record<string, unknown>> {
  const envEntries = Number(process.env.CANOPY_BENCH_REGISTRY_ENTRIES ?? '');
  const o: Required<BenchRegistryOptions> = {
    entries: options.entries ?? (Number.isSafeInteger(envEntries) && envEntries > 0 ? envEntries : 100_000),
    sequential: options.sequential ?? 300,
    concurrent: options.concurrent ?? 2000,
    proofs: options.proofs ?? 2000,
  };
  const results: Record<string, unknown>[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'canopy-bench-registry-'));
  try {
    results.push(await benchStore('sqlite', openSqliteStore(join(dir, 'registry.db')), o));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const url = process.env.CANOPY_TEST_DATABASE_URL;
  if (url !== undefined && url !== '') {
    const schema = `canopy_bench_${process.pid}`;
    try {
      results.push(await benchStore('postgres', await openPostgresStore({ connectionString: url, schema }), o));
    } finally {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
  }
  return {
    machine: `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${platform()}/${arch()}, load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`,
    node: process.version,
    config: { entries: o.entries, sequential: o.sequential, concurrent: o.concurrent, proofs: o.proofs, postgres: url !== undefined && url !== '' },
    results,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const entries = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  console.log(JSON.stringify(await benchRegistry({ entries }), null, 2));
}
