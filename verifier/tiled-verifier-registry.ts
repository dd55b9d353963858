/**
 * The importer's verifier reading a static C2SP tiles mirror (docs/tiles-and-follow.md)
 * instead of the registry's API: a `VerifierRegistry` answered by a `TiledLog` alone.
 *
 *     checkpointNote()          the note TiledLog accepted under the pinned registry key
 *     entry, entries            TiledLog: each entry authenticated against that checkpoint
 *     inclusionProof            TiledLog: computed from authenticated hash tiles
 *     treeLeaf, treeProof,      a replay of the mirror's entries up to the checkpoint:
 *     nullifier                 entryEffects (registry/log/entry-effects.ts) of each entry,
 *                               lots and plots leaves into core/merkle trees at the
 *                               registry's depths, nullifiers into a set
 *     artifacts                 none: a mirror serves no verification keys; the policy's
 *                               keys folder (`artifacts.keysDir`) must hold them
 *
 * The replay is a function of entries the registry's key signed into the log, so what it
 * answers is the log's own state. Its Poseidon roots must be the checkpoint's lots root
 * (and plots root, when the plots tree is asked for): a depth other than the registry's,
 * or a registry that signed roots its entries do not give, fails with PROOF_INVALID before
 * any answer. The verifier recomputes every path against the signed root anyway.
 *
 * Freshness: a nullifier is unspent as of the mirror's latest checkpoint. A note spent
 * after it, in an entry the mirror does not yet hold, reads as unspent
 * (docs/verifier.md, "Verifying against a mirror").
 *
 * Invariant: `#state` holds the replay of exactly the entries [0, state.size) of the log
 * whose checkpoint TiledLog trusts; the replay only grows (TiledLog refuses a fork), and
 * calls are serialised so that two lookups never replay at once.
 *
 *     const log = new TiledLog({ location: '/srv/canopy-mirror', policy: { registryKey } });
 *     const registry = tiledVerifierRegistry(log, { policy });
 *     const claim = await verifyLotPassport(passport, { registry, policy });
 * @module
 */
import { assertString } from '../core/assert.ts';
import { CanopyError } from '../core/errors.ts';
import { assertField, fieldToString } from '../core/field.ts';
import { IncrementalMerkleTree } from '../core/merkle/incremental-merkle-tree.ts';
import { type MerkleProofJson, merkleProofToJson } from '../core/merkle/merkle-proof.ts';
import { loadArtifacts, type PublishedArtifacts } from '../registry/api/artifacts.ts';
import { ApiError } from '../registry/api/api-error.ts';
import { entryEffects } from '../registry/log/entry-effects.ts';
import type { InclusionProof } from '../registry/log/log-proofs.ts';
import type { TreeDepths } from '../registry/log/registry-trees.ts';
import type { ServedEntry } from '../registry/log/registry-log.ts';
import type { TiledLog } from '../registry/tiles/tiled-log-client.ts';
import { depthsFromPins } from './audit/pinned-keys.ts';
import type { ImporterPolicy } from './importer-policy.ts';
import type { NullifierRecord, TreeLeafRecord, VerifierRegistry } from './verifier-registry.ts';

/** Options of `tiledVerifierRegistry`. */
export interface TiledVerifierRegistryOptions {
  /** The importer's policy: its pin of the mirror's origin gives the registry key, its keys folder the depths. */
  policy: ImporterPolicy;
  /** The registry origin the mirror copies; default the policy's only registry. */
  origin?: string;
  /** The registry's tree depths; default the depths the policy's pinned circuits state. */
  depths?: TreeDepths;
}

type TreeName = 'lots' | 'plots';

/** One replayed Poseidon tree: its leaves in order, the entry of each, the first index of each value. */
interface ReplayedTree {
  leaves: bigint[];
  sequences: number[];
  firstIndex: Map<bigint, number>;
  /** Built from `leaves` on first use (the plots tree is rarely asked for). */
  tree: IncrementalMerkleTree | null;
}

/** The replay of entries [0, size) and the checkpoint of that size. */
interface ReplayState {
  size: number;
  roots: { lots: bigint; plots: bigint };
  trees: { lots: ReplayedTree; plots: ReplayedTree };
  nullifiers: Map<bigint, number>;
  note: string;
}

const emptyTree = (): ReplayedTree => ({ leaves: [], sequences: [], firstIndex: new Map(), tree: null });

/** The VerifierRegistry over a TiledLog; see the module comment. */
class TiledVerifierRegistry implements VerifierRegistry {
  readonly baseUrl: string;
  readonly #log: TiledLog;
  readonly #registryKey: string;
  readonly #policy: ImporterPolicy;
  readonly #depthsOption: TreeDepths | undefined;
  #depths: TreeDepths | null = null;
  #state: ReplayState = { size: 0, roots: { lots: 0n, plots: 0n }, trees: { lots: emptyTree(), plots: emptyTree() }, nullifiers: new Map(), note: '' };
  #queue: Promise<unknown> = Promise.resolve();

