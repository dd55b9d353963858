/**
 * Writes a log's C2SP tlog-tiles resources into a directory, so that any static web
 * server or object store can serve the log's read path without the registry:
 *
 *     DIR/checkpoint                     the latest signed checkpoint note
 *     DIR/tile/<L>/<N>[.p/<W>]           hash tiles        (build-tiles.ts)
 *     DIR/tile/entries/<N>[.p/<W>]       entry bundles     (entry-bundle.ts)
 *     DIR/canopy/checkpoints/<N>[.p]     the history of signed checkpoints, when the
 *                                        source has one (checkpoint-history.ts)
 *
 * `write(note, source)` brings the directory from the checkpoint it holds (size a, or
 * none) to the checkpoint `note` (size b), in this order:
 *
 *     1 checks the note's root against the source (treeHash(b)), and the directory's own
 *       checkpoint against the source too (treeHash(a)): the directory must hold a prefix
 *       of this very log (same origin, same root at a), else nothing is written;
 *     2 writes tilesToPublish(a, b), the partial tiles of the checkpoints signed between a
 *       and b that are still partial at b (partialTilesForSizes), then the history files of
 *       the ranges from a's to b's:
 *       every file through a temporary name and a rename, so no reader ever sees a torn
 *       file; a full tile or bundle that already exists (a run interrupted before step 3)
 *       must hold the same bytes and is never rewritten;
 *     3 replaces DIR/checkpoint (temporary name, rename), only after every file it needs;
 *     4 deletes the partial tiles, bundles and history files whose complete one now exists.
 *
 * Partial tiles: C2SP tlog-tiles says a log MUST serve the partial tiles of every size it
 * signed a checkpoint for, and MAY delete them once the full tile exists. A client that
 * verified an older checkpoint asks for the partial tile of that size; while the tile is
 * partial only that file has the right width, so partial tiles of older widths are kept.
 * Once the full tile exists its first W hashes are the partial tile of width W, and
 * clients fall back to it (tiled-log-client.ts does), so the partial files are deleted
 * then: otherwise a tile grown one checkpoint at a time would leave up to 255 partial
 * files, 128 times the space of the full tile.
 *
 * Durability (option `durable`, default on): each file is fsynced before its rename, and
 * the directories holding the renamed tiles before the checkpoint is renamed, so after a
 * crash the checkpoint never names a tile that is not on disk. A crash anywhere
 * leaves the previous checkpoint in place and the next `write` repeats the work.
 * Writes are serialised within one TileWriter; two processes must not write one directory.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { access, mkdir, open, readFile, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertBoolean, assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import type { Checkpoint } from '../../core/note/checkpoint.ts';
import { hashEqual } from '../../core/tlog/hash.ts';
import { TILE_WIDTH, type Tile } from '../../core/tlog/tile.ts';
import { tilePath } from '../../core/tlog/tile-path.ts';
import { treeHash } from '../../core/tlog/tree-hash.ts';
import { unverifiedCheckpoint } from './_unverified-checkpoint.ts';
import { buildTile, buildTiles, partialTilesForSizes, type TileSource } from './build-tiles.ts';
import { encodeHistory, HISTORY_RANGE, type HistorySource, historyPath, readHistoryRange } from './checkpoint-history.ts';

/** Name of the checkpoint file in a tiles directory (C2SP: `<prefix>/checkpoint`). */
export const CHECKPOINT_FILE = 'checkpoint';

/** What one `write` did. */
export interface TileWriteResult {
  /** Size of the checkpoint the directory held before (0 if none). */
  fromSize: number;
  /** Size of the checkpoint it holds now. */
  size: number;
  /** Tiles and bundles written. */
  written: number;
  /** Their bytes. */
  bytes: number;
  /** Directories of superseded partial tiles and bundles deleted (one per tile made full). */
  removed: number;
  /** Whether DIR/checkpoint changed (a larger size, or the same size with other signatures). */
  checkpointUpdated: boolean;
}

/** Options of `TileWriter`. */
export interface TileWriterOptions {
  /** fsync every file before renaming it into place (default true). */
  durable?: boolean;
}

