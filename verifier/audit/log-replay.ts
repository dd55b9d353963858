/**
 * The auditor's replay of the registry log: everything the registry's state is a function
 * of, recomputed from the entries alone and checked against every signed checkpoint.
 *
 *     per entry n (in order)                      per checkpoint of size n (before entry n)
 *     1 sequence n, canonical bytes, leaf hash    1 RFC 6962 root of entries [0, n) = its root hash
 *     2 effects (registry/log/entry-effects.ts)   2 lots and plots roots = the replayed trees' roots
 *     3 public parameters (parameter-checks.ts)   3 its leaf counts = the replayed trees' sizes
 *     4 keys pinned (auditor; log artifacts)      4 its roots join the published roots
 *     5 every proof verifies with its pinned key
 *     6 state: roots published before n, dataset
 *       registered, nullifiers unspent, dataset /
 *       party new, revoked party active, room
 *     7 apply: leaves, nullifiers, registrations
 *
 * These are the sequencer's steps (docs/registry.md, "The sequencer"), in its order, with
 * the same interpretation tables, so an honest log replays without a single difference.
 * A root counts as published for entry n only if a checkpoint of size ≤ n carried it:
 * a checkpoint of larger size includes entry n, so it was signed after n was appended.
 *
 * Public parameters are held against the same tables as the registry's (a transition's
 * conversion, a capacity issuance's yield ceiling and cut-off). The one clock-dependent
 * rule, a capacity issuance's harvest year within [Y − 1, Y] for Y the UTC year of the
 * registry clock at the append, is checked against what the log lets an auditor know of
 * that clock: entry n was appended after the last checkpoint of size ≤ n was signed and
 * before the first of size > n was, so its year must lie in
 * [year(signedAt before) − 1, year(signedAt after)]. The `signedAt` times are the
 * registry's own (unsigned) statements; a harvest year beyond the next checkpoint's year
 * is caught, one a few days off at a year boundary is not.
 *
 * The replay holds the RFC 6962 compact range of the log (compact-range.ts), both Poseidon
 * trees (core/merkle IncrementalMerkleTree at the registry's depths), the nullifier set,
 * the registered datasets and parties, the published roots and the keys the log's own
 * `artifacts` entries pinned; `snapshot()` / `restore()` carry them between runs
 * (audit-state.ts). The first inconsistency throws `AuditFailedError`; nothing after it
 * is applied.
 * @module
 */
import { describe as describeValue } from '../../core/assert.ts';
import { fieldToString } from '../../core/field.ts';
import { IncrementalMerkleTree } from '../../core/merkle/incremental-merkle-tree.ts';
import type { Checkpoint } from '../../core/note/checkpoint.ts';
import { hashEqual, leafHash } from '../../core/tlog/hash.ts';
import { signalValues } from '../../registry/log/circuit-signals.ts';
import { type EntryEffects, entryEffects, type ProofCheck } from '../../registry/log/entry-effects.ts';
import { decodeEntry, encodeEntry, type LogEntry } from '../../registry/log/entry.ts';
import { checkParameters, HARVEST_YEARS_BACK } from '../../registry/log/parameter-checks.ts';
import { EntryRejectedError } from '../../registry/log/rejection.ts';
import type { TreeDepths } from '../../registry/log/registry-trees.ts';
import type { ServedEntry } from '../../registry/log/registry-log.ts';
import { AuditFailedError } from './audit-failure.ts';
import { CompactRange, type CompactRangeJson } from './compact-range.ts';
import { hashFromBase64, hashToBase64 } from './_hash-text.ts';
import type { ResolvedKey } from './pinned-keys.ts';

/** A registered party as the replay knows it. */
export interface ReplayParty {
  role: string;
  publicKey: string;
  registered: number;
  revoked: number | null;
}

/** What the replay knows of the registry clock around an entry, ms since 1970 (null: unknown). */
export interface EntryClock {
  /** signedAt of the last checkpoint of size ≤ the entry's sequence. */
  after: number | null;
  /** signedAt of the first checkpoint of size > the entry's sequence. */
  before: number | null;
}

/** Checks one proof with its pinned key: true iff it verifies. */
export type ProofCheckFn = (check: ProofCheck, key: ResolvedKey) => Promise<boolean>;

