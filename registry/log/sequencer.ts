/**
 * The sequencer: the one writer of the registry log. `append(entries, { submitter, nonce })`
 * checks entries, assigns their sequence numbers, and stores each entry with its stored
 * hashes, tree leaves, nullifiers, registrations, pinned keys and submitter row, and the
 * nonce of the signed request that carried them, in one store transaction; it resolves
 * only after that transaction committed durably.
 *
 * An append call goes through named steps, in order; any failure leaves the log unchanged:
 *
 *     1 shape        assertLogEntry, canonical encoding           → TypeError / RangeError
 *     2 effects      interpretation tables (entry-effects.ts)     → NULLIFIER_REPEATED, WINDOWS_INCONSISTENT
 *     3 parameters   public tables (parameter-checks.ts)          → PARAMETER_NOT_ALLOWED
 *     4 proofs       ProofVerifier.verify for every proof         → PROOF_INVALID
 *     5 state        against the committed log (+ earlier entries of the same commit):
 *                    the call's nonce not recorded and live, nor   → NonceReplayedError
 *                      claimed by an earlier call of the commit
 *                    roots published in a signed checkpoint       → ROOT_NOT_PUBLISHED
 *                    dataset roots registered by a dataset entry  → DATASET_UNKNOWN
 *                    nullifiers unspent, not repeated in the call → NULLIFIER_SPENT, NULLIFIER_REPEATED
 *                    dataset / party / key not yet registered     → DATASET_EXISTS, PARTY_EXISTS, KEY_IN_USE
 *                    revoked party registered and active          → PARTY_UNKNOWN, PARTY_REVOKED
 *                    proof keys pinned, once any key is pinned    → PARAMETER_NOT_ALLOWED
 *                    room in the Poseidon trees                   → TREE_FULL
 *     6 sequence     numbers size, size + 1, …; storedHashes per entry
 *     7 commit       store.appendBatch: one transaction, compare-and-set on the head
 *     8 apply        leaves appended to the in-memory trees; the call resolves
 *
 * Artifact pinning: once any artifacts entry is in the log (or earlier in the same
 * commit), a proof is accepted only if an artifacts entry pinned its (circuit, vkeyHash);
 * before the first one, every key the verifier accepts is. Pinned keys are read from the
 * store at every commit, so a key pinned by another process counts at once.
 *
 * Steps 1–4 depend on the entry alone (and the clock) and run concurrently for concurrent
 * calls (proof verification is the slow part). Steps 5–8 run in one in-process queue: calls waiting
 * there are committed together (group commit, up to `maxGroupEntries` entries per
 * transaction), each call all-or-nothing on its own, in arrival order.
 *
 * Nonces. A call may carry the nonce claim of the signed request it came in (store.ts
 * `NonceClaim`); the claim is recorded in the commit's transaction, so a signed write costs
 * no commit of its own and the group commit covers it. Step 5 refuses a call whose nonce is
 * stored and live (by any process) or claimed by an earlier call of the same commit; a
 * claim another process records between step 5 and the commit makes the store answer
 * `STORE_CONFLICT`, and the retry's step 5 then refuses that call alone.
 *
 * Invariants:
 * - sequence numbers are dense: the store's compare-and-set (`STORE_CONFLICT` when another
 *   writer moved the head) lets exactly one transaction claim each size, in this process
 *   through the queue, across processes through the store's lock; on a conflict the
 *   sequencer re-reads the head, catches its trees up, and re-runs step 5 onwards;
 * - a call is acknowledged only after its commit; a commit whose outcome is unknown (the
 *   database went away) rejects the call, and the next head read shows whether it landed;
 * - the trees hold exactly the stored leaves of the committed prefix the sequencer last
 *   read, so their roots are a function of the log.
 * @module
 */
