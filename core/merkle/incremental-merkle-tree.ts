/**
 * A fixed-depth, append-only Poseidon Merkle tree: the lots and plots trees of the
 * registry and the dataset tree of a raster. Node hash, empty leaf and path convention
 * are those of `merkle-node.ts` and `merkle-proof.ts`; empty subtrees hash to
 * `zeroHashes`.
 *
 * Storage. Level k (0 = leaves, `depth` = root) stores the nodes that exist:
 *
 *     levels[k].length = ⌈size / 2^k⌉           for k in [0, depth]
 *     levels[k][j]     = root of the subtree over leaves [j·2^k, (j+1)·2^k),
 *                        leaves at index ≥ size read as 0
 *
 * Node j of level k is complete when (j+1)·2^k ≤ size. Only the last node of a level can
 * be partial (its right part is empty subtrees); it is stored with its current value and
 * recomputed whenever a leaf lands under it. A complete node never changes again, which
 * is what lets `rootAt(s)` rebuild any past root from today's storage: at size s every
 * node is either complete at s (read from storage), empty at s (a zero hash), or the one
 * partial node of its level at s (rebuilt bottom-up, one hash per level).
 * Total: Σ_k ⌈size / 2^k⌉ < 2·size + depth nodes, 32 bytes each (see `_node-level.ts`);
 * never a 2^depth array.
 *
 * Costs, in node hashes: `append` depth; `appendMany(n)` about n + depth, since each
 * touched node is hashed once; `proof(i)` 0; `proof(i, s)` and `rootAt(s)` at most depth.
 *
 * Root history. Registry proofs are accepted only against published roots, so the tree
 * remembers the roots it has had: the root after construction or restore and after every
 * `append`/`appendMany` call (a batch records only its final root; intermediate sizes
 * remain reachable through `rootAt`). `hasRoot` and `sizeOfRoot` look up the last
 * `rootHistorySize` distinct roots (default 1024), a bounded map root → size.
 *
 * Binary form (`serialize`/`deserialize`), all integers big-endian:
 *
 *     offset      bytes   field
 *     0           4       magic, ASCII "CIMT" (Canopy incremental Merkle tree)
 *     4           1       format version, 1
 *     5           1       depth, 1..32
 *     6           2       reserved, 0
 *     8           8       size (leaf count), uint64, ≤ 2^depth
 *     16          32·n    nodes, level 0 (leaves) up to level depth (root), level k
 *                         holding ⌈size / 2^k⌉ nodes in index order; each a field
 *                         element < r, 32 bytes; n = Σ_{k=0..depth} ⌈size / 2^k⌉
 *     16 + 32·n   32      SHA-256 of bytes [0, 16 + 32·n)
 *
 * Restoring copies the nodes without rehashing: it checks the exact length, the
 * checksum (accidental corruption anywhere), every element < r, and recomputes the last
 * node of every level from its stored children (depth hashes), which re-derives the whole
 * right edge and the root. A complete interior node is trusted: the format is for a
 * tree's own saved state. Bytes from elsewhere should be restored with `fullCheck`, which
 * rehashes every node (about size hashes), or rebuilt from their leaves.
 *
 * Limits. Depth 1..32, leaf indexes below 2^32 (safe integers). An in-memory tree holds
 * 64 bytes of nodes per leaf plus chunk slack (about 70 bytes per leaf measured at 100,000
 * leaves), so its practical size is set by memory (tens of millions of leaves), well
 * below the 2^32 capacity of depth 32; `serialize` needs one contiguous buffer of about
 * 64 bytes per leaf.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { assertArray, assertBytes, assertInteger, describe, rangeError, typeError } from '../assert.ts';
import { bug, CanopyError } from '../errors.ts';
import { assertField, FIELD_ORDER, fieldToString, parseField } from '../field.ts';
import { _NodeLevel, NODE_BYTES } from './_node-level.ts';
import type { MerkleProof } from './merkle-proof.ts';
import { assertMerkleDepth, merkleNode } from './merkle-node.ts';
import { zeroHashes } from './zero-hashes.ts';

/** Distinct roots `hasRoot` remembers unless told otherwise. */
export const DEFAULT_ROOT_HISTORY_SIZE = 1024;
/** Largest root history accepted (a map of this many entries costs roughly 100 MiB). */
export const MAX_ROOT_HISTORY_SIZE = 1 << 20;
/** Most leaves `toJSON`/`fromJSON` handle; larger trees use `serialize`. */
export const MAX_JSON_LEAVES = 1 << 16;

