// @ts-check
/**
 * RFC 6962 Merkle tree proofs, checked in the browser: the leaf and node hashes of RFC 6962
 * §2.1 and the verification algorithms of RFC 9162 §2.1.3.2 (inclusion) and §2.1.4.2
 * (consistency), with SHA-256 from WebCrypto.
 *
 * Why this file exists beside core/tlog: the explorer is plain ES modules served as they
 * are, with no build step, and core/tlog is TypeScript importing `@noble/hashes` by a bare
 * specifier; a browser can load neither. WebCrypto's digest is asynchronous, so every
 * function that hashes here returns a promise. The algorithms are those of
 * core/tlog/verify-inclusion.ts and verify-consistency.ts line for line, with the same
 * input rules; tests/explorer/tlog.test.ts holds this file to the transparency-dev and
 * Argon 2020 vectors and to core/tlog on every proof of every tree up to 64 records, and
 * on those of up to 40 records with any one hash bit-flipped. Keep it one file with no
 * imports, so that the page and the test load exactly the same code.
 *
 *     leaf hash   = SHA-256(0x00 ‖ entry bytes)
 *     node hash   = SHA-256(0x01 ‖ left ‖ right)
 *
 *     inclusion (RFC 9162 §2.1.3.2)             consistency (RFC 9162 §2.1.4.2)
 *     fn = index, sn = size − 1, r = leaf       if first is a power of 2: prepend first_hash
 *     for each p in path:                       fn = first − 1, sn = second − 1
 *       if sn = 0: fail                         while LSB(fn) = 1: shift fn, sn right
 *       if LSB(fn) = 1 or fn = sn:              fr = sr = path[0]
 *         r = node(p, r)                        for each later c in path:
 *         if LSB(fn) = 0: shift fn, sn right      if sn = 0: fail
 *           until LSB(fn) = 1 or fn = 0           if LSB(fn) = 1 or fn = sn:
 *       else: r = node(r, p)                        fr = node(c, fr), sr = node(c, sr)
 *       shift fn, sn right by one                   if LSB(fn) = 0: shift until LSB(fn) = 1 or fn = 0
 *     succeed iff sn = 0 and r = root             else: sr = node(sr, c)
 *                                                 shift fn, sn right by one
 *                                               succeed iff sn = 0, fr = first, sr = second
 *
 * Failures are kept apart as in core/tlog: a malformed argument (a hash not of 32 bytes,
 * an index outside the size, a size above 2^51, more than 128 proof hashes) throws a
 * TypeError or RangeError naming it; a well-formed proof that does not match answers false
 * (or null from the `…Root(s)` functions). Sizes are safe integers ≤ 2^51, so shifts are
 * written as divisions by two (`>>` would truncate to 32 bits).
 * @module
 */

/** @typedef {Uint8Array<ArrayBuffer>} Hash a 32-byte SHA-256 output */

/** Bytes in a hash. */
export const HASH_SIZE = 32;
/** RFC 6962 §2.1: the byte before an entry in a leaf hash. */
export const LEAF_HASH_PREFIX = 0x00;
/** RFC 6962 §2.1: the byte before two child hashes in a node hash. */
export const NODE_HASH_PREFIX = 0x01;
/** Largest tree size (core/tlog/tree-size.ts TLOG_MAX_SIZE). */
export const MAX_TREE_SIZE = 2 ** 51;
/** Most hashes a proof may carry (core/tlog/_proof-shape.ts). */
export const MAX_PROOF_HASHES = 128;

/**
 * SHA-256 of some bytes, with WebCrypto.
 * @param {Uint8Array} bytes
 * @returns {Promise<Hash>}
 * @throws {TypeError} if bytes is not a Uint8Array
 * @example await sha256(new Uint8Array(0)) // e3b0c442…7852b855
 */
export async function sha256(bytes) {
  if (!(bytes instanceof Uint8Array)) fail(TypeError, 'bytes', 'Uint8Array', bytes);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', copy(bytes)));
}

/**
 * The leaf hash of an entry: SHA-256(0x00 ‖ entry), RFC 6962 §2.1.
 * @param {Uint8Array} entry - the entry's bytes
 * @returns {Promise<Hash>}
 * @throws {TypeError} if entry is not a Uint8Array
 * @example await leafHash(new Uint8Array(0)) // 6e340b9c…0a17afa01d
 */