/** The replay's state as plain JSON-safe data (audit-state.ts stores it). */
export interface ReplaySnapshot {
  depths: TreeDepths;
  range: CompactRangeJson;
  /** `IncrementalMerkleTree.serialize()` of each tree, base64. */
  trees: { lots: string; plots: string };
  /** nullifier (decimal) → sequence of the entry that spent it. */
  nullifiers: Record<string, number>;
  /** dataset root (decimal) → sequence of its dataset entry. */
  datasets: Record<string, number>;
  parties: Record<string, ReplayParty>;
  /** root (decimal) → size of the first checkpoint that published it. */
  published: { lots: Record<string, number>; plots: Record<string, number> };
  /** "circuit:vkeyHash" → sequence of the first artifacts entry of the log that pinned it. */
  logPins: Record<string, number>;
  /** Entries replayed so far, by type. */
  counts: Record<string, number>;
  /** Proofs verified so far. */
  proofs: number;
  /** signedAt of the last checkpoint checked (the registry's clock, ms), or null. */
  lastSignedAt: number | null;
}

/** What one entry did, for the report. */
export interface ReplayedEntry {
  sequence: number;
  type: string;
  proofs: number;
}

const TREE_OPTIONS = { rootHistorySize: 1 };

/** The replay; see the module comment. */
export class LogReplay {
  readonly depths: TreeDepths;
  readonly #range: CompactRange;
  readonly #trees: { lots: IncrementalMerkleTree; plots: IncrementalMerkleTree };
  // Leaves replayed but not yet hashed into the trees: appending a batch costs about
  // n + depth hashes instead of n · depth, and roots are needed only at checkpoints.
  readonly #pending: { lots: bigint[]; plots: bigint[] } = { lots: [], plots: [] };
  readonly #nullifiers: Map<bigint, number>;
  readonly #datasets: Map<bigint, number>;
  readonly #parties: Map<string, ReplayParty>;
  readonly #keys: Map<string, string>;
  readonly #published: { lots: Map<bigint, number>; plots: Map<bigint, number> };
  readonly #logPins: Map<string, number>;
  readonly #counts: Map<string, number>;
  #proofs: number;
  #lastSignedAt: number | null;

  private constructor(s: {
    depths: TreeDepths;
    range: CompactRange;
    trees: { lots: IncrementalMerkleTree; plots: IncrementalMerkleTree };
    nullifiers: Map<bigint, number>;
    datasets: Map<bigint, number>;
    parties: Map<string, ReplayParty>;
    published: { lots: Map<bigint, number>; plots: Map<bigint, number> };
    logPins: Map<string, number>;
    counts: Map<string, number>;
    proofs: number;
    lastSignedAt: number | null;
  }) {
    this.depths = s.depths;
    this.#range = s.range;
    this.#trees = s.trees;
    this.#nullifiers = s.nullifiers;
    this.#datasets = s.datasets;
    this.#parties = s.parties;
    this.#keys = new Map([...s.parties].map(([id, p]) => [p.publicKey, id]));
    this.#published = s.published;
    this.#logPins = s.logPins;
    this.#counts = s.counts;
    this.#proofs = s.proofs;
    this.#lastSignedAt = s.lastSignedAt;
  }

  /**
   * An empty replay: the log before its first entry.
   * @throws {TypeError|RangeError} if a depth is not 1..32
   * @example LogReplay.fresh({ lots: 10, plots: 10 })
   */
  static fresh(depths: TreeDepths): LogReplay {
    return new LogReplay({
      depths: { lots: depths.lots, plots: depths.plots },
      range: new CompactRange(),
      trees: { lots: new IncrementalMerkleTree(depths.lots, TREE_OPTIONS), plots: new IncrementalMerkleTree(depths.plots, TREE_OPTIONS) },
      nullifiers: new Map(),
      datasets: new Map(),
      parties: new Map(),
      published: { lots: new Map(), plots: new Map() },
      logPins: new Map(),
      counts: new Map(),
      proofs: 0,
      lastSignedAt: null,
    });
  }

