import { describe, expect, it } from 'vitest';
import type { Hash } from '../../core/tlog/hash.ts';
import { checkRecord, proveRecord } from '../../core/tlog/record-proof.ts';
import { storedHashIndex } from '../../core/tlog/stored-hash.ts';
import {
  assertTile,
  hashFromTile,
  newTiles,
  readTileData,
  type Tile,
  TILE_HEIGHT,
  TILE_WIDTH,
  tileForIndex,
  tileHashes,
} from '../../core/tlog/tile.ts';
import { type TileReader, tileHashReader } from '../../core/tlog/tile-hash-reader.ts';
import { treeHash } from '../../core/tlog/tree-hash.ts';
import { checkTree, proveTree } from '../../core/tlog/tree-proof.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';
import { expectInputError, HOSTILE_INPUTS, isSafeUint } from '../hostile-inputs.ts';
import { expectRejects } from './_hostile.ts';
import { flipBit, hex, MemoryLog } from './_log.ts';

const key = (t: Tile) => `${t.height}/${t.level}/${t.index}/${t.width}`;

/** Every tile of the tree of `size`, with its data, as a server would hold them. */
async function serveTiles(log: MemoryLog, size: number, height: number): Promise<Map<string, Uint8Array>> {
  const m = new Map<string, Uint8Array>();
  for (const t of newTiles(0, size, height)) m.set(key(t), await readTileData(t, log.reader));
  return m;
}

/** A TileReader over a map, recording what it was asked for and what it was told to save. */
function mapReader(tiles: Map<string, Uint8Array>) {
  const fetched: Tile[][] = [];
  const saved: Tile[][] = [];
  const reader: TileReader = {
    readTiles: (ts) => {
      fetched.push(ts);
      return ts.map((t) => {
        const d = tiles.get(key(t));
        if (d === undefined) throw new Error(`tile ${key(t)} not served`);
        return d;
      });
    },
    saveTiles: (ts) => void saved.push(ts),
  };
  return { reader, fetched, saved };
}

describe('TILE_HEIGHT', () => {
  it('is the C2SP tlog-tiles height 8, 256 hashes per full tile', () => {
    expect(TILE_HEIGHT).toBe(8);
    expect(TILE_WIDTH).toBe(256);
  });
});

describe('newTiles', () => {
  describe('when given the C2SP tlog-tiles example tree of size 70,000', () => {
    it('lists 273 full and 1 partial (112) level-0 tiles, 1 full and 1 partial (17) level-1 tile, 1 partial (1) level-2 tile', () => {
      const tiles = newTiles(0, 70_000);
      const at = (level: number) => tiles.filter((t) => t.level === level);
      expect(at(0).filter((t) => t.width === 256).length).toBe(273);
      expect(at(0).filter((t) => t.width !== 256)).toEqual([{ height: 8, level: 0, index: 273, width: 112 }]);
      expect(at(1)).toEqual([
        { height: 8, level: 1, index: 0, width: 256 },
        { height: 8, level: 1, index: 1, width: 17 },
      ]);
      expect(at(2)).toEqual([{ height: 8, level: 2, index: 0, width: 1 }]);
      expect(tiles.length).toBe(277);
    });
  });

  describe('when given the C2SP example tree of size 256', () => {
    it('lists a full level-0 tile and a partial level-1 tile of width 1', () => {
      expect(newTiles(0, 256)).toEqual([
        { height: 8, level: 0, index: 0, width: 256 },
        { height: 8, level: 1, index: 0, width: 1 },
      ]);
    });
  });

  describe('when the tree grows', () => {
    it('lists exactly the tiles of the new tree that the old tree did not have', () => {
      for (const [h, sizes] of [[2, [0, 1, 3, 4, 5, 15, 16, 17, 63, 64, 65, 100]], [8, [0, 1, 255, 256, 257, 600, 65_536, 70_000]]] as const) {
        for (const a of sizes) {
          for (const b of sizes) {
            if (a > b) continue;
            const before = new Set(newTiles(0, a, h).map(key));
            const after = newTiles(0, b, h).map(key);
            expect(newTiles(a, b, h).map(key), `newTiles(${a}, ${b}, ${h})`).toEqual(after.filter((k) => !before.has(k)));
          }
        }
      }
    });

    it('lists nothing when the size does not change', () => {
      expect(newTiles(70_000, 70_000)).toEqual([]);
    });
  });

  describe('when given hostile input', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !isSafeUint(h.value)).map((h) => [h.name, h.value] as const))('rejects %s in each position', (_n, v) => {
      expectInputError(() => newTiles(0, v as number), 'newSize');
      expectInputError(() => newTiles(v as number, 5), 'oldSize');
      // undefined selects the default height.
      if (v !== undefined) expectInputError(() => newTiles(0, 5, v as number), 'height');
    });
    it('rejects oldSize > newSize and sizes above 2^51', () => {
      expectInputError(() => newTiles(6, 5), 'oldSize', 'range');
      expectInputError(() => newTiles(0, TLOG_MAX_SIZE + 1), 'newSize', 'range');
    });
  });
});

