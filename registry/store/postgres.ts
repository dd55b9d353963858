/**
 * The registry store on PostgreSQL (node-postgres), for deployments that outgrow one
 * machine: several registry processes in front of one database. Implements the
 * `RegistryStore` contract of store.ts, with the same schema as sqlite.ts (BIGINT for
 * integers, BYTEA for hashes and 32-byte big-endian field elements), inside one PostgreSQL
 * schema (`options.schema`, default "canopy_registry") reached through `search_path`.
 *
 * Serialisation across processes: every write transaction first locks the single `head`
 * row with `SELECT … FOR UPDATE`. A second writer blocks there until the first commits,
 * then reads the head the first one wrote (READ COMMITTED re-reads a row it waited for),
 * and its compare-and-set fails with `STORE_CONFLICT` if the log moved. Sequence numbers
 * are therefore assigned by exactly one transaction at a time, with no gap and no repeat,
 * whatever the number of processes; the primary keys on seq, idx and nullifier back this up.
 *
 * Schema version 2 (indexes on leaf values and party roles; pinned_keys, submissions and
 * nonces tables); a version 1 schema is migrated under the schema lock when opened, its
 * key-value submitter records moving to `submissions`.
 *
 * Nonces of signed requests live in the `nonces` table, so every registry process on the
 * database refuses a nonce any of them accepted: `INSERT … ON CONFLICT DO UPDATE … WHERE
 * expired` is atomic (a concurrent insert of the same key waits for the other transaction
 * and then sees its row), so exactly one of several concurrent callers gets the row.
 *
 * Connections: three pools, so that no kind of work can take every connection from
 * another. Reads use the main pool (`maxConnections`, default 4). The log's writes
 * (`appendBatch`, `appendCheckpoint`, `replaceCheckpointNote`, `kvPut`) use a pool of one
 * connection of their own: writers serialise on the head row anyway, and the sequencer's
 * group commit never waits behind reads or nonce writes for a connection. Nonce writes
 * (`rememberNonce`, `sweepNonces`, one durable commit per signed request that appends
 * nothing) use a pool of `nonceConnections` (default 2): a burst of signed reads or
 * refused requests queues there, and neither starves the sequencer nor is starved by it.
 * A process therefore holds at most maxConnections + 1 + nonceConnections connections.
 *
 * Durability: each write transaction sets `synchronous_commit = on` locally, so COMMIT
 * returns only after the server flushed its WAL, whatever the server's default. If the
 * connection fails during COMMIT the outcome is unknown: the call rejects (the entry is not
 * acknowledged) and the sequencer learns what happened from the head on its next try.
 * @module
 */
import pg from 'pg';
import { assertBytes, assertInteger, assertString, rangeError } from '../../core/assert.ts';
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

/** Schema version written to `meta`; opening a schema with another version fails. */
export const POSTGRES_SCHEMA_VERSION = '2';

/** Default PostgreSQL schema holding the registry's tables. */
export const DEFAULT_POSTGRES_SCHEMA = 'canopy_registry';

/** Options of `openPostgresStore`. */
export interface PostgresStoreOptions {
  /** A libpq connection URI, e.g. postgres://user:password@127.0.0.1:5432/db. */
  connectionString: string;
  /** Schema for the tables: [a-z_][a-z0-9_]*, at most 63 characters (default canopy_registry). */
  schema?: string;
  /** Most pooled connections for reads (default 4); the writer and nonce pools come on top. */
  maxConnections?: number;
  /** Most connections for nonce writes of signed requests (default 2). */
  nonceConnections?: number;
}

// PostgreSQL's SQLSTATE for a unique violation.
const UNIQUE_VIOLATION = '23505';