/** Magic bytes opening the binary form: ASCII "CIMT". */
const MAGIC = Uint8Array.of(0x43, 0x49, 0x4d, 0x54);
const FORMAT_VERSION = 1;
const HEADER_BYTES = 16;
const CHECKSUM_BYTES = 32;
// r as 32 big-endian bytes, to range-check stored nodes without building BigInts.
const FIELD_ORDER_BYTES = Uint8Array.from({ length: 32 }, (_, i) => Number((FIELD_ORDER >> BigInt(8 * (31 - i))) & 0xffn));

/** Options of the constructor, `deserialize` and `fromJSON`. */
export interface IncrementalMerkleTreeOptions {
  /** Distinct roots remembered for `hasRoot`, 1..2^20; default 1024. */
  rootHistorySize?: number;
}

/** Options of `deserialize`. */
export interface DeserializeOptions extends IncrementalMerkleTreeOptions {
  /** Rehash every stored node instead of only the right edge (about size hashes). */
  fullCheck?: boolean;
}

/** JSON form of a small tree: its depth and its leaves as canonical decimal strings. */
export interface IncrementalMerkleTreeJson {
  depth: number;
  leaves: string[];
}

/** Σ_{k=0..depth} ⌈size / 2^k⌉: the number of nodes a tree of this size stores. */
function storedNodeCount(depth: number, size: number): number {
  let n = 0;
  for (let k = 0; k <= depth; k++) n += Math.ceil(size / 2 ** k);
  return n;
}

function readOptions(options: unknown): { rootHistorySize: number; fullCheck: boolean } {
  if (options === undefined) return { rootHistorySize: DEFAULT_ROOT_HISTORY_SIZE, fullCheck: false };
  if (typeof options !== 'object' || options === null || Array.isArray(options)) typeError('options', 'object', options);
  const o = options as Record<string, unknown>;
  // Only undefined means "absent": null is a wrong value, not a default.
  const rootHistorySize = o.rootHistorySize === undefined ? DEFAULT_ROOT_HISTORY_SIZE : o.rootHistorySize;
  assertInteger(rootHistorySize, 'options.rootHistorySize', 1, MAX_ROOT_HISTORY_SIZE);
  const fullCheck = o.fullCheck === undefined ? false : o.fullCheck;
  if (typeof fullCheck !== 'boolean') typeError('options.fullCheck', 'boolean', fullCheck);
  return { rootHistorySize, fullCheck };
}

/**
 * A fixed-depth append-only Poseidon Merkle tree with proofs, past roots and a binary form.
 * @example
 * const tree = new IncrementalMerkleTree(20);
 * const i = tree.append(leaf);
 * verifyMerkleProof(tree.proof(i)); // true
 */
export class IncrementalMerkleTree {
  /** Tree depth, 1..32. */
  readonly depth: number;
  /** Most leaves the tree holds: 2^depth. */
  readonly capacity: number;
  /** Distinct roots remembered by `hasRoot`. */
  readonly rootHistorySize: number;

  readonly #zeros: readonly bigint[];
  #levels: _NodeLevel[];
  #root: bigint;
  // Insertion-ordered root → size; the first key is the oldest remembered root.
  readonly #history = new Map<bigint, number>();

