/**
 * `auditRegistry`: what `canopy audit` does. It checks that a registry's log is
 * append-only and that every entry in it is valid, as a list of named steps:
 *
 *     1 checkpoint   fetch the latest checkpoint; its note must verify with the registry's
 *                    key and carry the Poseidon roots
 *     2 state        with a state from an earlier run (audit-state.ts): it must be for this
 *                    key and reproduce its own checkpoint; the latest checkpoint must not be
 *                    smaller (rollback), and an RFC 9162 consistency proof from the
 *                    remembered checkpoint to the latest must verify (core/tlog
 *                    verifyConsistency) — otherwise the log forked
 *     3 keys         the pinned verification keys, from the auditor's setup folder or
 *                    fetched from /v1/artifacts and checked against their pinned SHA-256
 *                    (pinned-keys.ts); the trees' depths from the pins, else from the
 *                    registry's GET /v1/roots (a depth it states against the pins fails)
 *     4 replay       every entry after the remembered position, fetched in pages, replayed
 *                    (log-replay.ts: encoding, leaf hash, effects, pinned keys, proofs,
 *                    published roots, nullifiers, datasets, parties, trees), and every
 *                    checkpoint of the history (client.checkpoints) checked when the replay
 *                    reaches its size: RFC 6962 root, lots and plots roots, leaf counts
 *     5 latest       the replay ends at the latest checkpoint's size and reproduces it
 *
 * The source may be the registry's API (a URL, a `RegistryClient`) or C2SP tiles (a
 * `TiledLog`, audit-source.ts `tiledAuditSource`): the replay reads only what both serve.
 * A source without `/v1/artifacts` cannot supply keys, so every pin must then carry its key
 * file (a setup folder with its keys, `--keys DIR`); otherwise the audit is refused before
 * it starts.
 *
 * The first inconsistency ends the audit; the report names it (audit-failure.ts) and
 * `ok` is false. Everything the auditor verified is in the new state (`report.state`,
 * only when ok), which the caller stores for the next run. Malformed options, a registry
 * that cannot be reached, or an HTTP error are thrown, not reported: they say nothing
 * about the log.
 *
 * All proofs are verified in one snarkjs curve (`withCurves`): building it costs more than
 * a verification. Progress (`onProgress`) is reported after every page of entries, and
 * once at the end (done = total) when the latest checkpoint is reproduced.
 * @module
 */