describe('readTileData, tileForIndex and hashFromTile', () => {
  describe('when a log grows one record at a time to 100 (height 2, as Go TestTree)', () => {
    it('extends each partial tile by one hash and serves every stored hash from its tile', async () => {
      const H = 2;
      const log = new MemoryLog();
      const tiles = new Map<string, Uint8Array>();
      const wrong: string[] = [];
      for (let i = 0; i < 100; i++) {
        const before = log.hashes.length;
        await log.append(new TextEncoder().encode(`leaf ${i}`));
        for (const t of newTiles(i, i + 1, H)) {
          const data = await readTileData(t, log.reader);
          const old = tiles.get(key({ ...t, width: t.width - 1 }));
          const oldLen = t.width === 1 ? 0 : (old?.length ?? -1);
          if (oldLen !== data.length - 32 || hex(old ?? new Uint8Array(0)) !== hex(data.subarray(0, oldLen))) wrong.push(`tile ${key(t)} does not extend its predecessor`);
          tiles.set(key(t), data);
        }
        for (const t of newTiles(0, i + 1, H)) {
          if (hex(tiles.get(key(t)) ?? new Uint8Array(1)) !== hex(await readTileData(t, log.reader))) wrong.push(`tile ${key(t)} changed`);
        }
        for (let x = before; x < log.hashes.length; x++) {
          const t = tileForIndex(x, H);
          const data = tiles.get(key(t));
          if (data === undefined) wrong.push(`tileForIndex(${x}) = ${key(t)} not published at size ${i + 1}`);
          else if (hex(hashFromTile(t, data, x)) !== hex(log.hashes[x]!)) wrong.push(`hashFromTile(${key(t)}, ${x})`);
        }
      }
      expect(wrong).toEqual([]);
    });
  });

  describe('when reading a hash from a wider tile than needed', () => {
    it('works, and rejects a tile that does not hold the index', async () => {
      const log = await MemoryLog.of(300);
      const full: Tile = { height: 8, level: 0, index: 1, width: 44 };
      const data = await readTileData(full, log.reader);
      const x = storedHashIndex(0, 256 + 10);
      expect(tileForIndex(x)).toEqual({ height: 8, level: 0, index: 1, width: 11 });
      expect(hex(hashFromTile(full, data, x))).toBe(hex(log.leafHashes[266]!));
      // A level-4 node inside tile 1 is hashed up from its 16 leaves.
      const node = storedHashIndex(4, 16);
      expect(tileForIndex(node)).toEqual({ height: 8, level: 0, index: 1, width: 16 });
      expect(hex(hashFromTile(full, data, node))).toBe(hex(log.hashes[node]!));
      expectInputError(() => hashFromTile(full, data, storedHashIndex(0, 256 + 44)), 'storedIndex', 'range');
      expectInputError(() => hashFromTile(full, data, storedHashIndex(0, 3)), 'storedIndex', 'range');
      expectInputError(() => hashFromTile(full, data.subarray(32), x), 'data', 'range');
    });
  });

  describe('tileHashes', () => {
    it('splits tile data into its hashes and rejects data of the wrong length', async () => {
      const log = await MemoryLog.of(5);
      const t: Tile = { height: 8, level: 0, index: 0, width: 5 };
      const data = await readTileData(t, log.reader);
      expect(tileHashes(t, data).map(hex)).toEqual(log.leafHashes.map(hex));
      expectInputError(() => tileHashes(t, data.subarray(1)), 'data', 'range');
      expectInputError(() => tileHashes({ ...t, width: 0 }, data), 'tile.width', 'range');
    });
  });

  describe('when given hostile input', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !isSafeUint(h.value)).map((h) => [h.name, h.value] as const))('tileForIndex rejects %s', (_n, v) => {
      expectInputError(() => tileForIndex(v as number), 'storedIndex');
      if (v !== undefined) expectInputError(() => tileForIndex(0, v as number), 'height');
    });
    it.each(HOSTILE_INPUTS.map((h) => [h.name, h.value] as const))('readTileData rejects tile = %s', async (_n, v) => {
      const isRecord = typeof v === 'object' && v !== null && !Array.isArray(v);
      await expectRejects(() => readTileData(v as Tile, { readHashes: () => [] }), isRecord ? 'tile.height' : 'tile');
    });
    it('rejects entry bundles and tiles beyond 2^51 records where hashes are meant', async () => {
      const reader = { readHashes: () => [] };
      await expectRejects(() => readTileData({ height: 8, level: -1, index: 0, width: 1 }, reader), 'tile.level');
      await expectRejects(() => readTileData({ height: 8, level: 6, index: 1, width: 1 }, reader), 'tile.index');
      expectInputError(() => assertTile({ height: 8, level: 0, index: 2 ** 43, width: 1 }, 't'), 't.index', 'range');
      expect(() => assertTile({ height: 8, level: 0, index: 2 ** 43 - 1, width: 256 }, 't')).not.toThrow();
      expectInputError(() => assertTile({ height: 31, level: 0, index: 0, width: 1 }, 't'), 't.height', 'range');
      expectInputError(() => assertTile({ height: 2, level: 0, index: 0, width: 5 }, 't'), 't.width', 'range');
    });
  });
});