  /**
   * An empty tree; its root is zeroHashes(depth)[depth].
   * @param depth - 1..32
   * @param options - `rootHistorySize`, 1..2^20, default 1024
   * @throws {TypeError|RangeError} if depth or an option is malformed
   * @example new IncrementalMerkleTree(20, { rootHistorySize: 64 })
   */
  constructor(depth: number, options?: IncrementalMerkleTreeOptions) {
    assertMerkleDepth(depth, 'depth');
    this.depth = depth;
    this.capacity = 2 ** depth;
    this.rootHistorySize = readOptions(options).rootHistorySize;
    this.#zeros = zeroHashes(depth);
    this.#levels = Array.from({ length: depth + 1 }, () => new _NodeLevel());
    this.#root = this.#zeros[depth]!;
    this.#remember();
  }

  /** Number of leaves appended. */
  get size(): number {
    return this.#levels[0]!.length;
  }

  /** The current root. */
  get root(): bigint {
    return this.#root;
  }

  /** Bytes allocated for node storage (the bulk of the tree's memory). */
  get allocatedBytes(): number {
    let n = 0;
    for (const level of this.#levels) n += level.allocatedBytes;
    return n;
  }

  /**
   * Appends one leaf (depth hashes) and remembers the new root.
   * @param leaf - a field element, already hashed under its owner's domain tag
   * @returns the leaf's index
   * @throws {TypeError|RangeError} if leaf is not a field element; {CanopyError} TREE_FULL if size = 2^depth
   * @example tree.append(hashTagged('LOT_NOTE', fields)) // 0 for the first leaf
   */
  append(leaf: bigint): number {
    assertField(leaf, 'leaf');
    return this.#insert([leaf]);
  }

  /**
   * Appends leaves in order, hashing each touched node once (about n + depth hashes
   * instead of n·depth), and remembers only the final root. All leaves are checked
   * before any is appended: on error the tree is unchanged.
   * @param leaves - field elements
   * @returns the index of the first appended leaf (the old size)
   * @throws {TypeError|RangeError} if a leaf is not a field element; {CanopyError} TREE_FULL if they do not fit
   * @example tree.appendMany(leaves) // index of leaves[0]
   */
  appendMany(leaves: readonly bigint[]): number {
    assertArray(leaves, 'leaves');
    for (let i = 0; i < leaves.length; i++) assertField(leaves[i], `leaves[${i}]`);
    if (leaves.length === 0) return this.size;
    return this.#insert(leaves);
  }

  /**
   * The leaf at `index`.
   * @throws {TypeError} if not a safe integer; {RangeError} if index ≥ size
   * @example tree.leaf(0)
   */
  leaf(index: number): bigint {
    this.#assertIndexBelow(index, 'index', this.size);
    return this.#levels[0]!.get(index);
  }

  /**
   * An inclusion proof of leaf `index` against the root the tree had at size `atSize`
   * (default: now). Costs no hash at the current size, at most depth hashes for a past one.
   * @param index - in [0, atSize)
   * @param atSize - in [index + 1, size]
   * @throws {TypeError} if an argument is not a safe integer; {RangeError} if out of range
   * @example verifyMerkleProof(tree.proof(7)) // true
   */
  proof(index: number, atSize: number = this.size): MerkleProof {
    assertInteger(atSize, 'atSize', 0, this.size);
    this.#assertIndexBelow(index, 'index', atSize);
    const edge = atSize === this.size ? undefined : this.#edgeAt(atSize);
    const siblings: bigint[] = [];
    for (let k = 0; k < this.depth; k++) {
      // index < 2^32: the unsigned shifts keep every node index exact and non-negative.
      const sibling = ((index >>> k) ^ 1) >>> 0;
      const width = 2 ** k;
      if (sibling * width >= atSize) siblings.push(this.#zeros[k]!);
      else if ((sibling + 1) * width <= atSize) siblings.push(this.#levels[k]!.get(sibling));
      // Otherwise the sibling is the one partial node of level k at atSize.
      else siblings.push(edge === undefined ? this.#levels[k]!.get(sibling) : edge[k]!);
    }
    const root = edge === undefined ? this.#root : edge[this.depth]!;
    return { depth: this.depth, leafIndex: index, leaf: this.#levels[0]!.get(index), siblings, root };
  }

  /**
   * The root the tree had when it held `size` leaves, rebuilt from stored nodes in at
   * most depth hashes.
   * @param size - in [0, this.size]
   * @throws {TypeError} if not a safe integer; {RangeError} if outside [0, size]
   * @example tree.rootAt(0) === zeroHashes(tree.depth)[tree.depth] // true
   */
  rootAt(size: number): bigint {
    assertInteger(size, 'size', 0, this.size);
    if (size === this.size) return this.#root;
    if (size === 0) return this.#zeros[this.depth]!;
    return this.#edgeAt(size)[this.depth]!;
  }

  /**
   * Whether `root` is among the last `rootHistorySize` distinct roots this tree has had
   * since construction or restore (see the module doc for which sizes are recorded).
   * @throws {TypeError|RangeError} if root is not a field element
   * @example tree.hasRoot(publishedRoot)
   */
  hasRoot(root: bigint): boolean {
    assertField(root, 'root');
    return this.#history.has(root);
  }

  /**
   * The size at which the tree last had `root`, if that root is remembered.
   * @throws {TypeError|RangeError} if root is not a field element
   * @example tree.sizeOfRoot(tree.root) === tree.size // true
   */
  sizeOfRoot(root: bigint): number | undefined {
    assertField(root, 'root');
    return this.#history.get(root);
  }

  /**
   * The binary form drawn in the module doc: header, stored nodes, SHA-256.
   * @throws {RangeError} if the tree is too large for one buffer
   * @example IncrementalMerkleTree.deserialize(tree.serialize()).root === tree.root // true
   */
  serialize(): Uint8Array {
    const bodyLength = HEADER_BYTES + storedNodeCount(this.depth, this.size) * NODE_BYTES;
    const out = new Uint8Array(bodyLength + CHECKSUM_BYTES);
    const view = new DataView(out.buffer);
    out.set(MAGIC, 0);
    view.setUint8(4, FORMAT_VERSION);
    view.setUint8(5, this.depth);
    view.setUint16(6, 0);
    view.setBigUint64(8, BigInt(this.size));
    let offset = HEADER_BYTES;
    for (const level of this.#levels) offset = level.copyTo(out, offset);
    if (offset !== bodyLength) bug('IncrementalMerkleTree.serialize', `wrote ${offset} of ${bodyLength} bytes`);
    out.set(sha256(out.subarray(0, bodyLength)), bodyLength);
    return out;
  }

  /**
   * Restores a tree from `serialize` output without rehashing it (see the module doc for
   * the checks). The root history restarts with the restored root.
   * @param bytes - the binary form
   * @param options - `rootHistorySize`; `fullCheck` to rehash every node
   * @throws {TypeError} if bytes is not a Uint8Array; {RangeError} if its length, depth,
   *   size or an element is out of range; {CanopyError} INVALID_INPUT if the magic,
   *   version, reserved field or checksum is wrong or a node does not hash from its children
   * @example IncrementalMerkleTree.deserialize(readFileSync('lots.tree'))
   */
  static deserialize(bytes: Uint8Array, options?: DeserializeOptions): IncrementalMerkleTree {
    assertBytes(bytes, 'bytes');
    const { rootHistorySize, fullCheck } = readOptions(options);
    const minimum = HEADER_BYTES + CHECKSUM_BYTES;
    if (bytes.length < minimum) rangeError('bytes', `at least ${minimum} bytes (header and checksum)`, bytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < MAGIC.length; i++) {
      if (bytes[i] !== MAGIC[i]) throw new CanopyError('INVALID_INPUT', `not a Canopy Merkle tree: magic bytes ${hex(bytes.subarray(0, 4))}, want 43494d54 ("CIMT")`);
    }
    const version = view.getUint8(4);
    if (version !== FORMAT_VERSION) throw new CanopyError('INVALID_INPUT', `unsupported Merkle tree format version ${version}, want ${FORMAT_VERSION}`);
    const depth = view.getUint8(5);
    assertMerkleDepth(depth, 'depth');
    const reserved = view.getUint16(6);
    if (reserved !== 0) throw new CanopyError('INVALID_INPUT', `Merkle tree reserved header field is ${reserved}, want 0`);
    const size = view.getBigUint64(8);
    if (size > 2n ** BigInt(depth)) rangeError('size', `leaf count in [0, 2^${depth}]`, size);
    const leafCount = Number(size);
    const bodyLength = HEADER_BYTES + storedNodeCount(depth, leafCount) * NODE_BYTES;
    if (bytes.length !== bodyLength + CHECKSUM_BYTES) {
      const what = bytes.length < bodyLength + CHECKSUM_BYTES ? 'truncated' : 'trailing bytes';
      rangeError('bytes', `exactly ${bodyLength + CHECKSUM_BYTES} bytes for depth ${depth} and size ${leafCount} (${what})`, bytes);
    }
    const checksum = sha256(bytes.subarray(0, bodyLength));
    if (!equalBytes(checksum, bytes.subarray(bodyLength))) throw new CanopyError('INVALID_INPUT', 'Merkle tree checksum mismatch: the bytes are corrupted');

    const tree = new IncrementalMerkleTree(depth, { rootHistorySize });
    const levels: _NodeLevel[] = [];
    let offset = HEADER_BYTES;
    for (let k = 0; k <= depth; k++) {
      const count = Math.ceil(leafCount / 2 ** k);
      for (let j = 0; j < count; j++) {
        const at = offset + j * NODE_BYTES;
        if (!belowFieldOrder(bytes, at)) rangeError(`level ${k} node ${j}`, 'field element in [0, r)', `0x${hex(bytes.subarray(at, at + NODE_BYTES))}`);
      }
      levels.push(_NodeLevel.fromBytes(bytes, offset, count));
      offset += count * NODE_BYTES;
    }
    tree.#levels = levels;
    tree.#checkStoredNodes(fullCheck);
    tree.#root = leafCount === 0 ? tree.#zeros[depth]! : levels[depth]!.get(0);
    tree.#history.clear();
    tree.#remember();
    return tree;
  }

  /**
   * The JSON form of a small tree: `{ depth, leaves }`, leaves as canonical decimals.
   * @throws {RangeError} if the tree holds more than 2^16 leaves (use `serialize`)
   * @example JSON.stringify(tree) // '{"depth":4,"leaves":["1","2"]}'
   */
  toJSON(): IncrementalMerkleTreeJson {
    if (this.size > MAX_JSON_LEAVES) rangeError('tree', `at most ${MAX_JSON_LEAVES} leaves for JSON (use serialize)`, this.size);
    const leaves: string[] = [];
    for (let i = 0; i < this.size; i++) leaves.push(fieldToString(this.#levels[0]!.get(i)));
    return { depth: this.depth, leaves };
  }

  /**
   * Rebuilds a tree from its JSON form (attacker-controlled), rehashing its leaves.
   * Strict: exactly the keys depth and leaves, at most min(2^depth, 2^16) canonical decimal leaves.
   * @throws {TypeError|RangeError} if the JSON is malformed; {CanopyError} TREE_FULL if the leaves do not fit
   * @example IncrementalMerkleTree.fromJSON(JSON.parse(text))
   */
  static fromJSON(json: unknown, options?: IncrementalMerkleTreeOptions): IncrementalMerkleTree {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) typeError('tree', 'object', json);
    const j = json as Record<string, unknown>;
    for (const key of Object.keys(j)) {
      if (key !== 'depth' && key !== 'leaves') typeError('tree', 'only keys depth, leaves', `key ${describe(key)}`);
    }
    assertMerkleDepth(j.depth, 'tree.depth');
    assertArray(j.leaves, 'tree.leaves', 0, MAX_JSON_LEAVES);
    const leaves: bigint[] = [];
    for (let i = 0; i < j.leaves.length; i++) leaves.push(parseField(j.leaves[i], `tree.leaves[${i}]`));
    const tree = new IncrementalMerkleTree(j.depth, options);
    tree.appendMany(leaves);
    return tree;
  }

  // Appends validated leaves; touched nodes of level k are [⌊old/2^k⌋, ⌈new/2^k⌉).
  #insert(leaves: readonly bigint[]): number {
    const oldSize = this.size;
    if (leaves.length > this.capacity - oldSize) {
      throw new CanopyError('TREE_FULL', `tree of depth ${this.depth} holds at most ${this.capacity} leaves; has ${oldSize}, cannot append ${leaves.length}`);
    }
    const leafLevel = this.#levels[0]!;
    for (const leaf of leaves) leafLevel.push(leaf);
    let lo = oldSize;
    let hi = oldSize + leaves.length;
    for (let k = 0; k < this.depth; k++) {
      const below = this.#levels[k]!;
      const above = this.#levels[k + 1]!;
      // Invariant: below holds ⌈newSize / 2^k⌉ = hi nodes, nodes [lo, hi) of it changed.
      if (below.length !== hi) bug('IncrementalMerkleTree.#insert', `level ${k} has ${below.length} nodes, want ${hi}`);
      const first = Math.floor(lo / 2);
      const end = Math.ceil(hi / 2);
      for (let j = first; j < end; j++) {
        const right = 2 * j + 1 < hi ? below.get(2 * j + 1) : this.#zeros[k]!;
        const parent = merkleNode(below.get(2 * j), right);
        if (j < above.length) above.set(j, parent);
        else if (j === above.length) above.push(parent);
        else bug('IncrementalMerkleTree.#insert', `level ${k + 1} node ${j} beyond ${above.length}`);
      }
      lo = first;
      hi = end;
    }
    this.#root = this.#levels[this.depth]!.get(0);
    this.#remember();
    return oldSize;
  }

  // The last node of every level at a past size s in [1, size): edge[k] covers leaf s − 1.
  #edgeAt(s: number): bigint[] {
    let e = s - 1;
    const edge: bigint[] = [this.#levels[0]!.get(e)];
    for (let k = 0; k < this.depth; k++) {
      const parent = Math.floor(e / 2);
      if ((parent + 1) * 2 ** (k + 1) <= s) {
        // Complete at s, hence unchanged since: read it.
        edge.push(this.#levels[k + 1]!.get(parent));
      } else if (e % 2 === 1) {
        // Left sibling e − 1 lies wholly below leaf s − 1, so it is complete at s.
        edge.push(merkleNode(this.#levels[k]!.get(e - 1), edge[k]!));
      } else {
        // Right sibling e + 1 starts at leaf ≥ s, so it is empty at s.
        edge.push(merkleNode(edge[k]!, this.#zeros[k]!));
      }
      e = parent;
    }
    return edge;
  }

  // Checks restored nodes against their children: the last node of each level, or all.
  #checkStoredNodes(all: boolean): void {
    for (let k = 1; k <= this.depth; k++) {
      const below = this.#levels[k - 1]!;
      const level = this.#levels[k]!;
      for (let j = all ? 0 : Math.max(level.length - 1, 0); j < level.length; j++) {
        const right = 2 * j + 1 < below.length ? below.get(2 * j + 1) : this.#zeros[k - 1]!;
        if (merkleNode(below.get(2 * j), right) !== level.get(j)) {
          throw new CanopyError('INVALID_INPUT', `Merkle tree node ${j} of level ${k} does not hash from its children`);
        }
      }
    }
  }

  #remember(): void {
    // Re-inserting moves a repeated root to the newest end; then evict the oldest.
    this.#history.delete(this.#root);
    this.#history.set(this.#root, this.size);
    if (this.#history.size > this.rootHistorySize) this.#history.delete(this.#history.keys().next().value!);
  }

  #assertIndexBelow(index: unknown, title: string, bound: number): asserts index is number {
    assertInteger(index, title);
    if (index >= bound) rangeError(title, `leaf index below ${bound}`, index);
  }
}

function belowFieldOrder(bytes: Uint8Array, at: number): boolean {
  for (let i = 0; i < NODE_BYTES; i++) {
    const b = bytes[at + i]!;
    const r = FIELD_ORDER_BYTES[i]!;
    if (b !== r) return b < r;
  }
  return false;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