const tables = (schema: string) => `
CREATE SCHEMA IF NOT EXISTS "${schema}";
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS head (
  id INTEGER PRIMARY KEY CHECK (id = 0),
  size BIGINT NOT NULL, lots_size BIGINT NOT NULL, plots_size BIGINT NOT NULL, checkpoint_size BIGINT);
INSERT INTO head (id, size, lots_size, plots_size, checkpoint_size) VALUES (0, 0, 0, 0, NULL) ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS entries (seq BIGINT PRIMARY KEY, entry_type TEXT NOT NULL, bytes BYTEA NOT NULL, leaf_hash BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS hashes (idx BIGINT PRIMARY KEY, hash BYTEA NOT NULL);
CREATE TABLE IF NOT EXISTS lots_leaves (idx BIGINT PRIMARY KEY, leaf BYTEA NOT NULL, seq BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS plots_leaves (idx BIGINT PRIMARY KEY, leaf BYTEA NOT NULL, seq BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS nullifiers (nullifier BYTEA PRIMARY KEY, seq BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS datasets (root BYTEA PRIMARY KEY, seq BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS parties (
  party_id TEXT PRIMARY KEY, role TEXT NOT NULL, public_key TEXT NOT NULL UNIQUE,
  registered_seq BIGINT NOT NULL, revoked_seq BIGINT);
CREATE TABLE IF NOT EXISTS checkpoints (
  size BIGINT PRIMARY KEY, root_hash BYTEA NOT NULL, lots_size BIGINT NOT NULL, plots_size BIGINT NOT NULL,
  lots_root BYTEA NOT NULL, plots_root BYTEA NOT NULL, note TEXT NOT NULL, signed_at BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS checkpoints_lots_root ON checkpoints (lots_root);
CREATE INDEX IF NOT EXISTS checkpoints_plots_root ON checkpoints (plots_root);
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BYTEA NOT NULL);
CREATE INDEX IF NOT EXISTS lots_leaves_leaf ON lots_leaves (leaf, idx);
CREATE INDEX IF NOT EXISTS plots_leaves_leaf ON plots_leaves (leaf, idx);
CREATE INDEX IF NOT EXISTS parties_role ON parties (role, registered_seq);
CREATE TABLE IF NOT EXISTS pinned_keys (circuit TEXT NOT NULL, vkey_hash TEXT NOT NULL, seq BIGINT NOT NULL, PRIMARY KEY (circuit, vkey_hash));
CREATE TABLE IF NOT EXISTS submissions (seq BIGINT PRIMARY KEY, key_id TEXT NOT NULL, kind TEXT NOT NULL, role TEXT NOT NULL, submitted_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS nonces (key_id TEXT NOT NULL, nonce TEXT NOT NULL, expires_at BIGINT NOT NULL, PRIMARY KEY (key_id, nonce));
CREATE INDEX IF NOT EXISTS nonces_expiry ON nonces (expires_at);
`;

/**
 * Connects to PostgreSQL and opens (creating if needed) the registry's tables.
 * @throws {TypeError|RangeError} if an option is malformed; {CanopyError} INVALID_INPUT if the
 *   schema holds another registry schema version; whatever the driver throws (connection refused, …)
 * @example const store = await openPostgresStore({ connectionString: process.env.DATABASE_URL! })
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<RegistryStore> {
  if (typeof options !== 'object' || options === null) throw new TypeError('"options" expected PostgresStoreOptions, got ' + String(options));
  assertString(options.connectionString, 'options.connectionString', 4096);
  const schema = options.schema ?? DEFAULT_POSTGRES_SCHEMA;
  assertString(schema, 'options.schema', 63);
  // The schema name is written into SQL (CREATE SCHEMA, search_path): only a plain identifier passes.
  if (!/^[a-z_][a-z0-9_]*$/.test(schema)) rangeError('options.schema', 'identifier [a-z_][a-z0-9_]*, at most 63 characters', schema);
  const max = options.maxConnections ?? 4;
  assertInteger(max, 'options.maxConnections', 1, 100);
  const nonceMax = options.nonceConnections ?? 2;
  assertInteger(nonceMax, 'options.nonceConnections', 1, 100);
  const open = (n: number): pg.Pool => {
    const p = new pg.Pool({ connectionString: options.connectionString, max: n, options: `-c search_path=${schema}` });
    // An idle connection that breaks (server restart) is dropped by the pool; without a
    // listener the 'error' event would crash the process.
    p.on('error', () => {});
    return p;
  };
  const pools: Pools = { read: open(max), write: open(1), nonces: open(nonceMax) };
  try {
    await transaction(pools.write, async (c) => {
      // Two processes creating the schema at once would race on IF NOT EXISTS.
      await c.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`canopy-registry-schema:${schema}`]);
      await c.query(tables(schema));
      const r = await c.query('SELECT value FROM meta WHERE key = $1', ['schema']);
      if (r.rows.length === 0) await c.query('INSERT INTO meta (key, value) VALUES ($1, $2)', ['schema', POSTGRES_SCHEMA_VERSION]);
      else if (r.rows[0].value === '1') await migrateFromVersion1(c);
      else if (r.rows[0].value !== POSTGRES_SCHEMA_VERSION) throw new CanopyError('INVALID_INPUT', `schema ${schema} has registry schema ${String(r.rows[0].value)}, want ${POSTGRES_SCHEMA_VERSION}`);
    });
  } catch (e) {
    await endPools(pools);
    throw e;
  }
  return new PostgresStore(pools);
}

/** The store's connection pools (module comment). */
interface Pools {
  read: pg.Pool;
  write: pg.Pool;
  nonces: pg.Pool;
}

