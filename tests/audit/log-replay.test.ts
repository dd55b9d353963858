// The replay engine on synthetic entries (the builders of tests/registry/_fixtures.ts),
// with a stand-in proof check: every rule of the sequencer replayed, one entry at a time,
// each failure named with its sequence number and entry type; checkpoints compared; the
// snapshot restored. The real proofs and registries are in audit-registry.test.ts.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IncrementalMerkleTree } from '../../core/merkle/incremental-merkle-tree.ts';
import type { Checkpoint } from '../../core/note/checkpoint.ts';
import { leafHash } from '../../core/tlog/hash.ts';
import { merkleTreeHash } from '../../core/tlog/tree-hash.ts';
import type { ProofCheck } from '../../registry/log/entry-effects.ts';
import { encodeEntry, type LogEntry, type ProofBundle } from '../../registry/log/entry.ts';
import { AuditFailedError, type AuditFailure } from '../../verifier/audit/audit-failure.ts';
import { type EntryClock, LogReplay } from '../../verifier/audit/log-replay.ts';
import type { ResolvedKey } from '../../verifier/audit/pinned-keys.ts';
import { datasetEntry, fakeProof, fe, lotMint, plotAttestation, registration, revocation, transition } from '../registry/_fixtures.ts';

/** A distinct fake key hash per circuit, so a key names its circuit. */
const hashOf = (circuit: string) => createHash('sha256').update(circuit).digest('hex');
const KEYS: ReadonlyMap<string, ResolvedKey> = new Map(
  ['lot_mint', 'lot_transition', 'capacity_mint', 'plot_window', 'capacity_issue'].map((c) => [hashOf(c), { circuit: c as ResolvedKey['circuit'], vkeyHash: hashOf(c), vkey: {} as ResolvedKey['vkey'], from: 'test' }]),
);
const verifyAll = async () => true;

/** The entry with each proof bundle naming its circuit's key. */
function keyed(entry: LogEntry): LogEntry {
  const e = structuredClone(entry) as LogEntry & { body: { proof?: ProofBundle; windows?: ProofBundle[] } };
  if (e.body.proof) e.body.proof.vkeyHash = hashOf(e.body.proof.circuit);
  for (const w of e.body.windows ?? []) w.vkeyHash = hashOf(w.circuit);
  return e;
}

/** Serves `entry` as sequence `sequence` with its true leaf hash (or `leaf`). */
function served(sequence: number, entry: LogEntry, leaf?: string) {
  return { sequence, leafHash: leaf ?? Buffer.from(leafHash(encodeEntry(entry))).toString('base64'), entry };
}

/** Replays `entries` from the start, publishing a checkpoint at every size in `checkpointsAt`. */
async function replayAll(entries: LogEntry[], options: { depths?: { lots: number; plots: number }; checkpointsAt?: number[]; verify?: (p: ProofCheck) => Promise<boolean>; clock?: EntryClock } = {}): Promise<LogReplay> {
  const replay = LogReplay.fresh(options.depths ?? { lots: 8, plots: 8 });
  const at = new Set(options.checkpointsAt ?? []);
  for (const [i, e] of entries.entries()) {
    if (at.has(i)) replay.checkCheckpoint(honestCheckpoint(replay, i), null);
    await replay.apply(served(i, keyed(e)), KEYS, options.verify ?? verifyAll, options.clock);
  }
  return replay;
}

/** The checkpoint an honest registry signs at the replay's size. */
function honestCheckpoint(replay: LogReplay, size: number): Checkpoint {
  return { origin: 'registry.test/canopy', size, rootHash: replay.rootHash, canopyRoots: { lots: replay.tree('lots').root, plots: replay.tree('plots').root }, extensions: [] };
}

/** The failure `fn` throws. */
async function failureOf(fn: () => Promise<unknown> | unknown): Promise<AuditFailure> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof AuditFailedError) return e.failure;
    throw e;
  }
  throw new Error('expected an AuditFailedError');
}

const s = (v: bigint) => v.toString();
const DATASET = fe('dataset');

