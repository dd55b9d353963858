/**
 * A steady mixed load on a real registry HTTP server, and a check that nothing was lost.
 *
 * The server runs in this process on 127.0.0.1 (an ephemeral port; nothing leaves the
 * loopback interface) over a fresh store: SQLite in a temp directory, and PostgreSQL too
 * when CANOPY_TEST_DATABASE_URL is set. Set-up registers PUBLISHERS publishers (the role
 * that submits dataset entries) and one supplier through the admin API; those
 * registrations are the log's set-up entries. The clients run in a worker thread
 * (`_registry-load-clients.ts`, which describes the three request streams) for
 * CANOPY_BENCH_LOAD_SECONDS (default 60): signed dataset submissions at
 * CANOPY_BENCH_LOAD_WRITE_RATE (default 200/s), reads of entries, checkpoints, inclusion
 * and consistency proofs at CANOPY_BENCH_LOAD_READ_RATE (default 200/s), and deliberately
 * bad requests at CANOPY_BENCH_LOAD_BAD_RATE (default 5/s) that must get their 4xx. The
 * server signs a checkpoint every second, has no rate limit (every client shares one
 * loopback address, hence one token bucket) and logs nothing (pino silent).
 *
 * Bounds: the load window, the request count (the rates times the window, plus 10 %), at
 * most 64 writes, 32 reads and 8 bad requests outstanding, and a 30 s limit per request.
 *
 * Afterwards, for each store:
 * - no unexpected answer (every write and read 2xx and checked, every bad request its 4xx);
 * - every acknowledged entry is in the log at its sequence number with its leaf hash (read
 *   back over HTTP, page by page), and no two acknowledgements share a sequence number;
 * - the log size equals the acknowledged count plus the set-up entries (so no refused or
 *   replayed request appended anything);
 * - the final checkpoint (signed after the load, read over HTTP and opened with the
 *   registry key) is of the whole log, and its root equals the RFC 6962 root recomputed
 *   from all entries' bytes; the store's own rows replay (`replayAndCheck`) to the same root.
 * A failed check makes the record an error record (`error` lists the failures; the figures
 * stay in it), and `npm run bench` exits with 1.
 *
 * Run alone: node --import tsx tests/bench/registry-load.bench.ts
 * @module
 */
import { Buffer } from 'node:buffer';
import { pathToFileURL } from 'node:url';
import { startTsWorker } from '../../circuits/toolchain/ts-worker.ts';
import { MERKLE_TREE_HASH_MAX_ENTRIES, merkleTreeHash } from '../../core/tlog/tree-hash.ts';
import { verifyCheckpointNote } from '../../registry/client.ts';
import { encodeEntry, entryLeafHash } from '../../registry/log/entry.ts';
import { startTestRegistry, type TestRegistry } from '../registry-api/_registry.ts';
import { REGISTRY_KEY, replayAndCheck, storeKinds, type StoreFixture } from '../registry/_fixtures.ts';
import type { LoadOutcome, LoadPlan, LoadReply, Stream } from './_registry-load-clients.ts';
import { machineInfo } from './_machine.ts';

/** Options of `benchRegistryLoad`; the defaults are the published configuration. */
export interface BenchRegistryLoadOptions {
  /** Length of the load, s (default 60 or CANOPY_BENCH_LOAD_SECONDS). */
  seconds?: number;
  /** Signed dataset submissions per second (default 200 or CANOPY_BENCH_LOAD_WRITE_RATE). */
  writeRate?: number;
  /** Reads per second (default 200 or CANOPY_BENCH_LOAD_READ_RATE). */
  readRate?: number;
  /** Deliberately bad requests per second (default 5 or CANOPY_BENCH_LOAD_BAD_RATE). */
  badRate?: number;
}

const PUBLISHERS = 4;
const DEPTHS = { lots: 20, plots: 20 };
const MAX_IN_FLIGHT: Record<Stream, number> = { write: 64, read: 32, bad: 8 };
const REQUEST_TIMEOUT_MS = 30_000;
/** A run keeps up when it acknowledges at least this share of the writes its rate asked for. */
const KEPT_UP_SHARE = 0.95;

const round = (x: number, digits = 0) => Number(x.toFixed(digits));
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function envNumber(name: string, fallback: number): number {
  const v = Number(process.env[name] ?? '');
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

/**
 * Runs the load clients in their worker thread and resolves with what they did.
 * @throws (rejects) if the clients break or their thread dies; failed requests are counted, not thrown
 * @example const outcome = await runClients(plan)
 */
export function runClients(plan: LoadPlan): Promise<LoadOutcome> {
  return new Promise((resolve, reject) => {
    const worker = startTsWorker(new URL('./_registry-load-clients.ts', import.meta.url), { workerData: plan });
    let settled = false;
    worker.once('message', (reply: LoadReply) => {
      settled = true;
      // Idle keep-alive sockets would hold the worker open; its work is done.
      void worker.terminate();
      if ('outcome' in reply) resolve(reply.outcome);
      else reject(new Error(`load clients failed: ${reply.fault}`));
    });
    worker.once('error', (e) => {
      if (!settled) reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`load clients exited with code ${code} before reporting`));
    });
  });
}

