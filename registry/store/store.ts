/**
 * The registry's storage seam: everything the log (`registry/log`) needs from a database,
 * and nothing else. SQLite (`sqlite.ts`) and PostgreSQL (`postgres.ts`) implement it; no
 * SQL appears outside those two files.
 *
 * What is stored, per log entry with sequence number n (= its record index in the RFC 6962
 * tree, counted from 0):
 *
 *     entries      n → entry type, canonical entry bytes, leaf hash SHA-256(0x00 ‖ bytes)
 *     hashes       storedHashIndex(0, n) + k → the k-th hash storedHashes(n, bytes) returned
 *     lots leaves  i → Poseidon leaf appended to the lots tree by entry n   (i dense from 0)
 *     plots leaves i → Poseidon leaf appended to the plots tree by entry n  (i dense from 0)
 *     nullifiers   nullifier → n (the entry that spent it), each nullifier at most once
 *     datasets     dataset root → n (the dataset entry), each root at most once
 *     parties      party id → role, public key, registered by n, revoked by m or null
 *     pinned keys  (circuit, vkey hash) → n (the first artifacts entry pinning it)
 *     submissions  n → who submitted it (key id, kind, role, time): written with the entry,
 *                  never hashed into the log (the log itself names no submitter)
 *     head         size, lots leaf count, plots leaf count, size of the latest checkpoint
 *
 * plus the signed checkpoints (one per distinct signed size, with the Poseidon roots they
 * publish), a small key-value table for tree snapshots, and the nonces of signed requests
 * (key id, nonce → expiry), shared by every registry process on the store. Field elements
 * are stored as 32-byte big-endian strings, hashes as their 32 bytes, integers as 64-bit
 * integers. Leaves are indexed by value too (`findLeaf`), so a look-up by commitment is one
 * B-tree probe however large the trees grow.
 *
 * Contract (every implementation, checked by tests/registry/store-conformance.ts):
 *
 * 1. `appendBatch` is one transaction. Under a lock that serialises writers across
 *    processes it reads the head, requires its size and leaf counts to equal `batch.expected` (else
 *    `STORE_CONFLICT`, nothing written), writes every row of every record and the new
 *    head, and commits durably: the promise resolves only after the commit is on stable
 *    storage (SQLite WAL with synchronous=FULL; PostgreSQL with synchronous_commit=on).
 *    Either every row of the batch is visible afterwards or none is. A nullifier, dataset
 *    root, party id or party key that is already stored is `STORE_CONFLICT`, nothing
 *    written. A batch that breaks the shape rules of `checkAppendBatch` is a
 *    `TypeError`/`RangeError`, nothing written. A record's submitter and pinned keys are
 *    written in the same transaction as its entry (a pinned key already stored keeps its
 *    first sequence number), so an acknowledged entry always has its submitter row.
 *    The batch's nonce claims (`batch.nonces`, the signed requests whose entries these
 *    are) are recorded in the same transaction with the semantics of rule 6: a claim
 *    whose (key id, nonce) is stored and live at the claim's `nowSeconds` is
 *    `STORE_CONFLICT`, nothing written; so an entry is never stored without its
 *    request's nonce, and a nonce recorded by any process stops the append.
 * 2. `readHashes(indexes)` follows the `HashReader` contract of core/tlog/hash-reader.ts:
 *    exactly one 32-byte hash per index, in request order, or `CanopyError('NOT_FOUND')`
 *    naming the first missing index. It reads committed data only.
 * 3. Reads see only committed transactions, and always a prefix of the log: a reader that
 *    sees head size s can read entries, hashes and leaves for all of [0, s).
 * 4. `appendCheckpoint(c, previousSize)` is a compare-and-set under the same lock: the
 *    latest stored checkpoint's size must be `previousSize` (null: none yet), `c.size` must
 *    exceed it and not exceed the log size, and likewise for the leaf counts; else
 *    `STORE_CONFLICT`. Checkpoints are never deleted; `replaceCheckpointNote` only swaps the
 *    note text of a stored checkpoint (to add cosignatures), if it is still the text the
 *    caller read (else `STORE_CONFLICT`; `NOT_FOUND` if there is no such checkpoint).
 * 5. The store does not interpret entries: it checks shapes and uniqueness, the log checks
 *    meaning. It never reorders, merges or drops anything it was given.
 * 6. `rememberNonce(keyId, nonce, expiresAt, now)` is atomic across processes: of several
 *    calls with the same (key id, nonce) whose stored row has not expired (expiry ≥ now),
 *    exactly one returns true. A row whose expiry is before `now` counts as absent. The
 *    nonce claims of `appendBatch` take part in the same rule: of an `appendBatch` claiming
 *    (key id, nonce) and any other claim or `rememberNonce` of it, exactly one succeeds.
 *    `readNonces` reads stored expiries (committed rows, expired ones included).
 * @module
 */
