/**
 * The RFC 6962 root of a log read from its first entry onwards, one leaf hash at a time,
 * in O(log n) memory: a "compact range" [0, n) holds the roots of the perfect subtrees
 * n's binary expansion splits it into, largest (leftmost) first.
 *
 *     n = 6 = 4 + 2      stack = [ MTH(D[0:4]), MTH(D[4:6]) ]
 *     append D[6]        stack = [ MTH(D[0:4]), MTH(D[4:6]), h(D[6]) ]       (sizes 4, 2, 1)
 *     append D[7]        h(D[7]) merges with h(D[6]), then with MTH(D[4:6]), then with
 *                        MTH(D[0:4]): stack = [ MTH(D[0:8]) ]
 *
 * Invariant: the subtree sizes are distinct powers of two, strictly decreasing, and they
 * are the set bits of n. The root follows RFC 6962 §2.1: MTH(D[0:n]) = node(MTH(D[0:k]),
 * MTH(D[k:n])) with k the largest power of two < n, which unfolds to folding the stack
 * from the right: node(s0, node(s1, … node(s_{m−2}, s_{m−1}))).
 *
 * Internal: the verifier uses it to check that the entries a registry serves are all the
 * entries of the log its checkpoint signs (registry-datasets.ts).
 * @module
 */
import { bug } from '../core/errors.ts';
import { assertHash, emptyTreeHash, type Hash, nodeHash } from '../core/tlog/hash.ts';

/** A compact range [0, size) of an RFC 6962 tree. */
export class _CompactRange {
  #size = 0;
  /** Subtree roots with their sizes, largest first. */
  readonly #stack: { hash: Hash; size: number }[] = [];

  /** Leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends the leaf hash of entry `size` (RFC 6962 §2.1 `SHA-256(0x00 ‖ entry)`).
   * @throws {TypeError|RangeError} if `leaf` is not a 32-byte hash
   * @example range.append(leafHash(entryBytes))
   */
  append(leaf: Hash): void {
    assertHash(leaf, 'leaf');
    let top = { hash: leaf, size: 1 };
    // Merge equal sizes: the new leaf completes every perfect subtree n's trailing ones end.
    while (this.#stack.length > 0 && this.#stack[this.#stack.length - 1]!.size === top.size) {
      const left = this.#stack.pop()!;
      top = { hash: nodeHash(left.hash, top.hash), size: left.size * 2 };
    }
    this.#stack.push(top);
    this.#size += 1;
    const sum = this.#stack.reduce((s, t) => s + t.size, 0);
    if (sum !== this.#size) bug('_CompactRange.append', `subtree sizes sum to ${sum}, size ${this.#size}`);
  }

  /**
   * The RFC 6962 root of the leaves appended so far (SHA-256 of nothing for none).
   * @throws never
   * @example range.root() // 32 bytes
   */
  root(): Hash {
    if (this.#stack.length === 0) return emptyTreeHash();
    let acc = this.#stack[this.#stack.length - 1]!.hash;
    for (let i = this.#stack.length - 2; i >= 0; i--) acc = nodeHash(this.#stack[i]!.hash, acc);
    return acc;
  }
}
