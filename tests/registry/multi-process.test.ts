import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeEntry } from '../../registry/log/entry.ts';
import { checkConsistencyProof } from '../../registry/log/log-proofs.ts';
import { acks, startChild } from './_child.ts';
import { fe, lotMint, openLog, replayAndCheck, storeKinds } from './_fixtures.ts';

const PER_PROCESS = 60;
const SHARED = 12;

for (const { kind, fixture: makeFixture } of storeKinds()) {
  describe(`several registry processes on one ${kind} store`, () => {
    describe('when two sequencer processes append concurrently', () => {
      it('assigns sequence numbers 0..n−1 exactly once, spends each nullifier once, and keeps the log consistent', async () => {
        const fixture = makeFixture();
        try {
          // Lots to spend, published before the processes start.
          const setup = await openLog(await fixture.open());
          await setup.append([lotMint(fe('seed-a')), lotMint(fe('seed-b'))]);
          const published = await setup.signCheckpoint();
          await setup.close();

          // Both start appending at the same moment, once both have opened the store.
          const goFile = join(mkdtempSync(join(tmpdir(), 'canopy-go-')), 'go');
          const children = ['a', 'b'].map((id) => startChild({ location: fixture.location, id, mode: 'fixed', count: PER_PROCESS, sharedRoot: published.lotsRoot, sharedNullifiers: SHARED, goFile }));
          await Promise.all(children.map((c) => c.waitFor((l) => l === 'ready')));
          writeFileSync(goFile, '');
          const exits = await Promise.all(children.map((c) => c.exited));
          for (const e of exits) expect(e.code, e.stderr).toBe(0);
          for (const c of children) expect(c.lines.at(-1)).toBe('done');
          rmSync(dirname(goFile), { recursive: true, force: true });

          const [a, b] = children.map(acks) as [number[], number[]];
          // Both spent the same SHARED nullifiers: each one succeeded in exactly one process.
          const refused = children.flatMap((c) => c.lines.filter((l) => l.startsWith('rej ')));
          expect(refused.length).toBe(SHARED);
          expect(new Set(refused)).toEqual(new Set(['rej NULLIFIER_SPENT']));
          const all = [...a, ...b].sort((x, y) => x - y);
          const n = 2 + 2 * PER_PROCESS - SHARED;
          expect(all).toEqual(Array.from({ length: n - 2 }, (_, i) => i + 2));

          // They really ran side by side: their sequence numbers interleave.
          expect(Math.min(...a) < Math.max(...b) && Math.min(...b) < Math.max(...a), `a ${a.join(',')} b ${b.join(',')}`).toBe(true);

          const log = await openLog(await fixture.open());
          const head = await log.store.head();
          expect(head.size).toBe(n);
          const replay = await replayAndCheck(log.store);
          expect(replay.nullifiers.size).toBe(SHARED);
          // Each process's acknowledged entries are its own.
          for (const [id, seqs] of [['a', a], ['b', b]] as const) {
            for (const seq of seqs) {
              const [e] = await log.store.readEntries(seq, seq + 1);
              const entry = decodeEntry(e!.bytes);
              if (entry.type === 'dataset') expect(entry.body.name).toBe(`by ${id}`);
            }
          }
          // Checkpoints signed by both processes form one consistent chain.
          const history = await log.checkpoints.history(0);
          expect(history.length).toBeGreaterThan(2);
          for (let i = 1; i < history.length; i++) {
            const p = await log.proveConsistency(history[i - 1]!.size, history[i]!.size);
            const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
            expect(checkConsistencyProof(p, b64(history[i - 1]!.rootHash), b64(history[i]!.rootHash))).toBe(true);
            expect(history[i]!.lotsRoot).toBe(String(replay.lots.rootAt(history[i]!.lotsSize)));
          }
          expect([log.sequencer.trees.root('lots'), log.sequencer.trees.root('plots')]).toEqual([replay.lots.root, replay.plots.root]);
          await log.close();
          console.log(`multi-process (${kind}): ${a.length} + ${b.length} acks, ${history.length} checkpoints`);
        } finally {
          await fixture.cleanup();
        }
      });
    });
  });
}