describe('tileHashReader', () => {
  describe('when serving every tree of size 1..100 from honest tiles (height 2)', () => {
    it('reads every leaf hash, proves every record and every older tree, and saves what it checked', async () => {
      const log = await MemoryLog.of(100);
      const wrong: string[] = [];
      for (let s = 1; s <= 100; s++) {
        const { reader, fetched, saved } = mapReader(await serveTiles(log, s, 2));
        const thr = tileHashReader({ size: s, hash: log.roots[s]! }, reader, 2);
        for (let j = 0; j < s; j++) {
          const [h] = await thr.readHashes([storedHashIndex(0, j)]);
          if (hex(h!) !== hex(log.leafHashes[j]!)) wrong.push(`size ${s}: leaf ${j}`);
          const p = await proveRecord(s, j, thr);
          if (!checkRecord(p, s, log.roots[s]!, j, log.leafHashes[j]!)) wrong.push(`size ${s}: record proof ${j}`);
          if (hex(await treeHash(j + 1, thr)) !== hex(log.roots[j + 1]!)) wrong.push(`size ${s}: treeHash(${j + 1})`);
          const tp = await proveTree(s, j + 1, thr);
          if (!checkTree(tp, s, log.roots[s]!, j + 1, log.roots[j + 1]!)) wrong.push(`size ${s}: tree proof ${j + 1}`);
        }
        if (fetched.length !== saved.length) wrong.push(`size ${s}: fetched ${fetched.length} batches, saved ${saved.length}`);
      }
      expect(wrong).toEqual([]);
    });
  });

  describe('when serving C2SP-height tiles', () => {
    it.each([1, 255, 256, 257, 259, 600, 66_000])('proves records of the tree of size %i', async (size) => {
      const log = await MemoryLog.of(size, undefined, false);
      const { reader } = mapReader(await serveTiles(log, size, 8));
      const thr = tileHashReader({ size, hash: log.roots[size]! }, reader);
      for (const j of new Set([0, 5, 255, 256, Math.floor(size / 2), size - 1].filter((j) => j < size))) {
        const p = await proveRecord(size, j, thr);
        expect(checkRecord(p, size, log.roots[size]!, j, log.leafHashes[j]!)).toBe(true);
      }
    });
  });

  describe('when a tile has been tampered with (height 2, size 37)', () => {
    it('throws PROOF_INVALID for every read that fetches it, and answers correctly otherwise', async () => {
      const size = 37;
      const log = await MemoryLog.of(size);
      const honest = await serveTiles(log, size, 2);
      const wrong: string[] = [];
      for (const [k, data] of honest) {
        for (const byte of [0, data.length - 1]) {
          const bad = new Map(honest);
          bad.set(k, flipBit(data, byte, 2));
          const { reader, fetched, saved } = mapReader(bad);
          const thr = tileHashReader({ size, hash: log.roots[size]! }, reader, 2);
          let caught = 0;
          for (let j = 0; j < size; j++) {
            fetched.length = 0;
            let result: Hash | Error;
            try {
              result = (await thr.readHashes([storedHashIndex(0, j)]))[0]!;
            } catch (e) {
              result = e as Error;
            }
            const touched = fetched.flat().some((t) => key(t) === k);
            if (touched) {
              if (!(result instanceof Error && (result as { code?: string }).code === 'PROOF_INVALID')) wrong.push(`tile ${k} byte ${byte}: leaf ${j} read through it`);
              else caught++;
            } else if (result instanceof Error || hex(result) !== hex(log.leafHashes[j]!)) {
              wrong.push(`tile ${k}: leaf ${j} wrong without touching it`);
            }
          }
          if (caught === 0) wrong.push(`tile ${k} was never fetched`);
          if (saved.flat().some((t) => key(t) === k)) wrong.push(`tampered tile ${k} was saved`);
        }
      }
      expect(wrong).toEqual([]);
    });
  });

  describe('when the tampered tile is a child of a tree-head tile that shares a tile with another subtree', () => {
    it('still catches it (size 259, height 8: leaf 5 sits in a full tile below the head tiles)', async () => {
      const log = await MemoryLog.of(259);
      const tiles = await serveTiles(log, 259, 8);
      const k = key({ height: 8, level: 0, index: 0, width: 256 });
      tiles.set(k, flipBit(tiles.get(k)!, 5 * 32, 0));
      const { reader, fetched } = mapReader(tiles);
      const thr = tileHashReader({ size: 259, hash: log.roots[259]! }, reader);
      await expect(thr.readHashes([storedHashIndex(0, 5)])).rejects.toMatchObject({ code: 'PROOF_INVALID' });
      // The head of a 259 tree needs 3 subtree hashes from only 2 tiles; the tampered one is third.
      expect(fetched[0]!.map(key)).toEqual(['8/1/0/1', '8/0/1/3', k]);
    });
  });

  describe('when the tile reader breaks its contract', () => {
    it('throws READER_CONTRACT for a wrong count or data of the wrong length', async () => {
      const log = await MemoryLog.of(20);
      const tiles = await serveTiles(log, 20, 2);
      const honest = mapReader(tiles).reader;
      const variants: TileReader[] = [
        { readTiles: (ts) => (honest.readTiles(ts) as Uint8Array[]).slice(1) },
        { readTiles: (ts) => [...(honest.readTiles(ts) as Uint8Array[]), new Uint8Array(32)] },
        { readTiles: (ts) => (honest.readTiles(ts) as Uint8Array[]).map((d) => d.subarray(32)) },
        { readTiles: () => 'nope' as never },
      ];
      for (const r of variants) {
        const thr = tileHashReader({ size: 20, hash: log.roots[20]! }, r, 2);
        await expect(thr.readHashes([storedHashIndex(0, 3)])).rejects.toMatchObject({ code: 'READER_CONTRACT' });
      }
    });
  });

  describe('when asked for a hash outside the tree', () => {
    it('rejects the index with a RangeError', async () => {
      const log = await MemoryLog.of(20);
      const thr = tileHashReader({ size: 20, hash: log.roots[20]! }, mapReader(await serveTiles(log, 20, 2)).reader, 2);
      await expectRejects(() => thr.readHashes([storedHashIndex(0, 20)]), 'indexes[0]');
      await expectRejects(() => thr.readHashes([-1]), 'indexes[0]');
    });
  });

  describe('when the trusted root is wrong', () => {
    it('throws PROOF_INVALID instead of answering', async () => {
      const log = await MemoryLog.of(20);
      const thr = tileHashReader({ size: 20, hash: log.roots[19]! }, mapReader(await serveTiles(log, 20, 2)).reader, 2);
      await expect(thr.readHashes([storedHashIndex(0, 0)])).rejects.toMatchObject({ code: 'PROOF_INVALID' });
    });
  });

  describe('when given hostile input', () => {
    const h = new Uint8Array(32);
    const reader: TileReader = { readTiles: () => [] };
    it.each(HOSTILE_INPUTS.map((x) => [x.name, x.value] as const))('rejects %s as tree, size, hash, reader', (_n, v) => {
      expectInputError(() => tileHashReader(v as never, reader), typeof v === 'object' && v !== null ? 'tree.size' : 'tree');
      if (!(isSafeUint(v) && v >= 1)) expectInputError(() => tileHashReader({ size: v as number, hash: h }, reader), 'tree.size');
      if (!(v instanceof Uint8Array && v.length === 32)) expectInputError(() => tileHashReader({ size: 1, hash: v as Hash }, reader), 'tree.hash');
      expectInputError(() => tileHashReader({ size: 1, hash: h }, v as TileReader), 'tiles', 'type');
    });
  });
});