  constructor(log: TiledLog, registryKey: string, policy: ImporterPolicy, depths: TreeDepths | undefined) {
    this.#log = log;
    this.baseUrl = log.location;
    this.#registryKey = registryKey;
    this.#policy = policy;
    this.#depthsOption = depths;
  }

  async checkpointNote(): Promise<string> {
    return (await this.#sync(0)).note;
  }

  async treeLeaf(tree: TreeName, value: bigint): Promise<TreeLeafRecord> {
    assertField(value, 'value');
    const state = await this.#sync(0);
    const t = state.trees[tree];
    const leafIndex = t.firstIndex.get(value);
    if (leafIndex === undefined) throw new ApiError('NOT_FOUND', `no ${tree} leaf is ${fieldToString(value)} in the log of ${state.size} entries at ${this.baseUrl}`);
    return { tree, value: fieldToString(value), leafIndex, sequence: t.sequences[leafIndex]! };
  }

  async treeProof(tree: TreeName, leafIndex: number, size: number): Promise<MerkleProofJson> {
    const state = await this.#sync(size);
    if (!Number.isSafeInteger(size) || size < 0 || size > state.size) {
      throw new ApiError('INVALID_INPUT', `size ${size} is beyond the checkpoint of size ${state.size} at ${this.baseUrl}`);
    }
    const t = state.trees[tree];
    const built = this.#built(tree, state);
    // The tree as it was at log size `size`: the leaves appended by entries below it.
    const leaves = countBelow(t.sequences, size);
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= leaves) {
      throw new ApiError('NOT_FOUND', `the ${tree} tree holds ${leaves} leaves at log size ${size}, no leaf ${leafIndex}`);
    }
    return merkleProofToJson(built.proof(leafIndex, leaves));
  }

  entry(seq: number): Promise<ServedEntry> {
    return this.#log.entry(seq);
  }

  entries(start: number, end?: number): Promise<{ size: number; entries: ServedEntry[] }> {
    return this.#log.entries(start, end);
  }

  inclusionProof(index: number, size: number): Promise<InclusionProof> {
    return this.#log.inclusionProof(index, size);
  }

  async nullifier(value: bigint): Promise<NullifierRecord> {
    assertField(value, 'value');
    const spentBy = (await this.#sync(0)).nullifiers.get(value);
    return { nullifier: fieldToString(value), spent: spentBy !== undefined, sequence: spentBy ?? null };
  }

  artifacts(): Promise<PublishedArtifacts> {
    return Promise.reject(
      new CanopyError('INVALID_INPUT', `${this.baseUrl} is a tiles mirror, which serves no verification keys: pin a keys folder holding the key ("artifacts.keysDir" of the policy)`),
    );
  }

  /** The replay brought up to the mirror's latest checkpoint, and to at least `minSize`. */
  #sync(minSize: number): Promise<ReplayState> {
    const run = this.#queue.then(async () => {
      if (this.#state.size > 0 && this.#state.size >= minSize && minSize > 0) return this.#state;
      return this.#replay();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #replay(): Promise<ReplayState> {
    const verified = await this.#log.verifiedCheckpoint(this.#registryKey);
    const cp = verified.checkpoint;
    if (cp.canopyRoots === null) throw new CanopyError('PROOF_INVALID', `the checkpoint of size ${cp.size} at ${this.baseUrl} carries no lots root`);
    const old = this.#state;
    if (cp.size < old.size) return old; // an older checkpoint of the same log (TiledLog checked): the replay stays ahead
    const depths = await this.#treeDepths();
    // A replay that fails part-way leaves the old state as it was: new leaves go into copies.
    const grows = cp.size > old.size;
    const trees = grows ? { lots: copyTree(old.trees.lots), plots: copyTree(old.trees.plots) } : old.trees;
    const nullifiers = grows ? new Map(old.nullifiers) : old.nullifiers;
    for await (const served of this.#log.entryRange(old.size, cp.size)) {
      const fx = entryEffects(served.entry);
      for (const n of fx.nullifiers) if (!nullifiers.has(n)) nullifiers.set(n, served.sequence);
      for (const [name, added] of [['lots', fx.lotsLeaves], ['plots', fx.plotsLeaves]] as const) {
        const t = trees[name];
        for (const leaf of added) {
          if (!t.firstIndex.has(leaf)) t.firstIndex.set(leaf, t.leaves.length);
          t.leaves.push(leaf);
          t.sequences.push(served.sequence);
        }
      }
    }
    const next: ReplayState = { size: cp.size, roots: { lots: cp.canopyRoots.lots, plots: cp.canopyRoots.plots }, trees, nullifiers, note: verified.note };
    // The lots tree is checked at every checkpoint: every lookup the verifier makes is a lots one.
    this.#built('lots', next, depths);
    this.#state = next;
    return next;
  }

  /** Tree `name` of `state`, built (appending what is new) and checked against the checkpoint's root. */
  #built(name: TreeName, state: ReplayState, depths: TreeDepths = this.#depths!): IncrementalMerkleTree {
    const t = state.trees[name];
    if (t.tree === null) t.tree = new IncrementalMerkleTree(depths[name], { rootHistorySize: 1 });
    if (t.tree.size < t.leaves.length) t.tree.appendMany(t.leaves.slice(t.tree.size));
    // rootAt: the tree object may be shared with a newer replay that appended more leaves.
    const root = t.tree.rootAt(t.leaves.length);
    if (root !== state.roots[name]) {
      throw new CanopyError(
        'PROOF_INVALID',
        `the ${name} tree replayed from the ${state.size} entries at ${this.baseUrl} (depth ${depths[name]}, ${t.leaves.length} leaves) has root ${fieldToString(root)}, the checkpoint's ${name} root is ${fieldToString(state.roots[name])}: the registry runs the tree at another depth than the pinned circuits state, or signed a root its entries do not give`,
      );
    }
    return t.tree;
  }

