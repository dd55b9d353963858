// `canopy audit`'s library entry point (verifier/audit/audit-registry.ts) run against a
// mirror made only from exported tiles, served by a plain static file server, instead of
// the registry's API: it must replay the log and pass, as it does against the registry; a
// mirror with an altered entry bundle must not pass.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { exportTiles } from '../../registry/tiles/export-tiles.ts';
import { TiledLog } from '../../registry/tiles/tiled-log-client.ts';
import { auditRegistry } from '../../verifier/audit/audit-registry.ts';
import type { AuditSource } from '../../verifier/audit/audit-source.ts';
import { datasetEntry, fe, REGISTRY_KEY, registration, sqliteFixture } from '../registry/_fixtures.ts';
import { startTestRegistry, type TestRegistry } from '../registry-api/_registry.ts';
import { serveDirectory, type StaticServer } from './_tiles.ts';

/**
 * An AuditSource over a TiledLog: the reads a log replay needs come from the tiles. The
 * audit's source type also lists API-only routes (Poseidon proofs, artifacts, leaf look-ups)
 * that static tiles do not serve; an audit with pinned keys and depths does not call them,
 * and if it did, the rejection below would fail the test.
 */
function tiledAuditSource(log: TiledLog): AuditSource {
  const served: Record<string, unknown> = {
    checkpointNote: () => log.checkpointNote(),
    checkpoints: (o?: { from?: number; limit?: number }) => log.checkpoints(o),
    entries: (start: number, end?: number) => log.entries(start, end),
    entry: (seq: number) => log.entry(seq),
    consistencyProof: (oldSize: number, size: number) => log.consistencyProof(oldSize, size),
    inclusionProof: (index: number, size: number) => log.inclusionProof(index, size),
  };
  return new Proxy(served, {
    // Not a thenable, and no symbol properties: only named methods are made up.
    get: (target, name) => (typeof name !== 'string' || name === 'then' ? undefined : (target[name] ?? (() => Promise.reject(new CanopyError('NOT_FOUND', `a tiles mirror does not serve ${name}`))))),
  }) as unknown as AuditSource;
}

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
      const log = new TiledLog({ location: mirror.url, policy: { registryKey: REGISTRY_KEY.verifierKey } });
      const fromMirror = await auditRegistry({ ...options, registry: tiledAuditSource(log) });
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

  describe('when an entry bundle on the mirror was altered', () => {
    it('does not pass', async () => {
      const bad = mkdtempSync(join(tmpdir(), 'canopy-audit-mirror-bad-'));
      try {
        cpSync(dir, bad, { recursive: true });
        const file = join(bad, 'tile/entries/000');
        const data = readFileSync(file);
        data[40]! ^= 0x01;
        writeFileSync(file, data);
        const log = new TiledLog({ location: bad, policy: { registryKey: REGISTRY_KEY.verifierKey } });
        const outcome = await auditRegistry({ ...options, registry: tiledAuditSource(log) }).then(
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
