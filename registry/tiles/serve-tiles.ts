/**
 * Answers requests for a log's static resources, framework-free (`tiles-router.ts` is the
 * express side): the C2SP tlog-tiles read path and the checkpoint history.
 *
 *     GET /checkpoint                    text/plain; charset=utf-8       public, max-age=5
 *     GET /tile/<L>/<N>                  application/octet-stream        public, max-age=31536000, immutable
 *     GET /tile/<L>/<N>.p/<W>            application/octet-stream        public, max-age=60
 *     GET /tile/entries/<N>[.p/<W>]      as above (gzip when accepted)
 *     GET /canopy/checkpoints/<N>        application/json (gzip when accepted)   public, max-age=3600
 *     GET /canopy/checkpoints/<N>.p      application/json                 public, max-age=5
 *     anything else, or not there        404 { error: { code: NOT_FOUND } }   no-cache
 *
 * Full tiles and bundles never change (build-tiles.ts), hence a year and `immutable`. A
 * partial tile of width W never changes either, but C2SP lets a log delete it once the full
 * tile exists, so caches keep it only a minute. The checkpoint changes with every signing
 * (C2SP: cache it a few seconds at most); so does the current history file. A complete
 * history file can still gain cosignatures in the registry's store, hence an hour.
 *
 * Two sources: `directoryResources(dir)`, the files `TileWriter` wrote; and
 * `storeResources(store)`, built on demand from the store, for the tiles of the latest
 * signed checkpoint (a tile beyond it is 404, as it would be in a directory).
 * Paths are attacker-controlled: they are parsed strictly (core/tlog `parseTilePath`,
 * `parseHistoryPath`), and anything else is 404 before any I/O.
 * @module
 */
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { CanopyError } from '../../core/errors.ts';
import { HASH_SIZE } from '../../core/tlog/hash.ts';
import { type Tile, TILE_WIDTH } from '../../core/tlog/tile.ts';
import { parseTilePath } from '../../core/tlog/tile-path.ts';
import { buildTile, type TileSource } from './build-tiles.ts';
import { encodeHistory, HISTORY_RANGE, type HistorySource, MAX_HISTORY_FILE_BYTES, parseHistoryPath, readHistoryRange } from './checkpoint-history.ts';
import { ENTRY_BUNDLE_MAX_ENTRY_BYTES, ENTRY_LENGTH_PREFIX_BYTES } from './entry-bundle.ts';
import { openLogResources } from './log-resources.ts';
import { CHECKPOINT_FILE } from './tile-writer.ts';

const gzip = promisify(gzipCallback);

/** Cache-Control of full tiles and bundles. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';

/** Cache-Control of partial tiles and bundles. */
export const PARTIAL_CACHE = 'public, max-age=60';

/** Cache-Control of the checkpoint and the current history file. */
export const CHECKPOINT_CACHE = 'public, max-age=5';

/** Cache-Control of a complete history file. */
export const HISTORY_CACHE = 'public, max-age=3600';

/** Where served resources come from: the bytes at a parsed path, or null if not there. */
export interface ResourceSource {
  read(path: string, kind: ResourceKind): Promise<Uint8Array | null>;
}

/** What a path names. */
export type ResourceKind = { kind: 'checkpoint' } | { kind: 'tile'; tile: Tile } | { kind: 'history'; n: number; complete: boolean };

/** A framework-free response with a binary body. */
export interface ResourceResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** What serving from a store needs. `RegistryStore` is one. */
export interface StoreResourceSource extends TileSource, HistorySource {
  latestCheckpoint(): Promise<{ note: string; size: number } | null>;
}

/**
 * What a request path (attacker-controlled, without the leading "/") names, or null.
 * @example resourceKind('tile/0/000.p/5') // { kind: 'tile', tile: { height: 8, level: 0, index: 0, width: 5 } }
 */
export function resourceKind(path: unknown): ResourceKind | null {
  if (typeof path !== 'string') return null;
  if (path === CHECKPOINT_FILE) return { kind: 'checkpoint' };
  const history = parseHistoryPath(path);
  if (history !== null) return { kind: 'history', ...history };
  try {
    return { kind: 'tile', tile: parseTilePath(path) };
  } catch {
    return null;
  }
}

