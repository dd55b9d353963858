/**
 * Test helpers for tiles and follow: a log held in memory (entries, stored hashes built
 * with core/tlog `storedHashes`, signed checkpoints) that is a `TileSource` and a history
 * source like a registry store; a plain static file server (node:http and node:fs, not the
 * registry) to serve an exported directory as a mirror; and registry entries that need no
 * proving.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { formatCheckpoint } from '../../core/note/checkpoint.ts';
import { generateNoteKey, noteSigner } from '../../core/note/note-key.ts';
import { signNote } from '../../core/note/signed-note.ts';
import type { Hash } from '../../core/tlog/hash.ts';
import { storedHashes } from '../../core/tlog/stored-hash.ts';
import { treeHash } from '../../core/tlog/tree-hash.ts';
import type { CheckpointRecord } from '../../registry/store/store.ts';

/** The key of in-memory logs (fixed seed). */
export const MEMORY_LOG_KEY = generateNoteKey('memory.test/log', new Uint8Array(32).fill(3));

/** An append-only log in memory, shaped like the parts of RegistryStore that tiles use. */
export class MemoryTileLog {
  readonly entries: Uint8Array[] = [];
  readonly hashes: Hash[] = [];
  readonly checkpointRecords: CheckpointRecord[] = [];
  readonly #signerKey: string;

  constructor(signerKey = MEMORY_LOG_KEY.signerKey) {
    this.#signerKey = signerKey;
  }

  /** Appends entries, storing their hashes as the registry does. */
  async append(entries: readonly Uint8Array[]): Promise<void> {
    for (const e of entries) {
      const hs = await storedHashes(this.entries.length, e, this);
      this.hashes.push(...hs);
      this.entries.push(e);
    }
  }

  readHashes(indexes: number[]): Hash[] {
    return indexes.map((x) => {
      const h = this.hashes[x];
      if (h === undefined) throw new Error(`no stored hash ${x}`);
      return h;
    });
  }

  readEntries(start: number, end: number): { bytes: Uint8Array }[] {
    if (end > this.entries.length) throw new Error(`no entries [${start}, ${end})`);
    return this.entries.slice(start, end).map((bytes) => ({ bytes }));
  }

  /** Signs a checkpoint of the current size (no Canopy roots) and records it. */
  async sign(): Promise<string> {
    const size = this.entries.length;
    const rootHash = await treeHash(size, this);
    const origin = this.#signerKey.split('+')[2]!;
    const note = signNote(formatCheckpoint({ origin, size, rootHash, canopyRoots: null, extensions: [] }), [noteSigner(this.#signerKey)]);
    const last = this.checkpointRecords[this.checkpointRecords.length - 1];
    const record: CheckpointRecord = { size, rootHash, lotsSize: 0, plotsSize: 0, lotsRoot: 0n, plotsRoot: 0n, note, signedAt: 1_700_000_000_000 + size };
    if (last !== undefined && last.size === size) this.checkpointRecords[this.checkpointRecords.length - 1] = record;
    else this.checkpointRecords.push(record);
    return note;
  }

  async latestCheckpoint(): Promise<CheckpointRecord | null> {
    return this.checkpointRecords[this.checkpointRecords.length - 1] ?? null;
  }

  async readCheckpoints(fromSize: number, limit: number): Promise<CheckpointRecord[]> {
    return this.checkpointRecords.filter((c) => c.size >= fromSize).slice(0, limit);
  }
}

/** Synthetic entry bytes: "entry <i>" padded to a length that varies with i. */
export function syntheticEntry(i: number): Uint8Array {
  return new TextEncoder().encode(`entry ${i} ${'x'.repeat(i % 97)}`);
}

/** A running static file server. */
export interface StaticServer {
  url: string;
  /** Paths requested, in order. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serves the files under `dir` read-only, as any static web server would: GET of a file
 * → 200 with its bytes, anything else → 404. No knowledge of tiles.
 */
export async function serveDirectory(dir: string): Promise<StaticServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    const file = normalize(join(dir, path));
    if (!file.startsWith(normalize(dir)) || req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    stat(file).then(
      (s) => {
        if (!s.isFile()) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': s.size });
        createReadStream(file).pipe(res);
      },
      () => res.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections();
      }),
  };
}
