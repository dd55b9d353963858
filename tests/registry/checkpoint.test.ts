import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../core/note/checkpoint.ts';
import { cosignatureSigner, cosignatureVerifier, cosignerVerifierKey } from '../../core/note/cosignature.ts';
import { generateNoteKey, noteVerifier } from '../../core/note/note-key.ts';
import { openNote, signNote } from '../../core/note/signed-note.ts';
import { type RegistryLog } from '../../registry/log/registry-log.ts';
import { checkConsistencyProof } from '../../registry/log/log-proofs.ts';
import type { RegistryStore } from '../../registry/store/store.ts';
import { datasetEntry, fe, lotMint, openLog, REGISTRY_KEY, rejection, replayAndCheck, sqliteFixture, type StoreFixture, storeKinds } from './_fixtures.ts';

const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));

for (const { kind, fixture: makeFixture } of storeKinds()) {
  describe(`CheckpointSigner.sign (${kind})`, () => {
    let fixture: StoreFixture;
    let store: RegistryStore;
    let log: RegistryLog;
    beforeEach(async () => {
      fixture = makeFixture();
      store = await fixture.open();
      log = await openLog(store);
    });
    afterEach(async () => {
      await log.close();
      await fixture.cleanup();
    });

    describe('when the log has entries', () => {
      it('signs a C2SP checkpoint that opens with the registry key and carries the log and tree roots', async () => {
        await log.append([datasetEntry(fe('d')), lotMint(fe('a')), lotMint(fe('b'))]);
        const signed = await log.signCheckpoint();
        const note = openNote(signed.note, [noteVerifier(REGISTRY_KEY.verifierKey)]);
        expect(note.sigs.map((s) => s.name)).toEqual(['registry.test/canopy']);
        const cp = parseCheckpoint(note.text);
        const replay = await replayAndCheck(store);
        expect(cp.origin).toBe('registry.test/canopy');
        expect(cp.size).toBe(3);
        expect(cp.rootHash).toEqual(replay.rootHash);
        expect(cp.canopyRoots).toEqual({ lots: replay.lots.root, plots: replay.plots.root });
        expect([signed.size, signed.lotsSize, signed.plotsSize, signed.lotsRoot]).toEqual([3, 2, 0, String(replay.lots.root)]);
        expect(log.verifierKey).toBe(REGISTRY_KEY.verifierKey);
      });

      it('does not open with another key', async () => {
        await log.append([lotMint(fe('a'))]);
        const signed = await log.signCheckpoint();
        expect(() => openNote(signed.note, [noteVerifier(generateNoteKey('registry.test/canopy').verifierKey)])).toThrow(/no verifiable signatures/);
      });
    });

    describe('when nothing was appended since the last checkpoint', () => {
      it('returns the stored checkpoint instead of signing a new one', async () => {
        await log.append([lotMint(fe('a'))]);
        const a = await log.signCheckpoint();
        const b = await log.signCheckpoint();
        expect(b).toEqual(a);
        expect(await log.checkpoints.history(0)).toHaveLength(1);
      });
    });

    describe('when checkpoints are signed as the log grows', () => {
      it('keeps every pair consistent and lists the published roots in order', async () => {
        const signed = [];
        for (let i = 0; i < 6; i++) {
          await log.append(Array.from({ length: i + 1 }, (_, k) => lotMint(fe(`m${i}.${k}`))));
          signed.push(await log.signCheckpoint());
        }
        for (let i = 0; i < signed.length; i++) {
          for (let j = i; j < signed.length; j++) {
            const proof = await log.proveConsistency(signed[i]!.size, signed[j]!.size);
            expect(checkConsistencyProof(proof, b64(signed[i]!.rootHash), b64(signed[j]!.rootHash)), `${signed[i]!.size} → ${signed[j]!.size}`).toBe(true);
          }
        }
        const history = await log.checkpoints.history(0);
        expect(history.map((c) => c.size)).toEqual([1, 3, 6, 10, 15, 21]);
        expect(history.map((c) => c.lotsRoot)).toEqual(signed.map((c) => c.lotsRoot));
        expect(await log.checkpoints.at(6)).toEqual(signed[2]);
        expect(await log.checkpoints.at(7)).toBeNull();
        // Each published lots root is the lots tree at that checkpoint's leaf count.
        for (const c of history) expect(c.lotsRoot).toBe(String(log.sequencer.trees.rootAt('lots', c.lotsSize)));
      });

      it('signs at most one checkpoint per size when asked concurrently', async () => {
        await log.append([lotMint(fe('a'))]);
        const all = await Promise.all([log.signCheckpoint(), log.signCheckpoint(), log.signCheckpoint()]);
        expect(new Set(all.map((c) => c.note)).size).toBe(1);
      });
    });
  });

  describe(`CheckpointSigner.addCosignatures (${kind})`, () => {
    describe('when a witness cosigns the latest checkpoint', () => {
      it('keeps the registry signature and adds the verified cosignature, dropping unknown ones', async () => {
        const fixture = makeFixture();
        const store = await fixture.open();
        const log = await openLog(store);
        await log.append([lotMint(fe('a'))]);
        const signed = await log.signCheckpoint();
        const witness = generateNoteKey('witness.test', new Uint8Array(32).fill(9));
        const stranger = generateNoteKey('stranger.test', new Uint8Array(32).fill(3));
        const wVkey = cosignerVerifierKey(witness.verifierKey);
        const opened = openNote(signed.note, [noteVerifier(log.verifierKey)]);
        const cosigned = signNote(opened, [cosignatureSigner(witness.signerKey, () => 1_700_000_000), cosignatureSigner(stranger.signerKey, () => 1_700_000_000)]);
        const merged = await log.checkpoints.addCosignatures(cosigned, [wVkey]);
        const check = openNote(merged.note, [noteVerifier(log.verifierKey), cosignatureVerifier(wVkey)]);
        expect(check.sigs.map((s) => s.name)).toEqual(['registry.test/canopy', 'witness.test']);
        expect(check.unverifiedSigs).toEqual([]);
        expect((await log.latestCheckpoint())!.note).toBe(merged.note);
        // A note for a text the registry never signed is refused.
        const forged = signNote(signed.note.slice(0, signed.note.indexOf('\n\n') + 1).replace('\n1\n', '\n2\n'), [cosignatureSigner(witness.signerKey)]);
        await expect(log.checkpoints.addCosignatures(forged, [wVkey])).rejects.toThrow();
        await log.close();
        await fixture.cleanup();
      });
    });
  });
}

