/**
 * `TiledLog`: a registry log read through C2SP tlog-tiles from any URL prefix or
 * directory, trusting only the registry's pinned key (and cosigners, as the policy asks).
 * It implements `LogReader` (log-reader.ts) with the method names and return shapes of
 * RegistryClient, so an audit or a verifier can be pointed at a mirror instead of the
 * registry, including after the registry's operator has gone.
 *
 * What it trusts, and how:
 *
 * - **The tree head.** It reads `<prefix>/checkpoint` and accepts it under the policy
 *   (checkpoint-policy.ts). It keeps the largest checkpoint accepted so far, and accepts a
 *   new one only if one is a prefix of the other: a consistency proof computed from tiles
 *   authenticated against the larger root must lead to the smaller root. A mirror cannot
 *   roll the reader back to another history, nor fork it between two calls.
 * - **Hashes.** Every hash (for entries and proofs) comes through core/tlog
 *   `tileHashReader`, which authenticates each tile against the trusted root before use.
 *   Inclusion and consistency proofs are then computed client-side (`proveRecord`,
 *   `proveTree`) from authenticated hashes, so they verify against the checkpoint.
 * - **Entries.** Entry i of bundle N must hash (SHA-256(0x00 ‖ bytes)) to leaf N·256 + i
 *   as authenticated above; the bundle must hold exactly the tile's width of entries.
 * - **The checkpoint history** (`checkpoints`, from checkpoint-history.ts files): each
 *   note must verify with the registry key and say what its record says; whether the
 *   history is consistent is for the reader (an audit) to check, as with the API.
 *
 * A failure names the resource: `tile/0/001 from https://m.example does not match the hash
 * its parent tile/1/000.p/2 holds`, `entry 17 in tile/entries/000 … does not hash to its
 * leaf`. Failures are `CanopyError('PROOF_INVALID')`; a resource the mirror does not have is
 * `NOT_FOUND`. A partial tile or bundle that is gone is read from its full tile (its
 * first W hashes or entries), as C2SP tlog-tiles lets clients do once logs delete them.
 *
 * Tiles that verified are cached (up to `cacheTiles`, default 1024 tiles, at most 8 MiB)
 * and authenticated again at every use; entry bundles are read on every use.
 *
 *     const log = new TiledLog({ location: 'https://mirror.example/canopy', registryKey });
 *     const { checkpoint } = await log.verifiedCheckpoint(registryKey);
 *     for await (const e of log.entryRange(0, checkpoint.size)) replay(e);
 * @module
 */