import { assertInteger, assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { fieldToString } from '../../core/field.ts';
import { type Hash, hashEqual } from '../../core/tlog/hash.ts';
import { verifyConsistency } from '../../core/tlog/verify-consistency.ts';
import { verifyGroth16 } from '../../circuits/toolchain/prove.ts';
import { withCurves } from '../../circuits/toolchain/snarkjs.ts';
import type { PublishedArtifacts } from '../../registry/api/artifacts.ts';
import type { ProofCheck } from '../../registry/log/entry-effects.ts';
import type { TreeDepths } from '../../registry/log/registry-trees.ts';
import { AuditFailedError, type AuditFailure } from './audit-failure.ts';
import { type AuditSource, auditSource } from './audit-source.ts';
import { AUDIT_STATE_FORMAT, type AuditState, openAuditState } from './audit-state.ts';
import { checkpointHistory, type OpenedCheckpoint, openCheckpointNote } from './_checkpoints.ts';
import { hashFromBase64, hashToBase64 } from './_hash-text.ts';
import { LogReplay } from './log-replay.ts';
import { type PinnedKey, pinnedDepths, type ResolvedKey, resolveKeys } from './pinned-keys.ts';

/** Entries fetched per page (the API's maximum). */
export const ENTRY_PAGE = 100;

/** The named steps of an audit, in order. */
export const AUDIT_STEPS = ['checkpoint', 'state', 'keys', 'replay', 'latest'] as const;

/** Progress of the replay. */
export interface AuditProgress {
  /** Entries replayed in this run so far. */
  done: number;
  /** Entries this run replays. */
  total: number;
  /** Proofs verified in this run so far. */
  proofs: number;
}

/** Options of `auditRegistry`. */
export interface AuditOptions {
  /** The registry: its URL, a client, or any AuditSource (a TiledLog over a mirror's tiles). */
  registry: AuditSource | string;
  /** The registry's note verifier key, "<origin>+<hash>+<key>". */
  registryKey: string;
  /** The verification keys the auditor trusts (pinned-keys.ts). */
  pins: readonly PinnedKey[];
  /** Tree depths; default from the pins, else the registry's GET /v1/roots (the state, when given, always wins). */
  depths?: TreeDepths;
  /** The state of an earlier run, or null for a replay from the first entry. */
  state?: AuditState | null;
  /** Called after each page of entries. */
  onProgress?: (p: AuditProgress) => void;
  /** Entries per request, 1..100 (default 100). */
  pageSize?: number;
}

/** A checkpoint as the report shows it. */
export interface ReportedCheckpoint {
  size: number;
  rootHash: string;
  lotsRoot: string;
  plotsRoot: string;
}

/** What `auditRegistry` returns. JSON-safe. */
export interface AuditReport {
  /** True iff every step passed. */
  ok: boolean;
  origin: string | null;
  /** The latest checkpoint (verified when ok). */
  checkpoint: ReportedCheckpoint | null;
  /** The checkpoint the state remembered, or null for a full replay. */
  previous: ReportedCheckpoint | null;
  /** This run: entries [from, to) replayed, proofs verified, history checkpoints checked. */
  replayed: { from: number; to: number; entries: number; proofs: number; checkpoints: number };
  /** The whole log as verified so far (this run and the earlier ones the state covers). */
  totals: {
    entries: Record<string, number>;
    proofs: number;
    lots: { leaves: number; root: string };
    plots: { leaves: number; root: string };
    nullifiers: number;
    datasets: number;
    parties: { active: number; revoked: number };
    publishedRoots: { lots: number; plots: number };
    logPinnedKeys: number;
  } | null;
  /** The keys used, and served keys no pin names (never used). */
  keys: { used: { circuit: string; vkeyHash: string; from: string }[]; unpinned: { circuit: string; vkeyHash: string; reason: string }[] };
  /** The first inconsistency, or null. */
  failure: AuditFailure | null;
  /** The state to keep for the next run (only when ok). */
  state: AuditState | null;
  seconds: number;
}

/**
 * Audits a registry (module comment).
 * @returns the report; `ok` false with `failure` naming the first inconsistency
 * @throws {TypeError|RangeError} for malformed options; {CanopyError} for pins or depths that
 *   cannot be used; {ApiError} when the registry cannot be read
 * @example const report = await auditRegistry({ registry: 'http://127.0.0.1:8080', registryKey, pins: pinsFromSetup('circuits/build/demo') })
 */
export async function auditRegistry(options: AuditOptions): Promise<AuditReport> {
  const t0 = performance.now();
  if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected AuditOptions, got ${String(options)}`);
  assertString(options.registryKey, 'options.registryKey', 1024);
  const pageSize = options.pageSize ?? ENTRY_PAGE;
  assertInteger(pageSize, 'options.pageSize', 1, ENTRY_PAGE);
  const source: AuditSource = auditSource(options.registry);
  const registryKey = options.registryKey;
  let artifacts: Promise<PublishedArtifacts> | null = null;
  const served = source.artifacts?.bind(source);
  const fetchArtifacts = served === undefined ? null : (): Promise<PublishedArtifacts> => (artifacts ??= served());
  if (fetchArtifacts === null) {
    const keyless = options.pins.filter((p) => p.vkey === undefined && !options.pins.some((q) => q.vkey !== undefined && q.vkeyHash === p.vkeyHash));
    if (keyless.length > 0) {
      throw new CanopyError(
        'INVALID_INPUT',
        `the source serves no verification keys (no /v1/artifacts: a tiles mirror), so every pinned key must be at hand: ${keyless.map((p) => `${p.circuit} ${p.vkeyHash} (${p.source})`).join(', ')} ${keyless.length === 1 ? 'is' : 'are'} pinned by hash only; pin a setup folder with its key files (--keys DIR)`,
      );
    }
  }

  const report: AuditReport = {
    ok: false,
    origin: null,
    checkpoint: null,
    previous: null,
    replayed: { from: 0, to: 0, entries: 0, proofs: 0, checkpoints: 0 },
    totals: null,
    keys: { used: [], unpinned: [] },
    failure: null,
    state: null,
    seconds: 0,
  };
  let replay: LogReplay | null = null;
  let proofsBefore = 0;
  try {
    // 1 checkpoint
    const latest = openCheckpointNote(await source.checkpointNote(), registryKey);
    report.origin = latest.checkpoint.origin;
    report.checkpoint = reported(latest);

    // 2 state
    const opened = options.state == null ? null : openAuditState(options.state, registryKey);
    if (opened !== null) {
      report.previous = reported({ checkpoint: opened.checkpoint });
      await checkConsistency(source, opened.checkpoint, latest);
    }

    // 3 keys
    const { keys, unpinned } = await resolveKeys(options.pins, fetchArtifacts);
    report.keys = { used: [...keys.values()].map((k) => ({ circuit: k.circuit, vkeyHash: k.vkeyHash, from: k.from })), unpinned };
    replay = opened?.replay ?? LogReplay.fresh(options.depths ?? (await treeDepths(source, options.pins, fetchArtifacts)));

    // 4 replay, 5 latest
    const from = replay.size;
    report.replayed.from = from;
    report.replayed.to = from;
    proofsBefore = replay.proofs;
    const r = replay;
    await withCurves(async () => {
      await replayTo(source, registryKey, r, latest, keys, pageSize, (entries, checkpoints) => {
        report.replayed.to = r.size;
        report.replayed.entries = entries;
        report.replayed.checkpoints = checkpoints;
        report.replayed.proofs = r.proofs - proofsBefore;
        options.onProgress?.({ done: entries, total: latest.checkpoint.size - from, proofs: r.proofs - proofsBefore });
      });
    });
    report.ok = true;
    report.state = { format: AUDIT_STATE_FORMAT, registryKey, checkpoint: latest.note, verifiedAt: new Date().toISOString(), replay: replay.snapshot() };
  } catch (e) {
    if (!(e instanceof AuditFailedError)) throw e;
    report.failure = e.failure;
  }
  if (replay !== null) {
    // Where the replay stopped, failure or not: entries before it were verified.
    report.replayed.to = replay.size;
    report.replayed.entries = replay.size - report.replayed.from;
    report.replayed.proofs = replay.proofs - proofsBefore;
    const s = replay.summary();
    const tree = (name: 'lots' | 'plots') => {
      const t = replay!.tree(name);
      return { leaves: t.leaves, root: fieldToString(t.root) };
    };
    report.totals = { entries: s.entries, proofs: replay.proofs, lots: tree('lots'), plots: tree('plots'), nullifiers: s.nullifiers, datasets: s.datasets, parties: s.parties, publishedRoots: s.publishedRoots, logPinnedKeys: s.logPinnedKeys };
  }
  report.seconds = (performance.now() - t0) / 1000;
  return report;
}

/**
 * Step 3, depths: what the pins state (their parameters, or the served parameters of keys
 * pinned by hash), else what the registry states at GET /v1/roots, else the lots depth for
 * the plots tree. A stated depth the pins contradict fails `tree-depths`.
 */
async function treeDepths(source: AuditSource, pins: readonly PinnedKey[], fetchArtifacts: (() => Promise<PublishedArtifacts>) | null): Promise<TreeDepths> {
  const published = pins.some((p) => p.params !== null) || fetchArtifacts === null ? undefined : await fetchArtifacts();
  const pinned = pinnedDepths(pins, published);
  const stated = source.roots === undefined ? null : await source.roots();
  for (const tree of ['lots', 'plots'] as const) {
    const mine = pinned[tree];
    const theirs = stated?.[tree].depth;
    if (mine !== null && theirs !== undefined && mine !== theirs) {
      throw new AuditFailedError({ check: 'tree-depths', expected: `a ${tree} tree of depth ${mine} (the pinned circuits')`, found: `depth ${theirs} (GET /v1/roots)` });
    }
  }
  const lots = pinned.lots ?? stated?.lots.depth;
  if (lots === undefined) throw new CanopyError('INVALID_INPUT', 'neither the pinned keys nor the source state the lots tree depth: pin a setup folder, or give the depths');
  return { lots, plots: pinned.plots ?? stated?.plots.depth ?? lots };
}