async function endPools(pools: Pools): Promise<void> {
  await Promise.all(Object.values(pools).map((p: pg.Pool) => (p.ended ? undefined : p.end())));
}

// The nonce claims of a batch, each taking over a stored row only if it expired before the
// claim's own clock; one statement, so one round trip whatever the number of claims.
const CLAIM_NONCES = `WITH u AS (SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) AS u(key_id, nonce, expires_at, now_s))
INSERT INTO nonces (key_id, nonce, expires_at) SELECT key_id, nonce, expires_at FROM u
ON CONFLICT (key_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at
WHERE nonces.expires_at < (SELECT u.now_s FROM u WHERE u.key_id = EXCLUDED.key_id AND u.nonce = EXCLUDED.nonce)`;

async function transaction<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  let broken = false;
  try {
    await c.query('BEGIN');
    await c.query('SET LOCAL synchronous_commit TO on');
    const out = await fn(c);
    await c.query('COMMIT');
    return out;
  } catch (e) {
    try {
      await c.query('ROLLBACK');
    } catch {
      broken = true;
    }
    throw e;
  } finally {
    c.release(broken);
  }
}

class PostgresStore implements RegistryStore {
  readonly kind = 'postgres';
  readonly #pool: pg.Pool;
  readonly #writer: pg.Pool;
  readonly #nonces: pg.Pool;
  readonly #pools: Pools;

  constructor(pools: Pools) {
    this.#pools = pools;
    this.#pool = pools.read;
    this.#writer = pools.write;
    this.#nonces = pools.nonces;
  }

