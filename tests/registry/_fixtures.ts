/**
 * Test helpers for the registry: a fake proof verifier, entry builders, field values,
 * the stores available on this machine (SQLite always; PostgreSQL when
 * CANOPY_TEST_DATABASE_URL is set, each test in a fresh schema), and an independent
 * recomputation of everything the log should hold, from the entries alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import pg from 'pg';
import type { Groth16Proof } from '../../circuits/toolchain/prove.ts';
import { FIELD_ORDER } from '../../core/field.ts';
import { YIELD_CEILINGS } from '../../core/lots/public-parameters.ts';
import { IncrementalMerkleTree } from '../../core/merkle/incremental-merkle-tree.ts';
import { generateNoteKey } from '../../core/note/note-key.ts';
import { merkleTreeHash } from '../../core/tlog/tree-hash.ts';
import type { CircuitId } from '../../registry/log/circuit-signals.ts';
import { entryEffects } from '../../registry/log/entry-effects.ts';
import { decodeEntry, type LogEntry, type ProofBundle } from '../../registry/log/entry.ts';
import type { ProofVerifier } from '../../registry/log/proof-verifier.ts';
import { RegistryLog } from '../../registry/log/registry-log.ts';
import { openPostgresStore } from '../../registry/store/postgres.ts';
import { openSqliteStore } from '../../registry/store/sqlite.ts';
import type { RegistryStore } from '../../registry/store/store.ts';

export const DATABASE_URL = process.env.CANOPY_TEST_DATABASE_URL;

/** A verification key hash for fake proofs. */
export const VKEY = 'ab'.repeat(32);

/** The proof coordinate that makes FakeVerifier reject. */
export const BAD = '666';

/** A Groth16-shaped proof; FakeVerifier rejects it when `valid` is false. */
export function fakeProof(valid = true): Groth16Proof {
  return {
    pi_a: [valid ? '1' : BAD, '2', '1'],
    pi_b: [
      ['1', '2'],
      ['3', '4'],
      ['1', '0'],
    ],
    pi_c: ['5', '6', '1'],
    protocol: 'groth16',
    curve: 'bn128',
  };
}

/** Accepts every proof except those with pi_a[0] = BAD; records every call. */
export class FakeVerifier implements ProofVerifier {
  readonly calls: { circuitId: CircuitId; vkeyHash: string; publicSignals: readonly string[] }[] = [];
  /** When set, verify rejects with it (a verifier fault). */
  fault: Error | null = null;

  async verify(circuitId: CircuitId, vkeyHash: string, publicSignals: readonly string[], proof: Groth16Proof): Promise<boolean> {
    this.calls.push({ circuitId, vkeyHash, publicSignals: [...publicSignals] });
    await new Promise((r) => setImmediate(r));
    if (this.fault !== null) throw this.fault;
    return proof.pi_a[0] !== BAD;
  }
}

/** A deterministic non-zero field element for a label. */
export function fe(label: string): bigint {
  const h = sha256(new TextEncoder().encode(label));
  let v = 0n;
  for (const b of h) v = (v << 8n) | BigInt(b);
  return (v % (FIELD_ORDER - 1n)) + 1n;
}

const s = (v: bigint) => v.toString(10);

function bundle(circuit: CircuitId, publicSignals: ProofBundle['publicSignals'], valid = true, vkeyHash = VKEY): ProofBundle {
  return { circuit, vkeyHash, proof: fakeProof(valid), publicSignals };
}

/** A dataset entry. */
export function datasetEntry(root: bigint, name = 'hansen-gfc-test'): LogEntry {
  return { type: 'dataset', version: 1, body: { datasetRoot: s(root), manifestSha256: 'cd'.repeat(32), name } };
}

/** An Ed25519 public key as base64 (not a real curve point check: the log only stores it). */
export function publicKey(label: string): string {
  return Buffer.from(sha256(new TextEncoder().encode(`key:${label}`))).toString('base64');
}

/** A party registration. */
export function registration(partyId: string, key = publicKey(partyId), role: 'supplier' | 'publisher' | 'accreditor' | 'auditor' = 'supplier'): LogEntry {
  return { type: 'party-registration', version: 1, body: { partyId, role, publicKey: key } };
}

/** A party revocation. */
export function revocation(partyId: string, reason = 'left the scheme'): LogEntry {
  return { type: 'party-revocation', version: 1, body: { partyId, reason } };
}

/** A lot mint (lot_mint) of one commitment. */
export function lotMint(outCommitment: bigint, valid = true, vkeyHash = VKEY): LogEntry {
  return { type: 'lot-mint', version: 1, body: { proof: bundle('lot_mint', { outCommitment: s(outCommitment) }, valid, vkeyHash) } };
}

/** A capacity mint (capacity_mint). */
export function capacityMint(p: { root: bigint; capacityNullifier: bigint; lotCommitment: bigint; remainderCommitment: bigint }, valid = true): LogEntry {
  return {
    type: 'lot-mint',
    version: 1,
    body: {
      proof: bundle('capacity_mint', { root: s(p.root), capacityNullifier: s(p.capacityNullifier), lotCommitment: s(p.lotCommitment), remainderCommitment: s(p.remainderCommitment) }, valid),
    },
  };
}