/** Step 2: the latest checkpoint extends the remembered one. */
async function checkConsistency(source: AuditSource, old: OpenedCheckpoint['checkpoint'], latest: OpenedCheckpoint): Promise<void> {
  const next = latest.checkpoint;
  const at = { checkpointSize: next.size };
  if (next.size < old.size) throw new AuditFailedError({ check: 'rollback', ...at, expected: `a checkpoint of size ≥ ${old.size} (verified earlier)`, found: `size ${next.size}` });
  if (next.size === old.size) {
    if (!hashEqual(next.rootHash, old.rootHash)) throw new AuditFailedError({ check: 'consistency', ...at, expected: `root ${hashToBase64(old.rootHash)} (verified earlier at this size)`, found: `root ${hashToBase64(next.rootHash)}` });
    return;
  }
  // An empty log is a prefix of every log: nothing to prove (RFC 9162 defines no proof from 0).
  if (old.size === 0) return;
  const proof = await source.consistencyProof(old.size, next.size);
  let hashes: Hash[];
  try {
    if (proof.oldSize !== old.size || proof.size !== next.size) throw new RangeError(`a proof from ${proof.oldSize} to ${proof.size}`);
    hashes = proof.hashes.map((h, i) => hashFromBase64(h, `hashes[${i}]`));
  } catch (e) {
    throw new AuditFailedError({ check: 'consistency', ...at, expected: `a consistency proof from ${old.size} to ${next.size}`, found: (e as Error).message });
  }
  let consistent = false;
  try {
    consistent = verifyConsistency(old.size, next.size, hashes, old.rootHash, next.rootHash);
  } catch (e) {
    throw new AuditFailedError({ check: 'consistency', ...at, expected: `a consistency proof from ${old.size} to ${next.size}`, found: (e as Error).message });
  }
  if (!consistent) {
    throw new AuditFailedError({
      check: 'consistency',
      ...at,
      expected: `the log of size ${next.size} (root ${hashToBase64(next.rootHash)}) to extend the verified log of size ${old.size} (root ${hashToBase64(old.rootHash)})`,
      found: 'a consistency proof that does not link them: the log forked or was rewritten',
    });
  }
}

