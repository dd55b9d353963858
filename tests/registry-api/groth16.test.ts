// Real Groth16 proofs through the registry: the lot_mint circuit (test profile, the
// cheapest circuit) is set up once in a temporary folder with the bundled ptau (NOT FOR
// PRODUCTION), a lot note is proven with its JS twin core/circuits/lot-mint.ts, and the
// proof goes through the proof verifier pool (worker threads, snarkjs) and through the
// HTTP API into the lots tree. The same proof with one public signal changed is refused.
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proveGroth16, type ProofWithSignals } from '../../circuits/toolchain/prove.ts';
import { runSetup } from '../../circuits/toolchain/setup.ts';
import { lotMintWitnessInput } from '../../core/circuits/lot-mint.ts';
import { CanopyError } from '../../core/errors.ts';
import { merkleProofFromJson, verifyMerkleProof } from '../../core/merkle/merkle-proof.ts';
import { noteCommitment, ownerKey, type LotNote } from '../../core/lots/note.ts';
import { ApiError } from '../../registry/api/api-error.ts';
import { acceptedKeys, loadArtifacts, type PublishedArtifacts } from '../../registry/api/artifacts.ts';
import type { LogEntry } from '../../registry/log/entry.ts';
import { ProofVerifierPool } from '../../registry/proof-verifier-pool.ts';
import { replayAndCheck, storeKinds } from '../registry/_fixtures.ts';
import { startTestRegistry, type TestParty, type TestRegistry } from './_registry.ts';

let dir: string;
let setupDir: string;
let artifacts: PublishedArtifacts;
let proven: ProofWithSignals;
let vkeyHash: string;
const note: LotNote = { ownerKey: ownerKey(123_456n), commodity: 90111n, quantityGrams: 60_000_000n, emissionsGramsCo2e: 180_000_000n, deforestationFree: false, salt: 987_654_321n };
const commitment = noteCommitment(note);

function mintEntry(outCommitment: string, hash = vkeyHash): LogEntry {
  return { type: 'lot-mint', version: 1, body: { proof: { circuit: 'lot_mint', vkeyHash: hash, proof: proven.proof, publicSignals: { outCommitment } } } };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'canopy-registry-groth16-'));
  setupDir = join(dir, 'setup');
  await runSetup({ profile: 'test', circuits: ['lot_mint'], outDir: setupDir });
  proven = await proveGroth16('lot_mint', 'test', lotMintWitnessInput(note), setupDir);
  artifacts = await loadArtifacts(setupDir);
  vkeyHash = artifacts.circuits[0]!.vkeyHash;
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('loadArtifacts', () => {
  describe('when the setup folder holds lot_mint', () => {
    it('publishes its key under the manifest hash of the key file, and the manifest SHA-256', () => {
      const manifestBytes = readFileSync(join(setupDir, 'manifest.json'));
      const manifest = JSON.parse(manifestBytes.toString('utf8'));
      expect(artifacts.manifestSha256).toBe(createHash('sha256').update(manifestBytes).digest('hex'));
      expect(artifacts.circuits.map((c) => [c.circuit, c.vkeyHash, c.constraints])).toEqual([['lot_mint', manifest.circuits.lot_mint.files.vkey.sha256, manifest.circuits.lot_mint.constraints.total]]);
      expect(artifacts.forProduction).toBe(false);
      expect(artifacts.circuits[0]!.vkey.nPublic).toBe(1);
    });
  });
  describe('when the key file was altered', () => {
    it('throws ARTIFACT_MISMATCH naming it', async () => {
      const alt = join(dir, 'altered');
      mkdirSync(join(alt, 'lot_mint'), { recursive: true });
      copyFileSync(join(setupDir, 'manifest.json'), join(alt, 'manifest.json'));
      copyFileSync(join(setupDir, 'lot_mint', 'lot_mint.vkey.json'), join(alt, 'lot_mint', 'lot_mint.vkey.json'));
      expect((await loadArtifacts(alt)).circuits[0]!.vkeyHash).toBe(vkeyHash);
      appendFileSync(join(alt, 'lot_mint', 'lot_mint.vkey.json'), ' ');
      const e = await loadArtifacts(alt).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(CanopyError);
      expect((e as CanopyError).code).toBe('ARTIFACT_MISMATCH');
      expect((e as CanopyError).message).toMatch(/lot_mint\/lot_mint\.vkey\.json/);
    });
  });
  describe('when there is no manifest', () => {
    it('throws NOT_FOUND', async () => {
      expect(((await loadArtifacts(join(dir, 'none')).catch((x: unknown) => x)) as CanopyError).code).toBe('NOT_FOUND');
    });
  });
});

