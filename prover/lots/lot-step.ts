/**
 * The frame every `canopy lot` step that writes to the registry runs in:
 *
 *  1. open the wallet and hold its lock for the whole step;
 *  2. settle notes a crashed earlier step left pending (the registry says whether their
 *     entry was appended);
 *  3. the step itself: resolve notes, refuse early what the circuit or the registry would
 *     refuse, prove (`CircuitProver`);
 *  4. `commitStep`: store the new notes as pending, submit, and only once the registry
 *     acknowledged the entries record the new notes' leaf indexes and mark the spent
 *     notes spent; a refusal drops the pending notes again, so a refused step leaves the
 *     wallet as it was; then wait for a checkpoint covering the entries.
 *
 * Timings of each phase are kept in `seconds` and reported as progress lines.
 * @module
 */
import { CanopyError } from '../../core/errors.ts';
import type { SetupEvent } from '../../circuits/toolchain/setup.ts';
import { ApiError } from '../../registry/api/api-error.ts';
import type { RegistryClient, RequestSigner } from '../../registry/client.ts';
import type { LogEntry } from '../../registry/log/entry.ts';
import type { AppendReceipt } from '../../registry/log/sequencer.ts';
import { CircuitProver } from './circuit-prover.ts';
import type { StoredNote } from './note-file.ts';
import { isRefusal, RegistrySession } from './registry-session.ts';
import { short, Wallet } from './wallet.ts';

/** Options every lot step takes (the CLI's common flags). */
export interface LotCommonOptions {
  /** The wallet folder, or an open wallet. */
  wallet: string | Wallet;
  /** The registry: a client or its base URL. */
  registry: RegistryClient | string;
  /** The party key that signs submissions (a registered supplier). */
  signer?: RequestSigner;
  /** Circuit profile of the keys: test, demo or production. */
  profile: string;
  /** Setup folder with the keys (default circuits/build/<profile>). */
  keysDir?: string;
  /** A native Groth16 prover binary (circuit-prover.ts); snarkjs when absent. */
  nativeProver?: string;
  /** The registry's note verifier key: checkpoints are then opened and checked with it. */
  registryVkey?: string;
  /** How long to wait for a checkpoint covering a submission, ms (default 60,000). */
  checkpointTimeoutMs?: number;
  /** One line per step (the CLI prints them on stderr). */
  onProgress?: (line: string) => void;
  /** Setup progress when keys have to be made first. */
  onSetupProgress?: (event: SetupEvent) => void;
}

/** A passport file a step wrote. */
export interface WrittenPassport {
  file: string;
  /** The note's commitment, decimal. */
  commitment: string;
  /** True when it carries the spending secret. */
  bearer: boolean;
  /** True when encrypted to a recipient card, false for plain canonical JSON. */
  encrypted: boolean;
}

/** What every library entry point returns. */
export interface LotStepResult {
  /** The log entry submitted (the first, when a step submitted several), or null. */
  entry: LogEntry | null;
  /** Its receipt, or null. */
  receipt: AppendReceipt | null;
  entries: LogEntry[];
  receipts: AppendReceipt[];
  /** The notes the step stored in the wallet (new or changed), as stored. */
  notes: StoredNote[];
  passports: WrittenPassport[];
  /** Seconds per phase (prove, submit, checkpoint, …). */
  seconds: Record<string, number>;
}

/** What a step body gets. */
export interface StepContext {
  wallet: Wallet;
  session: RegistrySession;
  prover: CircuitProver;
  progress: (line: string) => void;
  /** Runs `fn`, recording its duration under `name` and reporting it. */
  timed<T>(name: string, fn: () => Promise<T>): Promise<T>;
  seconds: Record<string, number>;
}

/**
 * Runs a step body in the frame of the module doc.
 * @throws whatever the body throws; {CanopyError} NOT_FOUND (no wallet), WALLET_CONFLICT (wallet in use)
 * @example return runStep(options, async (ctx) => { … })
 */
