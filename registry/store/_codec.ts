/**
 * Column encodings shared by the SQLite and PostgreSQL stores (internal).
 *
 *     field element  32 bytes, big-endian, value < r         (BLOB / BYTEA)
 *     hash           its 32 bytes                            (BLOB / BYTEA)
 *     integer        64-bit signed integer, read back as a safe JavaScript number
 *
 * Reads are checked: a column that does not decode (wrong length, ≥ r, not a safe
 * integer) means the database was altered outside the registry, and is reported as
 * `LOG_INCONSISTENT` rather than passed on.
 * @module
 */
import { CanopyError } from '../../core/errors.ts';
import { FIELD_ORDER } from '../../core/field.ts';
import { assertSubmitter, type CheckpointRecord, type PartyRecord, type PinnedKeyRecord, type StoreHead, type SubmissionRow } from './store.ts';

/** A row as both drivers return it: column name → value. */
export type Row = Record<string, unknown>;

/** Bytes of a stored field element. */
export const FIELD_BYTES = 32;

/** A field element as 32 big-endian bytes (a Buffer, which both drivers bind as a blob). */
export function fieldToBytes(value: bigint): Buffer {
  const out = Buffer.alloc(FIELD_BYTES);
  let v = value;
  for (let i = FIELD_BYTES - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

/** Reads a stored field element. */
export function bytesToField(bytes: unknown, what: string): bigint {
  if (!(bytes instanceof Uint8Array) || bytes.length !== FIELD_BYTES) corrupt(`${what} is not ${FIELD_BYTES} bytes`);
  let v = 0n;
  for (let i = 0; i < FIELD_BYTES; i++) v = (v << 8n) | BigInt(bytes[i]!);
  if (v >= FIELD_ORDER) corrupt(`${what} is not below the field order`);
  return v;
}

/** Reads a stored 32-byte hash as a plain Uint8Array (no Buffer pool aliasing). */
export function toHash(bytes: unknown, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32) corrupt(`${what} is not 32 bytes`);
  return new Uint8Array(bytes);
}

/** Reads a stored blob as a plain Uint8Array copy. */
export function toBytes(bytes: unknown, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) corrupt(`${what} is not a blob`);
  return new Uint8Array(bytes);
}

/** A Uint8Array as a Buffer sharing its memory, for binding. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Reads a stored integer (a number from SQLite, a decimal string from PostgreSQL's int8). */
export function toInt(value: unknown, what: string): number {
  const n = typeof value === 'string' ? Number(value) : typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) corrupt(`${what} is not a non-negative safe integer`);
  return n;
}

/** Reads a nullable stored integer. */
export function toIntOrNull(value: unknown, what: string): number | null {
  return value === null || value === undefined ? null : toInt(value, what);
}

/** Reads the head row (size, lots_size, plots_size, checkpoint_size). */
export function headFromRow(r: Row | undefined): StoreHead {
  if (r === undefined) throw new CanopyError('LOG_INCONSISTENT', 'the head row is missing');
  return {
    size: toInt(r.size, 'head size'),
    lotsSize: toInt(r.lots_size, 'head lots_size'),
    plotsSize: toInt(r.plots_size, 'head plots_size'),
    checkpointSize: toIntOrNull(r.checkpoint_size, 'head checkpoint_size'),
  };
}

/** Reads a checkpoints row. */
export function checkpointFromRow(r: Row): CheckpointRecord {
  const size = toInt(r.size, 'checkpoint size');
  return {
    size,
    rootHash: toHash(r.root_hash, `checkpoint ${size} root`),
    lotsSize: toInt(r.lots_size, 'checkpoint lots_size'),
    plotsSize: toInt(r.plots_size, 'checkpoint plots_size'),
    lotsRoot: bytesToField(r.lots_root, `checkpoint ${size} lots root`),
    plotsRoot: bytesToField(r.plots_root, `checkpoint ${size} plots root`),
    note: String(r.note),
    signedAt: toInt(r.signed_at, 'checkpoint signed_at'),
  };
}

/** Reads a parties row. */
export function partyFromRow(r: Row): PartyRecord {
  return {
    partyId: String(r.party_id),
    role: String(r.role),
    publicKey: String(r.public_key),
    registeredAt: toInt(r.registered_seq, 'registered_seq'),
    revokedAt: toIntOrNull(r.revoked_seq, 'revoked_seq'),
  };
}

/** Reads a pinned_keys row. */
export function pinnedKeyFromRow(r: Row): PinnedKeyRecord {
  const circuit = String(r.circuit);
  const vkeyHash = String(r.vkey_hash);
  if (!/^[a-z][a-z0-9_]*$/.test(circuit) || !/^[0-9a-f]{64}$/.test(vkeyHash)) corrupt(`pinned key ${circuit} ${vkeyHash} is malformed`);
  return { circuit, vkeyHash, sequence: toInt(r.seq, 'pinned key seq') };
}

/** Reads a submissions row. */
export function submissionFromRow(r: Row): SubmissionRow {
  const sequence = toInt(r.seq, 'submission seq');
  const s = { keyId: String(r.key_id), kind: String(r.kind), role: String(r.role), submittedAt: toInt(r.submitted_at, 'submitted_at') };
  try {
    assertSubmitter(s, `submission ${sequence}`);
  } catch (e) {
    corrupt((e as Error).message);
  }
  return { sequence, ...s };
}

/** Key prefix under which schema version 1 kept submitter records in the key-value table. */
export const LEGACY_SUBMISSIONS_PREFIX = 'audit/submissions/';

/**
 * The submitter rows of one schema-1 key-value record
 * (`audit/submissions/<first>` → JSON `{ first, count, keyId, kind, role, submittedAt }`),
 * for the entries below `logSize`.
 */
export function legacySubmissionRows(key: string, value: unknown, logSize: number): SubmissionRow[] {
  let r: { first?: unknown; count?: unknown; keyId?: unknown; kind?: unknown; role?: unknown; submittedAt?: unknown };
  try {
    r = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(toBytes(value, key))) as typeof r;
  } catch {
    return corrupt(`${key} is not a JSON submission record`);
  }
  if (r === null || typeof r !== 'object' || r.first !== Number(key.slice(LEGACY_SUBMISSIONS_PREFIX.length))) corrupt(`${key} does not hold the record of its first sequence`);
  const first = toInt(r.first, `${key} first`);
  const count = toInt(r.count, `${key} count`);
  const s = { keyId: r.keyId, kind: r.kind, role: r.role, submittedAt: r.submittedAt };
  try {
    assertSubmitter(s, key);
  } catch (e) {
    corrupt((e as Error).message);
  }
  const rows: SubmissionRow[] = [];
  for (let seq = first; seq < Math.min(first + count, logSize); seq++) rows.push({ sequence: seq, ...(s as Omit<SubmissionRow, 'sequence'>) });
  return rows;
}

function corrupt(why: string): never {
  throw new CanopyError('LOG_INCONSISTENT', `store holds a malformed value: ${why}`);
}
