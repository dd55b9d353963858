/**
 * The single storage seam of the log core. The core never reads storage any other way,
 * and holds no SQL: SQLite, PostgreSQL, an in-memory array or a set of tiles all reach it
 * through `readHashes`.
 *
 * Contract of `readHashes(indexes)`, which the core re-checks on every call:
 *
 * - `indexes` are stored hash indexes (`storedHashIndex(level, n)`), each naming one hash
 *   that `storedHashes` returned when some record was appended.
 * - It returns (or resolves to) an array of exactly `indexes.length` hashes, the i-th being
 *   the 32-byte hash stored at `indexes[i]`.
 * - If any hash is missing it throws (or rejects); it never returns a short, padded or
 *   reordered array. The core turns a wrong count or a value that is not a 32-byte
 *   `Uint8Array` into `CanopyError('READER_CONTRACT')`.
 * - The core asks for indexes in increasing order; a reader may rely on that only as a
 *   performance hint. It copies what it gets, so a reader may return shared buffers.
 *
 * The core cannot tell a stored hash from a wrong one: hashes are authenticated by the
 * proofs built from them (a verifier recomputes the root), or by `tileHashReader`, which
 * checks every tile against a trusted tree hash.
 * @module
 */
import { assertArray, typeError } from '../assert.ts';
import { CanopyError } from '../errors.ts';
import { HASH_SIZE, type Hash } from './hash.ts';

/** Reads stored hashes by stored hash index. See the module comment for the contract. */
export interface HashReader {
  readHashes(indexes: number[]): Promise<Hash[]> | Hash[];
}

/**
 * Checks that `value` has a `readHashes` method.
 * @throws {TypeError} if it does not
 * @example assertHashReader(storage, 'reader')
 */
export function assertHashReader(value: unknown, title: string): asserts value is HashReader {
  if (typeof value !== 'object' || value === null || typeof (value as HashReader).readHashes !== 'function') {
    typeError(title, 'object with a readHashes(indexes) method', value);
  }
}

/**
 * Calls `reader.readHashes(indexes)` and enforces its contract: exactly one 32-byte hash
 * per index. Returns copies, so callers may hand the hashes out without aliasing storage.
 * @throws {CanopyError} READER_CONTRACT if the reader returns a wrong count or a bad value;
 *   whatever the reader throws, unchanged
 * @example const [h] = await readHashesChecked(storage, [storedHashIndex(0, 5)])
 */
export async function readHashesChecked(reader: HashReader, indexes: number[]): Promise<Hash[]> {
  assertHashReader(reader, 'reader');
  assertArray(indexes, 'indexes');
  if (indexes.length === 0) return [];
  // A fresh copy: the reader must not be able to alter the request we check against.
  const result: unknown = await reader.readHashes([...indexes]);
  if (!Array.isArray(result)) {
    throw new CanopyError('READER_CONTRACT', `readHashes(${indexes.length} indexes) returned a non-array`);
  }
  if (result.length !== indexes.length) {
    throw new CanopyError('READER_CONTRACT', `readHashes(${indexes.length} indexes) = ${result.length} hashes`);
  }
  const out: Hash[] = [];
  for (let i = 0; i < result.length; i++) {
    const h: unknown = result[i];
    if (!(h instanceof Uint8Array) || h.length !== HASH_SIZE) {
      throw new CanopyError('READER_CONTRACT', `readHashes: hash for index ${indexes[i]} is not ${HASH_SIZE} bytes`);
    }
    out.push(h.slice());
  }
  return out;
}
