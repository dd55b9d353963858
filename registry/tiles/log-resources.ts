/**
 * Where a tiled log's resources are read from: an http(s) URL prefix (the registry, a
 * mirror, a CDN, an object store's website endpoint) or a local directory (a copy made by
 * `canopy registry export-tiles`, a mounted bucket). Both answer `read(path)` with the
 * bytes at `<prefix>/<path>`, or null when the resource does not exist (HTTP 404 or 410,
 * or no such file), so callers can fall back from a deleted partial tile to its full tile.
 *
 * Nothing read here is trusted: tiled-log-client.ts authenticates every byte. What this
 * module enforces is only a size bound per resource (a hostile server cannot make a reader
 * buffer more than `maxBytes`), and that paths are the log's resource paths (`checkpoint`,
 * what core/tlog `tilePath` writes, or a checkpoint-history.ts path), so no path leaves
 * the directory.
 *
 *     const r = openLogResources('https://mirror.example/canopy');
 *     const note = await r.read('checkpoint', 1 << 20);
 * @module
 */
import { open } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertInteger, assertString, rangeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { parseTilePath } from '../../core/tlog/tile-path.ts';
import { parseHistoryPath } from './checkpoint-history.ts';

/** Options of `openLogResources`. */
export interface LogResourcesOptions {
  /** Per-request time limit for URLs, ms (default 30,000). */
  timeoutMs?: number;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
}

/** Reads a tiled log's resources. */
export interface LogResources {
  /** The location as given, for messages. */
  readonly location: string;
  /**
   * The bytes at `path` ("checkpoint" or a C2SP tile path), or null if there are none.
   * @throws {CanopyError} PROOF_INVALID if larger than `maxBytes`; network and I/O errors
   */
  read(path: string, maxBytes: number): Promise<Uint8Array | null>;
}

/**
 * Opens a location: "http://…", "https://…", "file://…" or a directory path.
 * @throws {TypeError|RangeError} if the location is malformed or an option is out of range
 * @example openLogResources('registry-tiles').read('tile/0/000', 8192)
 */
export function openLogResources(location: string, options: LogResourcesOptions = {}): LogResources {
  assertString(location, 'location', 4096);
  if (location.length === 0) rangeError('location', 'a URL or a directory', location);
  const timeoutMs = options.timeoutMs ?? 30_000;
  assertInteger(timeoutMs, 'options.timeoutMs', 1, 3_600_000);
  if (/^https?:\/\//i.test(location)) {
    const base = new URL(location).href.replace(/\/+$/, '');
    const doFetch = options.fetch ?? globalThis.fetch;
    return { location, read: (path, maxBytes) => readUrl(doFetch, base, checkPath(path), maxBytes, timeoutMs) };
  }
  const dir = location.startsWith('file://') ? fileURLToPath(location) : isAbsolute(location) ? location : resolve(location);
  return { location, read: (path, maxBytes) => readFileCapped(join(dir, checkPath(path)), maxBytes) };
}

/** Only "checkpoint", canonical tile paths and history paths: nothing else is ever read. */
function checkPath(path: string): string {
  if (path !== 'checkpoint' && parseHistoryPath(path) === null) parseTilePath(path);
  return path;
}

async function readUrl(doFetch: typeof fetch, base: string, path: string, maxBytes: number, timeoutMs: number): Promise<Uint8Array | null> {
  const url = `${base}/${path}`;
  // fetch asks for gzip itself and decodes it: entry bundles may be served compressed.
  const res = await doFetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (res.status === 404 || res.status === 410) {
    await res.body?.cancel();
    return null;
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`GET ${url} answered ${res.status}`);
  }
  const length = res.headers.get('content-length');
  if (length !== null && res.headers.get('content-encoding') === null && Number(length) > maxBytes) {
    await res.body?.cancel();
    throw tooLarge(url, maxBytes);
  }
  if (res.body === null) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge(url, maxBytes);
    }
    chunks.push(value);
  }
  return concat(chunks, total);
}

async function readFileCapped(file: string, maxBytes: number): Promise<Uint8Array | null> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw e;
  }
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) throw tooLarge(file, maxBytes);
    const data = new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const { bytesRead } = await handle.read(data, at, size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    return at === size ? data : data.slice(0, at);
  } finally {
    await handle.close();
  }
}

function tooLarge(where: string, maxBytes: number): CanopyError {
  return new CanopyError('PROOF_INVALID', `${where} is larger than ${maxBytes} bytes, more than the resource can hold`);
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
