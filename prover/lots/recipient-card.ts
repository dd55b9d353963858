/**
 * The recipient card, `canopy-recipient-card/1`: the public half of a wallet, the file a
 * buyer hands a seller so that the seller can create notes the buyer alone can spend and
 * encrypt their passports to the buyer (`canopy lot transfer NOTE --to CARD`).
 *
 * Wire format: RFC 8785 canonical JSON (core/canonical-json.ts) and one newline. Shown
 * spread out:
 *
 *     {
 *       "format": "canopy-recipient-card/1",
 *       "ownerKey": "7422…5562",            Poseidon(TAG_OWNER_KEY, ownerSecret): the key new
 *                                           notes are created for; canonical decimal < r
 *       "recipientPublicKey": "q3J0…Zw=="   X25519 public key (RFC 7748) passports are
 *                                           encrypted to; 32 bytes, canonical padded base64
 *     }
 *
 * Neither member is secret. A card does not authenticate its holder: whoever hands it
 * over vouches for it, as for a bank account number (docs/lots-cli.md).
 *
 * Parsing (`parseRecipientCard`) is strict: at most 1024 bytes, exactly these members, a
 * canonical decimal owner key, base64 that re-encodes to itself and decodes to 32 bytes,
 * and the text byte for byte the canonical form (a final newline allowed).
 * @module
 */
import { assertBytes, assertString } from '../../core/assert.ts';
import { canonicalJson } from '../../core/canonical-json.ts';
import { CanopyError } from '../../core/errors.ts';
import { assertField, fieldToString, parseField } from '../../core/field.ts';

/** Format id of a recipient card. */
export const RECIPIENT_CARD_FORMAT = 'canopy-recipient-card/1';

/** Largest card text read, bytes. */
export const RECIPIENT_CARD_MAX_BYTES = 1024;

/** A recipient card. Plain data. */
export interface RecipientCard {
  /** The owner key notes for this recipient carry. A field element. */
  ownerKey: bigint;
  /** The X25519 public key passports for this recipient are encrypted to; 32 bytes. */
  recipientPublicKey: Uint8Array;
}

const KEYS = ['format', 'ownerKey', 'recipientPublicKey'];

/**
 * The card's text: canonical JSON and a newline.
 * @throws {TypeError|RangeError} if the owner key is not a field element or the public key not 32 bytes
 * @example writeFileSync('buyer.card.json', formatRecipientCard({ ownerKey, recipientPublicKey }))
 */
export function formatRecipientCard(card: RecipientCard): string {
  if (typeof card !== 'object' || card === null) throw new TypeError(`"card" expected RecipientCard object, got ${String(card)}`);
  assertField(card.ownerKey, 'card.ownerKey');
  assertBytes(card.recipientPublicKey, 'card.recipientPublicKey', 32);
  return `${canonicalJson({ format: RECIPIENT_CARD_FORMAT, ownerKey: fieldToString(card.ownerKey), recipientPublicKey: Buffer.from(card.recipientPublicKey).toString('base64') })}\n`;
}

/**
 * Parses a card text (attacker-controlled; see the module doc).
 * @param source - names the card in messages (a file name)
 * @throws {CanopyError} INVALID_INPUT naming the member that is wrong
 * @example parseRecipientCard(readFileSync('buyer.card.json', 'utf8'), 'buyer.card.json')
 */
export function parseRecipientCard(text: string, source = 'recipient card'): RecipientCard {
  assertString(text, 'text');
  const bad = (why: string, cause?: unknown): never => {
    throw new CanopyError('INVALID_INPUT', `${source} is not a recipient card (${RECIPIENT_CARD_FORMAT}): ${why}`, cause === undefined ? undefined : { cause });
  };
  if (Buffer.byteLength(text, 'utf8') > RECIPIENT_CARD_MAX_BYTES) bad(`over ${RECIPIENT_CARD_MAX_BYTES} bytes`);
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    bad('not JSON', e);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return bad('not a JSON object');
  const o = json as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  if (keys.join() !== KEYS.join()) bad(`members ${JSON.stringify(keys)}, want ${JSON.stringify(KEYS)}`);
  if (o.format !== RECIPIENT_CARD_FORMAT) bad(`"format" is ${JSON.stringify(o.format)}`);
  let ownerKey: bigint;
  try {
    ownerKey = parseField(o.ownerKey, 'ownerKey');
  } catch (e) {
    return bad('"ownerKey" is not a canonical decimal field element', e);
  }
  const b64 = o.recipientPublicKey;
  if (typeof b64 !== 'string' || b64.length !== 44) return bad('"recipientPublicKey" is not 32 bytes of base64');
  const recipientPublicKey = new Uint8Array(Buffer.from(b64, 'base64'));
  // Node's decoder skips characters outside the alphabet: only a round trip proves the text canonical.
  if (recipientPublicKey.length !== 32 || Buffer.from(recipientPublicKey).toString('base64') !== b64) bad('"recipientPublicKey" is not canonical base64 of 32 bytes');
  if (formatRecipientCard({ ownerKey, recipientPublicKey }).slice(0, -1) !== body) bad('not in canonical form (RFC 8785: sorted members, no whitespace)');
  return { ownerKey, recipientPublicKey };
}
