/**
 * The registry store on embedded SQLite (better-sqlite3), the default deployment: one file,
 * no server. Implements the `RegistryStore` contract of store.ts.
 *
 * Durability: the database runs in WAL mode with `synchronous = FULL`, so a commit returns
 * only after its WAL frames are fsync'ed; an acknowledged append survives a process kill
 * and a power loss (SQLite, "Write-Ahead Logging" §"Performance considerations" and
 * "PRAGMA synchronous": FULL syncs the WAL on every commit). A transaction interrupted by
 * a crash leaves no trace: readers and the next opener ignore WAL frames after the last
 * commit record.
 *
 * Serialisation: better-sqlite3 is synchronous, so every call runs to completion on the
 * event loop without interleaving. Writes open `BEGIN IMMEDIATE`, which takes SQLite's
 * write lock at once, so several processes sharing one file are also serialised (waiting
 * up to `busyTimeoutMs` for the lock); the head row is read inside that transaction.
 *
 * Schema (all integers 64-bit, field elements 32 bytes big-endian):
 *
 *     head(id = 0, size, lots_size, plots_size, checkpoint_size)
 *     entries(seq PK, entry_type, bytes, leaf_hash)
 *     hashes(idx PK, hash)
 *     lots_leaves(idx PK, leaf, seq)          plots_leaves(idx PK, leaf, seq)
 *     nullifiers(nullifier PK, seq)           datasets(root PK, seq)
 *     parties(party_id PK, role, public_key UNIQUE, registered_seq, revoked_seq)
 *     checkpoints(size PK, root_hash, lots_size, plots_size, lots_root, plots_root,
 *                 note, signed_at)            indexed on lots_root and on plots_root
 *     pinned_keys((circuit, vkey_hash) PK, seq)
 *     submissions(seq PK, key_id, kind, role, submitted_at)
 *     nonces((key_id, nonce) PK, expires_at)  indexed on expires_at
 *     kv(key PK, value)                       meta(key PK, value): schema version
 *
 * Leaves are indexed on (leaf, idx), parties on role: `findLeaf` is one B-tree probe at
 * any tree size. Schema version 2; a version 1 file is migrated when opened (the new
 * tables and indexes are created, and the submitter records that version 1 kept in the
 * key-value table under `audit/submissions/<first sequence>` move to `submissions`).
 * @module
 */
