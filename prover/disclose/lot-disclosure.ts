/**
 * `discloseLot`: what `canopy disclose lot` does — package a lot note's figures for an
 * auditor or a competent authority (disclosure-file.ts, `canopy-lot-disclosure/1`).
 *
 * Input: a wallet note file (`canopy-wallet-note/1`, prover/lots/note-file.ts), parsed
 * strictly (its commitment must recompute from its note). Only the note's six fields and
 * the commitment are copied. The note's own spending secret (`ownerSecret`, for a bearer
 * note), the wallet's status and memo are not: the reader can check the figures, not
 * spend the lot or learn how the wallet holds it.
 *
 * Refused (INVALID_INPUT): a capacity note (it is disclosed through its plot), and a
 * pending note (its entry was never acknowledged, so the registry may not hold it).
 * @module
 */
import { assertString, typeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { fieldToString } from '../../core/field.ts';
import { parseNoteFile } from '../lots/note-file.ts';
import { formatDisclosure, LOT_DISCLOSURE_FORMAT, type LotDisclosure, lotDisclosureNote } from './disclosure-file.ts';
import { readInputText, writePrivate } from './_files.ts';

/** Options of `discloseLot`; mirrors `canopy disclose lot`. */
export interface DiscloseLotOptions {
  /** A wallet note file. */
  noteFile: string;
  /** Where to write the disclosure (mode 0600); omitted: nothing is written. */
  outFile?: string;
}

/**
 * Builds (and with `outFile` writes) a lot disclosure (module comment).
 * @throws {CanopyError} NOT_FOUND (no file); WALLET_CONFLICT (not a wallet note);
 *   INVALID_INPUT (a capacity or pending note); {TypeError|RangeError} for malformed options
 * @example await discloseLot({ noteFile: '.canopy/wallet/notes/1234.json', outFile: 'lot.disclosure.json' })
 */
export async function discloseLot(options: DiscloseLotOptions): Promise<LotDisclosure> {
  if (typeof options !== 'object' || options === null) typeError('options', 'DiscloseLotOptions', options);
  assertString(options.noteFile, 'noteFile', 4096);
  if (options.outFile !== undefined) assertString(options.outFile, 'outFile', 4096);
  const stored = parseNoteFile(await readInputText(options.noteFile), options.noteFile);
  if (stored.kind !== 'lot') throw new CanopyError('INVALID_INPUT', `${options.noteFile} is a ${stored.kind} note: harvest capacity is disclosed through its plot (canopy disclose plot)`);
  if (stored.status === 'pending') throw new CanopyError('INVALID_INPUT', `${options.noteFile} is pending: the registry never acknowledged the entry creating it, so there is nothing to check it against`);
  const disclosure: LotDisclosure = { format: LOT_DISCLOSURE_FORMAT, note: lotDisclosureNote(stored.note), commitment: fieldToString(stored.commitment) };
  if (options.outFile !== undefined) await writePrivate(options.outFile, formatDisclosure(disclosure));
  return disclosure;
}
