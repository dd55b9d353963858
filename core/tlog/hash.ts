/**
 * The hashes of the registry's transparency log: SHA-256 with the RFC 6962 §2.1 domain
 * prefixes (the same as RFC 9162 §2.1.1, C2SP tlog-tiles and Go's sumdb/tlog).
 *
 *     leaf hash   = SHA-256(0x00 ‖ entry)
 *     node hash   = SHA-256(0x01 ‖ left ‖ right)         left, right: 32-byte hashes
 *     empty tree  = SHA-256()                            = e3b0c442…7852b855
 *
 * The one-byte prefixes keep the two preimage sets apart, so a leaf can never be passed
 * off as an inner node (the second-preimage attack RFC 6962 §2.1 closes).
 *
 * Encoding: a `Hash` is a 32-byte `Uint8Array`. Functions here never keep or mutate the
 * arrays they are given, and always return fresh ones.
 *
 * Departure from Go's sumdb/tlog: Go defines the hash of the empty tree as 32 zero bytes;
 * RFC 6962 and RFC 9162 define it as SHA-256 of the empty string, which is what a C2SP
 * checkpoint of size 0 carries. Canopy follows the RFCs (`emptyTreeHash`).
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { assertBytes } from '../assert.ts';

/** A log hash: 32 bytes of SHA-256 output. */
export type Hash = Uint8Array;

/** Bytes in a `Hash`. */
export const HASH_SIZE = 32;

/** RFC 6962 §2.1: the byte prefixed to an entry before hashing it into a leaf. */
export const LEAF_HASH_PREFIX = 0x00;

/** RFC 6962 §2.1: the byte prefixed to two child hashes before hashing them into a node. */
export const NODE_HASH_PREFIX = 0x01;

/**
 * Checks that `value` is a 32-byte hash.
 * @throws {TypeError} if not a Uint8Array; {RangeError} if not 32 bytes long
 * @example assertHash(leafHash(entry), 'leafHash')
 */
export function assertHash(value: unknown, title: string): asserts value is Hash {
  assertBytes(value, title, HASH_SIZE);
}

/**
 * The leaf hash of a log entry: SHA-256(0x00 ‖ entry), RFC 6962 §2.1.
 * @param entry - the entry's bytes, any length
 * @throws {TypeError} if `entry` is not a Uint8Array
 * @example leafHash(new Uint8Array(0)) // 6e340b9c…0a17afa01d
 */
export function leafHash(entry: Uint8Array): Hash {
  assertBytes(entry, 'entry');
  const buf = new Uint8Array(1 + entry.length);
  buf[0] = LEAF_HASH_PREFIX;
  buf.set(entry, 1);
  return sha256(buf);
}

/**
 * The hash of an inner node: SHA-256(0x01 ‖ left ‖ right), RFC 6962 §2.1.
 * @throws {TypeError} if a child is not a Uint8Array; {RangeError} if not 32 bytes
 * @example nodeHash(leafHash(a), leafHash(b)) // root of the two-entry tree [a, b]
 */
export function nodeHash(left: Hash, right: Hash): Hash {
  assertHash(left, 'left');
  assertHash(right, 'right');
  // One preimage buffer for every call: hashing is synchronous, so no call can see another's
  // bytes, and the log hashes millions of nodes. sha256 returns a fresh array.
  nodeBuf.set(left, 1);
  nodeBuf.set(right, 1 + HASH_SIZE);
  return sha256(nodeBuf);
}

const nodeBuf = new Uint8Array(1 + 2 * HASH_SIZE);
nodeBuf[0] = NODE_HASH_PREFIX;

/**
 * The root hash of the empty tree: SHA-256 of the empty string (RFC 6962 §2.1, MTH({})).
 * @example emptyTreeHash() // e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
 */
export function emptyTreeHash(): Hash {
  return sha256(new Uint8Array(0));
}

/**
 * Whether two hashes hold the same 32 bytes. Log hashes are public, so the comparison
 * need not be constant-time.
 * @throws {TypeError|RangeError} if either is not a 32-byte Uint8Array
 * @example hashEqual(treeRoot, checkpoint.rootHash)
 */
export function hashEqual(a: Hash, b: Hash): boolean {
  assertHash(a, 'a');
  assertHash(b, 'b');
  for (let i = 0; i < HASH_SIZE; i++) if (a[i] !== b[i]) return false;
  return true;
}