import Database from 'better-sqlite3';
import { assertBytes, assertInteger, assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { assertField } from '../../core/field.ts';
import type { Hash } from '../../core/tlog/hash.ts';
import { storedHashIndex } from '../../core/tlog/stored-hash.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';
import {
  asBuffer,
  bytesToField,
  checkpointFromRow,
  fieldToBytes,
  headFromRow,
  LEGACY_SUBMISSIONS_PREFIX,
  legacySubmissionRows,
  partyFromRow,
  pinnedKeyFromRow,
  type Row,
  submissionFromRow,
  toBytes,
  toHash,
  toInt,
} from './_codec.ts';
import {
  type AppendBatch,
  assertCheckpointRecord,
  assertKvKey,
  assertLookup,
  assertNonceArgs,
  assertNonceKey,
  assertPartyId,
  assertPublicKey,
  assertRange,
  assertTreeName,
  type CheckpointRecord,
  checkAppendBatch,
  checkCheckpointFits,
  MAX_LISTED_ROWS,
  nonceKey,
  type PartyRecord,
  type PinnedKeyRecord,
  type RegistryStore,
  sameLog,
  type StoredEntry,
  type StoreHead,
  storeConflict,
  type SubmissionRow,
  type TreeLeaf,
  type TreeName,
} from './store.ts';

/** Schema version written to `meta`; opening a file with another version fails. */
export const SQLITE_SCHEMA_VERSION = '2';

/** Options of `openSqliteStore`. */
export interface SqliteStoreOptions {
  /** How long a write waits for another process's lock, in ms (default 30,000). */
  busyTimeoutMs?: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS head (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  size INTEGER NOT NULL, lots_size INTEGER NOT NULL, plots_size INTEGER NOT NULL, checkpoint_size INTEGER);
INSERT OR IGNORE INTO head (id, size, lots_size, plots_size, checkpoint_size) VALUES (0, 0, 0, 0, NULL);
CREATE TABLE IF NOT EXISTS entries (seq INTEGER PRIMARY KEY, entry_type TEXT NOT NULL, bytes BLOB NOT NULL, leaf_hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS hashes (idx INTEGER PRIMARY KEY, hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS lots_leaves (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS plots_leaves (idx INTEGER PRIMARY KEY, leaf BLOB NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS nullifiers (nullifier BLOB PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS datasets (root BLOB PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS parties (
  party_id TEXT PRIMARY KEY, role TEXT NOT NULL, public_key TEXT NOT NULL UNIQUE,
  registered_seq INTEGER NOT NULL, revoked_seq INTEGER);
CREATE TABLE IF NOT EXISTS checkpoints (
  size INTEGER PRIMARY KEY, root_hash BLOB NOT NULL, lots_size INTEGER NOT NULL, plots_size INTEGER NOT NULL,
  lots_root BLOB NOT NULL, plots_root BLOB NOT NULL, note TEXT NOT NULL, signed_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS checkpoints_lots_root ON checkpoints (lots_root);
CREATE INDEX IF NOT EXISTS checkpoints_plots_root ON checkpoints (plots_root);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS lots_leaves_leaf ON lots_leaves (leaf, idx);
CREATE INDEX IF NOT EXISTS plots_leaves_leaf ON plots_leaves (leaf, idx);
CREATE INDEX IF NOT EXISTS parties_role ON parties (role, registered_seq);
CREATE TABLE IF NOT EXISTS pinned_keys (circuit TEXT NOT NULL, vkey_hash TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (circuit, vkey_hash)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS submissions (seq INTEGER PRIMARY KEY, key_id TEXT NOT NULL, kind TEXT NOT NULL, role TEXT NOT NULL, submitted_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS nonces (key_id TEXT NOT NULL, nonce TEXT NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (key_id, nonce)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS nonces_expiry ON nonces (expires_at);
`;

/**
 * Opens (creating if needed) a registry store in the SQLite file at `path`.
 * @param path - a file path, or ":memory:" for a private in-memory database (tests)
 * @throws {TypeError|RangeError} if an argument is malformed; {CanopyError} INVALID_INPUT if
 *   the file holds another schema version or WAL mode cannot be enabled; whatever SQLite throws
 * @example const store = openSqliteStore('registry.db')
 */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): RegistryStore {
  assertString(path, 'path', 4096);
  if (path.length === 0) throw new RangeError('"path" expected a file path or ":memory:", got ""');
  const busyTimeoutMs = options.busyTimeoutMs ?? 30_000;
  assertInteger(busyTimeoutMs, 'options.busyTimeoutMs', 0, 3_600_000);
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${busyTimeoutMs}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal' && path !== ':memory:') throw new CanopyError('INVALID_INPUT', `SQLite refused WAL mode for ${path} (journal_mode = ${String(mode)})`);
    db.pragma('synchronous = FULL');
    // FULL is 2; read back, since SQLite ignores a pragma it does not apply.
    if (db.pragma('synchronous', { simple: true }) !== 2) throw new CanopyError('INVALID_INPUT', `SQLite refused synchronous = FULL for ${path}`);
    db.transaction(() => {
      db.exec(SCHEMA);
      const row = db.prepare('SELECT value FROM meta WHERE key = ?').get('schema') as Row | undefined;
      if (row === undefined) db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema', SQLITE_SCHEMA_VERSION);
      else if (row.value === '1') migrateFromVersion1(db);
      else if (row.value !== SQLITE_SCHEMA_VERSION) throw new CanopyError('INVALID_INPUT', `${path} has registry schema ${String(row.value)}, want ${SQLITE_SCHEMA_VERSION}`);
    }).immediate();
  } catch (e) {
    db.close();
    throw e;
  }
  return new SqliteStore(db);
}

/**
 * The durability settings of a store's connection, read back from SQLite: journal mode
 * ("wal", or "memory" for ":memory:") and synchronous level (2 = FULL).
 * @throws {TypeError} if `store` is not a store from openSqliteStore
 * @example sqliteSettings(store) // { journalMode: 'wal', synchronous: 2 }
 */
export function sqliteSettings(store: RegistryStore): { journalMode: string; synchronous: number } {
  if (!(store instanceof SqliteStore)) throw new TypeError('"store" expected a store from openSqliteStore');
  return store.settings();
}

class SqliteStore implements RegistryStore {
  readonly kind = 'sqlite';
  readonly #db: Database.Database;
  readonly #s: ReturnType<typeof prepare>;
  readonly #append: (batch: AppendBatch, next: StoreHead) => StoreHead;
  readonly #appendCheckpoint: (c: CheckpointRecord, previousSize: number | null) => void;

  constructor(db: Database.Database) {
    this.#db = db;
    const s = prepare(db);
    this.#s = s;
    this.#append = db.transaction((batch: AppendBatch, next: StoreHead): StoreHead => {
      const head = readHead(s);
      if (!sameLog(head, batch.expected)) throw storeConflict(`head is size ${head.size} (${head.lotsSize} lots, ${head.plotsSize} plots leaves), batch expects size ${batch.expected.size} (${batch.expected.lotsSize}, ${batch.expected.plotsSize})`);
      // The requests' nonces first: a live one (recorded by any process) stops the batch.
      for (const c of batch.nonces ?? []) {
        if (s.rememberNonce.run(c.keyId, c.nonce, c.expiresAt, c.nowSeconds).changes !== 1) throw storeConflict(`nonce ${c.nonce} of ${c.keyId} is already recorded`);
      }
      let lots = head.lotsSize;
      let plots = head.plotsSize;
      for (const r of batch.records) {
        const seq = r.sequence;
        s.insertEntry.run(seq, r.entryType, asBuffer(r.bytes), asBuffer(r.leafHash));
        let idx = storedHashIndex(0, seq);
        for (const h of r.storedHashes) s.insertHash.run(idx++, asBuffer(h));
        for (const leaf of r.lotsLeaves) s.insertLeaf.lots.run(lots++, fieldToBytes(leaf), seq);
        for (const leaf of r.plotsLeaves) s.insertLeaf.plots.run(plots++, fieldToBytes(leaf), seq);
        for (const n of r.nullifiers) unique(() => s.insertNullifier.run(fieldToBytes(n), seq), `nullifier ${n}`);
        if (r.datasetRoot !== null) unique(() => s.insertDataset.run(fieldToBytes(r.datasetRoot!), seq), `dataset root ${r.datasetRoot}`);
        if (r.party?.kind === 'register') {
          const p = r.party;
          unique(() => s.insertParty.run(p.partyId, p.role, p.publicKey, seq), `party ${p.partyId} or its key`);
        } else if (r.party?.kind === 'revoke') {
          if (s.revokeParty.run(seq, r.party.partyId).changes !== 1) throw storeConflict(`party ${r.party.partyId} is not an active party`);
        }
        // A key pinned before keeps the sequence number of its first pinning.
        for (const k of r.pinnedKeys ?? []) s.pinKey.run(k.circuit, k.vkeyHash, seq);
        if (r.submitter) s.insertSubmission.run(seq, r.submitter.keyId, r.submitter.kind, r.submitter.role, r.submitter.submittedAt);
      }
      s.updateHead.run(next.size, next.lotsSize, next.plotsSize);
      return { ...next, checkpointSize: head.checkpointSize };
    }).immediate;
    this.#appendCheckpoint = db.transaction((c: CheckpointRecord, previousSize: number | null): void => {
      const head = readHead(s);
      if (head.checkpointSize !== previousSize) throw storeConflict(`latest checkpoint has size ${head.checkpointSize}, caller expected ${previousSize}`);
      const previous = previousSize === null ? null : (s.checkpointAt.get(previousSize) as Row | undefined);
      if (previous === undefined) throw new CanopyError('LOG_INCONSISTENT', `head names checkpoint ${previousSize}, which is not stored`);
      checkCheckpointFits(c, previous === null ? null : checkpointFromRow(previous), head);
      s.insertCheckpoint.run(c.size, asBuffer(c.rootHash), c.lotsSize, c.plotsSize, fieldToBytes(c.lotsRoot), fieldToBytes(c.plotsRoot), c.note, c.signedAt);
      s.updateCheckpointSize.run(c.size);
    }).immediate;
  }

  settings(): { journalMode: string; synchronous: number } {
    return { journalMode: String(this.#db.pragma('journal_mode', { simple: true })), synchronous: Number(this.#db.pragma('synchronous', { simple: true })) };
  }

  async head(): Promise<StoreHead> {
    return readHead(this.#s);
  }

  async readHashes(indexes: number[]): Promise<Hash[]> {
    assertLookup(indexes, 'indexes', (v, t) => assertInteger(v, t, 0, 2 * TLOG_MAX_SIZE + 64));
    return this.#db.transaction(() =>
      indexes.map((idx) => {
        const row = this.#s.hashAt.get(idx) as Row | undefined;
        if (row === undefined) throw new CanopyError('NOT_FOUND', `no stored hash at index ${idx}`);
        return toHash(row.hash, `hash ${idx}`);
      }),
    )();
  }

  async appendBatch(batch: AppendBatch): Promise<StoreHead> {
    const next = checkAppendBatch(batch);
    return this.#append(batch, next);
  }

  async readEntries(start: number, end: number): Promise<StoredEntry[]> {
    assertRange(start, end, TLOG_MAX_SIZE);
    const rows = this.#s.entries.all(start, end) as Row[];
    if (rows.length !== end - start) throw new CanopyError('NOT_FOUND', `entries [${start}, ${end}) requested, ${rows.length} stored`);
    return rows.map((r, i) => {
      const seq = toInt(r.seq, 'entry seq');
      if (seq !== start + i) throw new CanopyError('LOG_INCONSISTENT', `entry ${start + i} missing, found ${seq}`);
      return { sequence: seq, entryType: String(r.entry_type), bytes: toBytes(r.bytes, `entry ${seq}`), leafHash: toHash(r.leaf_hash, `leaf hash ${seq}`) };
    });
  }

  async readLeaves(tree: TreeName, start: number, end: number): Promise<TreeLeaf[]> {
    assertTreeName(tree, 'tree');
    assertRange(start, end, 2 ** 32);
    const rows = this.#s.leaves[tree].all(start, end) as Row[];
    if (rows.length !== end - start) throw new CanopyError('NOT_FOUND', `${tree} leaves [${start}, ${end}) requested, ${rows.length} stored`);
    return rows.map((r, i) => {
      const index = toInt(r.idx, `${tree} leaf index`);
      if (index !== start + i) throw new CanopyError('LOG_INCONSISTENT', `${tree} leaf ${start + i} missing, found ${index}`);
      return { index, value: bytesToField(r.leaf, `${tree} leaf ${index}`), sequence: toInt(r.seq, `${tree} leaf ${index} seq`) };
    });
  }

  async findNullifiers(nullifiers: readonly bigint[]): Promise<Map<bigint, number>> {
    assertLookup(nullifiers, 'nullifiers', assertField);
    return this.#lookup(nullifiers, this.#s.nullifier, 'seq');
  }

  async findDatasets(roots: readonly bigint[]): Promise<Map<bigint, number>> {
    assertLookup(roots, 'roots', assertField);
    return this.#lookup(roots, this.#s.dataset, 'seq');
  }

  async findPublishedRoots(tree: TreeName, roots: readonly bigint[]): Promise<Map<bigint, number>> {
    assertTreeName(tree, 'tree');
    assertLookup(roots, 'roots', assertField);
    return this.#lookup(roots, this.#s.publishedRoot[tree], 'size');
  }

  async findParties(partyIds: readonly string[]): Promise<Map<string, PartyRecord>> {
    assertLookup(partyIds, 'partyIds', assertPartyId);
    const out = new Map<string, PartyRecord>();
    for (const id of partyIds) {
      const row = this.#s.partyById.get(id) as Row | undefined;
      if (row !== undefined) out.set(id, partyFromRow(row));
    }
    return out;
  }

  async findPartiesByKey(publicKeys: readonly string[]): Promise<Map<string, PartyRecord>> {
    assertLookup(publicKeys, 'publicKeys', assertPublicKey);
    const out = new Map<string, PartyRecord>();
    for (const key of publicKeys) {
      const row = this.#s.partyByKey.get(key) as Row | undefined;
      if (row !== undefined) out.set(key, partyFromRow(row));
    }
    return out;
  }

  async findPartiesByRole(role: string): Promise<PartyRecord[]> {
    assertString(role, 'role', 32);
    return (this.#s.partiesByRole.all(role, MAX_LISTED_ROWS) as Row[]).map(partyFromRow);
  }

  async findLeaf(tree: TreeName, value: bigint): Promise<TreeLeaf | null> {
    assertTreeName(tree, 'tree');
    assertField(value, 'value');
    const row = this.#s.leafByValue[tree].get(fieldToBytes(value)) as Row | undefined;
    if (row === undefined) return null;
    const index = toInt(row.idx, `${tree} leaf index`);
    return { index, value: bytesToField(row.leaf, `${tree} leaf ${index}`), sequence: toInt(row.seq, `${tree} leaf ${index} seq`) };
  }

  async readPinnedKeys(): Promise<PinnedKeyRecord[]> {
    return (this.#s.pinnedKeys.all(MAX_LISTED_ROWS) as Row[]).map(pinnedKeyFromRow);
  }

  async readSubmissions(start: number, end: number): Promise<SubmissionRow[]> {
    assertRange(start, end, TLOG_MAX_SIZE);
    assertInteger(end - start, 'end - start', 0, MAX_LISTED_ROWS);
    return (this.#s.submissions.all(start, end) as Row[]).map(submissionFromRow);
  }

  async rememberNonce(keyId: string, nonce: string, expiresAt: number, nowSeconds: number): Promise<boolean> {
    assertNonceArgs(keyId, nonce, expiresAt, nowSeconds);
    // One statement, so atomic; across processes SQLite's write lock serialises it.
    return this.#s.rememberNonce.run(keyId, nonce, expiresAt, nowSeconds).changes === 1;
  }

  async readNonces(keys: readonly { keyId: string; nonce: string }[]): Promise<Map<string, number>> {
    assertLookup(keys, 'keys', (v, t) => assertNonceKey(v, t));
    const out = new Map<string, number>();
    for (const { keyId, nonce } of keys) {
      const row = this.#s.nonceExpiry.get(keyId, nonce) as Row | undefined;
      if (row !== undefined) out.set(nonceKey(keyId, nonce), toInt(row.expires_at, 'nonce expiry'));
    }
    return out;
  }

  async sweepNonces(nowSeconds: number): Promise<number> {
    assertInteger(nowSeconds, 'nowSeconds');
    return this.#s.sweepNonces.run(nowSeconds).changes;
  }

  async latestCheckpoint(): Promise<CheckpointRecord | null> {
    const row = this.#s.latestCheckpoint.get() as Row | undefined;
    return row === undefined ? null : checkpointFromRow(row);
  }

  async readCheckpoints(fromSize: number, limit: number): Promise<CheckpointRecord[]> {
    assertInteger(fromSize, 'fromSize', 0, TLOG_MAX_SIZE);
    assertInteger(limit, 'limit', 1, 10_000);
    return (this.#s.checkpointsFrom.all(fromSize, limit) as Row[]).map(checkpointFromRow);
  }

  async appendCheckpoint(checkpoint: CheckpointRecord, previousSize: number | null): Promise<void> {
    assertCheckpointRecord(checkpoint, 'checkpoint');
    if (previousSize !== null) assertInteger(previousSize, 'previousSize', 0, TLOG_MAX_SIZE);
    this.#appendCheckpoint(checkpoint, previousSize);
  }

  async replaceCheckpointNote(size: number, note: string, previousNote: string): Promise<void> {
    assertInteger(size, 'size', 0, TLOG_MAX_SIZE);
    assertString(note, 'note', 1 << 20);
    assertString(previousNote, 'previousNote', 1 << 20);
    if (this.#s.replaceNote.run(note, size, previousNote).changes === 1) return;
    if (this.#s.checkpointAt.get(size) === undefined) throw new CanopyError('NOT_FOUND', `no checkpoint of size ${size}`);
    throw storeConflict(`the note of checkpoint ${size} changed since it was read`);
  }

  async kvGet(key: string): Promise<Uint8Array | null> {
    assertKvKey(key, 'key');
    const row = this.#s.kvGet.get(key) as Row | undefined;
    return row === undefined ? null : toBytes(row.value, `kv ${key}`);
  }

  async kvPut(key: string, value: Uint8Array): Promise<void> {
    assertKvKey(key, 'key');
    assertBytes(value, 'value');
    this.#s.kvPut.run(key, asBuffer(value));
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  #lookup(values: readonly bigint[], stmt: Database.Statement, column: string): Map<bigint, number> {
    const out = new Map<bigint, number>();
    for (const v of values) {
      const row = stmt.get(fieldToBytes(v)) as Row | undefined;
      if (row !== undefined && row[column] !== null) out.set(v, toInt(row[column], column));
    }
    return out;
  }
}

function prepare(db: Database.Database) {
  return {
    head: db.prepare('SELECT size, lots_size, plots_size, checkpoint_size FROM head WHERE id = 0'),
    updateHead: db.prepare('UPDATE head SET size = ?, lots_size = ?, plots_size = ? WHERE id = 0'),
    updateCheckpointSize: db.prepare('UPDATE head SET checkpoint_size = ? WHERE id = 0'),
    insertEntry: db.prepare('INSERT INTO entries (seq, entry_type, bytes, leaf_hash) VALUES (?, ?, ?, ?)'),
    insertHash: db.prepare('INSERT INTO hashes (idx, hash) VALUES (?, ?)'),
    insertLeaf: {
      lots: db.prepare('INSERT INTO lots_leaves (idx, leaf, seq) VALUES (?, ?, ?)'),
      plots: db.prepare('INSERT INTO plots_leaves (idx, leaf, seq) VALUES (?, ?, ?)'),
    },
    insertNullifier: db.prepare('INSERT INTO nullifiers (nullifier, seq) VALUES (?, ?)'),
    insertDataset: db.prepare('INSERT INTO datasets (root, seq) VALUES (?, ?)'),
    insertParty: db.prepare('INSERT INTO parties (party_id, role, public_key, registered_seq, revoked_seq) VALUES (?, ?, ?, ?, NULL)'),
    revokeParty: db.prepare('UPDATE parties SET revoked_seq = ? WHERE party_id = ? AND revoked_seq IS NULL'),
    hashAt: db.prepare('SELECT hash FROM hashes WHERE idx = ?'),
    entries: db.prepare('SELECT seq, entry_type, bytes, leaf_hash FROM entries WHERE seq >= ? AND seq < ? ORDER BY seq'),
    leaves: {
      lots: db.prepare('SELECT idx, leaf, seq FROM lots_leaves WHERE idx >= ? AND idx < ? ORDER BY idx'),
      plots: db.prepare('SELECT idx, leaf, seq FROM plots_leaves WHERE idx >= ? AND idx < ? ORDER BY idx'),
    },
    nullifier: db.prepare('SELECT seq FROM nullifiers WHERE nullifier = ?'),
    dataset: db.prepare('SELECT seq FROM datasets WHERE root = ?'),
    publishedRoot: {
      lots: db.prepare('SELECT MIN(size) AS size FROM checkpoints WHERE lots_root = ?'),
      plots: db.prepare('SELECT MIN(size) AS size FROM checkpoints WHERE plots_root = ?'),
    },
    partyById: db.prepare('SELECT party_id, role, public_key, registered_seq, revoked_seq FROM parties WHERE party_id = ?'),
    partyByKey: db.prepare('SELECT party_id, role, public_key, registered_seq, revoked_seq FROM parties WHERE public_key = ?'),
    latestCheckpoint: db.prepare('SELECT * FROM checkpoints ORDER BY size DESC LIMIT 1'),
    checkpointAt: db.prepare('SELECT * FROM checkpoints WHERE size = ?'),
    checkpointsFrom: db.prepare('SELECT * FROM checkpoints WHERE size >= ? ORDER BY size LIMIT ?'),
    insertCheckpoint: db.prepare('INSERT INTO checkpoints (size, root_hash, lots_size, plots_size, lots_root, plots_root, note, signed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    replaceNote: db.prepare('UPDATE checkpoints SET note = ? WHERE size = ? AND note = ?'),
    kvGet: db.prepare('SELECT value FROM kv WHERE key = ?'),
    kvPut: db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    partiesByRole: db.prepare('SELECT party_id, role, public_key, registered_seq, revoked_seq FROM parties WHERE role = ? ORDER BY registered_seq LIMIT ?'),
    leafByValue: {
      lots: db.prepare('SELECT idx, leaf, seq FROM lots_leaves WHERE leaf = ? ORDER BY idx LIMIT 1'),
      plots: db.prepare('SELECT idx, leaf, seq FROM plots_leaves WHERE leaf = ? ORDER BY idx LIMIT 1'),
    },
    pinKey: db.prepare('INSERT INTO pinned_keys (circuit, vkey_hash, seq) VALUES (?, ?, ?) ON CONFLICT (circuit, vkey_hash) DO NOTHING'),
    pinnedKeys: db.prepare('SELECT circuit, vkey_hash, seq FROM pinned_keys ORDER BY seq, circuit LIMIT ?'),
    insertSubmission: db.prepare('INSERT INTO submissions (seq, key_id, kind, role, submitted_at) VALUES (?, ?, ?, ?, ?)'),
    submissions: db.prepare('SELECT seq, key_id, kind, role, submitted_at FROM submissions WHERE seq >= ? AND seq < ? ORDER BY seq'),
    // Inserted, or an expired row taken over: 1 change; a live row: the WHERE fails, 0 changes.
    rememberNonce: db.prepare('INSERT INTO nonces (key_id, nonce, expires_at) VALUES (?, ?, ?) ON CONFLICT (key_id, nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE nonces.expires_at < ?'),
    sweepNonces: db.prepare('DELETE FROM nonces WHERE expires_at < ?'),
    nonceExpiry: db.prepare('SELECT expires_at FROM nonces WHERE key_id = ? AND nonce = ?'),
  };
}

// Version 1 → 2, inside the opening transaction: SCHEMA has created the new tables and
// indexes; the submitter records version 1 kept in kv move to the submissions table.
function migrateFromVersion1(db: Database.Database): void {
  const rows = db.prepare('SELECT key, value FROM kv WHERE key >= ? AND key < ?').all(LEGACY_SUBMISSIONS_PREFIX, `${LEGACY_SUBMISSIONS_PREFIX}\uffff`) as Row[];
  const size = readHead(prepareHead(db)).size;
  const insert = db.prepare('INSERT OR IGNORE INTO submissions (seq, key_id, kind, role, submitted_at) VALUES (?, ?, ?, ?, ?)');
  for (const row of rows) {
    for (const r of legacySubmissionRows(String(row.key), row.value, size)) insert.run(r.sequence, r.keyId, r.kind, r.role, r.submittedAt);
  }
  db.prepare('DELETE FROM kv WHERE key >= ? AND key < ?').run(LEGACY_SUBMISSIONS_PREFIX, `${LEGACY_SUBMISSIONS_PREFIX}\uffff`);
  db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(SQLITE_SCHEMA_VERSION, 'schema');
}

function prepareHead(db: Database.Database): Pick<ReturnType<typeof prepare>, 'head'> {
  return { head: db.prepare('SELECT size, lots_size, plots_size, checkpoint_size FROM head WHERE id = 0') };
}

function readHead(s: Pick<ReturnType<typeof prepare>, 'head'>): StoreHead {
  return headFromRow(s.head.get() as Row | undefined);
}

// A unique-constraint failure means another writer stored the value first.
function unique(fn: () => unknown, what: string): void {
  try {
    fn();
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') throw storeConflict(`${what} is already stored`, e);
    throw e;
  }
}