import { assertArray, assertBytes, assertInteger, assertString, rangeError, typeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { assertField } from '../../core/field.ts';
import { assertHash, type Hash } from '../../core/tlog/hash.ts';
import type { HashReader } from '../../core/tlog/hash-reader.ts';
import { storedHashCount, storedHashIndex } from '../../core/tlog/stored-hash.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';

/** The registry's two Poseidon trees. */
export type TreeName = 'lots' | 'plots';

/** Both tree names, in the order checkpoints list their roots. */
export const TREE_NAMES: readonly TreeName[] = ['lots', 'plots'];

/** Most records one `appendBatch` may carry. */
export const MAX_BATCH_RECORDS = 10_000;

/** Longest key of the key-value table. */
export const MAX_KV_KEY_LENGTH = 200;

/** Longest party id (a name, not a secret). */
export const MAX_PARTY_ID_LENGTH = 128;

/** Most values one lookup (`findNullifiers`, …) may ask for. */
export const MAX_LOOKUP_VALUES = 100_000;

/** Most rows `readPinnedKeys` and `findPartiesByRole` return. */
export const MAX_LISTED_ROWS = 10_000;

/** Longest nonce of a signed request, and longest key id (registry/api/request-signature.ts). */
export const MAX_NONCE_LENGTH = 64;
export const MAX_KEY_ID_LENGTH = 128;

/** Who may be recorded as the submitter of an entry. */
export const SUBMITTER_KINDS = ['party', 'accreditor', 'operator'] as const;

/** The kind of a submitter: a registered party, the accreditor's key, or the registry operator (entries the registry appends itself). */
export type SubmitterKind = (typeof SUBMITTER_KINDS)[number];

/** Counts describing the committed log. */
export interface StoreHead {
  /** Number of entries, in [0, 2^51]; the next entry gets sequence number `size`. */
  size: number;
  /** Leaves in the lots tree. */
  lotsSize: number;
  /** Leaves in the plots tree. */
  plotsSize: number;
  /** Size of the latest signed checkpoint, or null before the first. */
  checkpointSize: number | null;
}

/** A party being registered or revoked by an entry. */
export type PartyChange =
  | { kind: 'register'; partyId: string; role: string; publicKey: string }
  | { kind: 'revoke'; partyId: string };

/** A registered party. */
export interface PartyRecord {
  partyId: string;
  /** A role name of registry/log/entry.ts (`supplier`, `publisher`, `accreditor`, `auditor`). */
  role: string;
  /** Ed25519 public key, canonical base64 of 32 bytes. Unique across parties. */
  publicKey: string;
  /** Sequence number of the registering entry. */
  registeredAt: number;
  /** Sequence number of the revoking entry, or null while active. */
  revokedAt: number | null;
}

/** Who submitted an entry: stored beside it, never hashed into the log. */
export interface Submitter {
  /** The party id, the accreditor's key name, or the registry's origin (operator). */
  keyId: string;
  kind: SubmitterKind;
  /** The party's role, "accreditor" or "operator". */
  role: string;
  /** Milliseconds since 1970, server clock, when the request was accepted. */
  submittedAt: number;
}

/** A stored submitter row. */
export interface SubmissionRow extends Submitter {
  sequence: number;
}

/** A circuit key pinned by an artifacts entry. */
export interface PinnedKey {
  /** Circuit id (registry/log/circuit-signals.ts). */
  circuit: string;
  /** SHA-256 of the verification key file, 64 lowercase hex. */
  vkeyHash: string;
}

/** A stored pinned key and the artifacts entry that first pinned it. */
export interface PinnedKeyRecord extends PinnedKey {
  sequence: number;
}

/** One entry to append, with every row it adds. */
export interface AppendRecord {
  /** Its sequence number: `batch.expected.size` + its position in the batch. */
  sequence: number;
  /** The entry type (registry/log/entry.ts), kept for listing; not interpreted here. */
  entryType: string;
  /** The canonical entry bytes, hashed into the log. */
  bytes: Uint8Array;
  /** SHA-256(0x00 ‖ bytes). */
  leafHash: Hash;
  /** `storedHashes(sequence, bytes)`: written at storedHashIndex(0, sequence) onward. */
  storedHashes: Hash[];
  /** Leaves appended to the lots tree, in order. */
  lotsLeaves: bigint[];
  /** Leaves appended to the plots tree, in order. */
  plotsLeaves: bigint[];
  /** Nullifiers this entry spends (none zero, none repeated in the batch). */
  nullifiers: bigint[];
  /** Dataset root this entry registers, or null. */
  datasetRoot: bigint | null;
  /** Party this entry registers or revokes, or null. */
  party: PartyChange | null;
  /** Circuit keys this entry pins (an artifacts entry); none when absent. */
  pinnedKeys?: PinnedKey[];
  /** Who submitted the entry, or null/absent when unknown. Not part of the entry bytes. */
  submitter?: Submitter | null;
}

/**
 * The nonce of a signed request, to be recorded with the entries the request appends
 * (contract rules 1 and 6): stored until `expiresAt`, taking over a stored row only if it
 * expired before `nowSeconds`, the clock at which the request's timestamp was found fresh.
 */
export interface NonceClaim {
  /** The request's Canopy-Key-Id. */
  keyId: string;
  /** The request's Canopy-Nonce. */
  nonce: string;
  /** Unix seconds: the request's timestamp plus the replay window. */
  expiresAt: number;
  /** Unix seconds: the server clock when the request was authenticated. */
  nowSeconds: number;
}

/** One transaction's worth of records, and the head they were computed against. */
export interface AppendBatch {
  /** The head the sequencer computed the records from; the store must still have it. */
  expected: StoreHead;
  records: AppendRecord[];
  /** Nonces of the signed requests whose entries these are, at most one per (key id, nonce). */
  nonces?: NonceClaim[];
}

/** An entry as stored. */
export interface StoredEntry {
  sequence: number;
  entryType: string;
  bytes: Uint8Array;
  leafHash: Hash;
}

/** A leaf of a Poseidon tree and the entry that appended it. */
export interface TreeLeaf {
  index: number;
  value: bigint;
  sequence: number;
}

/** A signed checkpoint and the Poseidon tree state it publishes. */
export interface CheckpointRecord {
  /** Log size the checkpoint commits to. */
  size: number;
  /** RFC 6962 root hash at `size`. */
  rootHash: Hash;
  /** Lots leaves at `size`. */
  lotsSize: number;
  /** Plots leaves at `size`. */
  plotsSize: number;
  /** Lots tree root with `lotsSize` leaves (the `canopy-lots-root` line). */
  lotsRoot: bigint;
  /** Plots tree root with `plotsSize` leaves (the `canopy-plots-root` line). */
  plotsRoot: bigint;
  /** The signed note (C2SP signed-note), with any cosignatures added since. */
  note: string;
  /** When the registry signed it, milliseconds since 1970 by its clock (informational). */
  signedAt: number;
}

/** The storage the registry log runs on. See the module comment for the contract. */
export interface RegistryStore extends HashReader {
  /** `'sqlite'` or `'postgres'`, for reports. */
  readonly kind: string;
  /** The committed head. */
  head(): Promise<StoreHead>;
  /** Stored hashes by stored hash index (core/tlog `HashReader` contract). */
  readHashes(indexes: number[]): Promise<Hash[]>;
  /** Appends records in one durable transaction; resolves to the new head. */
  appendBatch(batch: AppendBatch): Promise<StoreHead>;
  /** Entries with sequence numbers in [start, end), in order; end ≤ size. */
  readEntries(start: number, end: number): Promise<StoredEntry[]>;
  /** Leaves of `tree` with indexes in [start, end), in order; end ≤ the tree's size. */
  readLeaves(tree: TreeName, start: number, end: number): Promise<TreeLeaf[]>;
  /** Which of `nullifiers` are spent: nullifier → sequence number of the spending entry. */
  findNullifiers(nullifiers: readonly bigint[]): Promise<Map<bigint, number>>;
  /** Which of `roots` are registered datasets: root → sequence number of the dataset entry. */
  findDatasets(roots: readonly bigint[]): Promise<Map<bigint, number>>;
  /** Which of `roots` a signed checkpoint published for `tree`: root → size of the first such checkpoint. */
  findPublishedRoots(tree: TreeName, roots: readonly bigint[]): Promise<Map<bigint, number>>;
  /** Parties by id: id → record, for the ids that exist. */
  findParties(partyIds: readonly string[]): Promise<Map<string, PartyRecord>>;
  /** Parties by public key (canonical base64): key → record, for the keys in use. */
  findPartiesByKey(publicKeys: readonly string[]): Promise<Map<string, PartyRecord>>;
  /** Parties registered with `role` (revoked ones included), by registering sequence number, at most MAX_LISTED_ROWS. */
  findPartiesByRole(role: string): Promise<PartyRecord[]>;
  /** The leaf of `tree` with this value and the lowest index, or null (an index on leaf values). */
  findLeaf(tree: TreeName, value: bigint): Promise<TreeLeaf | null>;
  /** Every pinned circuit key, by pinning sequence number (at most MAX_LISTED_ROWS). */
  readPinnedKeys(): Promise<PinnedKeyRecord[]>;
  /** Submitter rows of entries with sequence numbers in [start, end), in order; entries without one are absent. */
  readSubmissions(start: number, end: number): Promise<SubmissionRow[]>;
  /** Records a signed request's nonce until `expiresAt` (Unix s): true if fresh, false if stored and not expired at `nowSeconds` (contract rule 6). */
  rememberNonce(keyId: string, nonce: string, expiresAt: number, nowSeconds: number): Promise<boolean>;
  /** Stored expiries (Unix s) of the given nonces, by `nonceKey(keyId, nonce)`, for those stored (expired or not). */
  readNonces(keys: readonly { keyId: string; nonce: string }[]): Promise<Map<string, number>>;
  /** Deletes nonces that expired before `nowSeconds`; resolves to how many. */
  sweepNonces(nowSeconds: number): Promise<number>;
  /** The checkpoint with the largest size, or null. */
  latestCheckpoint(): Promise<CheckpointRecord | null>;
  /** Up to `limit` checkpoints with size ≥ `fromSize`, by increasing size. */
  readCheckpoints(fromSize: number, limit: number): Promise<CheckpointRecord[]>;
  /** Stores a new checkpoint if the latest one still has size `previousSize` (compare-and-set). */
  appendCheckpoint(checkpoint: CheckpointRecord, previousSize: number | null): Promise<void>;
  /** Replaces the note of the checkpoint of `size` if it is still `previousNote` (compare-and-set; adds cosignatures). */
  replaceCheckpointNote(size: number, note: string, previousNote: string): Promise<void>;
  /** A value of the key-value table, or null. */
  kvGet(key: string): Promise<Uint8Array | null>;
  /** Sets a value of the key-value table (durably, in its own transaction). */
  kvPut(key: string, value: Uint8Array): Promise<void>;
  /** Releases connections. Further calls fail. */
  close(): Promise<void>;
}

/**
 * A `STORE_CONFLICT`: the store changed under the caller (another writer appended first,
 * or a unique value is already stored). Nothing was written; the sequencer re-reads the
 * head and tries again.
 * @example throw storeConflict(`head size ${head.size}, batch expects ${batch.expected.size}`)
 */
export function storeConflict(message: string, cause?: unknown): CanopyError {
  return new CanopyError('STORE_CONFLICT', `store conflict: ${message}`, cause === undefined ? undefined : { cause });
}

/**
 * Whether two heads describe the same log: equal size and leaf counts. The checkpoint size
 * is left out on purpose: a checkpoint signed meanwhile only publishes more roots, and
 * checkpoints are never removed, so a batch validated before it is still valid after it.
 * @throws {TypeError} if either is not an object
 * @example sameLog(await store.head(), batch.expected)
 */
export function sameLog(a: StoreHead, b: StoreHead): boolean {
  if (typeof a !== 'object' || a === null) typeError('a', 'StoreHead', a);
  if (typeof b !== 'object' || b === null) typeError('b', 'StoreHead', b);
  return a.size === b.size && a.lotsSize === b.lotsSize && a.plotsSize === b.plotsSize;
}

/**
 * Checks a head: counts are safe integers in range.
 * @throws {TypeError|RangeError} naming the bad count
 * @example assertStoreHead(batch.expected, 'batch.expected')
 */
export function assertStoreHead(head: unknown, title: string): asserts head is StoreHead {
  if (typeof head !== 'object' || head === null) typeError(title, 'StoreHead object', head);
  const h = head as Record<string, unknown>;
  assertInteger(h.size, `${title}.size`, 0, TLOG_MAX_SIZE);
  assertInteger(h.lotsSize, `${title}.lotsSize`, 0, 2 ** 32);
  assertInteger(h.plotsSize, `${title}.plotsSize`, 0, 2 ** 32);
  if (h.checkpointSize !== null) assertInteger(h.checkpointSize, `${title}.checkpointSize`, 0, h.size as number);
}

/**
 * Checks the shape of a batch before any row is written, and returns the head the store
 * will have after it. Shared by every implementation so that they reject the same batches.
 *
 * Rules: 1..MAX_BATCH_RECORDS records; sequence numbers consecutive from expected.size;
 * each record's stored hashes exactly those storedHashes writes for its sequence number
 * (1 + trailing ones of n), its leaf hash the first of them; leaves, nullifiers and dataset
 * root field elements; nullifiers non-zero and distinct across the batch; a party change
 * well-formed.
 * @throws {TypeError|RangeError} naming the first field that breaks a rule
 * @example const next = checkAppendBatch(batch)
 */
export function checkAppendBatch(batch: AppendBatch): StoreHead {
  if (typeof batch !== 'object' || batch === null) typeError('batch', 'AppendBatch object', batch);
  assertStoreHead(batch.expected, 'batch.expected');
  assertArray(batch.records, 'batch.records', 1, MAX_BATCH_RECORDS);
  const head = batch.expected;
  let size = head.size;
  let lotsSize = head.lotsSize;
  let plotsSize = head.plotsSize;
  const nullifiers = new Set<bigint>();
  for (let i = 0; i < batch.records.length; i++) {
    const t = `batch.records[${i}]`;
    const r = batch.records[i] as AppendRecord;
    if (typeof r !== 'object' || r === null) typeError(t, 'AppendRecord object', r);
    assertInteger(r.sequence, `${t}.sequence`, size, size);
    if (size >= TLOG_MAX_SIZE) rangeError(`${t}.sequence`, `below 2^51`, size);
    assertString(r.entryType, `${t}.entryType`, 64);
    assertBytes(r.bytes, `${t}.bytes`);
    assertHash(r.leafHash, `${t}.leafHash`);
    // Record n writes the hashes at [storedHashIndex(0, n), storedHashCount(n + 1)).
    const want = storedHashCount(size + 1) - storedHashIndex(0, size);
    assertArray(r.storedHashes, `${t}.storedHashes`, want, want);
    r.storedHashes.forEach((h, k) => assertHash(h, `${t}.storedHashes[${k}]`));
    if (!equalBytes(r.storedHashes[0]!, r.leafHash)) rangeError(`${t}.storedHashes[0]`, 'the leaf hash', r.storedHashes[0]);
    assertArray(r.lotsLeaves, `${t}.lotsLeaves`);
    r.lotsLeaves.forEach((v, k) => assertField(v, `${t}.lotsLeaves[${k}]`));
    assertArray(r.plotsLeaves, `${t}.plotsLeaves`);
    r.plotsLeaves.forEach((v, k) => assertField(v, `${t}.plotsLeaves[${k}]`));
    assertArray(r.nullifiers, `${t}.nullifiers`);
    r.nullifiers.forEach((v, k) => {
      assertField(v, `${t}.nullifiers[${k}]`);
      if (v === 0n) rangeError(`${t}.nullifiers[${k}]`, 'non-zero nullifier', v);
      if (nullifiers.has(v)) rangeError(`${t}.nullifiers[${k}]`, 'nullifier not repeated in the batch', v);
      nullifiers.add(v);
    });
    if (r.datasetRoot !== null) assertField(r.datasetRoot, `${t}.datasetRoot`);
    if (r.party !== null) assertPartyChange(r.party, `${t}.party`);
    if (r.pinnedKeys !== undefined) {
      assertArray(r.pinnedKeys, `${t}.pinnedKeys`, 0, 64);
      r.pinnedKeys.forEach((k, j) => assertPinnedKey(k, `${t}.pinnedKeys[${j}]`));
    }
    if (r.submitter !== undefined && r.submitter !== null) assertSubmitter(r.submitter, `${t}.submitter`);
    size++;
    lotsSize += r.lotsLeaves.length;
    plotsSize += r.plotsLeaves.length;
  }
  if (lotsSize > 2 ** 32 || plotsSize > 2 ** 32) rangeError('batch', 'trees of at most 2^32 leaves', `${lotsSize}, ${plotsSize}`);
  if (batch.nonces !== undefined) {
    assertArray(batch.nonces, 'batch.nonces', 0, MAX_BATCH_RECORDS);
    const seen = new Set<string>();
    batch.nonces.forEach((c, i) => {
      assertNonceClaim(c, `batch.nonces[${i}]`);
      const k = nonceKey(c.keyId, c.nonce);
      if (seen.has(k)) rangeError(`batch.nonces[${i}]`, 'a nonce not claimed twice in the batch', `${c.keyId} ${c.nonce}`);
      seen.add(k);
    });
  }
  return { size, lotsSize, plotsSize, checkpointSize: head.checkpointSize };
}

/**
 * The key of a (key id, nonce) pair in `readNonces` answers. Neither part can hold a
 * newline (printable ASCII only), so the pair splits back one way.
 * @throws never
 * @example nonceKey('mill-7', 'q8Zl0Wm3PxA1c9dT2vKb7g') // 'mill-7\nq8Zl0Wm3PxA1c9dT2vKb7g'
 */
export function nonceKey(keyId: string, nonce: string): string {
  return `${keyId}\n${nonce}`;
}

/**
 * Checks a nonce claim: key id and nonce as `assertNonceArgs` wants them, expiry and clock
 * as Unix seconds.
 * @throws {TypeError|RangeError} naming the bad field
 * @example assertNonceClaim({ keyId: 'mill-7', nonce, expiresAt: ts + 300, nowSeconds: now }, 'nonce')
 */
export function assertNonceClaim(value: unknown, title: string): asserts value is NonceClaim {
  if (typeof value !== 'object' || value === null) typeError(title, 'NonceClaim object', value);
  const c = value as Record<string, unknown>;
  assertString(c.keyId, `${title}.keyId`, MAX_KEY_ID_LENGTH);
  if (!/^[\x21-\x7e]+$/.test(c.keyId)) rangeError(`${title}.keyId`, 'key id of 1..128 printable ASCII characters', c.keyId);
  assertString(c.nonce, `${title}.nonce`, MAX_NONCE_LENGTH);
  if (!/^[\x21-\x7e]+$/.test(c.nonce)) rangeError(`${title}.nonce`, 'nonce of 1..64 printable ASCII characters', c.nonce);
  assertInteger(c.expiresAt, `${title}.expiresAt`);
  assertInteger(c.nowSeconds, `${title}.nowSeconds`);
}

/**
 * Checks a checkpoint record's shape.
 * @throws {TypeError|RangeError} naming the bad field
 * @example assertCheckpointRecord(record, 'checkpoint')
 */
export function assertCheckpointRecord(value: unknown, title: string): asserts value is CheckpointRecord {
  if (typeof value !== 'object' || value === null) typeError(title, 'CheckpointRecord object', value);
  const c = value as Record<string, unknown>;
  assertInteger(c.size, `${title}.size`, 0, TLOG_MAX_SIZE);
  assertHash(c.rootHash, `${title}.rootHash`);
  assertInteger(c.lotsSize, `${title}.lotsSize`, 0, 2 ** 32);
  assertInteger(c.plotsSize, `${title}.plotsSize`, 0, 2 ** 32);
  assertField(c.lotsRoot, `${title}.lotsRoot`);
  assertField(c.plotsRoot, `${title}.plotsRoot`);
  assertString(c.note, `${title}.note`, 1 << 20);
  assertInteger(c.signedAt, `${title}.signedAt`);
}

/**
 * The checks of contract rule 4 beyond the compare-and-set: the new checkpoint lies within
 * the log and extends the previous one (larger size, no fewer tree leaves).
 * @param previous - the latest stored checkpoint, or null if none
 * @throws {CanopyError} STORE_CONFLICT if it does not
 * @example checkCheckpointFits(checkpoint, latest, head)
 */
export function checkCheckpointFits(c: CheckpointRecord, previous: CheckpointRecord | null, head: StoreHead): void {
  if (c.size > head.size || c.lotsSize > head.lotsSize || c.plotsSize > head.plotsSize) {
    throw storeConflict(`checkpoint of size ${c.size} (${c.lotsSize}, ${c.plotsSize} leaves) lies beyond the log (${head.size}, ${head.lotsSize}, ${head.plotsSize})`);
  }
  if (previous !== null) {
    if (c.size <= previous.size) throw storeConflict(`checkpoint of size ${c.size} does not extend the latest, of size ${previous.size}`);
    if (c.lotsSize < previous.lotsSize || c.plotsSize < previous.plotsSize) {
      throw storeConflict(`checkpoint of size ${c.size} has fewer tree leaves than the latest, of size ${previous.size}`);
    }
  }
}

/**
 * Checks a tree name.
 * @throws {RangeError} if it is not "lots" or "plots"
 * @example assertTreeName('lots', 'tree')
 */
export function assertTreeName(value: unknown, title: string): asserts value is TreeName {
  if (value !== 'lots' && value !== 'plots') rangeError(title, '"lots" or "plots"', value);
}

/**
 * Checks a key of the key-value table: 1..200 characters of [A-Za-z0-9._/-].
 * @throws {TypeError|RangeError} if it is not
 * @example assertKvKey('trees/lots', 'key')
 */
export function assertKvKey(key: unknown, title: string): asserts key is string {
  assertString(key, title, MAX_KV_KEY_LENGTH);
  if (!/^[A-Za-z0-9._/-]+$/.test(key)) rangeError(title, 'key of [A-Za-z0-9._/-], 1..200 characters', key);
}

/**
 * Checks a half-open range [start, end) within [0, limit].
 * @throws {TypeError|RangeError} if start or end is not an integer or 0 ≤ start ≤ end ≤ limit fails
 * @example assertRange(start, end, head.size)
 */
export function assertRange(start: unknown, end: unknown, limit: number): asserts start is number {
  assertInteger(start, 'start', 0, limit);
  assertInteger(end, 'end', start as number, limit);
}

/**
 * Checks a list of lookup values: an array of at most MAX_LOOKUP_VALUES items.
 * @throws {TypeError|RangeError} if it is not, or an item fails `check`
 * @example assertLookup(nullifiers, 'nullifiers', assertField)
 */
export function assertLookup<T>(values: unknown, title: string, check: (v: unknown, t: string) => asserts v is T): asserts values is T[] {
  assertArray(values, title, 0, MAX_LOOKUP_VALUES);
  values.forEach((v, i) => check(v, `${title}[${i}]`));
}

/**
 * Checks a party change.
 * @throws {TypeError|RangeError} naming the bad field
 * @example assertPartyChange({ kind: 'revoke', partyId: 'mill-7' }, 'party')
 */
export function assertPartyChange(value: unknown, title: string): asserts value is PartyChange {
  if (typeof value !== 'object' || value === null) typeError(title, 'PartyChange object', value);
  const p = value as Record<string, unknown>;
  assertPartyId(p.partyId, `${title}.partyId`);
  if (p.kind === 'register') {
    assertString(p.role, `${title}.role`, 32);
    assertPublicKey(p.publicKey, `${title}.publicKey`);
  } else if (p.kind !== 'revoke') {
    rangeError(`${title}.kind`, '"register" or "revoke"', p.kind);
  }
}

/**
 * Checks a pinned key: a circuit id of [a-z][a-z0-9_]* (at most 64) and a 64-hex key hash.
 * @throws {TypeError|RangeError} naming the bad field
 * @example assertPinnedKey({ circuit: 'lot_mint', vkeyHash: 'ab'.repeat(32) }, 'key')
 */
export function assertPinnedKey(value: unknown, title: string): asserts value is PinnedKey {
  if (typeof value !== 'object' || value === null) typeError(title, 'PinnedKey object', value);
  const k = value as Record<string, unknown>;
  assertString(k.circuit, `${title}.circuit`, 64);
  if (!/^[a-z][a-z0-9_]*$/.test(k.circuit)) rangeError(`${title}.circuit`, 'circuit id of [a-z][a-z0-9_]*', k.circuit);
  assertString(k.vkeyHash, `${title}.vkeyHash`, 64);
  if (!/^[0-9a-f]{64}$/.test(k.vkeyHash)) rangeError(`${title}.vkeyHash`, '64 lowercase hex digits', k.vkeyHash);
}

/**
 * Checks a submitter: a key id of 1..128 printable ASCII characters without spaces, a kind of
 * SUBMITTER_KINDS, a role of 1..32 characters of [a-z], a time in milliseconds.
 * @throws {TypeError|RangeError} naming the bad field
 * @example assertSubmitter({ keyId: 'mill-7', kind: 'party', role: 'supplier', submittedAt: Date.now() }, 'submitter')
 */
export function assertSubmitter(value: unknown, title: string): asserts value is Submitter {
  if (typeof value !== 'object' || value === null) typeError(title, 'Submitter object', value);
  const s = value as Record<string, unknown>;
  assertString(s.keyId, `${title}.keyId`, MAX_KEY_ID_LENGTH);
  if (!/^[\x21-\x7e]+$/.test(s.keyId)) rangeError(`${title}.keyId`, 'key id of 1..128 printable ASCII characters', s.keyId);
  if (typeof s.kind !== 'string' || !(SUBMITTER_KINDS as readonly string[]).includes(s.kind)) rangeError(`${title}.kind`, `one of ${SUBMITTER_KINDS.join(', ')}`, s.kind);
  assertString(s.role, `${title}.role`, 32);
  if (!/^[a-z]+$/.test(s.role)) rangeError(`${title}.role`, 'role of [a-z], 1..32 characters', s.role);
  assertInteger(s.submittedAt, `${title}.submittedAt`);
}

/**
 * Checks a nonce-table call: key id and nonce of 1..128 / 1..64 printable ASCII characters,
 * expiry and clock as Unix seconds.
 * @throws {TypeError|RangeError} naming the bad argument
 * @example assertNonceArgs('mill-7', nonce, ts + 300, now)
 */
export function assertNonceArgs(keyId: unknown, nonce: unknown, expiresAt: unknown, nowSeconds: unknown): void {
  assertString(keyId, 'keyId', MAX_KEY_ID_LENGTH);
  if (!/^[\x21-\x7e]+$/.test(keyId)) rangeError('keyId', 'key id of 1..128 printable ASCII characters', keyId);
  assertString(nonce, 'nonce', MAX_NONCE_LENGTH);
  if (!/^[\x21-\x7e]+$/.test(nonce)) rangeError('nonce', 'nonce of 1..64 printable ASCII characters', nonce);
  assertInteger(expiresAt, 'expiresAt');
  assertInteger(nowSeconds, 'nowSeconds');
}

/**
 * Checks a (key id, nonce) pair of `readNonces`.
 * @throws {TypeError|RangeError} naming the bad field
 * @example assertNonceKey({ keyId: 'mill-7', nonce }, 'keys[0]')
 */
export function assertNonceKey(value: unknown, title: string): asserts value is { keyId: string; nonce: string } {
  if (typeof value !== 'object' || value === null) typeError(title, '{ keyId, nonce } object', value);
  const k = value as Record<string, unknown>;
  assertNonceClaim({ keyId: k.keyId, nonce: k.nonce, expiresAt: 0, nowSeconds: 0 }, title);
}

/**
 * Checks a party id: 1..128 characters of [A-Za-z0-9._:@-], starting with a letter or digit.
 * @throws {TypeError|RangeError} if it is not
 * @example assertPartyId('coop-sidama-7', 'partyId')
 */
export function assertPartyId(value: unknown, title: string): asserts value is string {
  assertString(value, title, MAX_PARTY_ID_LENGTH);
  if (!/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/.test(value)) rangeError(title, 'party id of [A-Za-z0-9._:@-], 1..128 characters, starting with a letter or digit', value);
}

/**
 * Checks an Ed25519 public key as text: canonical base64 (with padding) of exactly 32 bytes.
 * @throws {TypeError|RangeError} if it is not
 * @example assertPublicKey(Buffer.from(pub).toString('base64'), 'publicKey')
 */
export function assertPublicKey(value: unknown, title: string): asserts value is string {
  assertString(value, title, 44);
  const bytes = Buffer.from(value, 'base64');
  // Node's decoder skips bad characters; the round trip rejects them and non-zero padding bits.
  if (bytes.length !== 32 || bytes.toString('base64') !== value) rangeError(title, 'canonical base64 of a 32-byte Ed25519 public key', value);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
