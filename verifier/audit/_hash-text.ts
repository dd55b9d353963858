/**
 * SHA-256 hashes as the registry writes them in JSON and checkpoints: canonical padded
 * base64 of exactly 32 bytes (internal). Canonical means the text re-encodes to itself,
 * so one hash has one spelling and a comparison of texts is a comparison of hashes.
 * @module
 */
import { assertString, rangeError } from '../../core/assert.ts';
import { type Hash, HASH_SIZE } from '../../core/tlog/hash.ts';

/**
 * Base64 of a hash.
 * @throws never
 * @example hashToBase64(checkpoint.rootHash)
 */
export function hashToBase64(hash: Hash): string {
  return Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength).toString('base64');
}

/**
 * Parses canonical base64 of 32 bytes (attacker-controlled).
 * @throws {TypeError} if not a string; {RangeError} otherwise
 * @example hashFromBase64(served.leafHash, 'leafHash')
 */
export function hashFromBase64(text: unknown, title: string): Hash {
  assertString(text, title, 44);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== HASH_SIZE || bytes.toString('base64') !== text) rangeError(title, `canonical base64 of ${HASH_SIZE} bytes`, text);
  return new Uint8Array(bytes);
}
