// The auditor against real registries (in-process, SQLite): a full replay of a log of
// party registrations, artifact pinning, a dataset, a two-window plot attestation of the
// Hansen crop (demo plot_window), lot mints and a transition (test-profile proofs); the
// incremental replay from a state; and one failing audit per kind of inconsistency,
// each made the way an operator with database access, or a second server with the
// registry's key, would make it. Proofs are real Groth16 proofs checked with the pinned
// keys; the registries themselves run the fake verifier, so an invalid proof can reach a log.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldToString } from '../../core/field.ts';
import { cosignatureVerifier } from '../../core/note/cosignature.ts';
import { generateNoteKey, noteVerifier } from '../../core/note/note-key.ts';
import { openNote } from '../../core/note/signed-note.ts';
import { type PlotProveResult, provePlotFile } from '../../prover/plot/prove.ts';
import { fieldToBytes } from '../../registry/store/_codec.ts';
import type { LogEntry } from '../../registry/log/entry.ts';
import { ApiError } from '../../registry/api/api-error.ts';
import { auditConsistency } from '../../verifier/audit/audit-consistency.ts';
import { auditRegistry, type AuditReport } from '../../verifier/audit/audit-registry.ts';
import { type AuditState, parseAuditState, readAuditState, writeAuditState } from '../../verifier/audit/audit-state.ts';
import { cosignCheckpoint, cosignerKeyOf } from '../../verifier/audit/cosign.ts';
import { pinsFromSetup } from '../../verifier/audit/pinned-keys.ts';
import { commitCrop } from '../plot/_crop-dataset.ts';
import type { TestParty } from '../registry-api/_registry.ts';
import {
  ACCREDITOR,
  AUDIT_KEYS,
  auditPins,
  commitmentOf,
  datasetEntry,
  DEMO_KEYS,
  element,
  ensureKeys,
  lotMintEntry,
  lotNote,
  lyingSource,
  owner,
  plotAttestationEntry,
  REGISTRY_KEY,
  removeRegistry,
  startRegistry,
  tamper,
  type TestRegistry,
  transitionEntry,
} from './_world.ts';

const KEY = REGISTRY_KEY.verifierKey;
const alice = owner('alice');
const bob = owner('bob');
const carol = owner('carol');

let tmp: string;
let dataset: { dir: string; cleanup: () => void };
let plot: PlotProveResult;
let a: TestRegistry;
let supplier: TestParty;
let publisher: TestParty;
let auditor: TestParty;
const mintedA = lotNote(alice.key, 100_000n, 300_000n, 'A1');
let first: AuditReport;
let second: AuditReport;
const registries: TestRegistry[] = [];

async function registry(options: Parameters<typeof startRegistry>[0] = {}): Promise<TestRegistry> {
  const r = await startRegistry(options);
  registries.push(r);
  return r;
}

const audit = (r: TestRegistry, state: AuditState | null = null) => auditRegistry({ registry: r.client, registryKey: KEY, pins: auditPins(), state });

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'canopy-audit-'));
  await ensureKeys();
  dataset = await commitCrop();
  plot = await provePlotFile({ plotFile: 'examples/plots/clean.geojson', datasetDir: dataset.dir, outFile: join(tmp, 'clean.proof.json'), keysDir: DEMO_KEYS, profile: 'demo' });

  // Registry A: 0 artifacts, 1–3 parties, 4 dataset, 5 plot attestation, 6 lot mint; checkpoint 7.
  a = await registry();
  supplier = await a.register('coop-7', 'supplier');
  publisher = await a.register('hansen-pub', 'publisher');
  auditor = await a.register('auditor-1', 'auditor');
  await a.client.submit([datasetEntry(dataset.dir, plot.datasetRoot)], publisher);
  await a.client.submit([plotAttestationEntry(plot.proofFile)], supplier);
  await a.client.submit([await lotMintEntry(mintedA)], supplier);
  await a.checkpoint();
  first = await audit(a);

  // 7 transition of the minted lot, 8 another mint, 9 a registration, 10 its revocation; checkpoint 11.
  const leaf = await a.client.treeLeaf('lots', BigInt(commitmentOf(mintedA)));
  const t = await transitionEntry(a.client, { note: mintedA, secret: alice.secret, leafIndex: leaf.leafIndex, checkpointSize: 7, to: bob.key, label: 'A-T1' });
  await a.client.submit([t.entry], supplier);
  await a.client.submit([await lotMintEntry(lotNote(carol.key, 50_000n, 80_000n, 'A2'))], supplier);
  await a.register('mill-9', 'supplier');
  await a.client.revokeParty('mill-9', 'left the scheme', ACCREDITOR);
  await a.checkpoint();
  second = await audit(a, first.state);
}, 600_000);

