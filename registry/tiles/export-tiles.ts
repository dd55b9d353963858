/**
 * Keeps a tiles directory (tile-writer.ts) in step with a registry store: `exportTiles`
 * writes the store's latest signed checkpoint and every tile it needs once;
 * `watchTiles` does it again whenever the store has a new checkpoint note, by polling
 * `latestCheckpoint()` (one indexed row per poll: an idle registry costs one tiny query a
 * second). Polling rather than a hook in the signer keeps the registry process unaware of
 * its mirrors, so the watcher may run as its own process on the same database.
 *
 *     await exportTiles(store, '/srv/tiles');                     // canopy registry export-tiles DIR
 *     await watchTiles(store, new TileWriter('/srv/tiles'), { signal });   // … --watch
 * @module
 */
import { assertInteger, typeError } from '../../core/assert.ts';
import type { TileSource } from './build-tiles.ts';
import { TileWriter, type TileWriteResult, type TileWriterOptions } from './tile-writer.ts';

/** What exporting needs of a store: tiles' data and the latest signed checkpoint. `RegistryStore` is one. */
export interface TileExportSource extends TileSource {
  latestCheckpoint(): Promise<{ note: string; size: number } | null>;
}

/** Options of `watchTiles`. */
export interface WatchTilesOptions {
  /** Poll period, ms (default 1000). */
  intervalMs?: number;
  /** Stops the watch (the current write finishes first). */
  signal?: AbortSignal;
  /** Called after each write that changed the directory. */
  onWrite?: (result: TileWriteResult) => void;
  /** Called with a failed poll or write; the watch goes on (default: rethrow, ending it). */
  onError?: (error: unknown) => void;
}

/**
 * Writes the store's latest checkpoint and its tiles into `dir` (or through `writer`).
 * @returns what was written, or null if the store has no checkpoint yet
 * @throws as `TileWriter.write`; store errors
 * @example await exportTiles(store, 'registry-tiles')
 */
export async function exportTiles(store: TileExportSource, dir: string | TileWriter, options: TileWriterOptions = {}): Promise<TileWriteResult | null> {
  assertExportSource(store);
  const writer = typeof dir === 'string' ? new TileWriter(dir, options) : dir;
  const latest = await store.latestCheckpoint();
  if (latest === null) return null;
  return writer.write(latest.note, store);
}

/**
 * Polls the store and writes each new checkpoint note until `signal` aborts.
 * @throws {TypeError|RangeError} for a bad option; with no `onError`, the first failure
 * @example await watchTiles(store, writer, { signal: controller.signal, onWrite: (r) => log(r.size) })
 */
export async function watchTiles(store: TileExportSource, writer: TileWriter, options: WatchTilesOptions = {}): Promise<void> {
  assertExportSource(store);
  if (!(writer instanceof TileWriter)) typeError('writer', 'TileWriter', writer);
  const intervalMs = options.intervalMs ?? 1000;
  assertInteger(intervalMs, 'options.intervalMs', 1, 3_600_000);
  const signal = options.signal;
  let lastNote: string | null = null;
  while (signal?.aborted !== true) {
    try {
      const latest = await store.latestCheckpoint();
      if (latest !== null && latest.note !== lastNote) {
        const result = await writer.write(latest.note, store);
        lastNote = latest.note;
        if (result.checkpointUpdated) options.onWrite?.(result);
      }
    } catch (e) {
      if (options.onError === undefined) throw e;
      options.onError(e);
    }
    await sleep(intervalMs, signal);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

function assertExportSource(value: unknown): asserts value is TileExportSource {
  if (typeof value !== 'object' || value === null || typeof (value as TileExportSource).latestCheckpoint !== 'function' || typeof (value as TileExportSource).readEntries !== 'function' || typeof (value as TileExportSource).readHashes !== 'function') {
    typeError('store', 'object with readHashes, readEntries and latestCheckpoint', value);
  }
}
