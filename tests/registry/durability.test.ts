import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { storedHashCount } from '../../core/tlog/stored-hash.ts';
import { merkleTreeHash, treeHash } from '../../core/tlog/tree-hash.ts';
import { acks, startChild } from './_child.ts';
import { openLog, replayAndCheck, storeKinds } from './_fixtures.ts';

const ROUNDS: Record<string, number> = { sqlite: 6, postgres: 4 };

for (const { kind, fixture: makeFixture } of storeKinds()) {
  describe(`durability (${kind})`, () => {
    describe('when an appending registry process is killed with SIGKILL at random moments', () => {
      it('keeps every acknowledged entry and no half-written one, round after round', async () => {
        const fixture = makeFixture();
        const acknowledged = new Set<number>();
        const report: string[] = [];
        try {
          for (let round = 0; round < ROUNDS[kind]!; round++) {
            const child = startChild({ location: fixture.location, id: `r${round}`, mode: 'loop' });
            await child.waitFor((l) => l.startsWith('ack '));
            // A random moment: some acknowledgements in, mid-append most likely.
            await new Promise((r) => setTimeout(r, 30 + Math.floor(Math.random() * 400)));
            child.process.kill('SIGKILL');
            const exit = await child.exited;
            expect(exit.signal, exit.stderr).toBe('SIGKILL');
            const mine = acks(child);
            for (const seq of mine) acknowledged.add(seq);

            const store = await fixture.open();
            try {
              const head = await store.head();
              report.push(`round ${round}: ${mine.length} acks, size ${head.size}`);
              // Every acknowledged sequence number is there…
              expect(Math.max(...acknowledged) < head.size, `max ack ${Math.max(...acknowledged)}, size ${head.size}`).toBe(true);
              const entries = await store.readEntries(0, head.size);
              expect(entries.map((e) => e.sequence)).toEqual(Array.from({ length: head.size }, (_, i) => i));
              // …and every stored entry is whole: leaf hash, effects, leaves and nullifiers agree.
              const replay = await replayAndCheck(store);
              // Exactly the stored hashes of `size` entries, none beyond, and they give the root.
              const count = storedHashCount(head.size);
              expect(await store.readHashes(Array.from({ length: count }, (_, i) => i))).toHaveLength(count);
              await expect(store.readHashes([count])).rejects.toThrow(CanopyError);
              expect(await treeHash(head.size, store)).toEqual(replay.rootHash);
              const cp = await store.latestCheckpoint();
              if (cp !== null) expect(cp.rootHash).toEqual(merkleTreeHash(entries.slice(0, cp.size).map((e) => e.bytes)));
              // Every stored entry has its submitter row: they commit together or not at all.
              const rows = await store.readSubmissions(0, head.size);
              expect(rows.map((r) => r.sequence)).toEqual(entries.map((e) => e.sequence));
              expect(new Set(rows.map((r) => r.keyId.replace(/\d+$/, '')))).toEqual(new Set(['child-r']));
            } finally {
              await store.close();
            }
            // The registry restarts on what the crash left.
            const log = await openLog(await fixture.open());
            const replay = await replayAndCheck(log.store);
            expect([log.sequencer.trees.root('lots'), log.sequencer.trees.root('plots')]).toEqual([replay.lots.root, replay.plots.root]);
            await log.close();
          }
          expect(acknowledged.size).toBeGreaterThan(ROUNDS[kind]!);
          console.log(`durability (${kind}): ${report.join('; ')}`);
        } finally {
          await fixture.cleanup();
        }
      });
    });
  });
}
