/**
 * The tile builder: turns a log's stored hashes and entry bytes into the resources of
 * C2SP tlog-tiles, with no I/O of its own (everything comes through a `TileSource`).
 *
 *     tile/<L>/<N>[.p/<W>]        W hashes of tree level 8·L (core/tlog/tile.ts), 32·W bytes
 *     tile/entries/<N>[.p/<W>]    the W entries of level-0 tile N (entry-bundle.ts)
 *
 * What a log publishes when it grows from size a to size b is `tilesToPublish(a, b)`: the
 * tiles `newTiles(a, b)` lists (full tiles completed in between, and the partial tile of
 * each level at b) and, beside each level-0 tile, its entry bundle of the same width. A
 * full tile never changes once written; a partial tile of width W holds the first W
 * hashes of the full tile it becomes, so every resource is a pure function of the log.
 *
 * Each level-0 tile is checked against its bundle before either is returned: entry i must
 * hash to hash i (SHA-256(0x00 ‖ entry), RFC 6962 §2.1). A mismatch means the store's
 * entries and hashes disagree, and is `LOG_INCONSISTENT`: nothing that would fail a
 * client's check is ever published.
 * @module
 */
import { assertInteger, typeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { HASH_SIZE, hashEqual, leafHash } from '../../core/tlog/hash.ts';
import { assertHashReader, type HashReader } from '../../core/tlog/hash-reader.ts';
import { assertTile, newTiles, readTileData, type Tile, TILE_HEIGHT, TILE_WIDTH } from '../../core/tlog/tile.ts';
import { tilePath } from '../../core/tlog/tile-path.ts';
import { assertTreeSize } from '../../core/tlog/tree-size.ts';
import { encodeEntryBundle } from './entry-bundle.ts';

/**
 * Where tiles are built from: the log's stored hashes (core/tlog `HashReader`) and its
 * entries' bytes. `RegistryStore` is one. Contract of `readEntries(start, end)`: the
 * entries with sequence numbers in [start, end), in order, exactly end − start of them,
 * or a rejection.
 */
export interface TileSource extends HashReader {
  readEntries(start: number, end: number): Promise<readonly { bytes: Uint8Array }[]> | readonly { bytes: Uint8Array }[];
}

/** A built resource: the tile (level −1 for an entry bundle), its C2SP path and its bytes. */
export interface BuiltTile {
  tile: Tile;
  path: string;
  data: Uint8Array;
  /** Whether it is a full tile or bundle (256 wide), immutable from now on. */
  full: boolean;
}

/**
 * The tiles and entry bundles a log publishes when it grows from `oldSize` to `newSize`,
 * each level-0 tile directly followed by its bundle. `tilesToPublish(0, size)` is every
 * resource of the tree of `size` entries.
 * @throws {TypeError|RangeError} unless 0 ≤ oldSize ≤ newSize ≤ 2^51
 * @example tilesToPublish(0, 257).map(tilePath) // tile/0/000, tile/entries/000, tile/0/001.p/1, tile/entries/001.p/1, tile/1/000.p/1
 */
export function tilesToPublish(oldSize: number, newSize: number): Tile[] {
  assertTreeSize(newSize, 'newSize');
  assertInteger(oldSize, 'oldSize', 0, newSize);
  const out: Tile[] = [];
  for (const t of newTiles(oldSize, newSize, TILE_HEIGHT)) {
    out.push(t);
    if (t.level === 0) out.push({ ...t, level: -1 });
  }
  return out;
}

/**
 * The partial tiles and bundles that checkpoints of the earlier `sizes` need and that
 * `tilesToPublish(·, size)` does not list: for each such size, the partial tile of each
 * level whose tile is still partial at `size`, with a width other than its width at
 * `size`. C2SP tlog-tiles: a log MUST serve the partial tiles of every size it signed a
 * checkpoint for, until the full tile exists; a writer that publishes several
 * checkpoints at once (an export of an existing log, a watcher that polled slower than
 * the signer) publishes these too. Tiles already full at `size` are left out: clients
 * read their prefix from the full tile.
 * @throws {TypeError|RangeError} unless every size is in [0, size] and size ≤ 2^51
 * @example partialTilesForSizes([5, 256, 300], 600).map(tilePath) // ['tile/1/000.p/1']: tile/0/000 and tile/0/001 are full at 600
 */
export function partialTilesForSizes(sizes: readonly number[], size: number): Tile[] {
  assertTreeSize(size, 'size');
  const seen = new Set<string>();
  const out: Tile[] = [];
  for (let k = 0; k < sizes.length; k++) {
    const c = sizes[k];
    assertInteger(c, `sizes[${k}]`, 0, size);
    for (let level = 0; Math.floor(c / TILE_WIDTH ** level) > 0; level++) {
      const n = Math.floor(c / TILE_WIDTH ** level); // hashes on the tile level at size c
      const index = Math.floor(n / TILE_WIDTH);
      const width = n % TILE_WIDTH;
      const now = Math.floor(size / TILE_WIDTH ** level); // the same at `size`
      // Only a partial tile that is still the partial tile of its level at `size`, at another width.
      if (width === 0 || index !== Math.floor(now / TILE_WIDTH) || width === now % TILE_WIDTH) continue;
      const tile: Tile = { height: TILE_HEIGHT, level, index, width };
      const key = tilePath(tile);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(tile);
      if (level === 0) out.push({ ...tile, level: -1 });
    }
  }
  return out;
}

/**
 * The bytes of one tile or entry bundle, read from `source`.
 * @param tile - a tile of height 8 (level −1: an entry bundle)
 * @throws {TypeError|RangeError} if the tile is malformed; {CanopyError} READER_CONTRACT if
 *   the source returns the wrong number of entries or hashes; whatever the source throws
 * @example await buildTile({ height: 8, level: -1, index: 0, width: 256 }, store)
 */
export async function buildTile(tile: Tile, source: TileSource): Promise<Uint8Array> {
  assertTile(tile, 'tile', true);
  assertTileSource(source, 'source');
  if (tile.level >= 0) return readTileData(tile, source);
  const start = tile.index * TILE_WIDTH;
  const entries: unknown = await source.readEntries(start, start + tile.width);
  if (!Array.isArray(entries) || entries.length !== tile.width) {
    throw new CanopyError('READER_CONTRACT', `readEntries(${start}, ${start + tile.width}) returned ${Array.isArray(entries) ? entries.length : 'a non-array'}`);
  }
  return encodeEntryBundle(entries.map((e: { bytes?: unknown }, i) => {
    if (typeof e !== 'object' || e === null || !(e.bytes instanceof Uint8Array)) throw new CanopyError('READER_CONTRACT', `readEntries: entry ${start + i} has no bytes`);
    return e.bytes;
  }));
}

/**
 * Builds `tilesToPublish(oldSize, newSize)` one resource at a time, checking every entry
 * bundle against its level-0 tile.
 * @throws {TypeError|RangeError} for bad sizes (RangeError also for an entry over 65 535
 *   bytes); {CanopyError} LOG_INCONSISTENT if an entry does not hash to its leaf,
 *   READER_CONTRACT; whatever the source throws
 * @example for await (const t of buildTiles(0, checkpoint.size, store)) await write(t.path, t.data)
 */
export async function* buildTiles(oldSize: number, newSize: number, source: TileSource): AsyncGenerator<BuiltTile> {
  const tiles = tilesToPublish(oldSize, newSize);
  assertTileSource(source, 'source');
  let level0: Uint8Array | null = null;
  for (const tile of tiles) {
    const data = await buildTile(tile, source);
    if (tile.level === 0) level0 = data;
    if (tile.level === -1) {
      // tilesToPublish puts each bundle right after its level-0 tile.
      checkBundleAgainstTile(tile, data, level0!);
      level0 = null;
    }
    yield { tile, path: tilePath(tile), data, full: tile.width === TILE_WIDTH };
  }
}

/** Entry i of the bundle must hash to hash i of the level-0 tile. */
function checkBundleAgainstTile(bundle: Tile, data: Uint8Array, tileData: Uint8Array): void {
  let at = 0;
  for (let i = 0; i < bundle.width; i++) {
    const length = (data[at]! << 8) | data[at + 1]!;
    const entry = data.subarray(at + 2, at + 2 + length);
    at += 2 + length;
    if (!hashEqual(leafHash(entry), tileData.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE))) {
      throw new CanopyError('LOG_INCONSISTENT', `entry ${bundle.index * TILE_WIDTH + i} does not hash to its stored leaf hash`);
    }
  }
}

function assertTileSource(value: unknown, title: string): asserts value is TileSource {
  assertHashReader(value, title);
  if (typeof (value as TileSource).readEntries !== 'function') typeError(title, 'object with readHashes(indexes) and readEntries(start, end)', value);
}