/** Writes tiles into one directory. See the module comment. */
export class TileWriter {
  readonly dir: string;
  readonly #durable: boolean;
  readonly #renamedIn = new Set<string>();
  #queue: Promise<unknown> = Promise.resolve();

  /**
   * @param dir - the directory served as the log's URL prefix (created on first write)
   * @throws {TypeError} if `dir` is not a string or an option is malformed
   * @example const writer = new TileWriter('/srv/registry-tiles')
   */
  constructor(dir: string, options: TileWriterOptions = {}) {
    assertString(dir, 'dir', 4096);
    if (dir.length === 0) throw new RangeError('"dir" expected a directory path, got ""');
    this.dir = dir;
    this.#durable = options.durable ?? true;
    assertBoolean(this.#durable, 'options.durable');
  }

  /**
   * The checkpoint the directory holds, or null if none (signatures not checked).
   * @throws {CanopyError} NOTE_MALFORMED, CHECKPOINT_MALFORMED for a damaged file; I/O errors
   * @example (await writer.published())?.checkpoint.size
   */
  async published(): Promise<{ note: string; checkpoint: Checkpoint } | null> {
    let note: string;
    try {
      note = await readFile(join(this.dir, CHECKPOINT_FILE), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    return { note, checkpoint: unverifiedCheckpoint(note) };
  }

  /**
   * Brings the directory to the checkpoint `note`, with tiles built from `source` (see the
   * module comment). A note of a smaller size than the directory's changes nothing.
   * @param note - a signed checkpoint note of this log (its root is checked, its signatures are not)
   * @throws {CanopyError} NOTE_MALFORMED, CHECKPOINT_MALFORMED; LOG_INCONSISTENT if the note's
   *   root or the directory's checkpoint disagrees with the source, or an existing full tile
   *   differs; INVALID_INPUT if the directory holds another log's checkpoint; {RangeError}
   *   for an entry too long for a bundle; I/O and source errors
   * @example await writer.write(latest.note, store)
   */
  write(note: string, source: TileSource): Promise<TileWriteResult> {
    const run = this.#queue.catch(() => undefined).then(() => this.#write(note, source));
    this.#queue = run;
    return run;
  }

  async #write(note: string, source: TileSource): Promise<TileWriteResult> {
    assertString(note, 'note', 1 << 20);
    const next = unverifiedCheckpoint(note);
    const current = await this.published();
    const from = current?.checkpoint ?? null;
    const result: TileWriteResult = { fromSize: from?.size ?? 0, size: from?.size ?? 0, written: 0, bytes: 0, removed: 0, checkpointUpdated: false };
    if (from !== null && from.origin !== next.origin) {
      throw new CanopyError('INVALID_INPUT', `${this.dir} holds the tiles of ${JSON.stringify(from.origin)}, not of ${JSON.stringify(next.origin)}`);
    }
    if (from !== null && next.size < from.size) return result;

    // 1. The note and the directory must both describe this source's log.
    if (!hashEqual(await treeHash(next.size, source), next.rootHash)) {
      throw new CanopyError('LOG_INCONSISTENT', `the checkpoint of size ${next.size} does not carry the root of the log's first ${next.size} entries`);
    }
    if (from !== null && from.size > 0 && !hashEqual(await treeHash(from.size, source), from.rootHash)) {
      throw new CanopyError('LOG_INCONSISTENT', `${this.dir} holds a checkpoint of size ${from.size} whose root is not this log's`);
    }
    if (from !== null && next.size === from.size) {
      if (current!.note === note) return result;
      await this.#writeHistory(source, next.size, next.size);
      await this.#syncDirectories();
      await this.#put(CHECKPOINT_FILE, new TextEncoder().encode(note), false);
      await this.#syncDirectories();
      return { ...result, checkpointUpdated: true };
    }

    // 2. Tiles and bundles, then 3. the checkpoint that names them.
    const completed: Tile[] = [];
    for await (const built of buildTiles(from?.size ?? 0, next.size, source)) {
      await this.#put(built.path, built.data, built.full);
      result.written++;
      result.bytes += built.data.length;
      if (built.full) completed.push(built.tile);
    }
    // Partial tiles of checkpoints signed between the two (tilesToPublish lists only b's).
    for (const tile of partialTilesForSizes(await this.#signedSizesBetween(source, from?.size ?? 0, next.size), next.size)) {
      const data = await buildTile(tile, source);
      await this.#put(tilePath(tile), data, true);
      result.written++;
      result.bytes += data.length;
    }
    const completedRanges = await this.#writeHistory(source, from?.size ?? 0, next.size);
    await this.#syncDirectories();
    await this.#put(CHECKPOINT_FILE, new TextEncoder().encode(note), false);
    await this.#syncDirectories();
    result.size = next.size;
    result.checkpointUpdated = true;

    // 4. Partial tiles of a tile now full: its first W hashes serve every older width.
    for (const tile of completed) {
      const partials = join(this.dir, `${tilePath({ ...tile, width: TILE_WIDTH })}.p`);
      if (!(await exists(partials))) continue;
      await rm(partials, { recursive: true, force: true });
      result.removed++;
    }
    for (const n of completedRanges) await rm(join(this.dir, historyPath(n, false)), { force: true });
    return result;
  }

  /** Sizes of the checkpoints the source signed strictly between `a` and `b`, if it has a history. */
  async #signedSizesBetween(source: TileSource, a: number, b: number): Promise<number[]> {
    if (typeof (source as Partial<HistorySource>).readCheckpoints !== 'function') return [];
    const history = source as unknown as HistorySource;
    const sizes: number[] = [];
    for (let at = a + 1; at < b; ) {
      const page = await history.readCheckpoints(at, 1000);
      for (const c of page) if (c.size < b) sizes.push(c.size);
      if (page.length < 1000 || page[page.length - 1]!.size >= b) break;
      at = page[page.length - 1]!.size + 1;
    }
    return sizes;
  }

  /**
   * Writes the checkpoint history files of the ranges from `fromSize`'s to `size`'s
   * (checkpoint-history.ts), if the source has a history; returns the ranges now complete.
   */
  async #writeHistory(source: TileSource, fromSize: number, size: number): Promise<number[]> {
    if (typeof (source as Partial<HistorySource>).readCheckpoints !== 'function') return [];
    const history = source as unknown as HistorySource;
    const completed: number[] = [];
    const last = Math.floor(size / HISTORY_RANGE);
    for (let n = Math.floor(fromSize / HISTORY_RANGE); n <= last; n++) {
      const data = encodeHistory(await readHistoryRange(history, n, size));
      if (n < last) {
        // Complete: no checkpoint can join the range any more. Written once.
        if (!(await exists(join(this.dir, historyPath(n, true))))) await this.#put(historyPath(n, true), data, false);
        completed.push(n);
      } else {
        await this.#put(historyPath(n, false), data, false);
      }
    }
    return completed;
  }

  /** Writes `data` at `path` through a temporary file and a rename; an immutable file is never rewritten. */
  async #put(path: string, data: Uint8Array, immutable: boolean): Promise<void> {
    const target = join(this.dir, path);
    if (immutable) {
      const existing = await readFile(target).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return null;
        throw e;
      });
      if (existing !== null) {
        if (Buffer.compare(existing, data) !== 0) throw new CanopyError('LOG_INCONSISTENT', `${path} already exists in ${this.dir} with other contents; full tiles are never rewritten`);
        return;
      }
    }
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
    const handle = await open(temp, 'wx', 0o644);
    try {
      await handle.writeFile(data);
      if (this.#durable) await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, target);
    } catch (e) {
      await unlink(temp).catch(() => undefined);
      throw e;
    }
    if (this.#durable) this.#renamedIn.add(dirname(target));
  }

  /** fsyncs the directories renames went into: a rename is durable only then. */
  async #syncDirectories(): Promise<void> {
    for (const d of this.#renamedIn) {
      const handle = await open(d, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    this.#renamedIn.clear();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
