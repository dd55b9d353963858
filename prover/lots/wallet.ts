/**
 * The wallet folder of `canopy lot`: a supplier's spending secret, its passport
 * decryption key, its public recipient card, and one file per note it holds.
 *
 *     DIR/                      mode 0700
 *       owner-secret            the owner secret: one canonical decimal in [1, r) (0600)
 *       recipient.key           the X25519 secret key, canonical base64 of 32 bytes (0600)
 *       card.json               the recipient card (public): owner key + X25519 public key
 *       notes/<commitment>.json one note opening each (note-file.ts), 0600
 *       lock                    the pid of the command using the wallet, while it runs
 *
 * Invariants the functions here keep:
 * - every write is atomic: a temporary file in the same folder, fsync, then a rename (an
 *   update) or a hard link (a new file, which fails if the name exists), so a crash
 *   leaves the old file or the new one, never a torn one;
 * - a new note never replaces a file: a second note with the same commitment is a
 *   WALLET_CONFLICT (the same opening twice would back one spend between them);
 * - a note changes only along pending → unspent → spent (and its `bearerCopy` flag), with
 *   its opening unchanged, and a pending note may be dropped when the registry refused
 *   its entry; an unspent or spent note is never removed or rewritten otherwise;
 * - one command at a time: `withLock` holds DIR/lock (O_EXCL); a lock whose pid no
 *   longer runs is stale and taken over, a live one is a WALLET_CONFLICT.
 *
 * The owner secret spends every note of `ownerKey`; notes of other keys (bearer notes,
 * capacity from a plot proven with another secret) carry their own secret in their file.
 * @module
 */
import { tryPidLock } from '../../circuits/toolchain/pid-lock.ts';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { ownerKey as ownerKeyOf } from '../../core/lots/note.ts';
import { decryptPassport, generateRecipientKey, recipientPublicKey } from '../../core/passport/passport-encryption.ts';
import type { LotPassport } from '../../core/passport/lot-passport.ts';
import { randomFieldElement, readOwnerSecret } from '../plot/owner-secret.ts';
import { assertStoredNote, formatNoteFile, parseNoteFile, type StoredNote } from './note-file.ts';
import { formatRecipientCard, parseRecipientCard, type RecipientCard } from './recipient-card.ts';

/** The wallet folder used when none is named. */
export const DEFAULT_WALLET_DIR = '.canopy/wallet';

/** File names inside a wallet folder (module doc). */
export const WALLET_FILES = { ownerSecret: 'owner-secret', recipientKey: 'recipient.key', card: 'card.json', notes: 'notes', lock: 'lock' } as const;

/** Longest commitment prefix: a commitment has at most 77 decimal digits. */
const MAX_PREFIX = 78;

/**
 * Creates a wallet: a fresh owner secret, an X25519 key pair and the recipient card.
 * @throws {CanopyError} WALLET_CONFLICT if DIR already holds a wallet (its secret is never replaced)
 * @example const { card, cardFile } = await createWallet('.canopy/wallet')
 */
export async function createWallet(dir: string): Promise<{ dir: string; ownerKey: bigint; card: RecipientCard; cardFile: string }> {
  assertString(dir, 'dir', 4096);
  const root = resolve(dir);
  if ([WALLET_FILES.ownerSecret, WALLET_FILES.recipientKey, WALLET_FILES.card].some((f) => existsSync(join(root, f)))) {
    throw new CanopyError('WALLET_CONFLICT', `${dir} already holds a wallet; its keys are never replaced (choose another --wallet)`);
  }
  mkdirSync(join(root, WALLET_FILES.notes), { recursive: true, mode: 0o700 });
  const secret = randomFieldElement();
  const { secretKey, publicKey } = generateRecipientKey();
  const card: RecipientCard = { ownerKey: ownerKeyOf(secret), recipientPublicKey: publicKey };
  // The secrets first: a card must never exist without the keys it names.
  writeNew(join(root, WALLET_FILES.ownerSecret), `${secret.toString(10)}\n`, 0o600);
  writeNew(join(root, WALLET_FILES.recipientKey), `${Buffer.from(secretKey).toString('base64')}\n`, 0o600);
  secretKey.fill(0);
  writeNew(join(root, WALLET_FILES.card), formatRecipientCard(card), 0o644);
  return { dir: root, ownerKey: card.ownerKey, card, cardFile: join(root, WALLET_FILES.card) };
}

/** An open wallet. See the module doc. */
export class Wallet {
  readonly dir: string;
  /** Poseidon(TAG_OWNER_KEY, ownerSecret): notes for this wallet carry it. */
  readonly ownerKey: bigint;
  readonly card: RecipientCard;
  /** Files readable by others than their owner (the CLI warns). */
  readonly warnings: readonly string[];
  readonly #ownerSecret: bigint;
  readonly #recipientSecretKey: Uint8Array;

  private constructor(dir: string, ownerSecret: bigint, recipientSecretKey: Uint8Array, card: RecipientCard, warnings: string[]) {
    this.dir = dir;
    this.#ownerSecret = ownerSecret;
    this.#recipientSecretKey = recipientSecretKey;
    this.ownerKey = card.ownerKey;
    this.card = card;
    this.warnings = warnings;
  }

