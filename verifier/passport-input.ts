/**
 * Reading what an importer was handed: a passport file in either form, and the X25519
 * secret key that opens an encrypted one (docs/passport.md).
 *
 *     passport bytes   first byte 0x01: an encrypted passport (`encryptPassport`)
 *                      first byte "{":  the passport's canonical JSON
 *     key file         the X25519 secret key as canonical padded base64 of 32 bytes and an
 *                      optional newline: the wallet's `recipient.key` (prover/lots/wallet.ts)
 *
 * Every input is attacker-controlled except the key file, which is the importer's own.
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { assertBytes, assertString } from '../core/assert.ts';
import { CanopyError } from '../core/errors.ts';
import { type LotPassport, PASSPORT_MAX_JSON_BYTES, passportFromJson } from '../core/passport/lot-passport.ts';
import { decryptPassport, PASSPORT_BOX_MAX_BYTES, PASSPORT_BOX_VERSION } from '../core/passport/passport-encryption.ts';

/** Largest passport input, bytes: the larger of the two forms. */
export const PASSPORT_INPUT_MAX_BYTES = Math.max(PASSPORT_BOX_MAX_BYTES, PASSPORT_MAX_JSON_BYTES);

/**
 * Opens passport bytes of either form.
 * @param recipientSecretKey - the importer's X25519 secret key, needed for an encrypted passport
 * @throws {CanopyError} PASSPORT_MALFORMED (neither form, too large, or not a valid passport);
 *   PASSPORT_UNDECRYPTABLE (not addressed to this key, or altered); INVALID_INPUT (encrypted, and no key given)
 * @example openPassport(readFileSync('lot.passport'), secretKey)
 */
export function openPassport(bytes: Uint8Array, recipientSecretKey: Uint8Array | null): { passport: LotPassport; encrypted: boolean } {
  assertBytes(bytes, 'bytes');
  if (bytes.length > PASSPORT_INPUT_MAX_BYTES) throw new CanopyError('PASSPORT_MALFORMED', `${bytes.length} bytes, larger than any passport`);
  if (bytes[0] === PASSPORT_BOX_VERSION) {
    if (recipientSecretKey === null) throw new CanopyError('INVALID_INPUT', 'the passport is encrypted: give the X25519 secret key it was encrypted to (--key FILE, e.g. the wallet’s recipient.key)');
    return { passport: decryptPassport(bytes, recipientSecretKey), encrypted: true };
  }
  if (bytes[0] === 0x7b) {
    const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
    return { passport: passportFromJson(text), encrypted: false };
  }
  throw new CanopyError('PASSPORT_MALFORMED', 'neither an encrypted passport (first byte 0x01) nor passport JSON (first byte "{")');
}

/**
 * Parses an X25519 secret key: canonical padded base64 of 32 bytes, optionally followed by one newline.
 * @param source - names the key in messages
 * @throws {CanopyError} INVALID_INPUT otherwise
 * @example parseRecipientSecretKey('q3J0…Zw==\n', 'recipient.key')
 */
export function parseRecipientSecretKey(text: string, source = 'key'): Uint8Array {
  assertString(text, 'text');
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  const key = body.length === 44 ? new Uint8Array(Buffer.from(body, 'base64')) : new Uint8Array(0);
  // Node's decoder skips characters outside the alphabet: only a round trip proves the text canonical.
  if (key.length !== 32 || Buffer.from(key).toString('base64') !== body) throw new CanopyError('INVALID_INPUT', `${source} does not hold an X25519 secret key (canonical base64 of 32 bytes)`);
  return key;
}

/**
 * Reads an X25519 secret key file (see `parseRecipientSecretKey`).
 * @throws {CanopyError} NOT_FOUND if missing; INVALID_INPUT if malformed
 * @example await readRecipientSecretKey('.canopy/wallet/recipient.key')
 */
export async function readRecipientSecretKey(file: string): Promise<Uint8Array> {
  assertString(file, 'file', 4096);
  const st = await stat(file).catch(() => undefined);
  if (st === undefined || !st.isFile()) throw new CanopyError('NOT_FOUND', `no key file ${file}`);
  if (st.size > 64) throw new CanopyError('INVALID_INPUT', `${file} does not hold an X25519 secret key (canonical base64 of 32 bytes)`);
  return parseRecipientSecretKey(await readFile(file, 'utf8'), file);
}