import { assertArray, assertInteger } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { type Hash, leafHash } from '../../core/tlog/hash.ts';
import type { HashReader } from '../../core/tlog/hash-reader.ts';
import { storedHashCount, storedHashesForLeafHash } from '../../core/tlog/stored-hash.ts';
import { treeHash } from '../../core/tlog/tree-hash.ts';
import { assertNonceClaim, assertSubmitter, type AppendRecord, type NonceClaim, nonceKey, type PartyRecord, type RegistryStore, type StoreHead, type Submitter } from '../store/store.ts';
import { SerialQueue } from './_serial-queue.ts';
import { type EntryEffects, entryEffects } from './entry-effects.ts';
import { encodeEntry, type LogEntry } from './entry.ts';
import { checkParameters } from './parameter-checks.ts';
import { assertProofVerifier, type ProofVerifier } from './proof-verifier.ts';
import { RegistryTrees, type TreeDepths, type TreesView } from './registry-trees.ts';
import { NonceReplayedError } from './nonce-replayed.ts';
import { EntryRejectedError } from './rejection.ts';

/** Most entries in one append call. */
export const MAX_APPEND_ENTRIES = 1000;

/** Options of `Sequencer.open`. */
export interface SequencerOptions {
  store: RegistryStore;
  verifier: ProofVerifier;
  /** Depths of the lots and plots trees (the circuits' profile depths). */
  depths: TreeDepths;
  /** Most entries committed in one transaction (default 1000). */
  maxGroupEntries?: number;
  /** Save tree snapshots after this many new leaves; 0 never (default 65,536). */
  snapshotEvery?: number;
  /** Attempts after a `STORE_CONFLICT` before giving up (default 100). */
  maxConflictRetries?: number;
  /** Restore the trees from snapshots when usable (default true). */
  useSnapshots?: boolean;
  /** Clock in milliseconds, for the harvest-year window of parameter-checks.ts (default Date.now). */
  now?: () => number;
}

/** Options of one `append` call. */
export interface AppendOptions {
  /** Who submitted the entries: stored beside each of them in the same transaction, never hashed. */
  submitter?: Submitter | null;
  /** The nonce of the signed request carrying the entries, recorded in the same transaction (module comment). */
  nonce?: NonceClaim | null;
}

/** What the registry acknowledges for one appended entry. JSON-safe. */
export interface AppendReceipt {
  /** The entry's sequence number (its record index in the log). */
  sequence: number;
  /** Its leaf hash, base64 (as checkpoints write hashes). */
  leafHash: string;
  /** Indexes of the leaves it appended to the lots tree. */
  lotsLeafIndexes: number[];
  /** Indexes of the leaves it appended to the plots tree. */
  plotsLeafIndexes: number[];
}

/** The committed log as the sequencer last read it, with both trees' roots. */
export interface LogHead {
  size: number;
  /** RFC 6962 root hash of the first `size` entries. */
  rootHash: Hash;
  lotsSize: number;
  plotsSize: number;
  lotsRoot: bigint;
  plotsRoot: bigint;
}

interface Prepared {
  entry: LogEntry;
  bytes: Uint8Array;
  leafHash: Hash;
  effects: EntryEffects;
}

interface Pending {
  entries: Prepared[];
  submitter: Submitter | null;
  nonce: NonceClaim | null;
  done: boolean;
  resolve(receipts: AppendReceipt[]): void;
  reject(error: unknown): void;
}

/** Values the state step looked up in the store for one group. */
interface StateView {
  spent: Map<bigint, number>;
  lotsRoots: Map<bigint, number>;
  plotsRoots: Map<bigint, number>;
  datasets: Map<bigint, number>;
  parties: Map<string, PartyRecord>;
  keys: Map<string, PartyRecord>;
  /** Pinned (circuit, vkeyHash) pairs, as `pinKey` strings. */
  pinned: Set<string>;
  /** Stored expiries of the calls' nonces, by `nonceKey`. */
  nonces: Map<string, number>;
}

/** What earlier entries of the same commit add to the state. */
class Overlay {
  readonly nullifiers = new Map<bigint, number>();
  readonly datasets = new Set<bigint>();
  readonly partyIds = new Set<string>();
  readonly keys = new Set<string>();
  readonly revoked = new Set<string>();
  readonly pinned = new Set<string>();
  readonly nonces = new Set<string>();
  lots = 0;
  plots = 0;

  merge(other: Overlay): void {
    for (const k of other.nonces) this.nonces.add(k);
    for (const [n, i] of other.nullifiers) this.nullifiers.set(n, i);
    for (const k of other.pinned) this.pinned.add(k);
    for (const d of other.datasets) this.datasets.add(d);
    for (const p of other.partyIds) this.partyIds.add(p);
    for (const k of other.keys) this.keys.add(k);
    for (const r of other.revoked) this.revoked.add(r);
    this.lots += other.lots;
    this.plots += other.plots;
  }
}

