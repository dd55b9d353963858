// `canopy audit`'s library entry point (verifier/audit/audit-registry.ts) run against a
// mirror made only from exported tiles, served by a plain static file server, instead of
// the registry's API: it must replay the log and pass, as it does against the registry; a
// mirror with an altered entry bundle must not pass. The source is a TiledLog as it is
// (audit-source.ts `tiledAuditSource`): the API-only reads are optional in AuditSource.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { exportTiles } from '../../registry/tiles/export-tiles.ts';
import { auditRegistry } from '../../verifier/audit/audit-registry.ts';
import { type AuditSource, tiledAuditSource } from '../../verifier/audit/audit-source.ts';
import { TiledLog } from '../../registry/tiles/tiled-log-client.ts';
import { datasetEntry, fe, REGISTRY_KEY, registration, sqliteFixture } from '../registry/_fixtures.ts';
import { startTestRegistry, type TestRegistry } from '../registry-api/_registry.ts';
import { serveDirectory, type StaticServer } from './_tiles.ts';

let reg: TestRegistry;
let dir: string;
let mirror: StaticServer;

beforeAll(async () => {
  reg = await startTestRegistry(sqliteFixture());
  for (const size of [40, 256, 330]) {
    const have = (await reg.service.log.store.head()).size;
    await reg.service.log.append(Array.from({ length: size - have }, (_, k) => ((have + k) % 9 === 4 ? registration(`audited-${have + k}`) : datasetEntry(fe(`audited ${have + k}`), `audited ${have + k}`))));
    await reg.service.signCheckpoint();
  }
  dir = mkdtempSync(join(tmpdir(), 'canopy-audit-mirror-'));
  await exportTiles(reg.service.log.store, dir);
  mirror = await serveDirectory(dir);
}, 120_000);

afterAll(async () => {
  await mirror?.close();
  await reg?.close();
  rmSync(dir, { recursive: true, force: true });
});

const options = { registryKey: REGISTRY_KEY.verifierKey, pins: [], depths: { lots: 8, plots: 8 } };

describe('auditRegistry', () => {
  describe('when given a mirror made only from exported tiles', () => {
    it('passes, with the same report as against the registry', async () => {
      const fromMirror = await auditRegistry({ ...options, registry: tiledAuditSource(mirror.url, REGISTRY_KEY.verifierKey) });
      expect(fromMirror.failure).toBeNull();
      expect(fromMirror.ok).toBe(true);
      expect(fromMirror.replayed).toMatchObject({ from: 0, to: 330, entries: 330 });
      const fromRegistry = await auditRegistry({ ...options, registry: reg.client });
      expect(fromRegistry.ok).toBe(true);
      expect({ ...fromMirror.totals, seconds: 0 }).toEqual({ ...fromRegistry.totals, seconds: 0 });
      expect(fromMirror.replayed.checkpoints).toBe(fromRegistry.replayed.checkpoints);
      // Only the static server was read.
      expect(mirror.requests.length).toBeGreaterThan(0);
    });
  });

  describe('when the mirror serves no keys and a pin has none at hand', () => {
    it('refuses to start (INVALID_INPUT naming the pin) rather than fail on the first proof', async () => {
      const source: AuditSource = new TiledLog({ location: mirror.url, policy: { registryKey: REGISTRY_KEY.verifierKey } });
      const pins = [{ circuit: 'lot_mint' as const, vkeyHash: 'ab'.repeat(32), params: null, source: 'a pinned hash' }];
      await expect(auditRegistry({ ...options, pins, registry: source })).rejects.toThrow(/no \/v1\/artifacts: a tiles mirror.*lot_mint abab.*pinned by hash only/);
    });
  });

  describe('when an entry bundle on the mirror was altered', () => {
    it('does not pass', async () => {
      const bad = mkdtempSync(join(tmpdir(), 'canopy-audit-mirror-bad-'));
      try {
        cpSync(dir, bad, { recursive: true });
        const file = join(bad, 'tile/entries/000');
        const data = readFileSync(file);
        data[40]! ^= 0x01;
        writeFileSync(file, data);
        const outcome = await auditRegistry({ ...options, registry: tiledAuditSource(bad, REGISTRY_KEY.verifierKey) }).then(
          (r) => (r.ok ? 'passed' : 'failed'),
          (e: unknown) => (e instanceof CanopyError && e.code === 'PROOF_INVALID' && e.message.includes('tile/entries/000') ? 'refused' : String(e)),
        );
        expect(outcome).toBe('refused');
      } finally {
        rmSync(bad, { recursive: true, force: true });
      }
    });
  });
});