export async function leafHash(entry) {
  if (!(entry instanceof Uint8Array)) fail(TypeError, 'entry', 'Uint8Array', entry);
  const buf = new Uint8Array(1 + entry.length);
  buf[0] = LEAF_HASH_PREFIX;
  buf.set(entry, 1);
  return sha256(buf);
}

/**
 * The hash of an inner node: SHA-256(0x01 ‖ left ‖ right), RFC 6962 §2.1.
 * @param {Uint8Array} left
 * @param {Uint8Array} right
 * @returns {Promise<Hash>}
 * @throws {TypeError|RangeError} if a child is not a 32-byte Uint8Array
 * @example await nodeHash(await leafHash(a), await leafHash(b))
 */
export async function nodeHash(left, right) {
  assertHash(left, 'left');
  assertHash(right, 'right');
  const buf = new Uint8Array(1 + 2 * HASH_SIZE);
  buf[0] = NODE_HASH_PREFIX;
  buf.set(left, 1);
  buf.set(right, 1 + HASH_SIZE);
  return sha256(buf);
}

/**
 * Whether two hashes hold the same bytes (log hashes are public: no constant time needed).
 * @param {Uint8Array} a
 * @param {Uint8Array} b
 * @returns {boolean}
 * @throws {TypeError|RangeError} if either is not a 32-byte Uint8Array
 * @example hashEqual(computedRoot, checkpointRoot)
 */