  /**
   * Restores a replay from `snapshot()` output (already shape-checked by audit-state.ts).
   * The trees are restored with core/merkle's checks (checksum, right edge rehashed); the
   * caller then compares the range and roots with the signed checkpoint they belong to.
   * @throws {TypeError|RangeError|CanopyError} if a part does not restore
   * @example LogReplay.restore(state.replay)
   */
  static restore(s: ReplaySnapshot): LogReplay {
    const tree = (b64: string, depth: number, name: string): IncrementalMerkleTree => {
      const t = IncrementalMerkleTree.deserialize(new Uint8Array(Buffer.from(b64, 'base64')), TREE_OPTIONS);
      if (t.depth !== depth) throw new RangeError(`"state.replay.trees.${name}" expected depth ${depth}, got ${t.depth}`);
      return t;
    };
    const bigMap = (o: Record<string, number>): Map<bigint, number> => new Map(Object.entries(o).map(([k, v]) => [BigInt(k), v]));
    return new LogReplay({
      depths: { ...s.depths },
      range: CompactRange.fromJSON(s.range, 'state.replay.range'),
      trees: { lots: tree(s.trees.lots, s.depths.lots, 'lots'), plots: tree(s.trees.plots, s.depths.plots, 'plots') },
      nullifiers: bigMap(s.nullifiers),
      datasets: bigMap(s.datasets),
      parties: new Map(Object.entries(s.parties).map(([k, p]) => [k, { ...p }])),
      published: { lots: bigMap(s.published.lots), plots: bigMap(s.published.plots) },
      logPins: new Map(Object.entries(s.logPins)),
      counts: new Map(Object.entries(s.counts)),
      proofs: s.proofs,
      lastSignedAt: s.lastSignedAt,
    });
  }

  /** Entries replayed: the log prefix [0, size). */
  get size(): number {
    return this.#range.size;
  }

  /** The RFC 6962 root hash of the replayed prefix. */
  get rootHash(): Uint8Array {
    return this.#range.root();
  }

  /** signedAt of the last checkpoint checked, ms (null: unknown). */
  get lastSignedAt(): number | null {
    return this.#lastSignedAt;
  }

  /** Proofs verified so far (this run and earlier ones). */
  get proofs(): number {
    return this.#proofs;
  }

