// Where an audit takes the trees' depths from: the pinned circuits, else the registry's
// GET /v1/roots, else (for the plots tree) the lots depth; a depth the registry states
// against the pinned circuits fails `tree-depths`, and explicit depths win over both. The
// registry is an in-process one with plain entries (no proofs to verify) and trees of
// depth 8; the pinned test-profile lot circuits have depth 4.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportTiles } from '../../registry/tiles/export-tiles.ts';
import { auditRegistry } from '../../verifier/audit/audit-registry.ts';
import { tiledAuditSource } from '../../verifier/audit/audit-source.ts';
import { pinsFromSetup } from '../../verifier/audit/pinned-keys.ts';
import { datasetEntry, fe, REGISTRY_KEY, registration, sqliteFixture } from '../registry/_fixtures.ts';
import { startTestRegistry, type TestRegistry } from '../registry-api/_registry.ts';
import { AUDIT_KEYS, ensureKeys } from './_world.ts';

let reg: TestRegistry;
let dir: string;
const registryKey = REGISTRY_KEY.verifierKey;

beforeAll(async () => {
  await ensureKeys();
  reg = await startTestRegistry(sqliteFixture());
  await reg.service.log.append([datasetEntry(fe('depths 1')), registration('depths-party'), datasetEntry(fe('depths 2'))]);
  await reg.service.signCheckpoint();
  dir = mkdtempSync(join(tmpdir(), 'canopy-audit-depths-'));
  await exportTiles(reg.service.log.store, dir);
}, 600_000);

afterAll(async () => {
  await reg?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('auditRegistry', () => {
  describe('when no pin states a depth', () => {
    it('takes both depths from GET /v1/roots and passes', async () => {
      const r = await auditRegistry({ registry: reg.client, registryKey, pins: [] });
      expect(r.failure).toBeNull();
      expect(r.state!.replay.depths).toEqual({ lots: 8, plots: 8 });
    });

    it('throws INVALID_INPUT when the source states none either (a tiles mirror), unless depths are given', async () => {
      await expect(auditRegistry({ registry: tiledAuditSource(dir, registryKey), registryKey, pins: [] })).rejects.toThrow(/neither the pinned keys nor the source state the lots tree depth/);
      expect((await auditRegistry({ registry: tiledAuditSource(dir, registryKey), registryKey, pins: [], depths: { lots: 8, plots: 8 } })).ok).toBe(true);
    });
  });

  describe('when the registry states a depth the pinned circuits contradict', () => {
    it('fails tree-depths before replaying anything', async () => {
      const r = await auditRegistry({ registry: reg.client, registryKey, pins: pinsFromSetup(AUDIT_KEYS) });
      expect(r.ok).toBe(false);
      expect(r.failure).toMatchObject({ check: 'tree-depths', expected: "a lots tree of depth 4 (the pinned circuits')", found: 'depth 8 (GET /v1/roots)' });
      expect(r.replayed.entries).toBe(0);
    });

    it('takes explicit depths without asking', async () => {
      const r = await auditRegistry({ registry: reg.client, registryKey, pins: pinsFromSetup(AUDIT_KEYS), depths: { lots: 8, plots: 8 } });
      expect(r.failure).toBeNull();
    });
  });
});