describe('CheckpointSigner.sign', () => {
  describe('when the stored checkpoint was altered in the database', () => {
    it('refuses to sign (LOG_INCONSISTENT)', async () => {
      const fixture = sqliteFixture();
      const store = await fixture.open();
      const log = await openLog(store);
      await log.append([lotMint(fe('a'))]);
      await log.signCheckpoint();
      await log.append([lotMint(fe('b'))]);
      const db = new Database((fixture.location as { path: string }).path);
      db.prepare('UPDATE checkpoints SET root_hash = ? WHERE size = 1').run(Buffer.alloc(32, 1));
      db.close();
      const err = await rejection(log.signCheckpoint());
      expect(err.code).toBe('LOG_INCONSISTENT');
      expect(await log.checkpoints.history(0)).toHaveLength(1);
      await log.close();
      await fixture.cleanup();
    });
  });

  describe('when a stored hash was altered so the log no longer extends the checkpoint', () => {
    it('refuses to sign (LOG_INCONSISTENT)', async () => {
      const fixture = sqliteFixture();
      const store = await fixture.open();
      const log = await openLog(store);
      await log.append([lotMint(fe('a')), lotMint(fe('b')), lotMint(fe('c'))]);
      await log.signCheckpoint();
      await log.append([lotMint(fe('d'))]);
      const db = new Database((fixture.location as { path: string }).path);
      // Hash index 2 is node (1, 0) = hash of entries 0 and 1, used by every later root.
      db.prepare('UPDATE hashes SET hash = ? WHERE idx = 2').run(Buffer.alloc(32, 7));
      db.close();
      expect((await rejection(log.signCheckpoint())).code).toBe('LOG_INCONSISTENT');
      await log.close();
      await fixture.cleanup();
    });
  });
});
