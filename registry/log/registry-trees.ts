/**
 * The registry's two Poseidon trees in memory: the lots tree (lot and capacity notes) and
 * the plots tree (plot attestation leaves), both `IncrementalMerkleTree`s of
 * core/merkle. The store holds their leaves (one row per leaf, written in the same
 * transaction as the entry that appends them); the trees are a cache of those leaves,
 * rebuilt at start:
 *
 * - from a snapshot (`IncrementalMerkleTree.serialize()` bytes in the store's key-value
 *   table under `trees/lots` and `trees/plots`) plus the leaves stored after it, or
 * - from all stored leaves, when there is no usable snapshot.
 *
 * A snapshot is used only if it has the configured depth, is no larger than the stored
 * tree, and its last leaf equals the stored leaf at that index; after the tail is
 * appended, the tree must reproduce the root of the latest signed checkpoint at that
 * checkpoint's leaf count. A snapshot that fails any check is ignored (rebuild from
 * leaves); a rebuild that fails the checkpoint check means the store disagrees with what
 * the registry signed: `LOG_INCONSISTENT`, and the registry refuses to start.
 * @module
 */
import { assertInteger, rangeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { IncrementalMerkleTree } from '../../core/merkle/incremental-merkle-tree.ts';
import type { MerkleProof } from '../../core/merkle/merkle-proof.ts';
import { assertMerkleDepth } from '../../core/merkle/merkle-node.ts';
import { assertTreeName, type RegistryStore, type StoreHead, TREE_NAMES, type TreeName } from '../store/store.ts';

/** Leaves read from the store per query while rebuilding. */
export const REBUILD_CHUNK = 10_000;

/** How the trees were restored at start. */
export type TreesRestoredFrom = 'snapshot' | 'leaves';

/** Depths of the two trees; they must match the circuits' (circuits.json `depth`). */
export interface TreeDepths {
  lots: number;
  plots: number;
}

/** Read access to the trees, for serving Poseidon proofs and roots. */
export interface TreesView {
  /** Tree depth. */
  depth(tree: TreeName): number;
  /** Leaves in the tree. */
  size(tree: TreeName): number;
  /** Current root. */
  root(tree: TreeName): bigint;
  /** Root when the tree held `size` leaves. */
  rootAt(tree: TreeName, size: number): bigint;
  /** The leaf at `index`. */
  leaf(tree: TreeName, index: number): bigint;
  /** Inclusion proof of leaf `index` against the root at `atSize` leaves (default: now). */
  proof(tree: TreeName, index: number, atSize?: number): MerkleProof;
}

/** The two trees, their restore and their snapshots. */
export class RegistryTrees implements TreesView {
  readonly #trees: Record<TreeName, IncrementalMerkleTree>;
  /** How `open` restored them. */
  readonly restoredFrom: Record<TreeName, TreesRestoredFrom>;

  private constructor(trees: Record<TreeName, IncrementalMerkleTree>, restoredFrom: Record<TreeName, TreesRestoredFrom>) {
    this.#trees = trees;
    this.restoredFrom = restoredFrom;
  }

  /**
   * Restores both trees to the store's `head` (see the module comment).
   * @param useSnapshots - false to ignore snapshots and rebuild from leaves
   * @throws {TypeError|RangeError} if a depth is malformed; {CanopyError} LOG_INCONSISTENT if
   *   the stored leaves do not reproduce the latest checkpoint's roots; whatever the store throws
   * @example const trees = await RegistryTrees.open(store, await store.head(), { lots: 32, plots: 32 })
   */
  static async open(store: RegistryStore, head: StoreHead, depths: TreeDepths, useSnapshots = true): Promise<RegistryTrees> {
    assertMerkleDepth(depths?.lots, 'depths.lots');
    assertMerkleDepth(depths?.plots, 'depths.plots');
    const latest = await store.latestCheckpoint();
    const trees = {} as Record<TreeName, IncrementalMerkleTree>;
    const from = {} as Record<TreeName, TreesRestoredFrom>;
    for (const name of TREE_NAMES) {
      const count = name === 'lots' ? head.lotsSize : head.plotsSize;
      const published = latest === null ? null : name === 'lots' ? { size: latest.lotsSize, root: latest.lotsRoot } : { size: latest.plotsSize, root: latest.plotsRoot };
      let tree = useSnapshots ? await fromSnapshot(store, name, depths[name], count) : null;
      if (tree !== null) {
        await appendStored(store, name, tree, count);
        if (!reproduces(tree, published)) tree = null;
      }
      from[name] = tree === null ? 'leaves' : 'snapshot';
      if (tree === null) {
        tree = new IncrementalMerkleTree(depths[name], { rootHistorySize: 1 });
        await appendStored(store, name, tree, count);
        if (!reproduces(tree, published)) {
          throw new CanopyError('LOG_INCONSISTENT', `the stored ${name} leaves do not reproduce the ${name} root of the signed checkpoint of size ${latest!.size}`);
        }
      }
      trees[name] = tree;
    }
    return new RegistryTrees(trees, from);
  }

  /**
   * Appends the leaves stored beyond the trees' sizes, up to the counts of `head`.
   * @throws {CanopyError} LOG_INCONSISTENT if the store holds fewer leaves than the trees
   * @example await trees.catchUp(store, await store.head())
   */
  async catchUp(store: RegistryStore, head: StoreHead): Promise<void> {
    for (const name of TREE_NAMES) {
      const count = name === 'lots' ? head.lotsSize : head.plotsSize;
      if (count < this.#trees[name].size) throw new CanopyError('LOG_INCONSISTENT', `the store has ${count} ${name} leaves, fewer than the ${this.#trees[name].size} already read`);
      await appendStored(store, name, this.#trees[name], count);
    }
  }

  /**
   * Appends leaves the sequencer just committed.
   * @throws {TypeError|RangeError} if a leaf is not a field element; {CanopyError} TREE_FULL
   * @example trees.append('lots', [commitment])
   */
  append(tree: TreeName, leaves: readonly bigint[]): void {
    assertTreeName(tree, 'tree');
    this.#trees[tree].appendMany(leaves);
  }

  /**
   * Writes both trees' snapshots to the store's key-value table.
   * @throws whatever the store throws
   * @example await trees.saveSnapshots(store)
   */
  async saveSnapshots(store: RegistryStore): Promise<void> {
    for (const name of TREE_NAMES) await store.kvPut(snapshotKey(name), this.#trees[name].serialize());
  }

  depth(tree: TreeName): number {
    assertTreeName(tree, 'tree');
    return this.#trees[tree].depth;
  }

  size(tree: TreeName): number {
    assertTreeName(tree, 'tree');
    return this.#trees[tree].size;
  }

  root(tree: TreeName): bigint {
    assertTreeName(tree, 'tree');
    return this.#trees[tree].root;
  }

  rootAt(tree: TreeName, size: number): bigint {
    assertTreeName(tree, 'tree');
    return this.#trees[tree].rootAt(size);
  }

  leaf(tree: TreeName, index: number): bigint {
    assertTreeName(tree, 'tree');
    return this.#trees[tree].leaf(index);
  }

  proof(tree: TreeName, index: number, atSize?: number): MerkleProof {
    assertTreeName(tree, 'tree');
    return this.#trees[tree].proof(index, atSize);
  }
}

/**
 * The key-value key of a tree's snapshot.
 * @throws {RangeError} if `tree` is not a tree name
 * @example snapshotKey('lots') // 'trees/lots'
 */
export function snapshotKey(tree: TreeName): string {
  assertTreeName(tree, 'tree');
  return `trees/${tree}`;
}

async function fromSnapshot(store: RegistryStore, name: TreeName, depth: number, count: number): Promise<IncrementalMerkleTree | null> {
  const bytes = await store.kvGet(snapshotKey(name));
  if (bytes === null) return null;
  let tree: IncrementalMerkleTree;
  try {
    tree = IncrementalMerkleTree.deserialize(bytes, { rootHistorySize: 1 });
  } catch {
    return null;
  }
  if (tree.depth !== depth || tree.size > count) return null;
  if (tree.size > 0) {
    const [last] = await store.readLeaves(name, tree.size - 1, tree.size);
    if (last!.value !== tree.leaf(tree.size - 1)) return null;
  }
  return tree;
}

async function appendStored(store: RegistryStore, name: TreeName, tree: IncrementalMerkleTree, count: number): Promise<void> {
  assertInteger(count, 'count', 0, tree.capacity);
  for (let at = tree.size; at < count; at = tree.size) {
    const end = Math.min(count, at + REBUILD_CHUNK);
    const leaves = await store.readLeaves(name, at, end);
    if (leaves.length !== end - at) rangeError('leaves', `${end - at} leaves`, leaves.length);
    tree.appendMany(leaves.map((l) => l.value));
  }
}

function reproduces(tree: IncrementalMerkleTree, published: { size: number; root: bigint } | null): boolean {
  if (published === null) return true;
  return published.size <= tree.size && tree.rootAt(published.size) === published.root;
}
