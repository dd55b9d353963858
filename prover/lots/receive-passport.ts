/**
 * Receiving a lot passport into the wallet (docs/passport.md, docs/lots.md "Note").
 *
 * The passport is decrypted with the wallet's X25519 key (or read as plain JSON), then
 * checked against the registry, in this order:
 *
 *  1. origin     the passport names this registry's log;
 *  2. leaf       the registry's lots leaf at `leafIndex` is the note's commitment, under a
 *                published root (a verified Poseidon proof), and the registry says the
 *                entry at `registry.sequence` appended it;
 *  3. owner      the note is of this wallet's owner key, or the passport carries the
 *                secret of its key (a bearer passport); a note of another key without its
 *                secret can be verified but not received;
 *  4. unspent    its nullifier is not in the registry's nullifier set.
 *
 * A note of the wallet's key is then stored as unspent. A bearer note is at once taken
 * over: spent into a note of the wallet's own key, so the seller's copy of the passport
 * becomes worthless; the wallet records the bearer note, spent, only once the registry
 * acknowledged the take-over, so a refused take-over leaves the wallet as it was.
 * @module
 */
import { assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { noteCommitment, nullifier } from '../../core/lots/note.ts';
import { newStored, runStep, type LotCommonOptions, type LotStepResult } from './lot-step.ts';
import type { StoredLotNote } from './note-file.ts';
import { readPassportFile } from './passport-file.ts';
import { takeOver } from './transitions.ts';
import { short } from './wallet.ts';

/** Options of `receivePassport`. */
export interface ReceivePassportOptions extends LotCommonOptions {
  /** The passport file (encrypted to this wallet's card, or plain JSON). */
  file: string;
}

/** What `receivePassport` returns. */
export interface ReceivePassportResult extends LotStepResult {
  /** True when the passport was a bearer passport and the note was taken over. */
  tookOver: boolean;
  /** The note the wallet now holds unspent. */
  held: StoredLotNote;
}

/**
 * Receives a passport (module doc).
 * @throws {CanopyError} NOT_FOUND (no file); PASSPORT_MALFORMED, PASSPORT_UNDECRYPTABLE
 *   (not a passport, or not addressed to this wallet); CLAIM_REJECTED naming the check that
 *   failed (origin, leaf, owner, unspent); WALLET_CONFLICT when the wallet already holds
 *   the note; as the transitions for a take-over. The wallet is unchanged on every refusal.
 * @example await receivePassport({ wallet, registry, signer, profile: 'demo', file: 'lot.passport' })
 */
export async function receivePassport(options: ReceivePassportOptions): Promise<ReceivePassportResult> {
  assertString(options.file, 'file', 4096);
  return runStep(options, async (ctx) => {
    const { wallet, session, progress } = ctx;
    const { passport, encrypted } = readPassportFile(options.file, (blob) => wallet.decrypt(blob));
    const commitment = noteCommitment(passport.note);
    const name = `note ${short(commitment)}`;
    progress(`read ${encrypted ? 'encrypted' : 'plain'} ${passport.ownerSecret !== null ? 'bearer ' : ''}passport of ${name}: ${passport.note.quantityGrams} g, ${passport.note.emissionsGramsCo2e} g CO2e${passport.note.deforestationFree ? ', deforestation-free' : ''}`);

    // 1. origin
    const origin = await session.origin();
    if (passport.registry.origin !== origin) reject('origin', `the passport is of registry ${JSON.stringify(passport.registry.origin)}, not of ${JSON.stringify(origin)}`);
    // 2. leaf
    const found = await session.findLeaf('lots', commitment);
    if (found === null) reject('leaf', `the registry's lots tree does not hold ${name}`);
    if (found.sequence !== passport.registry.sequence || found.leafIndex !== passport.leafIndex) {
      reject('leaf', `the registry holds ${name} at leaf ${found.leafIndex} from entry ${found.sequence}; the passport says leaf ${passport.leafIndex}, entry ${passport.registry.sequence}`);
    }
    try {
      await session.treeProofs('lots', [passport.leafIndex], [commitment]);
    } catch (e) {
      if (e instanceof CanopyError) reject('leaf', e.message);
      throw e;
    }
    // 3. owner
    const bearer = passport.ownerSecret !== null;
    if (!bearer && passport.note.ownerKey !== wallet.ownerKey) {
      reject('owner', `${name} is of owner key ${short(passport.note.ownerKey)}, not this wallet's ${short(wallet.ownerKey)}, and the passport carries no secret: it can be verified (canopy verify) but not received`);
    }
    // 4. unspent
    const secret = passport.ownerSecret ?? wallet.secretOf({ kind: 'lot', note: passport.note } as StoredLotNote);
    const state = await session.client.nullifier(nullifier(commitment, secret));
    if (state.spent) reject('unspent', `${name} was already spent (entry ${state.sequence ?? '?'})${bearer ? ': another holder of this bearer passport took it first' : ''}`);

    const existing = wallet.notes().find((n) => n.commitment === commitment);
    let held: StoredLotNote;
    if (existing !== undefined) {
      // Only a bearer note the wallet holds unspent (its own bearer copy) may be taken over again.
      if (!bearer || existing.kind !== 'lot' || existing.status !== 'unspent' || existing.ownerSecret === null) throw new CanopyError('WALLET_CONFLICT', `the wallet already holds ${name} (${existing.status})`);
      held = existing;
    } else {
      held = { ...newStored({ kind: 'lot', note: passport.note, commitment }, passport.ownerSecret, bearer ? `received bearer passport ${options.file}` : `received passport ${options.file}`), status: 'unspent', leafIndex: passport.leafIndex, registry: { ...passport.registry } } as StoredLotNote;
    }
    if (!bearer) {
      wallet.add(held);
      return { entry: null, receipt: null, entries: [], receipts: [], notes: [held], passports: [], seconds: ctx.seconds, tookOver: false, held };
    }
    const { entry, result } = await takeOver(ctx, held);
    const mine = result.notes.find((n): n is StoredLotNote => n.kind === 'lot' && n.status === 'unspent')!;
    progress(`took ${name} over: the wallet holds it as ${short(mine.commitment)}; copies of the bearer passport are now worthless`);
    return { entry, receipt: result.receipts[0]!, entries: [entry], receipts: result.receipts, notes: result.notes, passports: [], seconds: ctx.seconds, tookOver: true, held: mine };
  });
}

function reject(check: string, message: string): never {
  const e = new CanopyError('CLAIM_REJECTED', `passport refused (${check}): ${message}`);
  (e as CanopyError & { check: string }).check = check;
  throw e;
}