/**
 * The files of a tiles directory.
 * @throws {TypeError|RangeError} if `dir` is not a path
 * @example serveResource('tile/0/000', directoryResources('/srv/tiles'), { gzip: false })
 */
export function directoryResources(dir: string): ResourceSource {
  const files = openLogResources(dir);
  return { read: (path, kind) => files.read(path, maxBytes(kind)) };
}

/**
 * Resources built from a store for its latest signed checkpoint.
 * @example serveResource('tile/entries/000', storeResources(store), { gzip: true })
 */
export function storeResources(store: StoreResourceSource): ResourceSource {
  return {
    async read(_path, kind) {
      const latest = await store.latestCheckpoint();
      if (latest === null) return null;
      const size = latest.size;
      if (kind.kind === 'checkpoint') return new TextEncoder().encode(latest.note);
      if (kind.kind === 'history') {
        const last = Math.floor(size / HISTORY_RANGE);
        // As in a directory: a complete range only once the log is past it, the current one only while it is current.
        if (kind.complete ? kind.n >= last : kind.n !== last) return null;
        return encodeHistory(await readHistoryRange(store, kind.n, size));
      }
      const t = kind.tile;
      // Hashes on the tile's tree level in the tree of `size` entries; an entry bundle pairs with level 0.
      const onLevel = Math.floor(size / TILE_WIDTH ** Math.max(0, t.level));
      if (t.index * TILE_WIDTH + t.width > onLevel) return null;
      return buildTile(t, store);
    },
  };
}

/**
 * Answers GET `/<path>` from `source`.
 * @param path - the request path without its leading "/" (attacker-controlled)
 * @param options.gzip - whether the client accepts gzip (entry bundles and history are compressed then)
 * @throws never for a bad path (404); whatever the source throws (a server fault)
 * @example await serveResource('checkpoint', directoryResources(dir), { gzip: false })
 */
export async function serveResource(path: string, source: ResourceSource, options: { gzip: boolean }): Promise<ResourceResponse> {
  const kind = resourceKind(path);
  const data = kind === null ? null : await source.read(path, kind);
  if (kind === null || data === null) {
    const e = new CanopyError('NOT_FOUND', `no resource /${String(path).slice(0, 200)}`);
    return { status: 404, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' }, body: new TextEncoder().encode(JSON.stringify({ error: { code: e.code, message: e.message } })) };
  }
  const headers: Record<string, string> = {};
  let body = data;
  if (kind.kind === 'checkpoint') {
    headers['content-type'] = 'text/plain; charset=utf-8';
    headers['cache-control'] = CHECKPOINT_CACHE;
  } else if (kind.kind === 'history') {
    headers['content-type'] = 'application/json; charset=utf-8';
    headers['cache-control'] = kind.complete ? HISTORY_CACHE : CHECKPOINT_CACHE;
  } else {
    headers['content-type'] = 'application/octet-stream';
    headers['cache-control'] = kind.tile.width === TILE_WIDTH ? IMMUTABLE_CACHE : PARTIAL_CACHE;
  }
  // C2SP: entry bundles SHOULD be compressed at the HTTP layer. Hash tiles are random bytes.
  if (kind.kind === 'history' || (kind.kind === 'tile' && kind.tile.level === -1)) {
    headers.vary = 'accept-encoding';
    if (options.gzip) {
      body = new Uint8Array(await gzip(data));
      headers['content-encoding'] = 'gzip';
    }
  }
  return { status: 200, headers, body };
}

/** The most bytes a resource of this kind can hold. */
function maxBytes(kind: ResourceKind): number {
  if (kind.kind === 'checkpoint') return 1 << 20;
  if (kind.kind === 'history') return MAX_HISTORY_FILE_BYTES;
  return kind.tile.level === -1 ? TILE_WIDTH * (ENTRY_LENGTH_PREFIX_BYTES + ENTRY_BUNDLE_MAX_ENTRY_BYTES) : kind.tile.width * HASH_SIZE;
}
