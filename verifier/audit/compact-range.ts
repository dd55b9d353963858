/**
 * An RFC 6962 compact range over [0, size): the roots of the perfect subtrees that the
 * binary decomposition of `size` cuts the log into, largest (leftmost) first. It is all an
 * auditor needs to keep to extend the log's root hash entry by entry, without storing
 * the entries or their hashes.
 *
 *     size = 13 = 0b1101     subtrees [0, 8)  [8, 12)  [12, 13)      3 hashes
 *
 *     append(h):  push h; while the last two subtrees have equal size, replace them
 *                 with SHA-256(0x01 ‖ left ‖ right)                 RFC 6962 §2.1
 *     root():     fold right to left: r = last; r = node(hashes[i], r) for i = n−2 … 0
 *                 (MTH of an unbalanced tree: the right part is the smaller subtree)
 *     empty:      SHA-256() (RFC 6962 §2.1, MTH({}))
 *
 * Invariant: `hashes.length` is the number of one bits of `size`, and hashes[i] is the
 * root of the subtree for the i-th one bit from the top. The fold in `root()` is exactly
 * the recursion of core/tlog/tree-hash.ts `merkleTreeHash` (tests compare them for every
 * size up to 130).
 *
 * JSON form (what the audit state stores): `{ "size": 13, "hashes": ["<base64>", …] }`,
 * hashes as canonical base64 of 32 bytes; `fromJSON` parses strictly and re-checks the
 * invariant. At most 51 hashes for a log of 2^51 entries.
 * @module
 */
import { assertArray, rangeError, typeError } from '../../core/assert.ts';
import { assertHash, emptyTreeHash, type Hash, nodeHash } from '../../core/tlog/hash.ts';
import { assertTreeSize, TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';
import { hashFromBase64, hashToBase64 } from './_hash-text.ts';

/** JSON form of a compact range. */
export interface CompactRangeJson {
  size: number;
  hashes: string[];
}

/** One bit per subtree: popcount of a safe integer (sizes are ≤ 2^51, so no 32-bit shifts). */
function oneBits(n: number): number {
  let count = 0;
  for (let v = n; v > 0; v = Math.floor(v / 2)) count += v % 2;
  return count;
}

/** The RFC 6962 compact range of a log prefix; see the module comment. */
export class CompactRange {
  #size = 0;
  // Subtree roots, largest first; #sizes[i] is the leaf count under #hashes[i].
  readonly #hashes: Hash[] = [];
  readonly #sizes: number[] = [];

  /** Entries covered: the range is [0, size). */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends one entry by its leaf hash (SHA-256(0x00 ‖ entry bytes)).
   * @throws {TypeError} if `leaf` is not a 32-byte Uint8Array; {RangeError} past 2^51 entries
   * @example range.append(leafHash(entryBytes))
   */
  append(leaf: Hash): void {
    assertHash(leaf, 'leaf');
    if (this.#size >= TLOG_MAX_SIZE) rangeError('size', `at most ${TLOG_MAX_SIZE} entries`, this.#size + 1);
    this.#hashes.push(new Uint8Array(leaf));
    this.#sizes.push(1);
    // Merge equal neighbours: sizes stay strictly decreasing powers of two.
    while (this.#sizes.length >= 2 && this.#sizes[this.#sizes.length - 1] === this.#sizes[this.#sizes.length - 2]) {
      const right = this.#hashes.pop()!;
      const rightSize = this.#sizes.pop()!;
      const left = this.#hashes.pop()!;
      this.#sizes.pop();
      this.#hashes.push(nodeHash(left, right));
      this.#sizes.push(2 * rightSize);
    }
    this.#size++;
  }

  /**
   * The RFC 6962 root hash of entries [0, size).
   * @throws never
   * @example hashEqual(range.root(), checkpoint.rootHash)
   */
  root(): Hash {
    if (this.#hashes.length === 0) return emptyTreeHash();
    let r = this.#hashes[this.#hashes.length - 1]!;
    for (let i = this.#hashes.length - 2; i >= 0; i--) r = nodeHash(this.#hashes[i]!, r);
    return r;
  }

  /**
   * The JSON form of the module comment.
   * @throws never
   * @example JSON.stringify(range.toJSON())
   */
  toJSON(): CompactRangeJson {
    return { size: this.#size, hashes: this.#hashes.map(hashToBase64) };
  }

  /**
   * Restores a range from its JSON form (strict: exactly `size` and `hashes`, one
   * canonical base64 hash per one bit of size).
   * @throws {TypeError|RangeError} if the JSON is malformed
   * @example CompactRange.fromJSON(state.log.range)
   */
  static fromJSON(json: unknown, title = 'range'): CompactRange {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) typeError(title, 'object { size, hashes }', json);
    const j = json as Record<string, unknown>;
    for (const k of Object.keys(j)) if (k !== 'size' && k !== 'hashes') rangeError(title, 'only the members size, hashes', `member ${JSON.stringify(k)}`);
    assertTreeSize(j.size, `${title}.size`);
    const want = oneBits(j.size);
    assertArray(j.hashes, `${title}.hashes`, want, want);
    const range = new CompactRange();
    // Subtree sizes are the one bits of size, from the top.
    let rest = j.size;
    for (let i = 0; i < j.hashes.length; i++) {
      const bytes = hashFromBase64(j.hashes[i], `${title}.hashes[${i}]`);
      let bit = 1;
      while (bit * 2 <= rest) bit *= 2;
      range.#hashes.push(bytes);
      range.#sizes.push(bit);
      rest -= bit;
    }
    range.#size = j.size;
    return range;
  }
}