  async head(): Promise<StoreHead> {
    return headFromRow((await this.#pool.query('SELECT size, lots_size, plots_size, checkpoint_size FROM head WHERE id = 0')).rows[0]);
  }

  async readHashes(indexes: number[]): Promise<Hash[]> {
    assertLookup(indexes, 'indexes', (v, t) => assertInteger(v, t, 0, 2 * TLOG_MAX_SIZE + 64));
    if (indexes.length === 0) return [];
    const r = await this.#pool.query('SELECT idx, hash FROM hashes WHERE idx = ANY($1::bigint[])', [indexes]);
    const byIndex = new Map<number, Hash>();
    for (const row of r.rows as Row[]) byIndex.set(toInt(row.idx, 'hash idx'), toHash(row.hash, `hash ${String(row.idx)}`));
    return indexes.map((idx) => {
      const h = byIndex.get(idx);
      if (h === undefined) throw new CanopyError('NOT_FOUND', `no stored hash at index ${idx}`);
      return h;
    });
  }

  async appendBatch(batch: AppendBatch): Promise<StoreHead> {
    const next = checkAppendBatch(batch);
    return transaction(this.#writer, async (c) => {
      const head = headFromRow((await c.query('SELECT size, lots_size, plots_size, checkpoint_size FROM head WHERE id = 0 FOR UPDATE')).rows[0]);
      if (!sameLog(head, batch.expected)) throw storeConflict(`head is size ${head.size} (${head.lotsSize} lots, ${head.plotsSize} plots leaves), batch expects size ${batch.expected.size} (${batch.expected.lotsSize}, ${batch.expected.plotsSize})`);
      const claims = batch.nonces ?? [];
      if (claims.length > 0) {
        // Inserted or taken over: one row per claim; a live row (any process's) gives none.
        const r = await c.query(CLAIM_NONCES, [claims.map((x) => x.keyId), claims.map((x) => x.nonce), claims.map((x) => x.expiresAt), claims.map((x) => x.nowSeconds)]);
        if (r.rowCount !== claims.length) throw storeConflict(`${claims.length - (r.rowCount ?? 0)} of the batch's ${claims.length} nonces are already recorded`);
      }
      const rows = columns(batch, head);
      await c.query('INSERT INTO entries (seq, entry_type, bytes, leaf_hash) SELECT * FROM unnest($1::bigint[], $2::text[], $3::bytea[], $4::bytea[])', [rows.seq, rows.type, rows.bytes, rows.leafHash]);
      await c.query('INSERT INTO hashes (idx, hash) SELECT * FROM unnest($1::bigint[], $2::bytea[])', [rows.hashIdx, rows.hash]);
      if (rows.lots.idx.length > 0) await c.query('INSERT INTO lots_leaves (idx, leaf, seq) SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bigint[])', [rows.lots.idx, rows.lots.leaf, rows.lots.seq]);
      if (rows.plots.idx.length > 0) await c.query('INSERT INTO plots_leaves (idx, leaf, seq) SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bigint[])', [rows.plots.idx, rows.plots.leaf, rows.plots.seq]);
      if (rows.nullifier.value.length > 0) {
        await unique(() => c.query('INSERT INTO nullifiers (nullifier, seq) SELECT * FROM unnest($1::bytea[], $2::bigint[])', [rows.nullifier.value, rows.nullifier.seq]), 'a nullifier of the batch');
      }
      if (rows.dataset.value.length > 0) {
        await unique(() => c.query('INSERT INTO datasets (root, seq) SELECT * FROM unnest($1::bytea[], $2::bigint[])', [rows.dataset.value, rows.dataset.seq]), 'a dataset root of the batch');
      }
      for (const r of batch.records) {
        if (r.party?.kind === 'register') {
          const p = r.party;
          await unique(() => c.query('INSERT INTO parties (party_id, role, public_key, registered_seq, revoked_seq) VALUES ($1, $2, $3, $4, NULL)', [p.partyId, p.role, p.publicKey, r.sequence]), `party ${p.partyId} or its key`);
        } else if (r.party?.kind === 'revoke') {
          const res = await c.query('UPDATE parties SET revoked_seq = $1 WHERE party_id = $2 AND revoked_seq IS NULL', [r.sequence, r.party.partyId]);
          if (res.rowCount !== 1) throw storeConflict(`party ${r.party.partyId} is not an active party`);
        }
      }
      if (rows.pinned.circuit.length > 0) {
        // A key pinned before keeps the sequence number of its first pinning.
        await c.query('INSERT INTO pinned_keys (circuit, vkey_hash, seq) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT (circuit, vkey_hash) DO NOTHING', [rows.pinned.circuit, rows.pinned.vkeyHash, rows.pinned.seq]);
      }
      if (rows.submitter.seq.length > 0) {
        await c.query('INSERT INTO submissions (seq, key_id, kind, role, submitted_at) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::bigint[])', [
          rows.submitter.seq,
          rows.submitter.keyId,
          rows.submitter.kind,
          rows.submitter.role,
          rows.submitter.submittedAt,
        ]);
      }
      await c.query('UPDATE head SET size = $1, lots_size = $2, plots_size = $3 WHERE id = 0', [next.size, next.lotsSize, next.plotsSize]);
      return { ...next, checkpointSize: head.checkpointSize };
    });
  }

  async readEntries(start: number, end: number): Promise<StoredEntry[]> {
    assertRange(start, end, TLOG_MAX_SIZE);
    const r = await this.#pool.query('SELECT seq, entry_type, bytes, leaf_hash FROM entries WHERE seq >= $1 AND seq < $2 ORDER BY seq', [start, end]);
    if (r.rows.length !== end - start) throw new CanopyError('NOT_FOUND', `entries [${start}, ${end}) requested, ${r.rows.length} stored`);
    return (r.rows as Row[]).map((row, i) => {
      const seq = toInt(row.seq, 'entry seq');
      if (seq !== start + i) throw new CanopyError('LOG_INCONSISTENT', `entry ${start + i} missing, found ${seq}`);
      return { sequence: seq, entryType: String(row.entry_type), bytes: toBytes(row.bytes, `entry ${seq}`), leafHash: toHash(row.leaf_hash, `leaf hash ${seq}`) };
    });
  }

  async readLeaves(tree: TreeName, start: number, end: number): Promise<TreeLeaf[]> {
    assertTreeName(tree, 'tree');
    assertRange(start, end, 2 ** 32);
    const sql = tree === 'lots' ? 'SELECT idx, leaf, seq FROM lots_leaves WHERE idx >= $1 AND idx < $2 ORDER BY idx' : 'SELECT idx, leaf, seq FROM plots_leaves WHERE idx >= $1 AND idx < $2 ORDER BY idx';
    const r = await this.#pool.query(sql, [start, end]);
    if (r.rows.length !== end - start) throw new CanopyError('NOT_FOUND', `${tree} leaves [${start}, ${end}) requested, ${r.rows.length} stored`);
    return (r.rows as Row[]).map((row, i) => {
      const index = toInt(row.idx, `${tree} leaf index`);
      if (index !== start + i) throw new CanopyError('LOG_INCONSISTENT', `${tree} leaf ${start + i} missing, found ${index}`);
      return { index, value: bytesToField(row.leaf, `${tree} leaf ${index}`), sequence: toInt(row.seq, `${tree} leaf ${index} seq`) };
    });
  }

  async findNullifiers(nullifiers: readonly bigint[]): Promise<Map<bigint, number>> {
    assertLookup(nullifiers, 'nullifiers', assertField);
    return this.#lookup('SELECT nullifier AS v, seq AS n FROM nullifiers WHERE nullifier = ANY($1::bytea[])', nullifiers, 'nullifier');
  }

  async findDatasets(roots: readonly bigint[]): Promise<Map<bigint, number>> {
    assertLookup(roots, 'roots', assertField);
    return this.#lookup('SELECT root AS v, seq AS n FROM datasets WHERE root = ANY($1::bytea[])', roots, 'dataset root');
  }

  async findPublishedRoots(tree: TreeName, roots: readonly bigint[]): Promise<Map<bigint, number>> {
    assertTreeName(tree, 'tree');
    assertLookup(roots, 'roots', assertField);
    const sql =
      tree === 'lots'
        ? 'SELECT lots_root AS v, MIN(size) AS n FROM checkpoints WHERE lots_root = ANY($1::bytea[]) GROUP BY lots_root'
        : 'SELECT plots_root AS v, MIN(size) AS n FROM checkpoints WHERE plots_root = ANY($1::bytea[]) GROUP BY plots_root';
    return this.#lookup(sql, roots, `${tree} root`);
  }

  async findParties(partyIds: readonly string[]): Promise<Map<string, PartyRecord>> {
    assertLookup(partyIds, 'partyIds', assertPartyId);
    const out = new Map<string, PartyRecord>();
    if (partyIds.length === 0) return out;
    const r = await this.#pool.query('SELECT party_id, role, public_key, registered_seq, revoked_seq FROM parties WHERE party_id = ANY($1::text[])', [partyIds]);
    for (const row of r.rows as Row[]) out.set(String(row.party_id), partyFromRow(row));
    return out;
  }

  async findPartiesByKey(publicKeys: readonly string[]): Promise<Map<string, PartyRecord>> {
    assertLookup(publicKeys, 'publicKeys', assertPublicKey);
    const out = new Map<string, PartyRecord>();
    if (publicKeys.length === 0) return out;
    const r = await this.#pool.query('SELECT party_id, role, public_key, registered_seq, revoked_seq FROM parties WHERE public_key = ANY($1::text[])', [publicKeys]);
    for (const row of r.rows as Row[]) out.set(String(row.public_key), partyFromRow(row));
    return out;
  }

  async findPartiesByRole(role: string): Promise<PartyRecord[]> {
    assertString(role, 'role', 32);
    const r = await this.#pool.query('SELECT party_id, role, public_key, registered_seq, revoked_seq FROM parties WHERE role = $1 ORDER BY registered_seq LIMIT $2', [role, MAX_LISTED_ROWS]);
    return (r.rows as Row[]).map(partyFromRow);
  }

  async findLeaf(tree: TreeName, value: bigint): Promise<TreeLeaf | null> {
    assertTreeName(tree, 'tree');
    assertField(value, 'value');
    const sql = tree === 'lots' ? 'SELECT idx, leaf, seq FROM lots_leaves WHERE leaf = $1 ORDER BY idx LIMIT 1' : 'SELECT idx, leaf, seq FROM plots_leaves WHERE leaf = $1 ORDER BY idx LIMIT 1';
    const r = await this.#pool.query(sql, [fieldToBytes(value)]);
    if (r.rows.length === 0) return null;
    const row = r.rows[0] as Row;
    const index = toInt(row.idx, `${tree} leaf index`);
    return { index, value: bytesToField(row.leaf, `${tree} leaf ${index}`), sequence: toInt(row.seq, `${tree} leaf ${index} seq`) };
  }

  async readPinnedKeys(): Promise<PinnedKeyRecord[]> {
    const r = await this.#pool.query('SELECT circuit, vkey_hash, seq FROM pinned_keys ORDER BY seq, circuit LIMIT $1', [MAX_LISTED_ROWS]);
    return (r.rows as Row[]).map(pinnedKeyFromRow);
  }

  async readSubmissions(start: number, end: number): Promise<SubmissionRow[]> {
    assertRange(start, end, TLOG_MAX_SIZE);
    assertInteger(end - start, 'end - start', 0, MAX_LISTED_ROWS);
    const r = await this.#pool.query('SELECT seq, key_id, kind, role, submitted_at FROM submissions WHERE seq >= $1 AND seq < $2 ORDER BY seq', [start, end]);
    return (r.rows as Row[]).map(submissionFromRow);
  }

  async rememberNonce(keyId: string, nonce: string, expiresAt: number, nowSeconds: number): Promise<boolean> {
    assertNonceArgs(keyId, nonce, expiresAt, nowSeconds);
    // Inserted, or an expired row taken over: one row; a live row: the WHERE fails, none.
    const r = await transaction(this.#nonces, (c) =>
      c.query('INSERT INTO nonces (key_id, nonce, expires_at) VALUES ($1, $2, $3) ON CONFLICT (key_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE nonces.expires_at < $4', [keyId, nonce, expiresAt, nowSeconds]),
    );
    return r.rowCount === 1;
  }

  async readNonces(keys: readonly { keyId: string; nonce: string }[]): Promise<Map<string, number>> {
    assertLookup(keys, 'keys', (v, t) => assertNonceKey(v, t));
    const out = new Map<string, number>();
    if (keys.length === 0) return out;
    const r = await this.#pool.query('SELECT n.key_id, n.nonce, n.expires_at FROM nonces n JOIN unnest($1::text[], $2::text[]) AS u(key_id, nonce) ON n.key_id = u.key_id AND n.nonce = u.nonce', [keys.map((k) => k.keyId), keys.map((k) => k.nonce)]);
    for (const row of r.rows as Row[]) out.set(nonceKey(String(row.key_id), String(row.nonce)), toInt(row.expires_at, 'nonce expiry'));
    return out;
  }

  async sweepNonces(nowSeconds: number): Promise<number> {
    assertInteger(nowSeconds, 'nowSeconds');
    const r = await this.#nonces.query('DELETE FROM nonces WHERE expires_at < $1', [nowSeconds]);
    return r.rowCount ?? 0;
  }

  async latestCheckpoint(): Promise<CheckpointRecord | null> {
    const r = await this.#pool.query('SELECT * FROM checkpoints ORDER BY size DESC LIMIT 1');
    return r.rows.length === 0 ? null : checkpointFromRow(r.rows[0]);
  }

  async readCheckpoints(fromSize: number, limit: number): Promise<CheckpointRecord[]> {
    assertInteger(fromSize, 'fromSize', 0, TLOG_MAX_SIZE);
    assertInteger(limit, 'limit', 1, 10_000);
    const r = await this.#pool.query('SELECT * FROM checkpoints WHERE size >= $1 ORDER BY size LIMIT $2', [fromSize, limit]);
    return (r.rows as Row[]).map(checkpointFromRow);
  }

  async appendCheckpoint(checkpoint: CheckpointRecord, previousSize: number | null): Promise<void> {
    assertCheckpointRecord(checkpoint, 'checkpoint');
    if (previousSize !== null) assertInteger(previousSize, 'previousSize', 0, TLOG_MAX_SIZE);
    const c = checkpoint;
    await transaction(this.#writer, async (client) => {
      const head = headFromRow((await client.query('SELECT size, lots_size, plots_size, checkpoint_size FROM head WHERE id = 0 FOR UPDATE')).rows[0]);
      if (head.checkpointSize !== previousSize) throw storeConflict(`latest checkpoint has size ${head.checkpointSize}, caller expected ${previousSize}`);
      let previous: CheckpointRecord | null = null;
      if (previousSize !== null) {
        const r = await client.query('SELECT * FROM checkpoints WHERE size = $1', [previousSize]);
        if (r.rows.length !== 1) throw new CanopyError('LOG_INCONSISTENT', `head names checkpoint ${previousSize}, which is not stored`);
        previous = checkpointFromRow(r.rows[0]);
      }
      checkCheckpointFits(c, previous, head);
      await client.query('INSERT INTO checkpoints (size, root_hash, lots_size, plots_size, lots_root, plots_root, note, signed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
        c.size,
        asBuffer(c.rootHash),
        c.lotsSize,
        c.plotsSize,
        fieldToBytes(c.lotsRoot),
        fieldToBytes(c.plotsRoot),
        c.note,
        c.signedAt,
      ]);
      await client.query('UPDATE head SET checkpoint_size = $1 WHERE id = 0', [c.size]);
    });
  }

  async replaceCheckpointNote(size: number, note: string, previousNote: string): Promise<void> {
    assertInteger(size, 'size', 0, TLOG_MAX_SIZE);
    assertString(note, 'note', 1 << 20);
    assertString(previousNote, 'previousNote', 1 << 20);
    const r = await transaction(this.#writer, (c) => c.query('UPDATE checkpoints SET note = $1 WHERE size = $2 AND note = $3', [note, size, previousNote]));
    if (r.rowCount === 1) return;
    const exists = await this.#pool.query('SELECT 1 FROM checkpoints WHERE size = $1', [size]);
    if (exists.rows.length === 0) throw new CanopyError('NOT_FOUND', `no checkpoint of size ${size}`);
    throw storeConflict(`the note of checkpoint ${size} changed since it was read`);
  }

  async kvGet(key: string): Promise<Uint8Array | null> {
    assertKvKey(key, 'key');
    const r = await this.#pool.query('SELECT value FROM kv WHERE key = $1', [key]);
    return r.rows.length === 0 ? null : toBytes(r.rows[0].value, `kv ${key}`);
  }

  async kvPut(key: string, value: Uint8Array): Promise<void> {
    assertKvKey(key, 'key');
    assertBytes(value, 'value');
    await transaction(this.#writer, (c) => c.query('INSERT INTO kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value', [key, asBuffer(value)]));
  }

  async close(): Promise<void> {
    await endPools(this.#pools);
  }

  async #lookup(sql: string, values: readonly bigint[], what: string): Promise<Map<bigint, number>> {
    const out = new Map<bigint, number>();
    if (values.length === 0) return out;
    const r = await this.#pool.query(sql, [values.map(fieldToBytes)]);
    for (const row of r.rows as Row[]) out.set(bytesToField(row.v, what), toInt(row.n, `${what} number`));
    return out;
  }
}

// The batch as one array per column, for INSERT … SELECT * FROM unnest(…): one round trip per table.
function columns(batch: AppendBatch, head: StoreHead) {
  const out = {
    seq: [] as number[],
    type: [] as string[],
    bytes: [] as Buffer[],
    leafHash: [] as Buffer[],
    hashIdx: [] as number[],
    hash: [] as Buffer[],
    lots: { idx: [] as number[], leaf: [] as Buffer[], seq: [] as number[] },
    plots: { idx: [] as number[], leaf: [] as Buffer[], seq: [] as number[] },
    nullifier: { value: [] as Buffer[], seq: [] as number[] },
    dataset: { value: [] as Buffer[], seq: [] as number[] },
    pinned: { circuit: [] as string[], vkeyHash: [] as string[], seq: [] as number[] },
    submitter: { seq: [] as number[], keyId: [] as string[], kind: [] as string[], role: [] as string[], submittedAt: [] as number[] },
  };
  let lots = head.lotsSize;
  let plots = head.plotsSize;
  for (const r of batch.records) {
    out.seq.push(r.sequence);
    out.type.push(r.entryType);
    out.bytes.push(asBuffer(r.bytes));
    out.leafHash.push(asBuffer(r.leafHash));
    let idx = storedHashIndex(0, r.sequence);
    for (const h of r.storedHashes) {
      out.hashIdx.push(idx++);
      out.hash.push(asBuffer(h));
    }
    for (const leaf of r.lotsLeaves) {
      out.lots.idx.push(lots++);
      out.lots.leaf.push(fieldToBytes(leaf));
      out.lots.seq.push(r.sequence);
    }
    for (const leaf of r.plotsLeaves) {
      out.plots.idx.push(plots++);
      out.plots.leaf.push(fieldToBytes(leaf));
      out.plots.seq.push(r.sequence);
    }
    for (const n of r.nullifiers) {
      out.nullifier.value.push(fieldToBytes(n));
      out.nullifier.seq.push(r.sequence);
    }
    if (r.datasetRoot !== null) {
      out.dataset.value.push(fieldToBytes(r.datasetRoot));
      out.dataset.seq.push(r.sequence);
    }
    for (const k of r.pinnedKeys ?? []) {
      out.pinned.circuit.push(k.circuit);
      out.pinned.vkeyHash.push(k.vkeyHash);
      out.pinned.seq.push(r.sequence);
    }
    if (r.submitter) {
      out.submitter.seq.push(r.sequence);
      out.submitter.keyId.push(r.submitter.keyId);
      out.submitter.kind.push(r.submitter.kind);
      out.submitter.role.push(r.submitter.role);
      out.submitter.submittedAt.push(r.submitter.submittedAt);
    }
  }
  return out;
}

// Version 1 → 2, inside the opening transaction under the schema lock: the tables and
// indexes exist now; the submitter records version 1 kept in kv move to `submissions`.
async function migrateFromVersion1(c: pg.PoolClient): Promise<void> {
  const like = `${LEGACY_SUBMISSIONS_PREFIX}%`;
  const rows = (await c.query('SELECT key, value FROM kv WHERE key LIKE $1', [like])).rows as Row[];
  const size = headFromRow((await c.query('SELECT size, lots_size, plots_size, checkpoint_size FROM head WHERE id = 0')).rows[0]).size;
  for (const row of rows) {
    for (const r of legacySubmissionRows(String(row.key), row.value, size)) {
      await c.query('INSERT INTO submissions (seq, key_id, kind, role, submitted_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (seq) DO NOTHING', [r.sequence, r.keyId, r.kind, r.role, r.submittedAt]);
    }
  }
  await c.query('DELETE FROM kv WHERE key LIKE $1', [like]);
  await c.query('UPDATE meta SET value = $1 WHERE key = $2', [POSTGRES_SCHEMA_VERSION, 'schema']);
}

// A unique violation means another writer stored the value first.
async function unique<T>(fn: () => Promise<T>, what: string): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if ((e as { code?: unknown }).code === UNIQUE_VIOLATION) throw storeConflict(`${what} is already stored`, e);
    throw e;
  }
}