export async function runStep<T>(options: LotCommonOptions, body: (ctx: StepContext) => Promise<T>): Promise<T> {
  if (typeof options !== 'object' || options === null) throw new TypeError(`"options" expected LotCommonOptions, got ${String(options)}`);
  const progress = options.onProgress ?? (() => undefined);
  const wallet = typeof options.wallet === 'string' ? await Wallet.open(options.wallet) : options.wallet;
  for (const w of wallet.warnings) progress(`warning: ${w}`);
  const prover = new CircuitProver({
    profile: options.profile,
    ...(options.keysDir !== undefined ? { keysDir: options.keysDir } : {}),
    ...(options.nativeProver !== undefined ? { nativeProver: options.nativeProver } : {}),
    onProgress: progress,
    ...(options.onSetupProgress ? { onSetupProgress: options.onSetupProgress } : {}),
  });
  const session = new RegistrySession({
    registry: options.registry,
    ...(options.signer ? { signer: options.signer } : {}),
    ...(options.registryVkey !== undefined ? { registryVkey: options.registryVkey } : {}),
    ...(options.checkpointTimeoutMs !== undefined ? { checkpointTimeoutMs: options.checkpointTimeoutMs } : {}),
    onProgress: progress,
  });
  const seconds: Record<string, number> = {};
  const timed = async <R>(name: string, fn: () => Promise<R>): Promise<R> => {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      const s = Number(((performance.now() - t0) / 1000).toFixed(2));
      seconds[name] = Number(((seconds[name] ?? 0) + s).toFixed(2));
    }
  };
  return wallet.withLock(async () => {
    await settlePending(wallet, session, progress);
    return body({ wallet, session, prover, progress, timed, seconds });
  });
}

/**
 * Resolves notes left pending by a step that stopped after submitting: a note whose
 * commitment the registry holds becomes unspent at its leaf, and the notes its entry
 * spent become spent. Notes the registry does not hold stay pending (reported).
 * @throws {ApiError} registry failures
 * @example await settlePending(wallet, session, console.error)
 */
export async function settlePending(wallet: Wallet, session: RegistrySession, progress: (line: string) => void): Promise<StoredNote[]> {
  const pending = wallet.notes().filter((n) => n.status === 'pending');
  const settled: StoredNote[] = [];
  for (const n of pending) {
    const found = await session.findLeaf('lots', n.commitment);
    if (found === null) {
      progress(`note ${short(n.commitment)} is pending: the registry does not hold it (its entry was not appended, or not yet)`);
      continue;
    }
    const origin = await session.origin();
    const done: StoredNote = { ...n, status: 'unspent', leafIndex: found.leafIndex, registry: { origin, sequence: found.sequence }, pendingSpends: [] };
    wallet.update(done);
    settled.push(done);
    for (const c of n.pendingSpends) {
      const spent = wallet.notes().find((x) => x.commitment === c);
      if (spent !== undefined && spent.status === 'unspent') wallet.update({ ...spent, status: 'spent', spentBy: found.sequence });
    }
    progress(`note ${short(n.commitment)} settled: entry ${found.sequence} was appended (lots leaf ${found.leafIndex})`);
  }
  return settled;
}

/** The new notes of one entry, in the order the entry appends them to the lots tree. */
export interface EntryOutputs {
  entry: LogEntry;
  /** Pending notes (status 'pending'), in lots-leaf order. */
  notes: StoredNote[];
}

/**
 * Stores the new notes as pending, submits the entries, and settles the wallet from the
 * receipts (module doc); then waits for a checkpoint covering them.
 * @param spends - wallet notes the entries spend (marked spent once acknowledged)
 * @throws {CanopyError} ENTRY_REJECTED with the registry's code when it refused (wallet
 *   unchanged); INVALID_INPUT when the outcome is unknown (the notes stay pending and the
 *   next command settles them); bug if a receipt's leaves do not match the notes
 * @example const { receipts, notes } = await commitStep(ctx, [{ entry, notes: [out] }], [input])
 */