  /**
   * Opens a wallet folder made by `createWallet`.
   * @throws {CanopyError} NOT_FOUND if DIR holds no wallet (run `canopy lot keygen`);
   *   WALLET_CONFLICT if its files disagree (the card is not of its keys) or are damaged
   * @example const wallet = await Wallet.open('.canopy/wallet')
   */
  static async open(dir: string): Promise<Wallet> {
    assertString(dir, 'dir', 4096);
    const root = resolve(dir);
    if (!existsSync(join(root, WALLET_FILES.ownerSecret))) throw new CanopyError('NOT_FOUND', `no wallet in ${dir}: run \`canopy lot keygen --wallet ${dir}\``);
    const warnings: string[] = [];
    const { secret, exposed } = await readOwnerSecret(join(root, WALLET_FILES.ownerSecret));
    if (exposed) warnings.push(`${join(dir, WALLET_FILES.ownerSecret)} is readable by other users; chmod 600 it`);
    const keyFile = join(root, WALLET_FILES.recipientKey);
    if (!existsSync(keyFile)) throw new CanopyError('WALLET_CONFLICT', `${dir} has an owner secret but no ${WALLET_FILES.recipientKey}`);
    if ((statSync(keyFile).mode & 0o077) !== 0) warnings.push(`${join(dir, WALLET_FILES.recipientKey)} is readable by other users; chmod 600 it`);
    const keyText = readFileSync(keyFile, 'utf8').trim();
    const secretKey = new Uint8Array(Buffer.from(keyText, 'base64'));
    if (secretKey.length !== 32 || Buffer.from(secretKey).toString('base64') !== keyText) throw new CanopyError('WALLET_CONFLICT', `${keyFile} does not hold 32 bytes of canonical base64`);
    const card = parseRecipientCard(readFileSync(join(root, WALLET_FILES.card), 'utf8'), join(dir, WALLET_FILES.card));
    if (card.ownerKey !== ownerKeyOf(secret) || !equalBytes(card.recipientPublicKey, recipientPublicKey(secretKey))) {
      throw new CanopyError('WALLET_CONFLICT', `${join(dir, WALLET_FILES.card)} does not match the wallet's keys`);
    }
    mkdirSync(join(root, WALLET_FILES.notes), { recursive: true, mode: 0o700 });
    return new Wallet(root, secret, secretKey, card, warnings);
  }

  /** Path of the public recipient card. */
  get cardFile(): string {
    return join(this.dir, WALLET_FILES.card);
  }

  /**
   * The secret that spends a note of this wallet.
   * @throws {CanopyError} WALLET_CONFLICT if neither the note's own secret nor the wallet's opens its owner key
   * @example const secret = wallet.secretOf(stored)
   */
  secretOf(n: StoredNote): bigint {
    const secret = n.ownerSecret ?? this.#ownerSecret;
    if (ownerKeyOf(secret) !== n.note.ownerKey) throw new CanopyError('WALLET_CONFLICT', `note ${short(n.commitment)} is of owner key ${n.note.ownerKey}, which this wallet cannot spend`);
    return secret;
  }