/** The registry's sequencer. See the module comment. */
export class Sequencer {
  readonly #store: RegistryStore;
  readonly #verifier: ProofVerifier;
  readonly #trees: RegistryTrees;
  readonly #queue = new SerialQueue();
  readonly #pending: Pending[] = [];
  readonly #maxGroupEntries: number;
  readonly #snapshotEvery: number;
  readonly #maxConflictRetries: number;
  readonly #now: () => number;
  #head: StoreHead;
  #draining = false;
  #leavesSinceSnapshot = 0;
  /** Store conflicts met so far (another writer was first); for reports and tests. */
  conflicts = 0;

  private constructor(options: Required<Omit<SequencerOptions, 'depths' | 'useSnapshots'>>, trees: RegistryTrees, head: StoreHead) {
    this.#store = options.store;
    this.#now = options.now;
    this.#verifier = options.verifier;
    this.#maxGroupEntries = options.maxGroupEntries;
    this.#snapshotEvery = options.snapshotEvery;
    this.#maxConflictRetries = options.maxConflictRetries;
    this.#trees = trees;
    this.#head = head;
  }

  /**
   * Opens the sequencer on a store: reads its head and restores both Poseidon trees.
   * @throws {TypeError|RangeError} if an option is malformed; {CanopyError} LOG_INCONSISTENT
   *   if the stored leaves do not reproduce the signed roots; whatever the store throws
   * @example const seq = await Sequencer.open({ store, verifier, depths: { lots: 32, plots: 32 } })
   */
  static async open(options: SequencerOptions): Promise<Sequencer> {
    if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected SequencerOptions, got ${String(options)}`);
    const { store, verifier } = options;
    if (typeof store !== 'object' || store === null || typeof store.appendBatch !== 'function') throw new TypeError('"options.store" expected RegistryStore');
    assertProofVerifier(verifier, 'options.verifier');
    const maxGroupEntries = options.maxGroupEntries ?? 1000;
    assertInteger(maxGroupEntries, 'options.maxGroupEntries', 1, 10_000);
    const snapshotEvery = options.snapshotEvery ?? 65_536;
    assertInteger(snapshotEvery, 'options.snapshotEvery');
    const maxConflictRetries = options.maxConflictRetries ?? 100;
    assertInteger(maxConflictRetries, 'options.maxConflictRetries', 0, 1_000_000);
    const now = options.now ?? Date.now;
    if (typeof now !== 'function') throw new TypeError('"options.now" expected a clock function returning milliseconds');
    const head = await store.head();
    const trees = await RegistryTrees.open(store, head, options.depths, options.useSnapshots ?? true);
    return new Sequencer({ store, verifier, maxGroupEntries, snapshotEvery, maxConflictRetries, now }, trees, head);
  }

  /** Read access to the Poseidon trees, as of the last commit or refresh. */
  get trees(): TreesView {
    return this.#trees;
  }

  /** How the trees were restored at open: from a snapshot or from all leaves. */
  get restoredFrom(): RegistryTrees['restoredFrom'] {
    return this.#trees.restoredFrom;
  }

  /** The store head as of the last commit or refresh. */
  get knownHead(): StoreHead {
    return { ...this.#head };
  }

  /**
   * Appends entries, all or none, and resolves after they are durably stored.
   * @param entries - 1..MAX_APPEND_ENTRIES entries (attacker-controlled)
   * @param options - the submitter to record beside every entry of the call, and the
   *   nonce claim of the request carrying them
   * @returns one receipt per entry, in order, with consecutive sequence numbers
   * @throws {TypeError|RangeError} if an entry, the submitter or the nonce claim is malformed;
   *   {EntryRejectedError} ENTRY_REJECTED with a reason (see the module comment);
   *   {NonceReplayedError} NONCE_REPLAYED if the nonce was already used;
   *   whatever the verifier or the store throws (nothing acknowledged)
   * @example const [receipt] = await sequencer.append([datasetEntry], { submitter: { keyId: 'pub-1', kind: 'party', role: 'publisher', submittedAt: Date.now() } })
   */
  async append(entries: readonly LogEntry[], options: AppendOptions = {}): Promise<AppendReceipt[]> {
    assertArray(entries, 'entries', 1, MAX_APPEND_ENTRIES);
    if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected AppendOptions, got ${String(options)}`);
    const submitter = options.submitter ?? null;
    if (submitter !== null) assertSubmitter(submitter, 'options.submitter');
    const nonce = options.nonce ?? null;
    if (nonce !== null) assertNonceClaim(nonce, 'options.nonce');
    // Steps 1 and 2: shape, encoding and effects, from the entries alone.
    const prepared = entries.map((entry, i): Prepared => {
      const bytes = encodeEntry(entry);
      return { entry, bytes, leafHash: leafHash(bytes), effects: entryEffects(entry, i) };
    });
    // Step 3: public parameters against the protocol's tables, before any proof is verified.
    const now = Math.floor(this.#now());
    entries.forEach((entry, i) => checkParameters(entry, i, now));
    // Step 4: every proof, concurrently; the first failure in entry order is reported.
    const checks = prepared.flatMap((p, i) => p.effects.proofs.map((proof) => ({ i, proof })));
    const results = await Promise.all(checks.map(({ proof: p }) => this.#verifier.verify(p.circuit, p.vkeyHash, p.publicSignals, p.proof)));
    const bad = results.findIndex((ok) => ok !== true);
    if (bad >= 0) {
      const { i, proof } = checks[bad]!;
      throw new EntryRejectedError('PROOF_INVALID', i, `${proof.circuit} proof does not verify under key ${proof.vkeyHash}`);
    }
    // Steps 5–8, in the queue.
    return new Promise<AppendReceipt[]>((resolve, reject) => {
      this.#pending.push({ entries: prepared, submitter, nonce, done: false, resolve, reject });
      this.#schedule();
    });
  }

  /**
   * Re-reads the store head and catches the trees up with entries other processes appended.
   * @returns the head read
   * @throws {CanopyError} LOG_INCONSISTENT if the store went backwards; whatever the store throws
   * @example await sequencer.refresh()
   */
  refresh(): Promise<StoreHead> {
    return this.#queue.run(async () => {
      await this.#sync();
      return this.knownHead;
    });
  }