export async function commitStep(ctx: StepContext, outputs: readonly EntryOutputs[], spends: readonly StoredNote[]): Promise<{ receipts: AppendReceipt[]; notes: StoredNote[] }> {
  const { wallet, session } = ctx;
  const pendingSpends = spends.map((s) => s.commitment);
  const added: StoredNote[] = [];
  try {
    for (const o of outputs) {
      for (const n of o.notes) {
        const p = { ...n, status: 'pending' as const, leafIndex: null, registry: null, spentBy: null, pendingSpends };
        wallet.add(p);
        added.push(p);
      }
    }
  } catch (e) {
    for (const n of added) wallet.dropPending(n.commitment);
    throw e;
  }
  let receipts: AppendReceipt[];
  try {
    receipts = await ctx.timed('submit', () => session.submit(outputs.map((o) => o.entry)));
  } catch (e) {
    if (isRefusal(e)) {
      for (const n of added) wallet.dropPending(n.commitment);
      const api = e as ApiError;
      throw new CanopyError('ENTRY_REJECTED', `the registry refused the entry: ${api.code} (HTTP ${api.status}): ${api.message}; the wallet is unchanged`, { cause: e });
    }
    throw new CanopyError(
      'INVALID_INPUT',
      `submitting failed and the outcome is unknown (${(e as Error).message}); ${added.length} new ${added.length === 1 ? 'note stays' : 'notes stay'} pending and the next lot command settles ${added.length === 1 ? 'it' : 'them'} with the registry`,
      { cause: e },
    );
  }
  const origin = await session.origin();
  const stored: StoredNote[] = [];
  outputs.forEach((o, i) => {
    const r = receipts[i]!;
    if (r.lotsLeafIndexes.length !== o.notes.length) throw new Error(`canopy: bad math in commitStep: entry ${r.sequence} appended ${r.lotsLeafIndexes.length} lots leaves for ${o.notes.length} notes`);
    o.notes.forEach((n, j) => {
      const done: StoredNote = { ...n, status: 'unspent', leafIndex: r.lotsLeafIndexes[j]!, registry: { origin, sequence: r.sequence }, spentBy: null, pendingSpends: [] };
      wallet.update(done);
      stored.push(done);
    });
  });
  const spentBy = receipts[receipts.length - 1]!.sequence;
  for (const s of spends) {
    const done: StoredNote = { ...s, status: 'spent', spentBy };
    // A received bearer note enters the wallet only as spent, by its take-over.
    if (wallet.has(s.commitment)) wallet.update(done);
    else wallet.add(done);
    stored.push(done);
  }
  await ctx.timed('checkpoint', () => session.waitCovered(receipts));
  return { receipts, notes: stored };
}

/**
 * A fresh note record (before `commitStep` makes it pending).
 * @throws never (the note is checked when stored)
 * @example newStored({ kind: 'lot', note, commitment: noteCommitment(note) }, null, 'mint')
 */
export function newStored(n: Pick<StoredNote, 'kind' | 'note' | 'commitment'>, ownerSecret: bigint | null, memo: string, bearerCopy = false): StoredNote {
  // A memo may name a file; note files keep at most 200 characters of it.
  const kept = memo.length > 200 ? `${memo.slice(0, 199)}…` : memo;
  return { ...n, ownerSecret, status: 'pending', leafIndex: null, registry: null, spentBy: null, pendingSpends: [], bearerCopy, memo: kept, createdAt: new Date().toISOString() } as StoredNote;
}

/**
 * The unspent lot notes `refs` name, each spendable by the wallet, no note twice.
 * @throws {CanopyError} NOT_FOUND / INVALID_INPUT as `Wallet.find`; INVALID_INPUT for a
 *   capacity note, a spent or pending note, a note sent to another owner, or a repeat
 * @example const inputs = spendableLots(wallet, ['1827', '5521'])
 */
export function spendableLots(wallet: Wallet, refs: readonly string[]): (StoredNote & { kind: 'lot' })[] {
  const notes = refs.map((ref) => {
    const n = wallet.find(ref);
    const name = `note ${short(n.commitment)}`;
    if (n.kind !== 'lot') throw new CanopyError('INVALID_INPUT', `${name} is a capacity note; it is spent by \`canopy lot mint --deforestation-free\``);
    if (n.status === 'spent') throw new CanopyError('INVALID_INPUT', `${name} is already spent (entry ${n.spentBy})`);
    if (n.status === 'pending') throw new CanopyError('INVALID_INPUT', `${name} is pending: the registry has not acknowledged it yet`);
    if (n.ownerSecret === null && n.note.ownerKey !== wallet.ownerKey) throw new CanopyError('INVALID_INPUT', `${name} was sent to owner key ${short(n.note.ownerKey)}; only its recipient can spend it`);
    wallet.secretOf(n);
    return n;
  });
  const seen = new Set<bigint>();
  for (const n of notes) {
    if (seen.has(n.commitment)) throw new CanopyError('INVALID_INPUT', `note ${short(n.commitment)} is named twice; a note can be spent once`);
    seen.add(n.commitment);
  }
  return notes;
}