  /** The depths given, else those the policy's pinned circuits state (its keys folder's manifest). */
  async #treeDepths(): Promise<TreeDepths> {
    if (this.#depths !== null) return this.#depths;
    if (this.#depthsOption !== undefined) return (this.#depths = { ...this.#depthsOption });
    const dir = this.#policy.artifacts.keysDir;
    if (dir === null) throw new CanopyError('INVALID_INPUT', 'reading a tiles mirror needs the tree depths, which no pinned circuit states: the policy pins no keys folder ("artifacts.keysDir"), and no depths were given');
    const published = await loadArtifacts(dir);
    const pins = published.circuits.map((c) => ({ circuit: c.circuit, vkeyHash: c.vkeyHash, params: c.params, source: dir }));
    return (this.#depths = depthsFromPins(pins));
  }
}

/**
 * A replayed tree whose arrays and map grow without touching the original. The built tree
 * is shared: it is append-only, and every use reads it at the copy's own leaf count.
 */
function copyTree(t: ReplayedTree): ReplayedTree {
  return { leaves: [...t.leaves], sequences: [...t.sequences], firstIndex: new Map(t.firstIndex), tree: t.tree };
}

/** How many of the ascending `sequences` are below `size`. */
function countBelow(sequences: readonly number[], size: number): number {
  let lo = 0;
  let hi = sequences.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sequences[mid]! < size) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * A `VerifierRegistry` answered from a tiles mirror alone (module comment): checkpoint,
 * entries and inclusion proofs from `log`, tree leaves, Poseidon paths and nullifiers from
 * a replay of its entries up to its checkpoint, no verification keys.
 * @param log - the mirror; its policy, if it has one, must pin the same registry key
 * @throws {TypeError|RangeError} for malformed options; {CanopyError} INVALID_INPUT if the
 *   policy pins no registry of `origin` (or several, and no origin is given).
 *   Lookups throw PROOF_INVALID naming the tile or bundle that does not verify, or a
 *   replayed root that is not the checkpoint's; INVALID_INPUT when no depth is known
 * @example
 * const registry = tiledVerifierRegistry(new TiledLog({ location: 'mirror', policy: { registryKey } }), { policy });
 * await verifyLotPassport(passport, { registry, policy });
 */
export function tiledVerifierRegistry(log: TiledLog, options: TiledVerifierRegistryOptions): VerifierRegistry {
  if (typeof log !== 'object' || log === null || typeof log.entryRange !== 'function') throw new TypeError(`"log" expected a TiledLog, got ${String(log)}`);
  if (typeof options !== 'object' || options === null || typeof options.policy !== 'object' || options.policy === null) {
    throw new TypeError('"options" expected { policy: ImporterPolicy, origin?, depths? }');
  }
  const { policy } = options;
  if (options.origin !== undefined) assertString(options.origin, 'options.origin', 1024);
  const candidates = options.origin === undefined ? policy.registries : policy.registries.filter((r) => r.origin === options.origin);
  if (candidates.length !== 1) {
    throw new CanopyError(
      'INVALID_INPUT',
      options.origin === undefined
        ? `the policy pins ${policy.registries.length} registries: say which one the mirror at ${log.location} copies`
        : `the policy does not pin registry ${JSON.stringify(options.origin)}: a mirror is read only under a pinned registry key`,
    );
  }
  if (options.depths !== undefined) {
    for (const name of ['lots', 'plots'] as const) {
      const d = options.depths[name];
      if (!Number.isSafeInteger(d) || d < 1 || d > 32) throw new RangeError(`"options.depths.${name}" expected an integer in [1, 32], got ${String(d)}`);
    }
  }
  return new TiledVerifierRegistry(log, candidates[0]!.key, policy, options.depths);
}