/** Steps 4 and 5: entries and history checkpoints, interleaved by size. */
async function replayTo(
  source: AuditSource,
  registryKey: string,
  replay: LogReplay,
  latest: OpenedCheckpoint,
  keys: ReadonlyMap<string, ResolvedKey>,
  pageSize: number,
  progress: (entries: number, checkpoints: number) => void,
): Promise<void> {
  const end = latest.checkpoint.size;
  const from = replay.size;
  const history = checkpointHistory(source, registryKey, from === 0 ? 0 : from + 1, end);
  let next = (await history.next()).value ?? null;
  let checkpoints = 0;
  let latestSeen = false;
  const verify = async (check: ProofCheck, key: ResolvedKey): Promise<boolean> => {
    try {
      return await verifyGroth16(key.vkey, check.publicSignals, check.proof);
    } catch (e) {
      // A signal count or point the key cannot take is a proof that does not verify.
      if (e instanceof TypeError || e instanceof RangeError) return false;
      throw e;
    }
  };
  for (;;) {
    while (next !== null && next.checkpoint.size === replay.size) {
      replay.checkCheckpoint(next.checkpoint, next.leafCounts, next.signedAt);
      checkpoints++;
      if (next.checkpoint.size === end) {
        if (next.text !== latest.text) throw new AuditFailedError({ check: 'history', checkpointSize: end, expected: `the latest checkpoint:\n${latest.text}`, found: `another checkpoint of that size:\n${next.text}` });
        latestSeen = true;
      }
      next = (await history.next()).value ?? null;
    }
    if (replay.size === end) break;
    const stop = Math.min(end, replay.size + pageSize, next?.checkpoint.size ?? end);
    const page = await source.entries(replay.size, stop);
    if (page.entries.length === 0 || page.entries.length > stop - replay.size) {
      throw new AuditFailedError({ check: 'entry-sequence', sequence: replay.size, expected: `entries [${replay.size}, ${stop})`, found: `${page.entries.length} entries` });
    }
    const clock = { after: replay.lastSignedAt, before: next?.signedAt ?? Date.now() };
    for (const served of page.entries) await replay.apply(served, keys, verify, clock);
    if (replay.size < end) progress(replay.size - from, checkpoints);
  }
  if (!latestSeen) {
    // The history need not list it (a registry may serve it before its history page
    // refreshes), but the replay must reproduce it all the same.
    replay.checkCheckpoint(latest.checkpoint, null);
  }
  progress(replay.size - from, checkpoints);
}

function reported(c: { checkpoint: OpenedCheckpoint['checkpoint'] }): ReportedCheckpoint {
  return {
    size: c.checkpoint.size,
    rootHash: hashToBase64(c.checkpoint.rootHash),
    lotsRoot: c.checkpoint.canopyRoots === null ? '' : fieldToString(c.checkpoint.canopyRoots.lots),
    plotsRoot: c.checkpoint.canopyRoots === null ? '' : fieldToString(c.checkpoint.canopyRoots.plots),
  };
}
