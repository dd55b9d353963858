// A steady mixed load on a registry served in-process on loopback: writers submitting
// signed lot mints (one entry per request, each awaited) while readers fetch checkpoints,
// pages of entries, inclusion proofs and roots, with checkpoints signed every 200 ms.
// Bounded in time (CANOPY_LOAD_SECONDS, default 20 s on SQLite and 10 s on PostgreSQL)
// and in count (at most MAX_REQUESTS). Afterwards every acknowledged sequence number must
// hold the entry it acknowledged, the log must replay, and no request may have failed.
// Proofs are checked by the fake verifier: proof verification is measured elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { entryLeafHash, type LogEntry } from '../../registry/log/entry.ts';
import { checkInclusionProof } from '../../registry/log/log-proofs.ts';
import { encodeEntry } from '../../registry/log/entry.ts';
import { verifyCheckpointNote } from '../../registry/client.ts';
import { fe, lotMint, REGISTRY_KEY, replayAndCheck, storeKinds } from '../registry/_fixtures.ts';
import { startTestRegistry, type TestParty, type TestRegistry } from './_registry.ts';

const WRITERS = 4;
const READERS = 4;
const MAX_REQUESTS = 200_000;
// Room for every write of the run (the fixtures' depth 8 holds 256 leaves).
const DEPTHS = { lots: 20, plots: 20 };

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

for (const { kind, fixture } of storeKinds()) {
  const seconds = Number(process.env.CANOPY_LOAD_SECONDS ?? (kind === 'sqlite' ? 20 : 10));

  describe(`registry API under steady mixed load (${kind}, ${seconds} s)`, () => {
    let reg: TestRegistry;
    let writers: TestParty[];
    beforeAll(async () => {
      reg = await startTestRegistry(fixture(), { checkpointIntervalMs: 200, depths: DEPTHS });
      writers = await Promise.all(Array.from({ length: WRITERS }, (_, i) => reg.register(`writer-${i}`, 'supplier')));
    });
    afterAll(async () => {
      await reg.close();
    });

    it('answers every request, and every acknowledged entry is in the log afterwards', async () => {
      const acked = new Map<number, LogEntry>();
      const failures: string[] = [];
      const writeMs: number[] = [];
      const readMs: number[] = [];
      let requests = 0;
      const deadline = Date.now() + seconds * 1000;
      const going = () => Date.now() < deadline && requests < MAX_REQUESTS && failures.length === 0;

      const writer = async (w: number) => {
        for (let i = 0; going(); i++) {
          const entry = lotMint(fe(`load-${kind}-${w}-${i}`));
          const t0 = performance.now();
          requests++;
          try {
            const [receipt] = await reg.client.submit([entry], writers[w]!);
            writeMs.push(performance.now() - t0);
            acked.set(receipt!.sequence, entry);
          } catch (e) {
            failures.push(`write: ${String(e)}`);
          }
        }
      };
      // The latest checkpoint a reader verified; inclusion proofs are checked against it.
      let latest: { size: number; rootHash: Uint8Array } | null = null;
      const reader = async (r: number) => {
        for (let i = 0; going(); i++) {
          const t0 = performance.now();
          requests++;
          try {
            switch ((r + i) % 4) {
              case 0: {
                const { checkpoint } = verifyCheckpointNote(await reg.client.checkpointNote(), REGISTRY_KEY.verifierKey);
                if (latest === null || checkpoint.size > latest.size) latest = { size: checkpoint.size, rootHash: checkpoint.rootHash };
                break;
              }
              case 1:
                await reg.client.entries(Math.floor(Math.random() * (latest?.size ?? 1)));
                break;
              case 2: {
                const cp = latest;
                const candidates = cp === null ? [] : [...acked.keys()].filter((seq) => seq < cp.size);
                if (cp === null || candidates.length === 0) {
                  await reg.client.roots();
                  break;
                }
                const index = candidates[Math.floor(Math.random() * candidates.length)]!;
                const proof = await reg.client.inclusionProof(index, cp.size);
                if (!checkInclusionProof(proof, cp.rootHash, encodeEntry(acked.get(index)!))) failures.push(`read: inclusion proof of ${index} at ${cp.size} fails`);
                break;
              }
              default:
                await reg.client.roots();
            }
            readMs.push(performance.now() - t0);
          } catch (e) {
            failures.push(`read: ${String(e)}`);
          }
        }
      };
      const started = performance.now();
      await Promise.all([...Array.from({ length: WRITERS }, (_, w) => writer(w)), ...Array.from({ length: READERS }, (_, r) => reader(r))]);
      const elapsed = (performance.now() - started) / 1000;

      expect(failures).toEqual([]);
      // Every acknowledged sequence holds exactly the acknowledged entry.
      const { size } = await reg.service.log.store.head();
      const ackedCount = acked.size;
      for (let start = 0; start < size; start += 100) {
        for (const e of await reg.service.log.readEntries(start, Math.min(size, start + 100))) {
          const want = acked.get(e.sequence);
          if (want !== undefined) expect(e.leafHash).toBe(Buffer.from(entryLeafHash(want)).toString('base64'));
          acked.delete(e.sequence);
        }
      }
      expect([...acked.keys()]).toEqual([]);
      await replayAndCheck(reg.service.log.store, DEPTHS);

      writeMs.sort((a, b) => a - b);
      readMs.sort((a, b) => a - b);
      const line = `${kind}: ${elapsed.toFixed(1)} s, ${writeMs.length} writes (${(writeMs.length / elapsed).toFixed(0)}/s, p50 ${percentile(writeMs, 50).toFixed(1)} ms, p99 ${percentile(writeMs, 99).toFixed(1)} ms), ${readMs.length} reads (${(readMs.length / elapsed).toFixed(0)}/s, p50 ${percentile(readMs, 50).toFixed(1)} ms, p99 ${percentile(readMs, 99).toFixed(1)} ms), log size ${size}, ${ackedCount} acknowledged entries checked`;
      console.log(`registry API load: ${line}`);
      expect(writeMs.length).toBeGreaterThan(0);
      expect(readMs.length).toBeGreaterThan(0);
    });
  });
}