import { assertInteger, rangeError, typeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { type Hash, HASH_SIZE, hashEqual, leafHash, nodeHash } from '../../core/tlog/hash.ts';
import type { HashReader } from '../../core/tlog/hash-reader.ts';
import { proveRecord } from '../../core/tlog/record-proof.ts';
import { storedHashIndex } from '../../core/tlog/stored-hash.ts';
import { hashFromTile, type Tile, TILE_HEIGHT, TILE_WIDTH, tileForIndex } from '../../core/tlog/tile.ts';
import { tileHashReader, type TileReader } from '../../core/tlog/tile-hash-reader.ts';
import { tilePath } from '../../core/tlog/tile-path.ts';
import { treeHash } from '../../core/tlog/tree-hash.ts';
import { checkTree, proveTree } from '../../core/tlog/tree-proof.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';
import { fieldToString } from '../../core/field.ts';
import type { VerifiedCheckpoint } from '../client.ts';
import type { SignedCheckpoint } from '../log/checkpoint.ts';
import { decodeEntry, type LogEntry } from '../log/entry.ts';
import type { ConsistencyProof, InclusionProof } from '../log/log-proofs.ts';
import type { ServedEntry } from '../log/registry-log.ts';
import { decodeHistory, HISTORY_RANGE, historyPath, MAX_HISTORY_FILE_BYTES } from './checkpoint-history.ts';
import { type CheckpointPolicy, type CompiledPolicy, compilePolicy, verifyLogCheckpoint } from './checkpoint-policy.ts';
import { decodeEntryBundle, ENTRY_BUNDLE_MAX_ENTRY_BYTES, ENTRY_LENGTH_PREFIX_BYTES } from './entry-bundle.ts';
import type { LogReader } from './log-reader.ts';
import { type LogResources, type LogResourcesOptions, openLogResources } from './log-resources.ts';

/** Most entries one `entries` call returns (four bundles). */
export const MAX_TILED_ENTRIES = 4 * TILE_WIDTH;

/** Most checkpoints one `checkpoints` call returns (as the API's page). */
export const MAX_HISTORY_PAGE = 100;

/** Largest checkpoint note read (core/note's bound). */
const MAX_NOTE_BYTES = 1 << 20;

/** Largest entry bundle: 256 entries of 65 535 bytes with their prefixes. */
const MAX_BUNDLE_BYTES = TILE_WIDTH * (ENTRY_LENGTH_PREFIX_BYTES + ENTRY_BUNDLE_MAX_ENTRY_BYTES);

/** Options of `TiledLog`. */
export interface TiledLogOptions extends LogResourcesOptions {
  /** The log's URL prefix ("https://…", "file://…") or a directory holding `checkpoint` and `tile/`. */
  location: string;
  /**
   * Which checkpoints to accept. Without it, the first `verifiedCheckpoint(vkey)` call
   * pins `{ registryKey: vkey }`, and other calls before it throw NOTE_UNVERIFIED.
   */
  policy?: CheckpointPolicy;
  /** Most verified tiles kept in memory (default 1024; 0 for none). */
  cacheTiles?: number;
}

/** A checkpoint accepted under the policy: the tree head everything is checked against. */
interface TrustedHead {
  size: number;
  rootHash: Hash;
  verified: VerifiedCheckpoint;
}

/** The tiles of one `readTiles` call, kept to name the culprit when they fail to verify. */
interface TileRead {
  tiles: Tile[];
  data: Uint8Array[];
}

/** A registry log read from tiles. See the module comment. */
export class TiledLog implements LogReader {
  readonly location: string;
  readonly #resources: LogResources;
  readonly #cacheLimit: number;
  readonly #cache = new Map<string, Uint8Array>();
  #policy: CompiledPolicy | null;
  #registryKey: string | null;
  #head: TrustedHead | null = null;

  /**
   * @throws {TypeError|RangeError} if an option is malformed; {CanopyError} KEY_MALFORMED for a bad policy key
   * @example new TiledLog({ location: 'registry-tiles', policy: { registryKey } })
   */
  constructor(options: TiledLogOptions) {
    if (typeof options !== 'object' || options === null) typeError('options', 'TiledLogOptions', options);
    this.#resources = openLogResources(options.location, options);
    this.location = options.location;
    this.#policy = options.policy === undefined ? null : compilePolicy(options.policy);
    this.#registryKey = options.policy?.registryKey ?? null;
    this.#cacheLimit = options.cacheTiles ?? 1024;
    assertInteger(this.#cacheLimit, 'options.cacheTiles', 0, 1 << 20);
  }

  /** The checkpoint everything is currently checked against, or null before the first. */
  get trusted(): VerifiedCheckpoint | null {
    return this.#head?.verified ?? null;
  }

  /**
   * The checkpoint note the location serves, unverified (as RegistryClient's).
   * @throws {CanopyError} NOT_FOUND if there is none; network and I/O errors
   * @example const note = await log.checkpointNote()
   */
  async checkpointNote(): Promise<string> {
    const bytes = await this.#resources.read('checkpoint', MAX_NOTE_BYTES);
    if (bytes === null) throw new CanopyError('NOT_FOUND', `${this.location} serves no checkpoint`);
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    return text;
  }

  /**
   * The latest checkpoint served, accepted under the policy with `registryVkey` as the
   * registry's key, and consistent with every checkpoint accepted before.
   * @throws {RangeError} if `registryVkey` differs from the policy's key; as
   *   `verifyLogCheckpoint`; {CanopyError} PROOF_INVALID if it is not consistent with a
   *   checkpoint accepted before, or the tiles proving that do not verify
   * @example const { checkpoint } = await log.verifiedCheckpoint(registryVkey)
   */
  async verifiedCheckpoint(registryVkey: string): Promise<VerifiedCheckpoint> {
    this.#pin(registryVkey);
    return this.adoptCheckpoint(await this.checkpointNote());
  }

  /**
   * Accepts a checkpoint note obtained elsewhere (a follow page, a passport, a gossip
   * peer) under the policy, if it is consistent with the trusted head, and makes it the
   * trusted head if it is larger.
   * @throws as `verifiedCheckpoint`
   * @example await log.adoptCheckpoint(page.checkpoint.note)
   */
  async adoptCheckpoint(note: string): Promise<VerifiedCheckpoint> {
    const policy = this.#requirePolicy();
    const verified = verifyLogCheckpoint(note, policy);
    const next: TrustedHead = { size: verified.checkpoint.size, rootHash: verified.checkpoint.rootHash, verified };
    const head = this.#head;
    if (head === null) {
      this.#head = next;
      return verified;
    }
    const [small, large] = next.size <= head.size ? [next, head] : [head, next];
    if (small.size === large.size) {
      if (!hashEqual(small.rootHash, large.rootHash)) throw new CanopyError('PROOF_INVALID', `${this.location} serves a checkpoint of size ${next.size} with another root than the one accepted before: the log forked`);
    } else if (small.size > 0) {
      const proof = await this.#authenticated(large, (reader) => proveTree(large.size, small.size, reader));
      if (!checkTree(proof, large.size, large.rootHash, small.size, small.rootHash)) {
        throw new CanopyError('PROOF_INVALID', `the checkpoints of sizes ${small.size} and ${large.size} from ${this.location} are not consistent: the log forked`);
      }
    }
    if (next.size >= head.size) this.#head = next;
    return verified;
  }

  /**
   * Signed checkpoints with size ≥ `from`, oldest first, up to the trusted checkpoint, from
   * the history files (checkpoint-history.ts); as RegistryClient's. Each note must verify
   * with the registry key (cosignatures are not required of old checkpoints) and carry the
   * size, root hash and Poseidon roots its record states; the leaf counts and signing
   * time are unsigned, as in the API.
   * @throws {TypeError|RangeError} for a bad option; {CanopyError} PROOF_INVALID naming the
   *   history file with a bad record or note; NOT_FOUND if a history file is missing
   * @example (await log.checkpoints({ from: 0, limit: 10 })).map((c) => c.lotsRoot)
   */
  async checkpoints(options: { from?: number; limit?: number } = {}): Promise<SignedCheckpoint[]> {
    const from = options.from ?? 0;
    const limit = options.limit ?? MAX_HISTORY_PAGE;
    assertInteger(from, 'options.from', 0, TLOG_MAX_SIZE);
    assertInteger(limit, 'options.limit', 1, MAX_HISTORY_PAGE);
    const head = await this.#ensureHead(0);
    const registryOnly: CompiledPolicy = { ...this.#requirePolicy(), cosigners: [], quorum: 0 };
    const last = Math.floor(head.size / HISTORY_RANGE);
    const out: SignedCheckpoint[] = [];
    for (let n = Math.floor(from / HISTORY_RANGE); n <= last && out.length < limit; n++) {
      const { path, records } = await this.#historyRange(n, n < last);
      for (const r of records) {
        if (r.size < from || r.size > head.size || out.length === limit) continue;
        let c;
        try {
          c = verifyLogCheckpoint(r.note, registryOnly).checkpoint;
        } catch (e) {
          throw new CanopyError('PROOF_INVALID', `the checkpoint of size ${r.size} in ${path} from ${this.location} does not verify: ${(e as Error).message}`, { cause: e });
        }
        const signed = { size: c.size, rootHash: b64(c.rootHash), lotsRoot: c.canopyRoots === null ? null : fieldToString(c.canopyRoots.lots), plotsRoot: c.canopyRoots === null ? null : fieldToString(c.canopyRoots.plots) };
        for (const k of ['size', 'rootHash', 'lotsRoot', 'plotsRoot'] as const) {
          if (r[k] !== signed[k]) throw new CanopyError('PROOF_INVALID', `the record of size ${r.size} in ${path} from ${this.location} states ${k} ${String(r[k])}, its note ${String(signed[k])}`);
        }
        out.push(r);
      }
    }
    return out;
  }

  /**
   * Entries [start, end), each authenticated against the trusted checkpoint; `end`
   * defaults to the end of start's bundle (or of the log). `size` is the trusted size.
   * @throws {TypeError|RangeError} for a malformed range or one longer than MAX_TILED_ENTRIES;
   *   {CanopyError} NOT_FOUND beyond the latest checkpoint; PROOF_INVALID naming the tile
   *   or bundle that does not verify; LOG_INCONSISTENT for a signed entry that does not decode
   * @example const { entries } = await log.entries(0, 100)
   */
  async entries(start: number, end?: number): Promise<{ size: number; entries: ServedEntry[] }> {
    assertInteger(start, 'start', 0, TLOG_MAX_SIZE);
    let head = await this.#ensureHead(0);
    if (end === undefined && start >= head.size) head = await this.#ensureHead(start + 1, false);
    const stop = end ?? Math.max(start, Math.min(head.size, (Math.floor(start / TILE_WIDTH) + 1) * TILE_WIDTH));
    assertInteger(stop, 'end', start, Math.min(TLOG_MAX_SIZE, start + MAX_TILED_ENTRIES));
    if (stop > head.size) head = await this.#ensureHead(stop, false);
    if (stop > head.size) throw new CanopyError('NOT_FOUND', `the range [${start}, ${stop}) reaches beyond the log of ${head.size} entries at ${this.location}`);
    return { size: head.size, entries: start === stop ? [] : await this.#readEntries(head, start, stop) };
  }

  /**
   * Every entry of [start, end), bundle by bundle, each authenticated.
   * @throws as `entries`
   * @example for await (const e of log.entryRange(0, checkpoint.size)) replay(e)
   */
  async *entryRange(start: number, end: number): AsyncGenerator<ServedEntry> {
    assertInteger(start, 'start', 0, TLOG_MAX_SIZE);
    assertInteger(end, 'end', start, TLOG_MAX_SIZE);
    for (let at = start; at < end; ) {
      const stop = Math.min(end, (Math.floor(at / TILE_WIDTH) + 1) * TILE_WIDTH);
      const page = await this.entries(at, stop);
      for (const e of page.entries) yield e;
      at = stop;
    }
  }

  /**
   * One entry, authenticated.
   * @throws as `entries`
   * @example (await log.entry(3)).entry.type
   */
  async entry(seq: number): Promise<ServedEntry> {
    assertInteger(seq, 'seq', 0, TLOG_MAX_SIZE - 1);
    return (await this.entries(seq, seq + 1)).entries[0]!;
  }

  /**
   * The inclusion proof of entry `index` in the log of `size` entries, computed from
   * authenticated tiles (check it with registry/log/log-proofs.ts `checkInclusionProof`).
   * @throws {TypeError|RangeError} unless 0 ≤ index < size ≤ the latest checkpoint's size;
   *   {CanopyError} PROOF_INVALID naming a tile that does not verify
   * @example await log.inclusionProof(receipt.sequence, checkpoint.size)
   */
  async inclusionProof(index: number, size: number): Promise<InclusionProof> {
    assertInteger(size, 'size', 1, TLOG_MAX_SIZE);
    assertInteger(index, 'index', 0, size - 1);
    const head = await this.#ensureHead(size);
    const [leaf, proof] = await this.#authenticated(head, async (reader) => [(await reader.readHashes([storedHashIndex(0, index)]))[0]!, await proveRecord(size, index, reader)] as const);
    return { index, size, leafHash: b64(leaf), hashes: proof.map(b64) };
  }

  /**
   * The consistency proof from the log of `oldSize` entries to the log of `size`,
   * computed from authenticated tiles.
   * @throws {TypeError|RangeError} unless 1 ≤ oldSize ≤ size ≤ the latest checkpoint's size;
   *   {CanopyError} PROOF_INVALID naming a tile that does not verify
   * @example await log.consistencyProof(older.size, newer.size)
   */
  async consistencyProof(oldSize: number, size: number): Promise<ConsistencyProof> {
    assertInteger(size, 'size', 1, TLOG_MAX_SIZE);
    assertInteger(oldSize, 'oldSize', 1, size);
    const head = await this.#ensureHead(size);
    const proof = await this.#authenticated(head, (reader) => proveTree(size, oldSize, reader));
    return { oldSize, size, hashes: proof.map(b64) };
  }

  /**
   * The authenticated leaf hashes of entries [start, end) (for checking entries obtained
   * elsewhere, e.g. a follow page, against the trusted checkpoint).
   * @throws {TypeError|RangeError} for a malformed range, one longer than MAX_TILED_ENTRIES,
   *   or one beyond the latest checkpoint; {CanopyError} PROOF_INVALID naming a tile
   * @example const leaves = await log.leafHashes(0, 10)
   */
  async leafHashes(start: number, end: number): Promise<Hash[]> {
    assertInteger(start, 'start', 0, TLOG_MAX_SIZE);
    assertInteger(end, 'end', start, Math.min(TLOG_MAX_SIZE, start + MAX_TILED_ENTRIES));
    return this.#leafHashes(await this.#ensureHead(end), start, end);
  }

  async #leafHashes(head: TrustedHead, start: number, end: number): Promise<Hash[]> {
    if (start === end) return [];
    const indexes: number[] = [];
    for (let i = start; i < end; i++) indexes.push(storedHashIndex(0, i));
    return this.#authenticated(head, async (reader) => reader.readHashes(indexes));
  }

  #pin(registryVkey: string): void {
    if (this.#registryKey !== null && registryVkey !== this.#registryKey) {
      rangeError('registryVkey', `the registry key this reader was given (${this.#registryKey})`, registryVkey);
    }
    if (this.#policy === null) {
      this.#policy = compilePolicy({ registryKey: registryVkey });
      this.#registryKey = registryVkey;
    }
  }

  #requirePolicy(): CompiledPolicy {
    if (this.#policy === null) throw new CanopyError('NOTE_UNVERIFIED', `no registry key to verify ${this.location} with: give a policy, or call verifiedCheckpoint(vkey) first`);
    return this.#policy;
  }

  /**
   * A trusted head of at least `minSize` entries: the current one, or the latest served.
   * With `strict`, a size beyond the latest checkpoint is bad input (as the API's 400).
   */
  async #ensureHead(minSize: number, strict = true): Promise<TrustedHead> {
    if (this.#head === null || this.#head.size < minSize) {
      await this.adoptCheckpoint(await this.checkpointNote());
    }
    const head = this.#head!;
    if (strict && head.size < minSize) rangeError('size', `a size the log has reached (≤ ${head.size} at ${this.location})`, minSize);
    return head;
  }

  /** Authenticated entries [start, end) of the tree `head`, end ≤ head.size. */
  async #readEntries(head: TrustedHead, start: number, end: number): Promise<ServedEntry[]> {
    const leaves = await this.#leafHashes(head, start, end);
    const out: ServedEntry[] = [];
    const first = Math.floor(start / TILE_WIDTH);
    const last = Math.floor((end - 1) / TILE_WIDTH);
    const bundles = await Promise.all(Array.from({ length: last - first + 1 }, (_, k) => this.#bundle(first + k, head.size)));
    for (let n = first; n <= last; n++) {
      const { path, entries } = bundles[n - first]!;
      const lo = Math.max(start, n * TILE_WIDTH);
      const hi = Math.min(end, (n + 1) * TILE_WIDTH);
      for (let seq = lo; seq < hi; seq++) {
        const bytes = entries[seq - n * TILE_WIDTH]!;
        const leaf = leaves[seq - start]!;
        if (!hashEqual(leafHash(bytes), leaf)) {
          throw new CanopyError('PROOF_INVALID', `entry ${seq} in ${path} from ${this.location} does not hash to its leaf in ${tilePath({ height: TILE_HEIGHT, level: 0, index: n, width: Math.min(TILE_WIDTH, head.size - n * TILE_WIDTH) })} (checkpoint of size ${head.size})`);
        }
        let entry: LogEntry;
        try {
          entry = decodeEntry(bytes);
        } catch (e) {
          throw new CanopyError('LOG_INCONSISTENT', `entry ${seq}, signed into the log, is not a canonical registry entry`, { cause: e });
        }
        out.push({ sequence: seq, leafHash: b64(leaf), entry });
      }
    }
    return out;
  }

  /** History range n: the complete file, or the current one (the complete one if it has been replaced). */
  async #historyRange(n: number, complete: boolean): Promise<{ path: string; records: SignedCheckpoint[] }> {
    for (const c of complete ? [true] : [false, true]) {
      const path = historyPath(n, c);
      const data = await this.#resources.read(path, MAX_HISTORY_FILE_BYTES);
      if (data !== null) return { path, records: decodeHistory(data, n, `${path} from ${this.location}`) };
    }
    throw new CanopyError('NOT_FOUND', `${historyPath(n, complete)} is not served by ${this.location}`);
  }

  /** Entry bundle n as it is in the tree of `size` entries; from the full bundle if the partial one is gone. */
  async #bundle(n: number, size: number): Promise<{ path: string; entries: Uint8Array[] }> {
    const width = Math.min(TILE_WIDTH, size - n * TILE_WIDTH);
    const tile: Tile = { height: TILE_HEIGHT, level: -1, index: n, width };
    const path = tilePath(tile);
    const data = await this.#resources.read(path, MAX_BUNDLE_BYTES);
    if (data !== null) return { path, entries: decodeEntryBundle(data, width, `${path} from ${this.location}`) };
    if (width < TILE_WIDTH) {
      const fullPath = tilePath({ ...tile, width: TILE_WIDTH });
      const full = await this.#resources.read(fullPath, MAX_BUNDLE_BYTES);
      if (full !== null) return { path: fullPath, entries: decodeEntryBundle(full, TILE_WIDTH, `${fullPath} from ${this.location}`).slice(0, width) };
    }
    throw new CanopyError('NOT_FOUND', `${path} is not served by ${this.location}`);
  }

  /**
   * Runs `f` with a HashReader authenticated against `head`; if a tile fails to verify,
   * finds which one and names it.
   */
  async #authenticated<T>(head: TrustedHead, f: (reader: HashReader) => Promise<T>): Promise<T> {
    const last: { read: TileRead | null } = { read: null };
    const reader = tileHashReader({ size: head.size, hash: head.rootHash }, this.#tileReader(last));
    try {
      return await f(reader);
    } catch (e) {
      if (e instanceof CanopyError && e.code === 'PROOF_INVALID' && last.read !== null) {
        throw new CanopyError('PROOF_INVALID', await this.#culprit(head, last.read), { cause: e });
      }
      throw e;
    }
  }

  /** A tile source over the location and the cache; `last` keeps the latest read, to name a culprit. */
  #tileReader(last: { read: TileRead | null }): TileReader {
    return {
      readTiles: async (tiles: Tile[]) => {
        const data = await Promise.all(tiles.map((t) => this.#tile(t)));
        last.read = { tiles, data };
        return data;
      },
      saveTiles: (tiles: Tile[], data: Uint8Array[]) => {
        if (this.#cacheLimit === 0) return;
        // Any tile path names fixed bytes (a partial tile is the prefix of its full tile), so
        // partial tiles are cached too; they are authenticated again at every use anyway.
        tiles.forEach((t, i) => {
          const key = tilePath(t);
          this.#cache.delete(key);
          this.#cache.set(key, data[i]!);
          if (this.#cache.size > this.#cacheLimit) this.#cache.delete(this.#cache.keys().next().value!);
        });
      },
    };
  }

  /** A hash tile's data: cached, or read (a gone partial tile from its full tile); length checked. */
  async #tile(tile: Tile): Promise<Uint8Array> {
    const path = tilePath(tile);
    const want = tile.width * HASH_SIZE;
    const cached = this.#cache.get(path) ?? this.#cache.get(tilePath({ ...tile, width: TILE_WIDTH }));
    if (cached !== undefined) return cached.slice(0, want);
    let data = await this.#resources.read(path, want);
    let from = path;
    if (data === null && tile.width < TILE_WIDTH) {
      from = tilePath({ ...tile, width: TILE_WIDTH });
      const full = await this.#resources.read(from, TILE_WIDTH * HASH_SIZE);
      if (full !== null && full.length === TILE_WIDTH * HASH_SIZE) data = full.slice(0, want);
      else if (full !== null) data = full;
    }
    if (data === null) throw new CanopyError('NOT_FOUND', `${path} is not served by ${this.location}`);
    if (data.length !== want) throw new CanopyError('PROOF_INVALID', `${from} from ${this.location} has ${data.length} bytes, not the ${want} of ${tile.width} hashes`);
    return data;
  }

  /**
   * Which tile of a failed read is wrong. The tiles holding the tree head are checked
   * first (they must fold to the root); then every full tile against the hash its parent
   * holds, parents before children, so the first mismatch is under a parent that is right.
   */
  async #culprit(head: TrustedHead, read: TileRead): Promise<string> {
    const at = `from ${this.location} (checkpoint of size ${head.size})`;
    const find = (level: number, index: number, minWidth: number): number => read.tiles.findIndex((t) => t.level === level && t.index === index && t.width >= minWidth);
    const used = new Set<number>();
    const raw: HashReader = {
      readHashes: (indexes) =>
        indexes.map((x) => {
          const t = tileForIndex(x, TILE_HEIGHT);
          const i = find(t.level, t.index, t.width);
          if (i < 0) throw new Error(`no tile holds stored hash ${x}`);
          used.add(i);
          return hashFromTile(read.tiles[i]!, read.data[i]!, x);
        }),
    };
    try {
      if (!hashEqual(await treeHash(head.size, raw), head.rootHash)) {
        const paths = [...used].map((i) => tilePath(read.tiles[i]!));
        return paths.length === 1 ? `${paths[0]} ${at} does not hash to the checkpoint's root` : `the tiles ${paths.join(', ')} ${at} do not hash to the checkpoint's root`;
      }
    } catch {
      // A tile missing from the read: fall through to the parent checks.
    }
    const order = read.tiles.map((t, i) => i).filter((i) => read.tiles[i]!.width === TILE_WIDTH).sort((a, b) => read.tiles[b]!.level - read.tiles[a]!.level);
    for (const i of order) {
      const t = read.tiles[i]!;
      const p = find(t.level + 1, Math.floor(t.index / TILE_WIDTH), (t.index % TILE_WIDTH) + 1);
      if (p < 0) continue;
      const want = hashFromTile(read.tiles[p]!, read.data[p]!, storedHashIndex(TILE_HEIGHT * (t.level + 1), t.index));
      if (!hashEqual(fullTileRoot(read.data[i]!), want)) return `${tilePath(t)} ${at} does not match the hash its parent ${tilePath(read.tiles[p]!)} holds`;
    }
    return `the tiles ${read.tiles.map(tilePath).join(', ')} ${at} do not verify`;
  }
}

/** The root of a full tile: its 256 hashes folded pairwise (a complete subtree of height 8). */
function fullTileRoot(data: Uint8Array): Hash {
  let level: Hash[] = [];
  for (let i = 0; i < TILE_WIDTH; i++) level.push(data.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE));
  while (level.length > 1) {
    const next: Hash[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    level = next;
  }
  return level[0]!;
}

function b64(h: Uint8Array): string {
  return Buffer.from(h).toString('base64');
}
