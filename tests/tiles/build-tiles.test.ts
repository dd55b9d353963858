// The tile builder against the definition of C2SP tlog-tiles ("Merkle Tree", "Log
// entries"): the n-th tile at level l holds MTH(D[(n·256 + i)·256^l : (n·256 + i + 1)·256^l])
// for i in [0, W), computed here from the entries with core/tlog `merkleTreeHash` (the
// RFC 6962 definition), independently of the stored hashes the builder reads; entry
// bundles are the entries with big-endian uint16 lengths. Sizes around the 256 and 65 536
// boundaries, where tiles become full and new levels appear.
import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { HASH_SIZE } from '../../core/tlog/hash.ts';
import { newTiles } from '../../core/tlog/tile.ts';
import { tilePath } from '../../core/tlog/tile-path.ts';
import { merkleTreeHash } from '../../core/tlog/tree-hash.ts';
import { buildTile, buildTiles, partialTilesForSizes, tilesToPublish } from '../../registry/tiles/build-tiles.ts';
import { decodeEntryBundle } from '../../registry/tiles/entry-bundle.ts';
import { MemoryTileLog, syntheticEntry } from './_tiles.ts';

async function memoryLog(size: number): Promise<MemoryTileLog> {
  const log = new MemoryTileLog();
  await log.append(Array.from({ length: size }, (_, i) => syntheticEntry(i)));
  return log;
}

/** MTH of entries [lo, hi), by the definition. */
function mth(log: MemoryTileLog, lo: number, hi: number): Uint8Array {
  return merkleTreeHash(log.entries.slice(lo, hi));
}

describe('buildTiles', () => {
  for (const size of [1, 255, 256, 257, 511, 512, 513, 65_536 + 3]) {
    describe(`when the log has ${size} entries`, () => {
      it('writes every tile of the C2SP layout with the hashes the definition gives', async () => {
        const log = await memoryLog(size);
        const built = [];
        for await (const t of buildTiles(0, size, log)) built.push(t);
        // The set of resources: newTiles(0, size) and, beside each level-0 tile, its bundle.
        const want = newTiles(0, size).flatMap((t) => (t.level === 0 ? [t, { ...t, level: -1 }] : [t]));
        expect(built.map((b) => b.path)).toEqual(want.map(tilePath));
        // Compared byte for byte, mismatches collected: one expect per resource would dominate the run.
        const bad: string[] = [];
        for (const b of built) {
          const { level, index, width } = b.tile;
          if (b.full !== (width === 256)) bad.push(`${b.path} full flag`);
          if (level === -1) {
            const entries = decodeEntryBundle(b.data, width, b.path);
            entries.forEach((e, i) => {
              if (!Buffer.from(e).equals(Buffer.from(log.entries[index * 256 + i]!))) bad.push(`${b.path} entry ${i}`);
            });
            continue;
          }
          if (b.data.length !== width * HASH_SIZE) bad.push(`${b.path} length ${b.data.length}`);
          const span = 256 ** level;
          for (let i = 0; i < width; i++) {
            const lo = (index * 256 + i) * span;
            const got = Buffer.from(b.data.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
            if (!got.equals(Buffer.from(mth(log, lo, lo + span)))) bad.push(`${b.path} hash ${i}`);
          }
        }
        expect(bad).toEqual([]);
      }, 120_000);
    });
  }

  describe('when the log grows one checkpoint at a time', () => {
    it('publishes each full tile exactly once, and the partial tiles of the last size', async () => {
      const log = await memoryLog(700);
      const sizes = [0, 3, 255, 256, 300, 511, 512, 513, 700];
      const fullPaths: string[] = [];
      for (let k = 1; k < sizes.length; k++) {
        for (const t of tilesToPublish(sizes[k - 1]!, sizes[k]!)) if (t.width === 256) fullPaths.push(tilePath(t));
      }
      const allFull = tilesToPublish(0, 700).filter((t) => t.width === 256).map(tilePath);
      expect(fullPaths.sort()).toEqual(allFull.sort());
      expect(new Set(fullPaths).size).toBe(fullPaths.length);
      expect(tilesToPublish(512, 513).map(tilePath)).toEqual(['tile/0/002.p/1', 'tile/entries/002.p/1']);
      expect(tilesToPublish(255, 256).map(tilePath)).toEqual(['tile/0/000', 'tile/entries/000', 'tile/1/000.p/1']);
    });
  });

  describe('when several checkpoints are published at once', () => {
    it('partialTilesForSizes adds the partial tiles of the earlier sizes that are still partial', () => {
      expect(partialTilesForSizes([5, 256, 300], 600).map(tilePath)).toEqual(['tile/1/000.p/1']);
      expect(partialTilesForSizes([5, 7, 7, 9], 10).map(tilePath)).toEqual(['tile/0/000.p/5', 'tile/entries/000.p/5', 'tile/0/000.p/7', 'tile/entries/000.p/7', 'tile/0/000.p/9', 'tile/entries/000.p/9']);
      expect(partialTilesForSizes([10], 10)).toEqual([]);
      // 66 051 entries: level 1 holds 258 hashes (tile 1 of width 2), level 2 one.
      expect(partialTilesForSizes([65_536 + 512 + 3], 65_536 * 2 - 1).map(tilePath)).toEqual(['tile/1/001.p/2']);
      expect(partialTilesForSizes([65_536 + 512 + 3], 65_536 * 2 + 1).map(tilePath)).toEqual(['tile/2/000.p/1']);
      expect(() => partialTilesForSizes([11], 10)).toThrow(RangeError);
    });
  });

  describe('when the store has an entry that does not hash to its stored leaf', () => {
    it('throws LOG_INCONSISTENT naming the entry, before yielding its tile', async () => {
      const log = await memoryLog(10);
      log.entries[7] = new TextEncoder().encode('not what was hashed');
      const paths: string[] = [];
      const run = async () => {
        for await (const t of buildTiles(0, 10, log)) paths.push(t.path);
      };
      await expect(run()).rejects.toSatisfy((e: unknown) => e instanceof CanopyError && e.code === 'LOG_INCONSISTENT' && e.message.includes('entry 7'));
      expect(paths).toEqual(['tile/0/000.p/10']);
    });
  });

  describe('when the source breaks its contract', () => {
    it('throws READER_CONTRACT for a wrong number of entries', async () => {
      const log = await memoryLog(5);
      const short = { readHashes: (x: number[]) => log.readHashes(x), readEntries: (s: number, e: number) => log.readEntries(s, e - 1) };
      await expect(buildTile({ height: 8, level: -1, index: 0, width: 5 }, short)).rejects.toSatisfy((e: unknown) => e instanceof CanopyError && e.code === 'READER_CONTRACT');
    });
  });

  describe('when given bad sizes or sources', () => {
    it('rejects them as input errors', async () => {
      const log = await memoryLog(2);
      expect(() => tilesToPublish(3, 2)).toThrow(RangeError);
      expect(() => tilesToPublish(-1, 2)).toThrow(RangeError);
      expect(() => tilesToPublish(0, 2 ** 51 + 1)).toThrow(RangeError);
      expect(() => tilesToPublish(0, 1.5)).toThrow(TypeError);
      await expect(buildTile({ height: 8, level: 0, index: 0, width: 2 }, { readHashes: log.readHashes.bind(log) } as never)).rejects.toThrow(TypeError);
      await expect(buildTile({ height: 8, level: 0, index: 0, width: 257 }, log)).rejects.toThrow(RangeError);
    });
  });
});
