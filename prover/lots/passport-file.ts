/**
 * Passport files as the lot commands write and read them (docs/passport.md):
 *
 *     encrypted   the blob of `encryptPassport` (first byte 0x01), to a recipient card's
 *                 X25519 key; the only form a bearer passport is written in
 *     plain       the passport's canonical JSON (first byte "{"), no trailing newline; it
 *                 shows the lot's figures and lets the holder check them, but cannot spend
 *
 * Files are created with mode 0600 and never over an existing file: a passport may hold
 * a spending secret, and overwriting one could lose the only copy of a note's opening.
 * @module
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { noteCommitment } from '../../core/lots/note.ts';
import { PASSPORT_MAX_JSON_BYTES, passportFromJson, passportToJson, type LotPassport } from '../../core/passport/lot-passport.ts';
import { encryptPassport, PASSPORT_BOX_MAX_BYTES, PASSPORT_BOX_VERSION } from '../../core/passport/passport-encryption.ts';
import type { WrittenPassport } from './lot-step.ts';
import type { RecipientCard } from './recipient-card.ts';

/**
 * Writes a passport file: encrypted to `to` when given, else plain JSON (refused for a
 * bearer passport, whose secret must not travel in the clear).
 * @throws {CanopyError} INVALID_INPUT if the file exists or a bearer passport has no recipient
 * @example writePassportFile('lot-7.passport', passport, buyerCard)
 */
export function writePassportFile(file: string, passport: LotPassport, to: RecipientCard | null): WrittenPassport {
  assertString(file, 'file', 4096);
  if (passport.ownerSecret !== null && to === null) throw new CanopyError('INVALID_INPUT', 'a bearer passport carries a spending secret and is written only encrypted to a recipient card (--to CARD)');
  const bytes = to === null ? Buffer.from(passportToJson(passport), 'utf8') : encryptPassport(passport, to.recipientPublicKey);
  try {
    writeFileSync(file, bytes, { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new CanopyError('INVALID_INPUT', `${file} exists; a passport is never written over a file (choose another --out)`);
    throw e;
  }
  return { file, commitment: noteCommitment(passport.note).toString(10), bearer: passport.ownerSecret !== null, encrypted: to !== null };
}

/**
 * Refuses early, before any proof, an --out file that exists.
 * @throws {CanopyError} INVALID_INPUT if `file` exists
 * @example assertWritable('lot-7.passport')
 */
export function assertWritable(file: string): void {
  assertString(file, 'file', 4096);
  if (statSync(file, { throwIfNoEntry: false }) !== undefined) throw new CanopyError('INVALID_INPUT', `${file} exists; a passport is never written over a file (choose another --out)`);
}

/**
 * Reads a passport file of either form; `decrypt` opens an encrypted one.
 * @throws {CanopyError} NOT_FOUND if missing; PASSPORT_MALFORMED if it is neither form or
 *   too large; PASSPORT_UNDECRYPTABLE (from `decrypt`) if not addressed to this wallet
 * @example readPassportFile('lot-7.passport', (blob) => wallet.decrypt(blob))
 */
export function readPassportFile(file: string, decrypt: (blob: Uint8Array) => LotPassport): { passport: LotPassport; encrypted: boolean } {
  assertString(file, 'file', 4096);
  const st = statSync(file, { throwIfNoEntry: false });
  if (st === undefined || !st.isFile()) throw new CanopyError('NOT_FOUND', `no passport file ${file}`);
  if (st.size > Math.max(PASSPORT_BOX_MAX_BYTES, PASSPORT_MAX_JSON_BYTES)) throw new CanopyError('PASSPORT_MALFORMED', `${file}: ${st.size} bytes, larger than any passport`);
  const bytes = new Uint8Array(readFileSync(file));
  if (bytes[0] === PASSPORT_BOX_VERSION) return { passport: decrypt(bytes), encrypted: true };
  if (bytes[0] === 0x7b) return { passport: passportFromJson(Buffer.from(bytes).toString('utf8')), encrypted: false };
  throw new CanopyError('PASSPORT_MALFORMED', `${file} is neither an encrypted passport (first byte 0x01) nor passport JSON`);
}