/** A public conversion of a transition: commodities and factor (default green coffee, 1/1). */
export interface Conversion {
  inCommodity: bigint;
  outCommodity: bigint;
  factorNum: bigint;
  factorDen: bigint;
}

/** A transition (lot_transition); nullifiers give nIn. */
export function transition(p: { root: bigint; nullifiers: bigint[]; outCommitments: [bigint, bigint]; conversion?: Conversion; vkeyHash?: string }, valid = true): LogEntry {
  const c = p.conversion ?? { inCommodity: 90111n, outCommodity: 90111n, factorNum: 1n, factorDen: 1n };
  return {
    type: 'transition',
    version: 1,
    body: {
      proof: bundle(
        'lot_transition',
        {
          root: s(p.root),
          nullifiers: p.nullifiers.map(s),
          outCommitments: p.outCommitments.map(s),
          inCommodity: s(c.inCommodity),
          outCommodity: s(c.outCommodity),
          factorNum: s(c.factorNum),
          factorDen: s(c.factorDen),
        },
        valid,
        p.vkeyHash,
      ),
    },
  };
}

/** The clock of `openLog`'s logs: 14 Nov 2023 UTC, so harvest years 2022 and 2023 are open. */
export const LOG_NOW = 1_700_000_000_000;

/** A yield ceiling the registry accepts (the first of core/lots/public-parameters.ts YIELD_CEILINGS). */
export const CEILING = { commodity: YIELD_CEILINGS[0]!.commodity, gramsPerPixel: YIELD_CEILINGS[0]!.gramsPerPixel } as const;

/** A capacity issuance (capacity_issue), by default at CEILING for 2023 under the EUDR cut-off. */
export function capacityIssue(
  p: { plotsRoot: bigint; issueTag: bigint; capacityCommitment: bigint; harvestYear?: number; commodity?: bigint; yieldCeilingGramsPerPixel?: bigint; cutoffCode?: number; vkeyHash?: string },
  valid = true,
): LogEntry {
  return {
    type: 'capacity-issue',
    version: 1,
    body: {
      proof: bundle(
        'capacity_issue',
        {
          plotsRoot: s(p.plotsRoot),
          issueTag: s(p.issueTag),
          harvestYear: String(p.harvestYear ?? 2023),
          commodity: s(p.commodity ?? CEILING.commodity),
          yieldCeilingGramsPerPixel: s(p.yieldCeilingGramsPerPixel ?? CEILING.gramsPerPixel),
          cutoffCode: String(p.cutoffCode ?? 21),
          capacityCommitment: s(p.capacityCommitment),
        },
        valid,
        p.vkeyHash,
      ),
    },
  };
}

/** An artifacts entry pinning `vkeyHash` (default VKEY) for each of `circuits`. */
export function artifacts(circuits: readonly CircuitId[], vkeyHash = VKEY, profile = 'test'): LogEntry {
  return { type: 'artifacts', version: 1, body: { profile, circuits: Object.fromEntries(circuits.map((c) => [c, { vkeyHash, zkeyHash: 'ee'.repeat(32), r1csHash: 'ff'.repeat(32) }])) } };
}

/** A plot attestation with one window per element. */
export function plotAttestation(windows: { datasetRoot: bigint; attestationLeaf: bigint; cutoffCode?: number }[], valid = true): LogEntry {
  return {
    type: 'plot-attestation',
    version: 1,
    body: {
      windows: windows.map((w) => bundle('plot_window', { attestationLeaf: s(w.attestationLeaf), datasetRoot: s(w.datasetRoot), cutoffCode: String(w.cutoffCode ?? 21) }, valid)),
    },
  };
}

/** A store factory: a fresh empty store, a way to reopen the same one, and cleanup. */
export interface StoreFixture {
  readonly kind: 'sqlite' | 'postgres';
  /** Where a child process finds the same store: a SQLite path, or the URL and schema. */
  readonly location: { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string; schema: string };
  open(): Promise<RegistryStore>;
  cleanup(): Promise<void>;
}

let counter = 0;