export function hashEqual(a, b) {
  assertHash(a, 'a');
  assertHash(b, 'b');
  for (let i = 0; i < HASH_SIZE; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The root an RFC 9162 inclusion proof leads to, or null if the proof has the wrong
 * number of hashes for the index and size (§2.1.3.2 up to the final comparison).
 * @param {number} leafIndex
 * @param {number} treeSize
 * @param {Uint8Array} leaf - the leaf hash
 * @param {Uint8Array[]} proof - the audit path, leaf level first
 * @returns {Promise<Hash | null>}
 * @throws {TypeError|RangeError} unless 0 ≤ leafIndex < treeSize ≤ 2^51 and every hash has 32 bytes
 * @example await inclusionProofRoot(5, 8, leaf, proof) // the root of the tree of 8
 */
export async function inclusionProofRoot(leafIndex, treeSize, leaf, proof) {
  assertInteger(treeSize, 'treeSize', 1, MAX_TREE_SIZE);
  assertInteger(leafIndex, 'leafIndex', 0, treeSize - 1);
  assertHash(leaf, 'leafHash');
  assertProof(proof, 'proof');
  let fn = leafIndex;
  let sn = treeSize - 1;
  /** @type {Hash} */
  let r = copy(leaf);
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/**
 * Whether `proof` is a valid RFC 9162 inclusion proof of `leaf` at `leafIndex` in the tree of
 * size `treeSize` with root `root`.
 * @param {number} leafIndex
 * @param {number} treeSize
 * @param {Uint8Array} leaf
 * @param {Uint8Array[]} proof
 * @param {Uint8Array} root
 * @returns {Promise<boolean>} false for a well-formed proof that does not lead to root
 * @throws {TypeError|RangeError} unless 0 ≤ leafIndex < treeSize ≤ 2^51 and every hash has 32 bytes
 * @example await verifyInclusion(5, 8, leaf, proof, root) // true
 */
export async function verifyInclusion(leafIndex, treeSize, leaf, proof, root) {
  assertHash(root, 'root');
  const r = await inclusionProofRoot(leafIndex, treeSize, leaf, proof);
  return r !== null && hashEqual(r, root);
}

/**
 * The two roots an RFC 9162 consistency proof leads to from `root1`, or null if the proof
 * has the wrong number of hashes for the sizes (§2.1.4.2 up to the final comparison). For
 * size1 = size2 only the empty proof is well-formed, and it leads to root1 twice.
 * @param {number} size1 - the older size, ≥ 1
 * @param {number} size2 - the newer size
 * @param {Uint8Array[]} proof
 * @param {Uint8Array} root1 - the older root (the path starts from it when size1 is a power of two)
 * @returns {Promise<{ root1: Hash, root2: Hash } | null>}
 * @throws {TypeError|RangeError} unless 1 ≤ size1 ≤ size2 ≤ 2^51 and every hash has 32 bytes
 * @example await consistencyProofRoots(6, 8, proof, root6) // { root1: root6, root2: root8 } when the proof is right
 */
export async function consistencyProofRoots(size1, size2, proof, root1) {
  assertInteger(size2, 'size2', 1, MAX_TREE_SIZE);
  assertInteger(size1, 'size1', 1, size2);
  assertProof(proof, 'proof');
  assertHash(root1, 'root1');
  if (size1 === size2) return proof.length === 0 ? { root1: copy(root1), root2: copy(root1) } : null;
  if (proof.length === 0) return null;
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  /** @type {Hash} */
  let fr = copy(/** @type {Uint8Array} */ (path[0]));
  let sr = fr;
  for (let i = 1; i < path.length; i++) {
    const c = /** @type {Uint8Array} */ (path[i]);
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? { root1: fr, root2: sr } : null;
}

/**
 * Whether `proof` is a valid RFC 9162 consistency proof that the tree (size2, root2) extends
 * the tree (size1, root1). For size1 = size2 only the empty proof with equal roots passes.
 * @param {number} size1
 * @param {number} size2
 * @param {Uint8Array[]} proof
 * @param {Uint8Array} root1
 * @param {Uint8Array} root2
 * @returns {Promise<boolean>} false for a well-formed proof that does not match both roots
 * @throws {TypeError|RangeError} unless 1 ≤ size1 ≤ size2 ≤ 2^51 and every hash has 32 bytes
 * @example await verifyConsistency(6, 8, proof, root6, root8) // true
 */
export async function verifyConsistency(size1, size2, proof, root1, root2) {
  assertHash(root2, 'root2');
  const roots = await consistencyProofRoots(size1, size2, proof, root1);
  return roots !== null && hashEqual(roots.root1, root1) && hashEqual(roots.root2, root2);
}

// ---- input checks (messages as core/assert.ts writes them) ----

/**
 * @param {ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor} Kind
 * @param {string} title
 * @param {string} expected
 * @param {unknown} got
 * @returns {never}
 */
function fail(Kind, title, expected, got) {
  let s;
  if (typeof got === 'string') s = JSON.stringify(got);
  else if (got instanceof Uint8Array) s = `Uint8Array(${got.length})`;
  else if (Array.isArray(got)) s = `array(${got.length})`;
  else if (got === null) s = 'null';
  else if (typeof got === 'object') s = 'object';
  else if (typeof got === 'bigint') s = `${got}n`;
  else s = String(got);
  throw new Kind(`"${title}" expected ${expected}, got ${s.length > 80 ? `${s.slice(0, 77)}...` : s}`);
}

/**
 * @param {unknown} v
 * @param {string} title
 * @returns {asserts v is Uint8Array}
 */
function assertHash(v, title) {
  if (!(v instanceof Uint8Array)) fail(TypeError, title, 'Uint8Array', v);
  if (v.length !== HASH_SIZE) fail(RangeError, title, `Uint8Array of length ${HASH_SIZE}`, v);
}

/**
 * @param {unknown} v
 * @param {string} title
 * @param {number} min
 * @param {number} max
 * @returns {asserts v is number}
 */
function assertInteger(v, title, min, max) {
  if (typeof v !== 'number') fail(TypeError, title, 'number', v);
  if (!Number.isSafeInteger(v) || v < min || v > max) fail(RangeError, title, `integer in [${min}, ${max}]`, v);
}

/**
 * @param {unknown} v
 * @param {string} title
 * @returns {asserts v is Uint8Array[]}
 */
function assertProof(v, title) {
  if (!Array.isArray(v)) fail(TypeError, title, 'array', v);
  if (v.length > MAX_PROOF_HASHES) fail(RangeError, title, `array of at most ${MAX_PROOF_HASHES} hashes`, v);
  for (let i = 0; i < v.length; i++) assertHash(v[i], `${title}[${i}]`);
}

/**
 * A copy on its own ArrayBuffer: the caller's array is never kept or handed to WebCrypto.
 * @param {Uint8Array} b
 * @returns {Hash}
 */
function copy(b) {
  const c = new Uint8Array(b.length);
  c.set(b);
  return c;
}

/**
 * Whether x ≥ 1 is a power of two; exact on safe integers (Math.log2 rounds near 2^51).
 * @param {number} x
 */
function isPowerOfTwo(x) {
  while (x % 2 === 0) x /= 2;
  return x === 1;
}