describe('LogReplay.apply', () => {
  describe('when the entries are valid', () => {
    it('rebuilds the RFC 6962 root, both trees and the counts the registry would hold', async () => {
      const entries: LogEntry[] = [
        registration('coop-7'),
        datasetEntry(DATASET),
        plotAttestation([{ datasetRoot: DATASET, attestationLeaf: fe('w0') }, { datasetRoot: DATASET, attestationLeaf: fe('w1') }]),
        lotMint(fe('c0')),
      ];
      const replay = await replayAll(entries);
      const lotsRoot = replay.tree('lots').root;
      // A transition against the published lots root, spending one note into two outputs (one disabled).
      replay.checkCheckpoint(honestCheckpoint(replay, 4), null);
      const t = transition({ root: lotsRoot, nullifiers: [fe('n0'), 0n], outCommitments: [fe('c1'), 0n] });
      await replay.apply(served(4, keyed(t)), KEYS, verifyAll);
      const all = [...entries, t].map((e) => encodeEntry(keyed(e)));
      expect(Buffer.from(replay.rootHash).toString('hex')).toBe(Buffer.from(merkleTreeHash(all)).toString('hex'));
      const lots = new IncrementalMerkleTree(8);
      lots.appendMany([fe('c0'), fe('c1')]);
      const plots = new IncrementalMerkleTree(8);
      plots.appendMany([fe('w0'), fe('w1')]);
      expect(replay.tree('lots')).toEqual({ leaves: 2, root: lots.root });
      expect(replay.tree('plots')).toEqual({ leaves: 2, root: plots.root });
      expect(replay.summary()).toMatchObject({ entries: { 'party-registration': 1, dataset: 1, 'plot-attestation': 1, 'lot-mint': 1, transition: 1 }, nullifiers: 1, datasets: 1, parties: { active: 1, revoked: 0 } });
      expect(replay.proofs).toBe(4);
    });
  });

  describe('when the served entry is not the next one, or malformed', () => {
    it('fails entry-sequence, entry-malformed and leaf-hash', async () => {
      const replay = LogReplay.fresh({ lots: 4, plots: 4 });
      const e = registration('coop-7');
      expect(await failureOf(() => replay.apply(served(1, e), KEYS, verifyAll))).toMatchObject({ check: 'entry-sequence', sequence: 0 });
      expect(await failureOf(() => replay.apply({ ...served(0, e), entry: { ...e, version: 2 } as never }, KEYS, verifyAll))).toMatchObject({ check: 'entry-malformed', sequence: 0, entryType: 'party-registration' });
      expect(await failureOf(() => replay.apply(served(0, e, Buffer.alloc(32).toString('base64')), KEYS, verifyAll))).toMatchObject({ check: 'leaf-hash', sequence: 0, found: Buffer.alloc(32).toString('base64') });
      expect(await failureOf(() => replay.apply(served(0, e, 'not base64'), KEYS, verifyAll))).toMatchObject({ check: 'leaf-hash' });
      // Nothing of a failed entry is applied.
      expect(replay.size).toBe(0);
    });
  });

  describe('when an entry breaks a rule of the interpretation tables', () => {
    it('fails entry-effects for a nullifier twice in one entry and for windows that disagree', async () => {
      const root = LogReplay.fresh({ lots: 8, plots: 8 }).tree('lots').root;
      const twice = transition({ root, nullifiers: [fe('n'), fe('n')], outCommitments: [fe('o'), 0n] });
      expect(await failureOf(() => replayAll([twice], { checkpointsAt: [0] }))).toMatchObject({ check: 'entry-effects', sequence: 0, entryType: 'transition' });
      const windows = plotAttestation([{ datasetRoot: DATASET, attestationLeaf: fe('a') }, { datasetRoot: DATASET, attestationLeaf: fe('b'), cutoffCode: 20 }]);
      const f = await failureOf(() => replayAll([datasetEntry(DATASET), windows]));
      expect(f).toMatchObject({ check: 'entry-effects', sequence: 1, entryType: 'plot-attestation' });
      expect(f.found).toMatch(/^WINDOWS_INCONSISTENT/);
    });
  });

  describe('when a public parameter is not allowed', () => {
    it('fails parameter-not-allowed for a conversion that is no processing rule', async () => {
      const root = LogReplay.fresh({ lots: 8, plots: 8 }).tree('lots').root;
      const t = transition({ root, nullifiers: [fe('n')], outCommitments: [fe('o'), 0n] }) as Extract<LogEntry, { type: 'transition' }>;
      t.body.proof.publicSignals = { ...t.body.proof.publicSignals, outCommodity: '151110' };
      const f = await failureOf(() => replayAll([t], { checkpointsAt: [0] }));
      expect(f).toMatchObject({ check: 'parameter-not-allowed', sequence: 0, entryType: 'transition' });
      expect(f.found).toMatch(/PARAMETER_NOT_ALLOWED/);
    });

    it('holds a capacity issuance to the harvest years the registry clock allowed around it', async () => {
      const issue = (year: number): LogEntry => ({
        type: 'capacity-issue',
        version: 1,
        body: {
          proof: {
            circuit: 'capacity_issue',
            vkeyHash: hashOf('capacity_issue'),
            proof: fakeProof(),
            publicSignals: { plotsRoot: s(plotsRoot), issueTag: s(fe(`tag ${year}`)), harvestYear: String(year), commodity: '1000001', yieldCeilingGramsPerPixel: '1544000', cutoffCode: '21', capacityCommitment: s(fe(`cap ${year}`)) },
          },
        },
      });
      const plotsRoot = LogReplay.fresh({ lots: 8, plots: 8 }).tree('plots').root;
      // Appended between checkpoints signed in June and July 2026: 2025 and 2026 pass.
      const clock = { after: Date.UTC(2026, 5, 1), before: Date.UTC(2026, 6, 1) };
      await expect(replayAll([issue(2025), issue(2026)], { checkpointsAt: [0], clock })).resolves.toBeInstanceOf(LogReplay);
      for (const year of [2024, 2027]) {
        const f = await failureOf(() => replayAll([issue(year)], { checkpointsAt: [0], clock }));
        expect(f).toMatchObject({ check: 'parameter-not-allowed', sequence: 0, entryType: 'capacity-issue', expected: expect.stringContaining('[2025, 2026]'), found: `harvestYear ${year}` });
      }
      // Across a new year (December 2026 to January 2027) 2025..2027 were possible.
      await expect(replayAll([issue(2027)], { checkpointsAt: [0], clock: { after: Date.UTC(2026, 11, 31), before: Date.UTC(2027, 0, 2) } })).resolves.toBeInstanceOf(LogReplay);
      // A yield ceiling that is not the commodity's is refused whatever the clock.
      const wrong = issue(2026) as Extract<LogEntry, { type: 'capacity-issue' }>;
      wrong.body.proof.publicSignals = { ...wrong.body.proof.publicSignals, yieldCeilingGramsPerPixel: '2000000' };
      expect(await failureOf(() => replayAll([wrong], { checkpointsAt: [0], clock }))).toMatchObject({ check: 'parameter-not-allowed', found: expect.stringMatching(/yield ceiling/) });
    });
  });

  describe('when a proof names a key that is not pinned', () => {
    it('fails vkey-not-pinned, and artifacts-not-pinned once the log pins keys', async () => {
      const replay = LogReplay.fresh({ lots: 8, plots: 8 });
      const m = lotMint(fe('c'));
      expect(await failureOf(() => replay.apply(served(0, m), KEYS, verifyAll))).toMatchObject({ check: 'vkey-not-pinned', sequence: 0, found: `vkeyHash ${'ab'.repeat(32)}` });
      const pins: LogEntry = { type: 'artifacts', version: 1, body: { profile: 'test', circuits: { lot_transition: { vkeyHash: hashOf('lot_transition'), zkeyHash: 'aa'.repeat(32), r1csHash: 'bb'.repeat(32) } } } };
      const f = await failureOf(() => replayAll([pins, lotMint(fe('c'))]));
      expect(f).toMatchObject({ check: 'artifacts-not-pinned', sequence: 1, entryType: 'lot-mint', found: `vkeyHash ${hashOf('lot_mint')}` });
    });
  });

  describe('when a proof does not verify', () => {
    it('fails proof-invalid naming which proof of the entry', async () => {
      const windows = plotAttestation([{ datasetRoot: DATASET, attestationLeaf: fe('a') }, { datasetRoot: DATASET, attestationLeaf: fe('b') }]);
      const second = async (p: ProofCheck) => p.publicSignals[0] !== s(fe('b'));
      const f = await failureOf(() => replayAll([datasetEntry(DATASET), windows], { verify: second }));
      expect(f).toMatchObject({ check: 'proof-invalid', sequence: 1, entryType: 'plot-attestation', expected: expect.stringMatching(/^proof 2 of 2 \(plot_window\)/) });
    });
  });

  describe('when a root was not published before the entry', () => {
    it('fails root-not-published for a lots root no checkpoint of smaller size carried', async () => {
      const replay = await replayAll([lotMint(fe('c0'))]);
      const root = replay.tree('lots').root;
      // The root after entry 0 is only published by a checkpoint of size 1; none was checked.
      const t = transition({ root, nullifiers: [fe('n')], outCommitments: [fe('o'), 0n] });
      expect(await failureOf(() => replay.apply(served(1, keyed(t)), KEYS, verifyAll))).toMatchObject({ check: 'root-not-published', sequence: 1, found: s(root) });
      replay.checkCheckpoint(honestCheckpoint(replay, 1), null);
      await expect(replay.apply(served(1, keyed(t)), KEYS, verifyAll)).resolves.toMatchObject({ sequence: 1, proofs: 1 });
    });

    it('fails dataset-unknown for a window against an unregistered dataset', async () => {
      const f = await failureOf(() => replayAll([plotAttestation([{ datasetRoot: DATASET, attestationLeaf: fe('a') }])]));
      expect(f).toMatchObject({ check: 'dataset-unknown', sequence: 0, found: s(DATASET) });
    });
  });

  describe('when the state of the log forbids the entry', () => {
    it('fails nullifier-spent, dataset-exists, party-exists, key-in-use, party-unknown, party-revoked', async () => {
      const root = LogReplay.fresh({ lots: 8, plots: 8 }).tree('lots').root;
      const spend = (o: string) => transition({ root, nullifiers: [fe('n')], outCommitments: [fe(o), 0n] });
      expect(await failureOf(() => replayAll([spend('a'), spend('b')], { checkpointsAt: [0] }))).toMatchObject({ check: 'nullifier-spent', sequence: 1, found: `nullifier ${s(fe('n'))}, spent by entry 0` });
      expect(await failureOf(() => replayAll([datasetEntry(DATASET), datasetEntry(DATASET, 'again')]))).toMatchObject({ check: 'dataset-exists', sequence: 1 });
      expect(await failureOf(() => replayAll([registration('coop-7'), registration('coop-7', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=')]))).toMatchObject({ check: 'party-exists', sequence: 1 });
      expect(await failureOf(() => replayAll([registration('coop-7'), registration('coop-8', registrationKey('coop-7'))]))).toMatchObject({ check: 'key-in-use', sequence: 1, found: expect.stringMatching(/the key of coop-7$/) });
      expect(await failureOf(() => replayAll([revocation('coop-7')]))).toMatchObject({ check: 'party-unknown', sequence: 0 });
      expect(await failureOf(() => replayAll([registration('coop-7'), revocation('coop-7'), revocation('coop-7')]))).toMatchObject({ check: 'party-revoked', sequence: 2, found: 'coop-7, revoked by entry 1' });
    });

    it('fails tree-full when a tree has no room', async () => {
      const f = await failureOf(() => replayAll([lotMint(fe('a')), lotMint(fe('b')), lotMint(fe('c'))], { depths: { lots: 1, plots: 1 } }));
      expect(f).toMatchObject({ check: 'tree-full', sequence: 2, found: '2 of 2 used' });
    });
  });
});

describe('LogReplay.checkCheckpoint', () => {
  describe("when a checkpoint disagrees with the replay", () => {
    it('fails log-root, checkpoint-format, lots-root, plots-root and checkpoint-record', async () => {
      const replay = await replayAll([registration('coop-7'), lotMint(fe('c0'))]);
      const good = honestCheckpoint(replay, 2);
      expect(await failureOf(() => replay.checkCheckpoint({ ...good, rootHash: new Uint8Array(32) }, null))).toMatchObject({ check: 'log-root', checkpointSize: 2 });
      expect(await failureOf(() => replay.checkCheckpoint({ ...good, canopyRoots: null }, null))).toMatchObject({ check: 'checkpoint-format', checkpointSize: 2 });
      expect(await failureOf(() => replay.checkCheckpoint({ ...good, canopyRoots: { lots: 5n, plots: good.canopyRoots!.plots } }, null))).toMatchObject({ check: 'lots-root', found: '5' });
      expect(await failureOf(() => replay.checkCheckpoint({ ...good, canopyRoots: { lots: good.canopyRoots!.lots, plots: 6n } }, null))).toMatchObject({ check: 'plots-root', found: '6' });
      expect(await failureOf(() => replay.checkCheckpoint(good, { lots: 2, plots: 0 }))).toMatchObject({ check: 'checkpoint-record', expected: 'lotsSize 1', found: 'lotsSize 2' });
      replay.checkCheckpoint(good, { lots: 1, plots: 0 }, 1_767_225_600_000);
      expect(replay.summary().publishedRoots).toEqual({ lots: 1, plots: 1 });
      expect(replay.lastSignedAt).toBe(1_767_225_600_000);
    });
  });
});

describe('LogReplay.snapshot', () => {
  describe('when restored', () => {
    it('continues as the original would', async () => {
      const entries = [registration('coop-7'), datasetEntry(DATASET), lotMint(fe('c0')), lotMint(fe('c1'))];
      const replay = await replayAll(entries, { checkpointsAt: [2] });
      const restored = LogReplay.restore(JSON.parse(JSON.stringify(replay.snapshot())));
      expect(restored.snapshot()).toEqual(replay.snapshot());
      const next = lotMint(fe('c2'));
      await replay.apply(served(4, keyed(next)), KEYS, verifyAll);
      await restored.apply(served(4, keyed(next)), KEYS, verifyAll);
      expect(restored.snapshot()).toEqual(replay.snapshot());
      // The nullifier set and registrations survive: the same rules fail after restoring.
      expect(await failureOf(() => restored.apply(served(5, keyed(datasetEntry(DATASET, 'x'))), KEYS, verifyAll))).toMatchObject({ check: 'dataset-exists', sequence: 5 });
    });
  });
});

function registrationKey(partyId: string): string {
  return (registration(partyId) as Extract<LogEntry, { type: 'party-registration' }>).body.publicKey;
}
