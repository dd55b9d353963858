/**
 * Look-ups by value at scale: `findLeaf` (the index on leaf values behind
 * GET /v1/trees/:tree/leaves/:value) and `findNullifiers` (the nullifier primary key behind
 * GET /v1/nullifiers/:value), on a store holding `leaves` lots leaves and as many
 * nullifiers (default 1,000,000), on SQLite (a temp-dir file) and on PostgreSQL when
 * CANOPY_TEST_DATABASE_URL is set.
 *
 * The store is filled through `appendBatch` directly (records of 1000 leaves and 1000
 * nullifiers each, with their real stored hashes), since rebuilding a Poseidon tree of a
 * million leaves is not what is measured here. Then `lookups` random present leaves,
 * `lookups` absent values, and `lookups` random nullifiers are looked up one at a time;
 * p50/p99 are of the individual latencies, and every answer is checked (index and entry of a
 * present leaf, null for an absent one).
 *
 * Run alone: node --import tsx tests/registry/leaf-lookup.bench.ts [leaves]
 * @module
 */
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { type Hash, leafHash } from '../../core/tlog/hash.ts';
import type { HashReader } from '../../core/tlog/hash-reader.ts';
import { storedHashCount, storedHashes } from '../../core/tlog/stored-hash.ts';
import type { AppendRecord, RegistryStore } from '../../registry/store/store.ts';
import { fe, storeKinds } from './_fixtures.ts';

/** Leaves (and nullifiers) per record. */
const PER_RECORD = 1000;

/** Records per appendBatch. */
const RECORDS_PER_BATCH = 10;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const leaf = (i: number) => fe(`bench-leaf-${i}`);
const nullifier = (i: number) => fe(`bench-nullifier-${i}`);

async function fill(store: RegistryStore, leaves: number): Promise<number> {
  const start = performance.now();
  for (let done = 0; done < leaves; ) {
    const head = await store.head();
    const base = storedHashCount(head.size);
    const fresh: Hash[] = [];
    const reader: HashReader = {
      readHashes: async (idx: number[]) => {
        const old = idx.filter((x) => x < base);
        const got = old.length > 0 ? await store.readHashes(old) : [];
        let k = 0;
        return idx.map((x) => (x < base ? got[k++]! : fresh[x - base]!));
      },
    };
    const records: AppendRecord[] = [];
    for (let r = 0; r < RECORDS_PER_BATCH && done < leaves; r++) {
      const seq = head.size + r;
      const bytes = new TextEncoder().encode(`bench-record-${seq}`);
      const hashes = await storedHashes(seq, bytes, reader);
      fresh.push(...hashes);
      const n = Math.min(PER_RECORD, leaves - done);
      records.push({
        sequence: seq,
        entryType: 'bench',
        bytes,
        leafHash: leafHash(bytes),
        storedHashes: hashes,
        lotsLeaves: Array.from({ length: n }, (_, k) => leaf(done + k)),
        plotsLeaves: [],
        nullifiers: Array.from({ length: n }, (_, k) => nullifier(done + k)),
        datasetRoot: null,
        party: null,
      });
      done += n;
    }
    await store.appendBatch({ expected: head, records });
  }
  return (performance.now() - start) / 1000;
}

async function timeEach(count: number, fn: (i: number) => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await fn(i);
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

/**
 * Fills a store of each kind and measures the look-ups.
 * @param leaves - leaves and nullifiers to store (a multiple of 1000)
 * @param lookups - look-ups of each kind
 * @returns one line of figures per store kind
 * @throws if a look-up answers wrongly
 * @example await benchLeafLookup(1_000_000)
 */
export async function benchLeafLookup(leaves = 1_000_000, lookups = 2000): Promise<string[]> {
  const lines: string[] = [];
  for (const { kind, fixture: makeFixture } of storeKinds()) {
    const fixture = makeFixture();
    const store = await fixture.open();
    try {
      const fillSeconds = await fill(store, leaves);
      const ms = (l: number[]) => `p50 ${percentile(l, 50).toFixed(2)} ms, p99 ${percentile(l, 99).toFixed(2)} ms`;
      const present = await timeEach(lookups, async () => {
        const i = Math.floor(Math.random() * leaves);
        const got = await store.findLeaf('lots', leaf(i));
        if (got === null || got.index !== i || got.sequence !== Math.floor(i / PER_RECORD)) throw new Error(`findLeaf(${i}) = ${JSON.stringify(got)}`);
      });
      const absent = await timeEach(lookups, async (i) => {
        if ((await store.findLeaf('lots', fe(`absent-${i}`))) !== null) throw new Error(`absent value ${i} found`);
      });
      const spent = await timeEach(lookups, async () => {
        const i = Math.floor(Math.random() * leaves);
        if ((await store.findNullifiers([nullifier(i)])).get(nullifier(i)) !== Math.floor(i / PER_RECORD)) throw new Error(`nullifier ${i} not found`);
      });
      lines.push(`${kind}: ${leaves} leaves and nullifiers stored in ${fillSeconds.toFixed(1)} s; findLeaf present ${ms(present)}; absent ${ms(absent)}; findNullifiers ${ms(spent)} (load average ${loadavg()[0]!.toFixed(1)})`);
    } finally {
      await store.close();
      await fixture.cleanup();
    }
  }
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const n = Number(process.argv[2] ?? 1_000_000);
  for (const line of await benchLeafLookup(n)) console.log(line);
}
