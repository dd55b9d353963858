/**
 * Writing the passport of a note the wallet holds (`canopy lot passport`), for an
 * importer who checks the lot against the registry, or again for a recipient whose copy
 * was lost. Nothing is proven or submitted.
 *
 *     plain        no --to: canonical passport JSON, without any secret
 *     encrypted    --to CARD: encrypted to the card's X25519 key
 *     bearer       --to CARD --bearer: with the note's own spending secret; only for a note
 *                  of a one-time key (never the wallet's owner secret, which spends every
 *                  note of the wallet), and recorded on the note (`bearerCopy`)
 *
 * Only acknowledged notes (unspent, or sent to another owner) have a passport: it names
 * the note's leaf and the entry that created it.
 * @module
 */
import { assertBoolean, assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import type { WrittenPassport } from './lot-step.ts';
import type { StoredLotNote } from './note-file.ts';
import { assertWritable, writePassportFile } from './passport-file.ts';
import type { RecipientCard } from './recipient-card.ts';
import { passportOf } from './transitions.ts';
import { short, Wallet } from './wallet.ts';

/** Options of `exportPassport`. */
export interface ExportPassportOptions {
  wallet: string | Wallet;
  /** The note: a commitment prefix unique in the wallet. */
  note: string;
  /** The file to create (never overwritten). */
  out: string;
  /** Encrypt to this recipient card. */
  to?: RecipientCard;
  /** Include the note's own spending secret (needs `to`). */
  bearer?: boolean;
}

/**
 * Writes a note's passport (module doc).
 * @throws {CanopyError} NOT_FOUND / INVALID_INPUT as `Wallet.find`; INVALID_INPUT for a
 *   capacity, pending or spent note, an existing --out, a bearer passport without a card or
 *   of a note the wallet's owner secret spends
 * @example exportPassport({ wallet: '.canopy/wallet', note: '1827', out: 'lot.passport.json' })
 */
export async function exportPassport(options: ExportPassportOptions): Promise<WrittenPassport> {
  assertString(options.out, 'out', 4096);
  const bearer = options.bearer ?? false;
  assertBoolean(bearer, 'bearer');
  if (bearer && options.to === undefined) throw new CanopyError('INVALID_INPUT', 'a bearer passport carries a spending secret and is written only encrypted to a recipient card (--to CARD)');
  const wallet = typeof options.wallet === 'string' ? await Wallet.open(options.wallet) : options.wallet;
  return wallet.withLock(async () => {
    const n = wallet.find(options.note);
    const name = `note ${short(n.commitment)}`;
    if (n.kind !== 'lot') throw new CanopyError('INVALID_INPUT', `${name} is a capacity note; passports are for lots`);
    if (n.status !== 'unspent') throw new CanopyError('INVALID_INPUT', `${name} is ${n.status}${n.status === 'spent' ? `: a passport of it would show a lot that no longer exists` : ''}`);
    if (bearer && n.ownerSecret === null) {
      throw new CanopyError('INVALID_INPUT', `${name} is spent with the wallet's owner secret, which must never leave the wallet; to hand it over, \`canopy lot transfer ${short(n.commitment).replace('…', '')} --to CARD --bearer\``);
    }
    assertWritable(options.out);
    const written = writePassportFile(options.out, passportOf(n as StoredLotNote, bearer ? n.ownerSecret : null), options.to ?? null);
    if (bearer && !n.bearerCopy) wallet.update({ ...n, bearerCopy: true });
    return written;
  });
}