  /**
   * Leaves and root of a tree (after hashing the pending leaves in).
   * @throws never
   * @example replay.tree('lots').root
   */
  tree(name: 'lots' | 'plots'): { leaves: number; root: bigint } {
    this.flush();
    return { leaves: this.#trees[name].size, root: this.#trees[name].root };
  }

  /**
   * Counts for the report.
   * @throws never
   * @example replay.summary().nullifiers
   */
  summary(): { entries: Record<string, number>; nullifiers: number; datasets: number; parties: { active: number; revoked: number }; publishedRoots: { lots: number; plots: number }; logPinnedKeys: number } {
    const parties = [...this.#parties.values()];
    return {
      entries: Object.fromEntries(this.#counts),
      nullifiers: this.#nullifiers.size,
      datasets: this.#datasets.size,
      parties: { active: parties.filter((p) => p.revoked === null).length, revoked: parties.filter((p) => p.revoked !== null).length },
      publishedRoots: { lots: this.#published.lots.size, plots: this.#published.plots.size },
      logPinnedKeys: this.#logPins.size,
    };
  }

  /**
   * Checks a verified checkpoint of exactly the replayed size (steps 1–4 of the module
   * comment) and records its roots as published.
   * @param leafCounts - the leaf counts the registry's record states (unsigned), or null
   * @param signedAt - when the registry says it signed it (unsigned, ms), or null
   * @throws {AuditFailedError} log-root, checkpoint-format, lots-root, plots-root, checkpoint-record
   * @example replay.checkCheckpoint(checkpoint, { lots: record.lotsSize, plots: record.plotsSize }, record.signedAt)
   */
  checkCheckpoint(cp: Checkpoint, leafCounts: { lots: number; plots: number } | null, signedAt: number | null = null): void {
    const at = { checkpointSize: cp.size };
    if (cp.size !== this.size) throw new Error(`canopy: bad math in checkCheckpoint: checkpoint ${cp.size} at replay size ${this.size}`);
    this.flush();
    const root = this.#range.root();
    if (!hashEqual(root, cp.rootHash)) throw new AuditFailedError({ check: 'log-root', ...at, expected: hashToBase64(root), found: hashToBase64(cp.rootHash) });
    if (cp.canopyRoots === null) throw new AuditFailedError({ check: 'checkpoint-format', ...at, expected: 'canopy-lots-root and canopy-plots-root lines', found: 'none' });
    for (const name of ['lots', 'plots'] as const) {
      const want = this.#trees[name].root;
      const got = cp.canopyRoots[name];
      if (want !== got) {
        throw new AuditFailedError({ check: `${name}-root`, ...at, expected: `${fieldToString(want)} (the ${name} tree after ${this.#trees[name].size} leaves)`, found: fieldToString(got) });
      }
    }
    if (leafCounts !== null) {
      for (const name of ['lots', 'plots'] as const) {
        if (leafCounts[name] !== this.#trees[name].size) {
          throw new AuditFailedError({ check: 'checkpoint-record', ...at, expected: `${name}Size ${this.#trees[name].size}`, found: `${name}Size ${leafCounts[name]}` });
        }
      }
    }
    for (const name of ['lots', 'plots'] as const) {
      const r = cp.canopyRoots[name];
      if (!this.#published[name].has(r)) this.#published[name].set(r, cp.size);
    }
    if (signedAt !== null) this.#lastSignedAt = signedAt;
  }

  /**
   * Replays the next entry (steps 1–6 of the module comment).
   * @param served - the entry as the registry served it (attacker-controlled)
   * @param keys - the auditor's resolved keys, by vkeyHash
   * @param verify - checks one proof with its key
   * @param clock - the registry clock around the entry (module comment); default: after
   *   the last checkpoint checked, before now
   * @throws {AuditFailedError} naming the first failed check; nothing of the entry is applied
   * @example await replay.apply(served, keys, verifyWithCurve, { after: prev.signedAt, before: next.signedAt })
   */
  async apply(served: ServedEntry, keys: ReadonlyMap<string, ResolvedKey>, verify: ProofCheckFn, clock?: EntryClock): Promise<ReplayedEntry> {
    const sequence = this.size;
    const type = typeof served?.entry?.type === 'string' ? served.entry.type : undefined;
    const at = { sequence, ...(type !== undefined ? { entryType: type } : {}) };
    if (served?.sequence !== sequence) throw new AuditFailedError({ check: 'entry-sequence', ...at, expected: `sequence ${sequence}`, found: `sequence ${describeValue(served?.sequence)}` });

    // 1. The entry's one encoding and its leaf hash.
    let bytes: Uint8Array;
    let entry: LogEntry;
    try {
      bytes = encodeEntry(served.entry);
      entry = decodeEntry(bytes);
    } catch (e) {
      throw new AuditFailedError({ check: 'entry-malformed', ...at, expected: 'a well-formed entry in its canonical encoding', found: (e as Error).message });
    }
    const leaf = leafHash(bytes);
    let servedLeaf: Uint8Array;
    try {
      servedLeaf = hashFromBase64(served.leafHash, 'leafHash');
    } catch (e) {
      throw new AuditFailedError({ check: 'leaf-hash', ...at, expected: hashToBase64(leaf), found: (e as Error).message });
    }
    if (!hashEqual(leaf, servedLeaf)) throw new AuditFailedError({ check: 'leaf-hash', ...at, expected: `${hashToBase64(leaf)} (SHA-256 of 0x00 and the served entry's bytes)`, found: served.leafHash });

    // 2. Effects by the interpretation tables.
    let fx: EntryEffects;
    try {
      fx = entryEffects(entry);
    } catch (e) {
      if (e instanceof EntryRejectedError) throw new AuditFailedError({ check: 'entry-effects', ...at, expected: 'an entry the log accepts', found: `${e.reason}: ${e.message}` });
      throw new AuditFailedError({ check: 'entry-malformed', ...at, expected: 'a well-formed entry', found: (e as Error).message });
    }

    // 3. Public parameters.
    checkEntryParameters(entry, at, { after: clock?.after ?? this.#lastSignedAt, before: clock?.before ?? Date.now() });

    // 4. Keys: pinned by the auditor, and by the log's artifacts entries once it has any.
    const proofKeys = fx.proofs.map((p, i) => {
      const key = keys.get(p.vkeyHash);
      const which = fx.proofs.length > 1 ? `proof ${i + 1} of ${fx.proofs.length}: ` : '';
      if (key === undefined || key.circuit !== p.circuit) {
        throw new AuditFailedError({ check: 'vkey-not-pinned', ...at, expected: `a ${p.circuit} key the auditor pinned`, found: `${which}vkeyHash ${p.vkeyHash}` });
      }
      if (this.#logPins.size > 0 && !this.#logPins.has(`${p.circuit}:${p.vkeyHash}`)) {
        throw new AuditFailedError({ check: 'artifacts-not-pinned', ...at, expected: `a ${p.circuit} key pinned by an earlier artifacts entry`, found: `${which}vkeyHash ${p.vkeyHash}` });
      }
      return key;
    });

    // 5. Proofs.
    for (const [i, p] of fx.proofs.entries()) {
      if (!(await verify(p, proofKeys[i]!))) {
        const which = fx.proofs.length > 1 ? `proof ${i + 1} of ${fx.proofs.length}` : 'the proof';
        throw new AuditFailedError({ check: 'proof-invalid', ...at, expected: `${which} (${p.circuit}) to verify under ${p.vkeyHash}`, found: `it does not verify for public signals [${p.publicSignals.join(', ')}]` });
      }
    }

    // 6. State.
    for (const r of fx.roots) {
      const known = r.in === 'dataset-root' ? this.#datasets : r.in === 'published-lots-root' ? this.#published.lots : this.#published.plots;
      if (!known.has(r.value)) {
        const dataset = r.in === 'dataset-root';
        throw new AuditFailedError({
          check: dataset ? 'dataset-unknown' : 'root-not-published',
          ...at,
          expected: dataset ? `${r.signal} a dataset root registered before entry ${sequence}` : `${r.signal} a ${r.in === 'published-lots-root' ? 'lots' : 'plots'} root published by a checkpoint of size ≤ ${sequence}`,
          found: fieldToString(r.value),
        });
      }
    }
    for (const n of fx.nullifiers) {
      const spent = this.#nullifiers.get(n);
      if (spent !== undefined) throw new AuditFailedError({ check: 'nullifier-spent', ...at, expected: 'unspent nullifiers', found: `nullifier ${fieldToString(n)}, spent by entry ${spent}` });
    }
    if (fx.datasetRoot !== null) {
      const seen = this.#datasets.get(fx.datasetRoot);
      if (seen !== undefined) throw new AuditFailedError({ check: 'dataset-exists', ...at, expected: 'a new dataset root', found: `${fieldToString(fx.datasetRoot)}, registered by entry ${seen}` });
    }
    if (fx.party !== null) {
      const p = this.#parties.get(fx.party.partyId);
      if (fx.party.kind === 'register') {
        if (p !== undefined) throw new AuditFailedError({ check: 'party-exists', ...at, expected: 'a new party id', found: `${fx.party.partyId}, registered by entry ${p.registered}` });
        const owner = this.#keys.get(fx.party.publicKey);
        if (owner !== undefined) throw new AuditFailedError({ check: 'key-in-use', ...at, expected: 'a public key no party holds', found: `${fx.party.publicKey}, the key of ${owner}` });
      } else if (p === undefined) {
        throw new AuditFailedError({ check: 'party-unknown', ...at, expected: 'a registered party', found: fx.party.partyId });
      } else if (p.revoked !== null) {
        throw new AuditFailedError({ check: 'party-revoked', ...at, expected: 'an active party', found: `${fx.party.partyId}, revoked by entry ${p.revoked}` });
      }
    }
    for (const name of ['lots', 'plots'] as const) {
      const adding = name === 'lots' ? fx.lotsLeaves.length : fx.plotsLeaves.length;
      const t = this.#trees[name];
      if (adding > t.capacity - t.size - this.#pending[name].length) throw new AuditFailedError({ check: 'tree-full', ...at, expected: `room for ${adding} ${name} leaves`, found: `${t.size + this.#pending[name].length} of ${t.capacity} used` });
    }

    // 7. Apply.
    this.#range.append(leaf);
    this.#pending.lots.push(...fx.lotsLeaves);
    this.#pending.plots.push(...fx.plotsLeaves);
    for (const n of fx.nullifiers) this.#nullifiers.set(n, sequence);
    if (fx.datasetRoot !== null) this.#datasets.set(fx.datasetRoot, sequence);
    if (fx.party?.kind === 'register') {
      this.#parties.set(fx.party.partyId, { role: fx.party.role, publicKey: fx.party.publicKey, registered: sequence, revoked: null });
      this.#keys.set(fx.party.publicKey, fx.party.partyId);
    } else if (fx.party?.kind === 'revoke') {
      this.#parties.get(fx.party.partyId)!.revoked = sequence;
    }
    for (const k of fx.pinnedKeys) if (!this.#logPins.has(`${k.circuit}:${k.vkeyHash}`)) this.#logPins.set(`${k.circuit}:${k.vkeyHash}`, sequence);
    this.#counts.set(entry.type, (this.#counts.get(entry.type) ?? 0) + 1);
    this.#proofs += fx.proofs.length;
    return { sequence, type: entry.type, proofs: fx.proofs.length };
  }

  /**
   * Hashes the replayed leaves into the trees (done by every method that reads a tree).
   * @throws never (room was checked when each entry was applied)
   * @example replay.flush()
   */
  flush(): void {
    for (const name of ['lots', 'plots'] as const) {
      if (this.#pending[name].length === 0) continue;
      this.#trees[name].appendMany(this.#pending[name]);
      this.#pending[name] = [];
    }
  }

  /**
   * The replay's state as plain data (audit-state.ts writes it).
   * @throws {RangeError} if a tree is too large for one buffer
   * @example state.replay = replay.snapshot()
   */
  snapshot(): ReplaySnapshot {
    this.flush();
    const dec = (m: Map<bigint, number>): Record<string, number> => Object.fromEntries([...m].map(([k, v]) => [fieldToString(k), v]));
    return {
      depths: { ...this.depths },
      range: this.#range.toJSON(),
      trees: { lots: Buffer.from(this.#trees.lots.serialize()).toString('base64'), plots: Buffer.from(this.#trees.plots.serialize()).toString('base64') },
      nullifiers: dec(this.#nullifiers),
      datasets: dec(this.#datasets),
      parties: Object.fromEntries([...this.#parties].map(([k, p]) => [k, { ...p }])),
      published: { lots: dec(this.#published.lots), plots: dec(this.#published.plots) },
      logPins: Object.fromEntries(this.#logPins),
      counts: Object.fromEntries(this.#counts),
      proofs: this.#proofs,
      lastSignedAt: this.#lastSignedAt,
    };
  }
}

/**
 * Step 3: the registry's parameter checks (registry/log/parameter-checks.ts), with the
 * harvest-year window widened to the clock interval of the module comment.
 */
function checkEntryParameters(entry: LogEntry, at: { sequence: number; entryType?: string }, clock: EntryClock): void {
  let harvestYear: bigint | null = null;
  if (entry.type === 'capacity-issue') [harvestYear] = signalValues(entry.body.proof.publicSignals, 'harvestYear');
  // The registry's own checks, at a clock that admits this harvest year: every other rule
  // is independent of the clock.
  const admitting = harvestYear === null ? 0 : Date.UTC(Math.min(Math.max(Number(harvestYear), 1970), 200_000), 6, 1);
  try {
    checkParameters(entry, 0, admitting);
  } catch (e) {
    if (e instanceof EntryRejectedError) throw new AuditFailedError({ check: 'parameter-not-allowed', ...at, expected: 'public parameters the registry allows', found: e.message });
    throw e;
  }
  if (harvestYear !== null) {
    const first = clock.after === null ? null : new Date(clock.after).getUTCFullYear() - HARVEST_YEARS_BACK;
    const last = clock.before === null ? null : new Date(clock.before).getUTCFullYear();
    if ((first !== null && harvestYear < BigInt(first)) || (last !== null && harvestYear > BigInt(last)) || harvestYear < 1970n) {
      throw new AuditFailedError({
        check: 'parameter-not-allowed',
        ...at,
        expected: `a harvest year in [${first ?? '…'}, ${last ?? '…'}] (the registry clock's years around the append, one year back allowed)`,
        found: `harvestYear ${harvestYear}`,
      });
    }
  }
}