describe('ProofVerifierPool', () => {
  let pool: ProofVerifierPool;
  beforeAll(async () => {
    pool = await ProofVerifierPool.start({ keys: acceptedKeys(artifacts), workers: 1 });
  });
  afterAll(async () => {
    await pool.close();
  });

  describe('verify', () => {
    it('accepts the real proof with its public signals', async () => {
      expect(proven.publicSignals).toEqual([commitment.toString()]);
      expect(await pool.verify('lot_mint', vkeyHash, proven.publicSignals, proven.proof)).toBe(true);
    });
    it('does not accept it if a public signal changed', async () => {
      expect(await pool.verify('lot_mint', vkeyHash, [(commitment + 1n).toString()], proven.proof)).toBe(false);
    });
    it('does not accept it under a key the pool does not hold, or another circuit', async () => {
      expect(await pool.verify('lot_mint', 'ab'.repeat(32), proven.publicSignals, proven.proof)).toBe(false);
      expect(await pool.verify('capacity_mint', vkeyHash, proven.publicSignals, proven.proof)).toBe(false);
    });
    it('does not accept a wrong signal count or a malformed coordinate', async () => {
      expect(await pool.verify('lot_mint', vkeyHash, [...proven.publicSignals, '1'], proven.proof)).toBe(false);
      expect(await pool.verify('lot_mint', vkeyHash, proven.publicSignals, { ...proven.proof, pi_a: ['x', '1', '1'] })).toBe(false);
    });
    it('verifies concurrent proofs, each with its own answer, off the calling thread', async () => {
      const t0 = performance.now();
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => pool.verify('lot_mint', vkeyHash, i % 2 === 0 ? proven.publicSignals : [String(i)], proven.proof)));
      console.log(`ProofVerifierPool: 6 lot_mint verifications on 1 worker in ${(performance.now() - t0).toFixed(0)} ms`);
      expect(answers).toEqual([true, false, true, false, true, false]);
      expect(pool.stats()).toMatchObject({ workers: 1, queued: 0, busy: 0 });
    });
  });

  describe('when a verification exceeds its time limit', () => {
    it('rejects that call and replaces the worker', async () => {
      const slow = await ProofVerifierPool.start({ keys: acceptedKeys(artifacts), workers: 1, timeoutMs: 1 });
      try {
        await expect(slow.verify('lot_mint', vkeyHash, proven.publicSignals, proven.proof)).rejects.toThrow(/longer than 1 ms/);
        await expect.poll(() => slow.stats().replaced, { timeout: 30_000 }).toBe(1);
      } finally {
        await slow.close();
      }
    });
  });

  describe('when the queue is full', () => {
    it('rejects with VerifierOverloadedError', async () => {
      const tiny = await ProofVerifierPool.start({ keys: acceptedKeys(artifacts), workers: 1, maxQueue: 1 });
      try {
        const calls = [0, 1, 2].map(() => tiny.verify('lot_mint', vkeyHash, proven.publicSignals, proven.proof));
        const settled = await Promise.allSettled(calls);
        expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
        expect(((settled[2] as PromiseRejectedResult).reason as Error).name).toBe('VerifierOverloadedError');
      } finally {
        await tiny.close();
      }
    });
  });
});

for (const { kind, fixture } of storeKinds()) {
  describe(`POST /v1/entries with a real lot_mint proof (${kind})`, () => {
    let reg: TestRegistry;
    let supplier: TestParty;
    beforeAll(async () => {
      reg = await startTestRegistry(fixture(), { artifacts, verifier: undefined, verifierWorkers: 1 });
      supplier = await reg.register('coop-1', 'supplier');
    });
    afterAll(async () => {
      await reg.close();
    });

    describe('when the proof verifies', () => {
      it('appends the entry and its commitment to the lots tree, provable under the next checkpoint', async () => {
        const [receipt] = await reg.client.submit([mintEntry(commitment.toString())], supplier);
        expect(receipt!.lotsLeafIndexes).toEqual([0]);
        const cp = await reg.service.signCheckpoint();
        const proof = merkleProofFromJson(await reg.client.treeProof('lots', 0, cp.size));
        expect([proof.leaf, proof.root, verifyMerkleProof(proof)]).toEqual([commitment, BigInt(cp.lotsRoot), true]);
        expect((await reg.client.health()).verifier?.verified).toBeGreaterThanOrEqual(1);
        await replayAndCheck(reg.service.log.store, { lots: 8, plots: 8 });
      });
    });

    describe('when a public signal was changed', () => {
      it('answers 422 PROOF_INVALID and leaves the log unchanged', async () => {
        const before = await reg.service.log.store.head();
        const e = (await reg.client.submit([mintEntry((commitment + 1n).toString())], supplier).catch((x: unknown) => x)) as ApiError;
        expect([e.status, e.code, e.index]).toEqual([422, 'PROOF_INVALID', 0]);
        const after = await reg.service.log.store.head();
        expect([after.size, after.lotsSize]).toEqual([before.size, before.lotsSize]);
      });
    });

    describe('when the bundle names a key the registry did not publish', () => {
      it('answers 422 PROOF_INVALID', async () => {
        const e = (await reg.client.submit([mintEntry(commitment.toString(), 'ab'.repeat(32))], supplier).catch((x: unknown) => x)) as ApiError;
        expect([e.status, e.code]).toEqual([422, 'PROOF_INVALID']);
      });
    });
  });
}
