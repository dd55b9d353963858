// `LogReader` is the shape both RegistryClient (the live API) and TiledLog (tiles at any
// location) have. The type-level checks below fail `tsc --noEmit` (run over tests/) if
// either class drifts from it; the runtime check feeds one function written against
// LogReader with both and requires the same answers.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { RegistryClient } from '../../registry/client.ts';
import { checkConsistencyProof, checkInclusionProof } from '../../registry/log/log-proofs.ts';
import { encodeEntry } from '../../registry/log/entry.ts';
import { exportTiles } from '../../registry/tiles/export-tiles.ts';
import type { LogReader } from '../../registry/tiles/log-reader.ts';
import { TiledLog } from '../../registry/tiles/tiled-log-client.ts';
import { datasetEntry, fe, REGISTRY_KEY, sqliteFixture } from '../registry/_fixtures.ts';
import { startTestRegistry, type TestRegistry } from '../registry-api/_registry.ts';

// Structural: RegistryClient is not declared to implement LogReader.
expectTypeOf<RegistryClient>().toExtend<LogReader>();
expectTypeOf<TiledLog>().toExtend<LogReader>();
const _assignable: (c: RegistryClient, t: TiledLog) => LogReader[] = (c, t) => [c, t];

/** What an auditor or verifier does with any LogReader: verify, replay, prove. */
async function survey(log: LogReader, vkey: string) {
  const { checkpoint } = await log.verifiedCheckpoint(vkey);
  const entries = [];
  for await (const e of log.entryRange(0, checkpoint.size)) entries.push(e);
  const checks: boolean[] = [];
  for (const i of [0, 7, checkpoint.size - 1]) {
    const p = await log.inclusionProof(i, checkpoint.size);
    checks.push(checkInclusionProof(p, checkpoint.rootHash, encodeEntry(entries[i]!.entry)));
  }
  const older = (await log.checkpoints({ from: 1, limit: 1 }))[0]!;
  const c = await log.consistencyProof(older.size, checkpoint.size);
  checks.push(checkConsistencyProof(c, new Uint8Array(Buffer.from(older.rootHash, 'base64')), checkpoint.rootHash));
  return { size: checkpoint.size, entries, checks, page: await log.entries(3, 9), one: await log.entry(5) };
}

let reg: TestRegistry;
let dir: string;
beforeAll(async () => {
  reg = await startTestRegistry(sqliteFixture());
  await reg.service.log.append(Array.from({ length: 12 }, (_, i) => datasetEntry(fe(`reader ${i}`), `reader ${i}`)));
  await reg.service.signCheckpoint();
  await reg.service.log.append(Array.from({ length: 20 }, (_, i) => datasetEntry(fe(`reader ${12 + i}`), `reader ${12 + i}`)));
  await reg.service.signCheckpoint();
  dir = mkdtempSync(join(tmpdir(), 'canopy-reader-'));
  await exportTiles(reg.service.log.store, dir);
});
afterAll(async () => {
  await reg.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('LogReader', () => {
  describe('when the same survey runs on the API and on tiles', () => {
    it('gives the same answers, and every proof checks', async () => {
      const vkey = REGISTRY_KEY.verifierKey;
      const fromApi = await survey(reg.client, vkey);
      const fromTiles = await survey(new TiledLog({ location: dir }), vkey);
      expect(fromApi.checks).toEqual([true, true, true, true]);
      expect(fromTiles).toEqual(fromApi);
      expect(_assignable(reg.client, new TiledLog({ location: dir }))).toHaveLength(2);
    });
  });
});