  /**
   * Decrypts a passport blob addressed to this wallet's card.
   * @throws {CanopyError} PASSPORT_MALFORMED, PASSPORT_UNDECRYPTABLE (core/passport/passport-encryption.ts)
   * @example const passport = wallet.decrypt(readFileSync('lot.passport'))
   */
  decrypt(blob: Uint8Array): LotPassport {
    return decryptPassport(blob, this.#recipientSecretKey);
  }

  /**
   * Every note of the wallet, oldest first.
   * @throws {CanopyError} WALLET_CONFLICT for a damaged note file (named)
   * @example (await wallet.notes()).filter((n) => n.status === 'unspent')
   */
  notes(): StoredNote[] {
    const dir = join(this.dir, WALLET_FILES.notes);
    const notes = readdirSync(dir)
      .filter((f) => /^[0-9]{1,78}\.json$/.test(f))
      .map((f) => {
        const n = parseNoteFile(readFileSync(join(dir, f), 'utf8'), join(dir, f));
        if (`${n.commitment}.json` !== f) throw new CanopyError('WALLET_CONFLICT', `${join(dir, f)} holds note ${n.commitment}, not the one its name says`);
        return n;
      });
    return notes.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.commitment < b.commitment ? -1 : 1));
  }

  /**
   * The note whose commitment (decimal) starts with `ref`.
   * @throws {CanopyError} INVALID_INPUT if `ref` is not 1..78 digits or matches several
   *   notes (listing them); NOT_FOUND if it matches none
   * @example wallet.find('18274')
   */
  find(ref: string): StoredNote {
    assertString(ref, 'note', MAX_PREFIX + 10);
    if (!/^[0-9]{1,78}$/.test(ref)) throw new CanopyError('INVALID_INPUT', `note reference ${JSON.stringify(ref)}: want the first digits of a note's commitment (see \`canopy lot list\`)`);
    const matches = this.notes().filter((n) => n.commitment.toString(10).startsWith(ref));
    if (matches.length === 0) throw new CanopyError('NOT_FOUND', `no note ${ref}… in the wallet ${this.dir}`);
    if (matches.length > 1) {
      throw new CanopyError('INVALID_INPUT', `note reference ${ref} is ambiguous: ${matches.length} notes start with it (${matches.map((n) => short(n.commitment)).join(', ')}); give more digits`);
    }
    return matches[0]!;
  }

  /**
   * Whether the wallet stores the note with this commitment.
   * @example wallet.has(commitment)
   */
  has(commitment: bigint): boolean {
    return existsSync(this.#path(commitment));
  }

  /**
   * Stores a new note; never replaces a file.
   * @throws {CanopyError} WALLET_CONFLICT if a note with this commitment is already stored
   * @throws {TypeError|RangeError} for a malformed note
   * @example wallet.add(stored)
   */
  add(n: StoredNote): void {
    assertStoredNote(n, 'note');
    const path = this.#path(n.commitment);
    try {
      writeNew(path, formatNoteFile(n), 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new CanopyError('WALLET_CONFLICT', `the wallet already holds note ${short(n.commitment)}; a note is never overwritten`);
      throw e;
    }
  }

  /**
   * Rewrites a stored note along an allowed change (module doc): pending → unspent,
   * unspent → spent, or the bearerCopy flag; the opening must be unchanged.
   * @throws {CanopyError} NOT_FOUND if not stored; WALLET_CONFLICT for any other change
   * @example wallet.update({ ...n, status: 'spent', spentBy: receipt.sequence })
   */
  update(next: StoredNote): void {
    assertStoredNote(next, 'note');
    const path = this.#path(next.commitment);
    if (!existsSync(path)) throw new CanopyError('NOT_FOUND', `no note ${short(next.commitment)} in the wallet ${this.dir}`);
    const prev = parseNoteFile(readFileSync(path, 'utf8'), path);
    const step = `${prev.status} → ${next.status}`;
    const allowed = step === 'pending → unspent' || step === 'unspent → spent' || (prev.status === next.status && prev.status !== 'pending');
    const sameOpening = formatNoteFile({ ...next, status: prev.status, leafIndex: prev.leafIndex, registry: prev.registry, spentBy: prev.spentBy, pendingSpends: prev.pendingSpends, bearerCopy: prev.bearerCopy }) === formatNoteFile(prev);
    const kept =
      prev.status === 'pending' ||
      (prev.leafIndex === next.leafIndex && prev.registry?.origin === next.registry?.origin && prev.registry?.sequence === next.registry?.sequence && (prev.status !== next.status || prev.spentBy === next.spentBy));
    if (!allowed || !sameOpening || !kept) throw new CanopyError('WALLET_CONFLICT', `refusing to change note ${short(next.commitment)} (${step}${sameOpening ? '' : ', opening changed'}${kept ? '' : ', position changed'})`);
    replace(path, formatNoteFile(next), 0o600);
  }

  /**
   * Drops a pending note whose entry the registry refused.
   * @throws {CanopyError} WALLET_CONFLICT if the note is not pending
   * @example wallet.dropPending(commitment)
   */
  dropPending(commitment: bigint): void {
    const path = this.#path(commitment);
    if (!existsSync(path)) return;
    const prev = parseNoteFile(readFileSync(path, 'utf8'), path);
    if (prev.status !== 'pending') throw new CanopyError('WALLET_CONFLICT', `refusing to drop note ${short(commitment)}: it is ${prev.status}, not pending`);
    rmSync(path);
  }

  /**
   * Runs `fn` holding the wallet's lock (module doc).
   * @throws {CanopyError} WALLET_CONFLICT if another running process holds it; whatever `fn` throws
   * @example await wallet.withLock(async () => { … })
   */
  async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const lock = join(this.dir, WALLET_FILES.lock);
    const holder = tryPidLock(lock, 0o600);
    if (holder !== null) throw new CanopyError('WALLET_CONFLICT', `the wallet ${this.dir} is in use by process ${holder} (${lock}); wait for it to finish`);
    try {
      return await fn();
    } finally {
      rmSync(lock, { force: true });
    }
  }

  #path(commitment: bigint): string {
    return join(this.dir, WALLET_FILES.notes, `${commitment.toString(10)}.json`);
  }
}

/**
 * The first digits of a commitment, as `canopy lot list` shows it.
 * @throws never
 * @example short(123456789012345678901234567890n) // '123456789012…'
 */
export function short(commitment: bigint): string {
  const s = commitment.toString(10);
  return s.length > 12 ? `${s.slice(0, 12)}…` : s;
}

function tempFile(path: string, text: string, mode: number): string {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return tmp;
}

// Creates `path` atomically, failing with EEXIST if it exists: link(2) never replaces.
function writeNew(path: string, text: string, mode: number): void {
  const tmp = tempFile(path, text, mode);
  try {
    linkSync(tmp, path);
  } finally {
    rmSync(tmp, { force: true });
  }
}

// Replaces `path` atomically: rename(2) swaps the name to the complete new file.
function replace(path: string, text: string, mode: number): void {
  const tmp = tempFile(path, text, mode);
  try {
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