  /**
   * The committed log now: size, RFC 6962 root hash and both Poseidon roots, read in one
   * critical section so that they describe the same prefix (what a checkpoint signs).
   * @throws {CanopyError} LOG_INCONSISTENT if the store went backwards; whatever the store throws
   * @example const { size, rootHash, lotsRoot } = await sequencer.logHead()
   */
  logHead(): Promise<LogHead> {
    return this.#queue.run(async () => {
      await this.#sync();
      const h = this.#head;
      return {
        size: h.size,
        rootHash: await treeHash(h.size, this.#store),
        lotsSize: h.lotsSize,
        plotsSize: h.plotsSize,
        lotsRoot: this.#trees.root('lots'),
        plotsRoot: this.#trees.root('plots'),
      };
    });
  }

  /**
   * Saves snapshots of both trees now (they are also saved every `snapshotEvery` leaves).
   * @throws whatever the store throws
   * @example await sequencer.saveSnapshots()
   */
  saveSnapshots(): Promise<void> {
    return this.#queue.run(async () => {
      await this.#trees.saveSnapshots(this.#store);
      this.#leavesSinceSnapshot = 0;
    });
  }

  // One group per turn of the event loop. The commit starts from a macrotask
  // (setImmediate, after the poll phase), so the requests whose bytes arrived meanwhile run
  // their steps 1–4 first and join the group. Without this, a store whose commit blocks the
  // event loop (SQLite: better-sqlite3 is synchronous) would commit every call alone, since
  // no other request could be read between a call's arrival and its commit.
  #schedule(): void {
    if (this.#draining) return;
    this.#draining = true;
    setImmediate(() => {
      void this.#queue
        .run(() => this.#drainGroup())
        .finally(() => {
          this.#draining = false;
          if (this.#pending.length > 0) this.#schedule();
        });
    });
  }

  async #drainGroup(): Promise<void> {
    const group: Pending[] = [];
    let n = 0;
    while (this.#pending.length > 0 && (group.length === 0 || n + this.#pending[0]!.entries.length <= this.#maxGroupEntries)) {
      const call = this.#pending.shift()!;
      group.push(call);
      n += call.entries.length;
    }
    if (group.length === 0) return;
    try {
      await this.#commitGroup(group);
    } catch (e) {
      for (const call of group) settle(call, e);
    }
  }

  async #sync(): Promise<void> {
    const head = await this.#store.head();
    if (head.size < this.#head.size || head.lotsSize < this.#head.lotsSize || head.plotsSize < this.#head.plotsSize) {
      throw new CanopyError('LOG_INCONSISTENT', `the store's head went back from size ${this.#head.size} to ${head.size}`);
    }
    await this.#trees.catchUp(this.#store, head);
    this.#head = head;
  }

  async #commitGroup(group: Pending[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      await this.#sync();
      const live = group.filter((c) => !c.done);
      if (live.length === 0) return;
      // Step 5: state checks, call by call, each against the store and the calls before it.
      const view = await this.#lookUp(live);
      const overlay = new Overlay();
      const accepted: Pending[] = [];
      for (const call of live) {
        const mine = new Overlay();
        const refusal = this.#checkState(call, view, overlay, mine);
        if (refusal !== null) settle(call, refusal);
        else {
          overlay.merge(mine);
          accepted.push(call);
        }
      }
      if (accepted.length === 0) return;
      // Step 6: sequence numbers and stored hashes.
      const { records, receipts } = await this.#sequence(accepted);
      // Step 7: one transaction, the accepted calls' nonces with their entries.
      const nonces = accepted.flatMap((c) => (c.nonce === null ? [] : [c.nonce]));
      let next: StoreHead;
      try {
        next = await this.#store.appendBatch({ expected: this.#head, records, ...(nonces.length > 0 ? { nonces } : {}) });
      } catch (e) {
        if (e instanceof CanopyError && e.code === 'STORE_CONFLICT' && attempt < this.#maxConflictRetries) {
          this.conflicts++;
          continue;
        }
        throw e;
      }
      // Step 8: the commit is durable; apply it and acknowledge.
      const lots = records.flatMap((r) => r.lotsLeaves);
      const plots = records.flatMap((r) => r.plotsLeaves);
      this.#trees.append('lots', lots);
      this.#trees.append('plots', plots);
      this.#head = next;
      accepted.forEach((call, i) => settle(call, null, receipts[i]!));
      this.#leavesSinceSnapshot += lots.length + plots.length;
      if (this.#snapshotEvery > 0 && this.#leavesSinceSnapshot >= this.#snapshotEvery) {
        this.#leavesSinceSnapshot = 0;
        // A snapshot only speeds up the next start; its failure must not fail the appends.
        await this.#trees.saveSnapshots(this.#store).catch(() => undefined);
      }
      return;
    }
  }

  async #lookUp(calls: readonly Pending[]): Promise<StateView> {
    const nullifiers: bigint[] = [];
    const lotsRoots: bigint[] = [];
    const plotsRoots: bigint[] = [];
    const datasets: bigint[] = [];
    const partyIds: string[] = [];
    const keys: string[] = [];
    const nonces = calls.flatMap((c) => (c.nonce === null ? [] : [{ keyId: c.nonce.keyId, nonce: c.nonce.nonce }]));
    let pins = false;
    for (const call of calls) {
      for (const { effects: fx } of call.entries) {
        if (fx.proofs.length > 0 || fx.pinnedKeys.length > 0) pins = true;
        nullifiers.push(...fx.nullifiers);
        for (const r of fx.roots) (r.in === 'published-lots-root' ? lotsRoots : r.in === 'published-plots-root' ? plotsRoots : datasets).push(r.value);
        if (fx.datasetRoot !== null) datasets.push(fx.datasetRoot);
        if (fx.party !== null) partyIds.push(fx.party.partyId);
        if (fx.party?.kind === 'register') keys.push(fx.party.publicKey);
      }
    }
    const s = this.#store;
    const [spent, lots, plots, ds, parties, byKey, pinned, stored] = await Promise.all([
      nullifiers.length > 0 ? s.findNullifiers(nullifiers) : new Map<bigint, number>(),
      lotsRoots.length > 0 ? s.findPublishedRoots('lots', lotsRoots) : new Map<bigint, number>(),
      plotsRoots.length > 0 ? s.findPublishedRoots('plots', plotsRoots) : new Map<bigint, number>(),
      datasets.length > 0 ? s.findDatasets(datasets) : new Map<bigint, number>(),
      partyIds.length > 0 ? s.findParties(partyIds) : new Map<string, PartyRecord>(),
      keys.length > 0 ? s.findPartiesByKey(keys) : new Map<string, PartyRecord>(),
      pins ? s.readPinnedKeys() : [],
      nonces.length > 0 ? s.readNonces(nonces) : new Map<string, number>(),
    ]);
    return { spent, lotsRoots: lots, plotsRoots: plots, datasets: ds, parties, keys: byKey, pinned: new Set(pinned.map((k) => pinKey(k.circuit, k.vkeyHash))), nonces: stored };
  }

  // Returns the refusal of the call (its nonce, or the first entry that fails), or null with `mine` filled.
  #checkState(call: Pending, view: StateView, group: Overlay, mine: Overlay): EntryRejectedError | NonceReplayedError | null {
    if (call.nonce !== null) {
      const c = call.nonce;
      const k = nonceKey(c.keyId, c.nonce);
      const until = view.nonces.get(k);
      // A stored row counts as absent once it expired before the claim's clock (store rule 6).
      if (until !== undefined && until >= c.nowSeconds) return new NonceReplayedError(c.keyId, c.nonce, `recorded until ${until}`);
      if (group.nonces.has(k)) return new NonceReplayedError(c.keyId, c.nonce, 'claimed by a request committed just before');
      mine.nonces.add(k);
    }
    for (let i = 0; i < call.entries.length; i++) {
      const fx = call.entries[i]!.effects;
      for (const r of fx.roots) {
        if (r.in === 'dataset-root') {
          if (!view.datasets.has(r.value) && !group.datasets.has(r.value) && !mine.datasets.has(r.value)) {
            return new EntryRejectedError('DATASET_UNKNOWN', i, `${r.signal} ${r.value} is not the root of a dataset entry`);
          }
        } else if (!(r.in === 'published-lots-root' ? view.lotsRoots : view.plotsRoots).has(r.value)) {
          return new EntryRejectedError('ROOT_NOT_PUBLISHED', i, `${r.signal} ${r.value} is not a ${r.in === 'published-lots-root' ? 'lots' : 'plots'} root of any signed checkpoint`);
        }
      }
      for (const n of fx.nullifiers) {
        const by = view.spent.get(n);
        if (by !== undefined) return new EntryRejectedError('NULLIFIER_SPENT', i, `nullifier ${n} was spent by entry ${by}`);
        if (group.nullifiers.has(n)) return new EntryRejectedError('NULLIFIER_SPENT', i, `nullifier ${n} is spent by an entry committed just before`);
        const j = mine.nullifiers.get(n);
        if (j !== undefined) return new EntryRejectedError('NULLIFIER_REPEATED', i, `nullifier ${n} is also spent by entry ${j} of this call`);
        mine.nullifiers.set(n, i);
      }
      if (fx.datasetRoot !== null) {
        const d = fx.datasetRoot;
        if (view.datasets.has(d) || group.datasets.has(d) || mine.datasets.has(d)) return new EntryRejectedError('DATASET_EXISTS', i, `dataset root ${d} is already registered`);
        mine.datasets.add(d);
      }
      const p = fx.party;
      if (p?.kind === 'register') {
        if (view.parties.has(p.partyId) || group.partyIds.has(p.partyId) || mine.partyIds.has(p.partyId)) return new EntryRejectedError('PARTY_EXISTS', i, `party ${p.partyId} is already registered`);
        if (view.keys.has(p.publicKey) || group.keys.has(p.publicKey) || mine.keys.has(p.publicKey)) return new EntryRejectedError('KEY_IN_USE', i, `public key ${p.publicKey} is already registered`);
        mine.partyIds.add(p.partyId);
        mine.keys.add(p.publicKey);
      } else if (p?.kind === 'revoke') {
        const stored = view.parties.get(p.partyId);
        if (stored === undefined && !group.partyIds.has(p.partyId) && !mine.partyIds.has(p.partyId)) return new EntryRejectedError('PARTY_UNKNOWN', i, `no party ${p.partyId}`);
        if ((stored !== undefined && stored.revokedAt !== null) || group.revoked.has(p.partyId) || mine.revoked.has(p.partyId)) return new EntryRejectedError('PARTY_REVOKED', i, `party ${p.partyId} is already revoked`);
        mine.revoked.add(p.partyId);
      }
      // Pinning applies from the first artifacts entry on (stored, or earlier in this commit).
      if (view.pinned.size > 0 || group.pinned.size > 0 || mine.pinned.size > 0) {
        for (const proof of fx.proofs) {
          const k = pinKey(proof.circuit, proof.vkeyHash);
          if (!view.pinned.has(k) && !group.pinned.has(k) && !mine.pinned.has(k)) {
            return new EntryRejectedError('PARAMETER_NOT_ALLOWED', i, `verification key ${proof.vkeyHash} of ${proof.circuit} is not pinned by any artifacts entry`);
          }
        }
      }
      for (const k of fx.pinnedKeys) mine.pinned.add(pinKey(k.circuit, k.vkeyHash));
      const lotsRoom = 2 ** this.#trees.depth('lots') - this.#head.lotsSize - group.lots - mine.lots;
      const plotsRoom = 2 ** this.#trees.depth('plots') - this.#head.plotsSize - group.plots - mine.plots;
      if (fx.lotsLeaves.length > lotsRoom || fx.plotsLeaves.length > plotsRoom) {
        return new EntryRejectedError('TREE_FULL', i, `${fx.lotsLeaves.length} lots and ${fx.plotsLeaves.length} plots leaves, room for ${lotsRoom} and ${plotsRoom}`);
      }
      mine.lots += fx.lotsLeaves.length;
      mine.plots += fx.plotsLeaves.length;
    }
    return null;
  }

  async #sequence(calls: readonly Pending[]): Promise<{ records: AppendRecord[]; receipts: AppendReceipt[][] }> {
    const head = this.#head;
    // Hashes of this batch, from stored hash index `base` on; earlier ones come from the store.
    const base = storedHashCount(head.size);
    const fresh: Hash[] = [];
    const store = this.#store;
    const reader: HashReader = {
      async readHashes(indexes: number[]): Promise<Hash[]> {
        const old = indexes.filter((x) => x < base);
        const fromStore = old.length > 0 ? await store.readHashes(old) : [];
        let k = 0;
        return indexes.map((x) => (x < base ? fromStore[k++]! : fresh[x - base]!));
      },
    };
    const records: AppendRecord[] = [];
    const receipts: AppendReceipt[][] = [];
    let seq = head.size;
    let lots = head.lotsSize;
    let plots = head.plotsSize;
    for (const call of calls) {
      const out: AppendReceipt[] = [];
      for (const p of call.entries) {
        const hashes = await storedHashesForLeafHash(seq, p.leafHash, reader);
        fresh.push(...hashes);
        const fx = p.effects;
        records.push({
          sequence: seq,
          entryType: p.entry.type,
          bytes: p.bytes,
          leafHash: p.leafHash,
          storedHashes: hashes,
          lotsLeaves: fx.lotsLeaves,
          plotsLeaves: fx.plotsLeaves,
          nullifiers: fx.nullifiers,
          datasetRoot: fx.datasetRoot,
          party: fx.party,
          pinnedKeys: fx.pinnedKeys,
          submitter: call.submitter,
        });
        out.push({
          sequence: seq,
          leafHash: Buffer.from(p.leafHash).toString('base64'),
          lotsLeafIndexes: fx.lotsLeaves.map((_, k) => lots + k),
          plotsLeafIndexes: fx.plotsLeaves.map((_, k) => plots + k),
        });
        seq++;
        lots += fx.lotsLeaves.length;
        plots += fx.plotsLeaves.length;
      }
      receipts.push(out);
    }
    return { records, receipts };
  }
}

function pinKey(circuit: string, vkeyHash: string): string {
  return `${circuit}\n${vkeyHash}`;
}

function settle(call: Pending, error: unknown, receipts?: AppendReceipt[]): void {
  if (call.done) return;
  call.done = true;
  if (error === null) call.resolve(receipts!);
  else call.reject(error);
}