/**
 * The checks of the module comment, after a load: signs a final checkpoint and reads the
 * whole log back over HTTP.
 * @param setupEntries - entries the log held before the load
 * @returns the failures, described (none when every check passed), the log size and the final checkpoint's size
 * @throws whatever the server or the store throws while the log is read back
 * @example const { failures } = await checkNothingLost(reg, 5, outcome)
 */
export async function checkNothingLost(reg: TestRegistry, setupEntries: number, outcome: LoadOutcome): Promise<{ failures: string[]; size: number; checkpointSize: number }> {
  const failures: string[] = [];
  if (outcome.unexpected > 0) failures.push(`${outcome.unexpected} unexpected answers, e.g. ${outcome.unexpectedSamples.slice(0, 3).join(' | ')}`);

  const bySequence = new Map<number, (typeof outcome.acked)[number]>();
  for (const a of outcome.acked) {
    if (bySequence.has(a.sequence)) failures.push(`sequence ${a.sequence} acknowledged twice`);
    bySequence.set(a.sequence, a);
  }
  const { size } = await reg.service.log.store.head();
  if (size !== setupEntries + outcome.acked.length) failures.push(`log size ${size}, but ${outcome.acked.length} acknowledged entries + ${setupEntries} set-up entries = ${setupEntries + outcome.acked.length}`);

  await reg.service.signCheckpoint();
  const { checkpoint } = verifyCheckpointNote(await reg.client.checkpointNote(), REGISTRY_KEY.verifierKey);
  if (checkpoint.size !== size) failures.push(`final checkpoint of size ${checkpoint.size}, log size ${size}`);

  if (size > MERKLE_TREE_HASH_MAX_ENTRIES) {
    failures.push(`log of ${size} entries too large to recompute its root from the entries`);
    return { failures, size, checkpointSize: checkpoint.size };
  }
  const bytes: Uint8Array[] = [];
  for await (const served of reg.client.entryRange(0, checkpoint.size)) {
    const encoded = encodeEntry(served.entry);
    if (served.sequence !== bytes.length) failures.push(`entry ${bytes.length} served as ${served.sequence}`);
    if (b64(entryLeafHash(served.entry)) !== served.leafHash) failures.push(`entry ${served.sequence} served with a leaf hash not its own`);
    const acked = bySequence.get(served.sequence);
    if (acked !== undefined) {
      if (acked.leafHash !== served.leafHash || Buffer.compare(Buffer.from(encodeEntry(acked.entry)), Buffer.from(encoded)) !== 0) failures.push(`entry ${served.sequence} is not the entry acknowledged at ${served.sequence}`);
      bySequence.delete(served.sequence);
    }
    bytes.push(encoded);
  }
  if (bySequence.size > 0) failures.push(`${bySequence.size} acknowledged entries missing, e.g. sequence ${[...bySequence.keys()].slice(0, 5).join(', ')}`);
  const recomputed = merkleTreeHash(bytes);
  if (b64(recomputed) !== b64(checkpoint.rootHash)) failures.push(`final checkpoint root ${b64(checkpoint.rootHash)}, root of the entries ${b64(recomputed)}`);
  try {
    const replay = await replayAndCheck(reg.service.log.store, DEPTHS);
    if (b64(replay.rootHash) !== b64(checkpoint.rootHash)) failures.push(`the stored entries replay to root ${b64(replay.rootHash)}, not the checkpoint's`);
  } catch (e) {
    failures.push(`store replay: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { failures, size, checkpointSize: checkpoint.size };
}

async function loadStore(kind: string, fixture: StoreFixture, o: Required<BenchRegistryLoadOptions>) {
  const reg = await startTestRegistry(fixture, { checkpointIntervalMs: 1000, depths: DEPTHS });
  try {
    if (new URL(reg.url).hostname !== '127.0.0.1') throw new Error(`the registry listens on ${reg.url}, not on loopback`);
    const publishers = await Promise.all(Array.from({ length: PUBLISHERS }, (_, i) => reg.register(`publisher-${i}`, 'publisher')));
    const supplier = await reg.register('supplier-0', 'supplier');
    // A checkpoint of the set-up entries, so the readers have a non-empty one from the start.
    const setupEntries = (await reg.service.signCheckpoint()).size;
    const rates = { write: o.writeRate, read: o.readRate, bad: o.badRate };
    const plan: LoadPlan = {
      url: reg.url,
      registryKey: REGISTRY_KEY.verifierKey,
      publishers: publishers.map((p) => ({ keyId: p.keyId, signerKey: p.signerKey })),
      supplier: { keyId: supplier.keyId, signerKey: supplier.signerKey },
      seconds: o.seconds,
      rates,
      maxInFlight: MAX_IN_FLIGHT,
      maxRequests: Math.ceil((rates.write + rates.read + rates.bad) * o.seconds * 1.1) + 100,
      timeoutMs: REQUEST_TIMEOUT_MS,
      label: `load-${kind}`,
    };
    const outcome = await runClients(plan);
    const checked = await checkNothingLost(reg, setupEntries, outcome);

    const full = outcome.perSecond.slice(0, Math.floor(outcome.seconds));
    const writesPerSecond = full.map((s) => s.writes).sort((a, b) => a - b);
    const summary = {
      store: kind,
      's': round(outcome.seconds, 1),
      'drain s': round(outcome.drainSeconds, 1),
      'target writes/s': o.writeRate,
      'writes due': outcome.due.write,
      'writes sent': outcome.sent.write,
      'writes acked': outcome.acked.length,
      'writes/s': round(outcome.acked.length / outcome.seconds, 1),
      'writes/s min (1 s)': writesPerSecond[0] ?? 0,
      'writes/s median (1 s)': writesPerSecond.length === 0 ? 0 : percentile(writesPerSecond, 50),
      'kept up': outcome.acked.length >= KEPT_UP_SHARE * o.writeRate * outcome.seconds,
      'reads ok': outcome.kinds.filter((k) => k.stream === 'read').reduce((n, k) => n + k.ok, 0),
      'bad as expected': outcome.kinds.filter((k) => k.stream === 'bad').reduce((n, k) => n + k.ok, 0),
      unexpected: outcome.unexpected,
      'set-up entries': setupEntries,
      'log size': checked.size,
      'final checkpoint': checked.checkpointSize,
    };
    const latency = outcome.kinds.map((k) => {
      const sorted = [...k.latenciesMs].sort((a, b) => a - b);
      return {
        store: kind,
        kind: k.kind,
        stream: k.stream,
        requests: k.requests,
        ok: k.ok,
        unexpected: k.unexpected,
        '/s': round(k.requests / outcome.seconds, 1),
        'p50 ms': round(percentile(sorted, 50), 1),
        'p99 ms': round(percentile(sorted, 99), 1),
        'max ms': round(sorted[sorted.length - 1] ?? NaN, 1),
      };
    });
    const perSecond = outcome.perSecond.map((s) => ({ store: kind, ...s }));
    return { summary, latency, perSecond, failures: checked.failures.map((f) => `${kind}: ${f}`), samples: outcome.unexpectedSamples.map((s) => `${kind}: ${s}`) };
  } finally {
    await reg.close();
  }
}

/**
 * Holds a steady mixed load on a registry server on loopback and checks that nothing was lost.
 * @returns machine, configuration, one summary row per store, latencies per request kind,
 *   throughput per second; with `error` listing the failed checks, if any
 * @throws {Error} if the server cannot start or the clients break (not for failed requests: those are counted)
 * @example const r = await benchRegistryLoad({ seconds: 15 }); if ('error' in r) process.exitCode = 1;
 */
export async function benchRegistryLoad(options: BenchRegistryLoadOptions = {}): Promise<Record<string, unknown>> {
  const o: Required<BenchRegistryLoadOptions> = {
    seconds: options.seconds ?? envNumber('CANOPY_BENCH_LOAD_SECONDS', 60),
    writeRate: options.writeRate ?? envNumber('CANOPY_BENCH_LOAD_WRITE_RATE', 200),
    readRate: options.readRate ?? envNumber('CANOPY_BENCH_LOAD_READ_RATE', 200),
    badRate: options.badRate ?? envNumber('CANOPY_BENCH_LOAD_BAD_RATE', 5),
  };
  const summaries: Record<string, unknown>[] = [];
  const latency: Record<string, unknown>[] = [];
  const perSecond: Record<string, unknown>[] = [];
  const failures: string[] = [];
  const unexpectedSamples: string[] = [];
  for (const { kind, fixture } of storeKinds()) {
    const r = await loadStore(kind, fixture(), o);
    summaries.push(r.summary);
    latency.push(...r.latency);
    perSecond.push(...r.perSecond);
    failures.push(...r.failures);
    unexpectedSamples.push(...r.samples);
  }
  return {
    machine: machineInfo(),
    config: { seconds: o.seconds, 'write rate': o.writeRate, 'read rate': o.readRate, 'bad rate': o.badRate, publishers: PUBLISHERS, 'checkpoint interval ms': 1000, postgres: storeKinds().some((k) => k.kind === 'postgres') },
    checks: failures.length === 0 ? 'passed: no unexpected answer, every acknowledged entry at its sequence with its leaf hash, size = acknowledged + set-up, final root = root of all entries' : 'FAILED',
    ...(failures.length === 0 ? {} : { error: failures.join('; ') }),
    ...(unexpectedSamples.length === 0 ? {} : { unexpectedSamples: unexpectedSamples.join(' | ') }),
    results: summaries,
    latency,
    perSecond,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await benchRegistryLoad();
  console.log(JSON.stringify(result, null, 2));
  if ('error' in result) process.exitCode = 1;
}