/** A fresh SQLite store in a temporary directory. */
export function sqliteFixture(): StoreFixture {
  const dir = mkdtempSync(join(tmpdir(), 'canopy-registry-'));
  const path = join(dir, 'registry.db');
  return {
    kind: 'sqlite',
    location: { kind: 'sqlite', path },
    open: async () => openSqliteStore(path),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh PostgreSQL schema in the test database (DATABASE_URL must be set). */
export function postgresFixture(): StoreFixture {
  const url = DATABASE_URL!;
  const schema = `canopy_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  return {
    kind: 'postgres',
    location: { kind: 'postgres', url, schema },
    open: () => openPostgresStore({ connectionString: url, schema }),
    cleanup: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

/** The store kinds to run a suite on: SQLite, and PostgreSQL when the URL is set. */
export function storeKinds(): { kind: 'sqlite' | 'postgres'; fixture: () => StoreFixture }[] {
  const kinds: { kind: 'sqlite' | 'postgres'; fixture: () => StoreFixture }[] = [{ kind: 'sqlite', fixture: sqliteFixture }];
  if (DATABASE_URL !== undefined && DATABASE_URL !== '') kinds.push({ kind: 'postgres', fixture: postgresFixture });
  return kinds;
}

/** The registry's test key (fixed seed, so checkpoints are reproducible). */
export const REGISTRY_KEY = generateNoteKey('registry.test/canopy', new Uint8Array(32).fill(7));

/** Opens a RegistryLog with the fake verifier on `store`. */
export async function openLog(store: RegistryStore, verifier: ProofVerifier = new FakeVerifier(), depths = { lots: 8, plots: 8 }, sequencer: Parameters<typeof RegistryLog.open>[0]['sequencer'] = {}): Promise<RegistryLog> {
  return RegistryLog.open({ store, verifier, origin: 'registry.test/canopy', signerKey: REGISTRY_KEY.signerKey, depths, sequencer, now: () => LOG_NOW });
}

/** What the log must hold, recomputed from the stored entry bytes alone. */
export interface Replay {
  size: number;
  rootHash: Uint8Array;
  lots: IncrementalMerkleTree;
  plots: IncrementalMerkleTree;
  nullifiers: Map<bigint, number>;
  entries: LogEntry[];
}

/**
 * Replays every stored entry (an auditor's replay): decodes it, checks its leaf hash,
 * derives its effects, rebuilds both trees and the nullifier set, and the RFC 6962 root by
 * its definition; then checks the store's own rows against the replay.
 * @returns the replay, or throws describing the first disagreement
 */
export async function replayAndCheck(store: RegistryStore, depths = { lots: 8, plots: 8 }): Promise<Replay> {
  const head = await store.head();
  const stored = await store.readEntries(0, head.size);
  const lots = new IncrementalMerkleTree(depths.lots);
  const plots = new IncrementalMerkleTree(depths.plots);
  const nullifiers = new Map<bigint, number>();
  const entries: LogEntry[] = [];
  const lotsSeq: number[] = [];
  const plotsSeq: number[] = [];
  for (const e of stored) {
    const entry = decodeEntry(e.bytes);
    entries.push(entry);
    const fx = entryEffects(entry, 0);
    const lh = sha256(new Uint8Array([0, ...e.bytes]));
    if (Buffer.compare(Buffer.from(lh), Buffer.from(e.leafHash)) !== 0) throw new Error(`entry ${e.sequence}: stored leaf hash differs`);
    lots.appendMany(fx.lotsLeaves);
    plots.appendMany(fx.plotsLeaves);
    fx.lotsLeaves.forEach(() => lotsSeq.push(e.sequence));
    fx.plotsLeaves.forEach(() => plotsSeq.push(e.sequence));
    for (const n of fx.nullifiers) {
      if (nullifiers.has(n)) throw new Error(`entry ${e.sequence}: nullifier ${n} spent twice`);
      nullifiers.set(n, e.sequence);
    }
  }
  if (head.lotsSize !== lots.size || head.plotsSize !== plots.size) throw new Error(`head leaf counts ${head.lotsSize}/${head.plotsSize}, replay ${lots.size}/${plots.size}`);
  const storedLots = await store.readLeaves('lots', 0, head.lotsSize);
  storedLots.forEach((l, i) => {
    if (l.value !== lots.leaf(i) || l.sequence !== lotsSeq[i]) throw new Error(`lots leaf ${i} differs`);
  });
  const storedPlots = await store.readLeaves('plots', 0, head.plotsSize);
  storedPlots.forEach((l, i) => {
    if (l.value !== plots.leaf(i) || l.sequence !== plotsSeq[i]) throw new Error(`plots leaf ${i} differs`);
  });
  const found = await store.findNullifiers([...nullifiers.keys()]);
  for (const [n, seq] of nullifiers) if (found.get(n) !== seq) throw new Error(`nullifier ${n} not stored for entry ${seq}`);
  // Pinned keys: exactly those of the artifacts entries, each at its first pinning.
  const pins = new Map<string, number>();
  stored.forEach((e, i) => {
    for (const k of entryEffects(entries[i]!, 0).pinnedKeys) if (!pins.has(`${k.circuit} ${k.vkeyHash}`)) pins.set(`${k.circuit} ${k.vkeyHash}`, e.sequence);
  });
  const storedPins = await store.readPinnedKeys();
  const want = [...pins].map(([k, seq]) => `${k} ${seq}`).sort();
  const got = storedPins.map((k) => `${k.circuit} ${k.vkeyHash} ${k.sequence}`).sort();
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Error(`pinned keys ${JSON.stringify(got)}, replay ${JSON.stringify(want)}`);
  const rootHash = merkleTreeHash(stored.map((e) => e.bytes));
  return { size: head.size, rootHash, lots, plots, nullifiers, entries };
}

/** Expects `promise` to reject with an EntryRejectedError of `reason`; returns the error. */
export async function rejection(promise: Promise<unknown>): Promise<{ reason: string; index: number; code: string }> {
  try {
    await promise;
  } catch (e) {
    return e as { reason: string; index: number; code: string };
  }
  throw new Error('expected a rejection, the call succeeded');
}