afterAll(async () => {
  for (const r of registries) await removeRegistry(r);
  dataset?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

describe('auditRegistry', () => {
  describe('when the log is consistent and every entry valid', () => {
    it('replays every entry from the first, verifies every proof and every checkpoint', () => {
      expect(first.failure).toBeNull();
      expect(first.ok).toBe(true);
      expect(first.checkpoint!.size).toBe(7);
      expect(first.replayed).toEqual({ from: 0, to: 7, entries: 7, proofs: 3, checkpoints: first.replayed.checkpoints });
      // The checkpoint of the empty log (signed at start) and the one of size 7 at least.
      expect(first.replayed.checkpoints).toBeGreaterThanOrEqual(2);
      expect(first.totals!.entries).toEqual({ artifacts: 1, 'party-registration': 3, dataset: 1, 'plot-attestation': 1, 'lot-mint': 1 });
      expect(first.totals!.plots.leaves).toBe(2);
      expect(first.totals!.lots.leaves).toBe(1);
      expect(first.totals!.logPinnedKeys).toBe(3);
      expect(first.keys.used.map((k) => k.circuit).sort()).toEqual(['lot_mint', 'lot_transition', 'plot_window']);
      expect(first.keys.used.every((k) => k.from.startsWith('setup folder'))).toBe(true);
    });

    it("reproduces the registry's own Poseidon roots", async () => {
      const roots = await a.client.checkpoints({ from: 7, limit: 1 });
      expect([first.totals!.lots.root, first.totals!.plots.root]).toEqual([roots[0]!.lotsRoot, roots[0]!.plotsRoot]);
    });

    it('replays only the entries appended since the state, checking consistency first', () => {
      expect(second.failure).toBeNull();
      expect(second.previous!.size).toBe(7);
      expect(second.checkpoint!.size).toBe(11);
      // 7 transition, 8 lot mint, 9 registration, 10 revocation: 4 entries, 2 proofs.
      expect(second.replayed).toEqual({ from: 7, to: 11, entries: 4, proofs: 2, checkpoints: 1 });
      expect(second.totals!.proofs).toBe(5);
      expect(second.totals!.nullifiers).toBe(1);
      expect(second.totals!.parties).toEqual({ active: 3, revoked: 1 });
      expect(second.totals!.lots.leaves).toBe(4);
    });

    it('replays nothing when the registry has not grown', async () => {
      const third = await audit(a, second.state);
      expect([third.ok, third.replayed.entries, third.replayed.proofs]).toEqual([true, 0, 0]);
    });

    it('ends, from a full replay, in the same state as the incremental runs', async () => {
      const full = await audit(a);
      const strip = (s: AuditState) => ({ ...s, verifiedAt: '', replay: { ...s.replay, lastSignedAt: 0 } });
      expect(strip(full.state!)).toEqual(strip(second.state!));
    });

    it('writes the state atomically, 0600, and reads it back', async () => {
      const file = join(tmp, 'state.json');
      await writeAuditState(file, second.state!);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(await readAuditState(file)).toEqual(second.state);
      expect(await readAuditState(join(tmp, 'none.json'))).toBeNull();
      expect(readFileSync(file, 'utf8').endsWith('}\n')).toBe(true);
    });
  });

  describe('when the state was written for another registry', () => {
    it('fails the state check', async () => {
      const other = { ...first.state!, registryKey: generateNoteKey('registry.test/canopy').verifierKey };
      const r = await audit(a, other);
      expect(r.failure).toMatchObject({ check: 'state' });
    });
  });

  describe('when the state does not reproduce its own checkpoint', () => {
    it('fails the state check naming the remembered size', async () => {
      const s = structuredClone(first.state!);
      s.replay.range.hashes[0] = Buffer.alloc(32, 1).toString('base64');
      const r = await audit(a, s);
      expect(r.failure).toMatchObject({ check: 'state', checkpointSize: 7 });
    });
  });

  describe('when the auditor has not pinned a key the log uses', () => {
    it('fails at the first proof under it', async () => {
      const r = await auditRegistry({ registry: a.client, registryKey: KEY, pins: [...pinsFromSetup(DEMO_KEYS).filter((p) => p.circuit === 'plot_window'), ...pinsFromSetup(AUDIT_KEYS).filter((p) => p.circuit === 'lot_transition')], state: null });
      expect(r.failure).toMatchObject({ check: 'vkey-not-pinned', sequence: 6, entryType: 'lot-mint' });
    });
  });

  describe('when an entry byte was altered in the store', () => {
    it('fails the leaf hash of that entry, naming the sequence number', async () => {
      const r = await registry();
      const pub = await r.register('hansen-pub', 'publisher');
      await r.client.submit([datasetEntry(dataset.dir, plot.datasetRoot, 'Hansen crop')], pub);
      await r.checkpoint();
      // One letter of the dataset's name: the entry still decodes, its stored leaf hash is the old one.
      tamper(r, (db) => {
        const row = db.prepare('SELECT bytes FROM entries WHERE seq = 2').get() as { bytes: Buffer };
        const text = row.bytes.toString('utf8').replace('Hansen crop', 'Hansen crap');
        db.prepare('UPDATE entries SET bytes = ? WHERE seq = 2').run(Buffer.from(text, 'utf8'));
      });
      const report = await audit(r);
      expect(report.ok).toBe(false);
      expect(report.failure).toMatchObject({ check: 'leaf-hash', sequence: 2, entryType: 'dataset' });
      expect(report.failure!.message).toMatch(/^leaf-hash at entry 2 \(dataset\): expected .+, found .+$/);
      expect(report.replayed.to).toBe(2);
      expect(report.state).toBeNull();
    });
  });

  describe('when the checkpoint is signed by another key', () => {
    it('fails the checkpoint signature before reading anything else', async () => {
      const impostor = generateNoteKey('registry.test/canopy');
      const r = await registry({ signerKey: impostor.signerKey });
      await r.register('coop-7', 'supplier');
      await r.checkpoint();
      const report = await audit(r);
      expect(report.failure).toMatchObject({ check: 'checkpoint-signature', expected: `a checkpoint signed by ${KEY}` });
      expect(report.replayed.entries).toBe(0);
    });
  });

  describe('when the log forked (a second log under the same key)', () => {
    it('fails the consistency proof from the remembered checkpoint', async () => {
      const f1 = await registry();
      await f1.register('coop-7', 'supplier');
      await f1.register('coop-8', 'supplier');
      await f1.checkpoint();
      const before = await audit(f1);
      expect(before.ok).toBe(true);
      // The same key signs a log that differs from entry 2 on and is longer.
      const f2 = await registry();
      await f2.register('coop-7', 'supplier');
      await f2.register('coop-9', 'supplier');
      await f2.register('coop-10', 'supplier');
      await f2.checkpoint();
      const after = await audit(f2, before.state);
      expect(after.failure).toMatchObject({ check: 'consistency', checkpointSize: 4 });
      expect(after.failure!.found).toMatch(/forked or was rewritten/);
      // Shorter than what was verified: a rollback.
      const f3 = await registry();
      await f3.checkpoint();
      expect((await audit(f3, before.state)).failure).toMatchObject({ check: 'rollback', checkpointSize: 1 });
    });
  });

  describe('when a proof does not verify', () => {
    it('fails that entry, naming it and its public signals', async () => {
      const r = await registry();
      const s = await r.register('coop-7', 'supplier');
      const good = await lotMintEntry(lotNote(alice.key, 10_000n, 20_000n, 'bad'));
      // The same proof claimed for another commitment (the fake verifier lets it in).
      const bad = structuredClone(good) as Extract<LogEntry, { type: 'lot-mint' }>;
      bad.body.proof.publicSignals = { outCommitment: fieldToString(element('not the note')) };
      await r.client.submit([bad], s);
      await r.checkpoint();
      const report = await audit(r);
      expect(report.failure).toMatchObject({ check: 'proof-invalid', sequence: 2, entryType: 'lot-mint' });
      expect(report.failure!.found).toContain(fieldToString(element('not the note')));
    });
  });

  describe('when a nullifier is spent twice', () => {
    it('fails the second spend, naming the first', async () => {
      const r = await registry();
      const s = await r.register('coop-7', 'supplier');
      const note = lotNote(alice.key, 90_000n, 100_000n, 'N');
      await r.client.submit([await lotMintEntry(note)], s);
      const size = await r.checkpoint();
      const t1 = await transitionEntry(r.client, { note, secret: alice.secret, leafIndex: 0, checkpointSize: size, to: bob.key, label: 'N-T1' });
      const [r1] = await r.client.submit([t1.entry], s);
      // The operator removes the spent nullifier; the registry then accepts a second spend.
      tamper(r, (db) => db.prepare('DELETE FROM nullifiers').run());
      const t2 = await transitionEntry(r.client, { note, secret: alice.secret, leafIndex: 0, checkpointSize: size, to: carol.key, label: 'N-T2' });
      const [r2] = await r.client.submit([t2.entry], s);
      await r.checkpoint();
      const report = await audit(r);
      expect(report.failure).toMatchObject({ check: 'nullifier-spent', sequence: r2!.sequence, entryType: 'transition' });
      expect(report.failure!.found).toMatch(new RegExp(`spent by entry ${r1!.sequence}$`));
    });
  });

  describe("when a checkpoint's Poseidon root is not the replay's", () => {
    it('fails the lots root at that checkpoint', async () => {
      let r = await registry();
      const s = await r.register('coop-7', 'supplier');
      await r.checkpoint();
      await r.client.submit([await lotMintEntry(lotNote(alice.key, 5_000n, 9_000n, 'P'))], s);
      // Before the next checkpoint, the stored leaf is replaced; the restarted registry signs its root.
      await r.stop();
      tamper(r, (db) => db.prepare('UPDATE lots_leaves SET leaf = ? WHERE idx = 0').run(fieldToBytes(element('forged leaf'))));
      r = await r.restart();
      registries.push(r);
      const report = await audit(r);
      expect(report.failure).toMatchObject({ check: 'lots-root', checkpointSize: 3 });
      expect(report.failure!.expected).toMatch(/after 1 leaves\)$/);
    });
  });
});

describe('auditConsistency', () => {
  describe('when both checkpoints are published', () => {
    it('verifies the consistency proof between them', async () => {
      const r = await auditConsistency({ registry: a.url, registryKey: KEY, from: 7, to: 11 });
      expect(r).toMatchObject({ ok: true, from: { size: 7 }, to: { size: 11 }, failure: null });
      expect(r.proofHashes).toBeGreaterThan(0);
      expect(await auditConsistency({ registry: a.client, registryKey: KEY, from: 0, to: 11 })).toMatchObject({ ok: true, from: { size: 0 }, proofHashes: 0 });
      expect((await auditConsistency({ registry: a.client, registryKey: KEY, from: 1, to: 7 })).ok).toBe(true);
      expect((await auditConsistency({ registry: a.client, registryKey: KEY, from: 11, to: 11 })).ok).toBe(true);
    });
  });

  describe('when the registry serves a wrong proof', () => {
    it('fails the consistency check', async () => {
      const lying = lyingSource(a.client, {
        consistencyProof: async (o, n) => {
          const p = await a.client.consistencyProof(o, n);
          const h = Buffer.from(p.hashes[0]!, 'base64');
          h[0]! ^= 1;
          return { ...p, hashes: [h.toString('base64'), ...p.hashes.slice(1)] };
        },
      });
      const r = await auditConsistency({ registry: lying, registryKey: KEY, from: 7, to: 11 });
      expect(r.failure).toMatchObject({ check: 'consistency', checkpointSize: 11 });
    });
  });

  describe('when no checkpoint has a size', () => {
    it('throws NOT_FOUND', async () => {
      await expect(auditConsistency({ registry: a.client, registryKey: KEY, from: 5, to: 11 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});

describe('cosignCheckpoint', () => {
  describe('when an auditor cosigns a verified checkpoint', () => {
    it('the registry serves it with the cosignature under the key derived from the party', async () => {
      const c = await cosignCheckpoint({ registry: a.client, registryKey: KEY, note: second.state!.checkpoint, auditor: { partyId: 'auditor-1', signerKey: auditor.signerKey }, now: () => 1_767_225_600 });
      expect(c.cosignerKey).toBe(cosignerKeyOf('auditor-1', auditor.publicKey));
      expect(c.timestamp).toBe(1_767_225_600);
      expect(c.signedBy).toEqual(['registry.test/canopy', 'auditor-1']);
      const served = await a.client.checkpointNote();
      const opened = openNote(served, [noteVerifier(KEY), cosignatureVerifier(c.cosignerKey)]);
      expect(opened.sigs.map((x) => x.name)).toEqual(['registry.test/canopy', 'auditor-1']);
      expect((await a.client.witnesses()).map((w) => w.cosignerKey)).toContain(c.cosignerKey);
    });
  });

  describe('when the party is not an auditor', () => {
    it('the registry refuses it', async () => {
      await expect(cosignCheckpoint({ registry: a.client, registryKey: KEY, note: second.state!.checkpoint, auditor: { partyId: 'coop-7', signerKey: supplier.signerKey } })).rejects.toBeInstanceOf(ApiError);
    });
  });

  describe('when the note is not signed by the registry', () => {
    it('throws before submitting', async () => {
      const other = generateNoteKey('registry.test/canopy');
      await expect(cosignCheckpoint({ registry: a.client, registryKey: other.verifierKey, note: second.state!.checkpoint, auditor: { partyId: 'auditor-1', signerKey: auditor.signerKey } })).rejects.toMatchObject({ code: 'NOTE_UNVERIFIED' });
    });
  });
});

describe('parseAuditState', () => {
  describe('when a member is missing, extra or malformed', () => {
    it('throws naming it', () => {
      const text = JSON.stringify(first.state);
      expect(() => parseAuditState('{')).toThrow(/not JSON/);
      const drop = JSON.parse(text);
      delete drop.replay.proofs;
      expect(() => parseAuditState(JSON.stringify(drop))).toThrow(/"state\.replay\.proofs" expected a value/);
      const extra = JSON.parse(text);
      extra.replay.extra = 1;
      expect(() => parseAuditState(JSON.stringify(extra))).toThrow(/only the members/);
      const bad = JSON.parse(text);
      bad.replay.nullifiers = { '007': 1 };
      expect(() => parseAuditState(JSON.stringify(bad))).toThrow(/state\.replay\.nullifiers key/);
    });
  });
});
