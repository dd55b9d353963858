/**
 * The lot passport: the file a seller hands a buyer with everything needed to check, and
 * (for a bearer passport) to take over, one note of the lots tree (docs/passport.md).
 *
 * Wire format: RFC 8785 canonical JSON (`core/canonical-json.ts`), so one passport has
 * exactly one text. Members sorted, no whitespace; shown here spread out:
 *
 *     {
 *       "format": "canopy-lot-passport/1",       format id, exactly this string
 *       "leafIndex": 41,                          note's leaf index in the lots tree, [0, 2^32)
 *       "note": {                                 the note opening (core/lots/note.ts LotNote),
 *         "commodity": "90111",                   every member a canonical decimal string (no
 *         "deforestationFree": "1",               sign, no leading zero, < r) in the note's range:
 *         "emissionsGramsCo2e": "81000000",         commodity < 2^20, emissionsGramsCo2e < 2^64,
 *         "ownerKey": "1234…",                      ownerKey < r, quantityGrams < 2^48, salt < r,
 *         "quantityGrams": "18000000",              deforestationFree "1" (true) or "0" (false),
 *         "salt": "5678…"                           as the commitment hashes it
 *       },
 *       "ownerSecret": "9012…",                   only in a bearer passport; then
 *                                                 ownerKey = Poseidon(OWNER_KEY, ownerSecret)
 *       "registry": {                             the registry log entry that created the note:
 *         "origin": "registry.example/canopy",    the log's origin line (checkpoint line 1)
 *         "sequence": 1207                        the entry's index in that log, [0, 2^51)
 *       }
 *     }
 *
 * Parsing (`passportFromJson`) is strict: the text must be at most PASSPORT_MAX_JSON_BYTES
 * bytes, valid JSON, carry exactly the members above (no unknown, missing or duplicate
 * member), every value of the right type and range, a bearer secret that matches the owner
 * key, and be byte-for-byte the canonical form of what it parses to, which also rules out
 * whitespace, escaped characters JCS writes verbatim, numbers such as `41.0` or `4.1e1`,
 * and duplicate members that JSON.parse would silently merge.
 *
 * The registry origin is attacker-controlled text: it is only compared, never interpreted.
 * @module
 */
import { assertInteger, assertString, describe, rangeError, typeError } from '../assert.ts';
import { canonicalJson } from '../canonical-json.ts';
import { CanopyError } from '../errors.ts';
import { assertField, fieldToString, parseField } from '../field.ts';
import { assertLotNote, type LotNote, ownerKey } from '../lots/note.ts';

/** The format id, the value of the "format" member and bound into every encryption. */
export const PASSPORT_FORMAT_ID = 'canopy-lot-passport/1';

/** Largest passport text accepted, in UTF-8 bytes. A real one is under 1 KiB. */
export const PASSPORT_MAX_JSON_BYTES = 4096;

/** Longest registry origin, in characters. */
export const PASSPORT_MAX_ORIGIN_LENGTH = 255;

// Leaf indexes of a lots tree of depth ≤ 32 (core/merkle/merkle-node.ts MERKLE_MAX_DEPTH).
const MAX_LEAF_INDEX = 2 ** 32 - 1;
// Record indexes of the registry log are below 2^51 (core/tlog/tree-size.ts TLOG_MAX_SIZE).
const MAX_SEQUENCE = 2 ** 51 - 1;

/** Where the registry recorded the entry that created the note. */
export interface RegistryEntryRef {
  /** The registry log's origin, as on line 1 of its checkpoints. */
  origin: string;
  /** The entry's index in the log, in [0, 2^51). */
  sequence: number;
}

/** A lot passport. JSON-safe through `passportToJson`. */
export interface LotPassport {
  /** The note's opening (core/lots/note.ts). */
  note: LotNote;
  /** The spending secret for a bearer passport; null when the buyer owns `note.ownerKey`. */
  ownerSecret: bigint | null;
  /** The note's leaf index in the lots tree, in [0, 2^32). */
  leafIndex: number;
  registry: RegistryEntryRef;
}

const NOTE_KEYS = ['ownerKey', 'commodity', 'quantityGrams', 'emissionsGramsCo2e', 'deforestationFree', 'salt'] as const;
const TOP_KEYS = ['format', 'note', 'ownerSecret', 'leafIndex', 'registry'];
const REGISTRY_KEYS = ['origin', 'sequence'];

// C0 and C1 controls, DEL, and the line and paragraph separators: none belongs in an origin line.
const ORIGIN_BAD_CHAR = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]|\p{Cs}/u;

function assertOrigin(value: unknown, title: string): asserts value is string {
  assertString(value, title, PASSPORT_MAX_ORIGIN_LENGTH);
  if (value.length === 0) rangeError(title, 'non-empty origin', value);
  if (ORIGIN_BAD_CHAR.test(value)) rangeError(title, 'origin without control characters or lone surrogates', value);
}

function assertObject(value: unknown, title: string): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) typeError(title, 'object', value);
}

/**
 * Checks a passport value: every note field a field element in its range, leaf index and
 * sequence safe integers in range, a clean origin, and for a bearer passport an owner
 * secret whose owner key is `note.ownerKey`.
 * @throws {TypeError} if a member is missing or has the wrong type
 * @throws {RangeError} if a value is out of range, or the secret does not match the owner key
 * @example assertLotPassport(passport, 'passport')
 */
export function assertLotPassport(value: unknown, title: string): asserts value is LotPassport {
  assertObject(value, title);
  assertLotNote(value.note, `${title}.note`);
  if (value.ownerSecret !== null) {
    assertField(value.ownerSecret, `${title}.ownerSecret`);
    // docs/lots.md: ownerKey = Poseidon(TAG_OWNER_KEY, ownerSecret).
    if (ownerKey(value.ownerSecret) !== value.note.ownerKey) {
      rangeError(`${title}.ownerSecret`, `the secret of ${title}.note.ownerKey`, value.ownerSecret);
    }
  }
  assertInteger(value.leafIndex, `${title}.leafIndex`, 0, MAX_LEAF_INDEX);
  assertObject(value.registry, `${title}.registry`);
  assertOrigin(value.registry.origin, `${title}.registry.origin`);
  assertInteger(value.registry.sequence, `${title}.registry.sequence`, 0, MAX_SEQUENCE);
}

/**
 * The canonical JSON text of a passport (see the module doc). Contains the owner secret of
 * a bearer passport: treat the text as a secret, or encrypt it with `encryptPassport`.
 * @throws {TypeError|RangeError} if the passport is malformed (see `assertLotPassport`)
 * @example passportToJson(passport) // '{"format":"canopy-lot-passport/1","leafIndex":41,…}'
 */
export function passportToJson(passport: LotPassport): string {
  assertLotPassport(passport, 'passport');
  const n = passport.note;
  const note = {
    ownerKey: fieldToString(n.ownerKey),
    commodity: fieldToString(n.commodity),
    quantityGrams: fieldToString(n.quantityGrams),
    emissionsGramsCo2e: fieldToString(n.emissionsGramsCo2e),
    deforestationFree: n.deforestationFree ? '1' : '0',
    salt: fieldToString(n.salt),
  };
  const json: Record<string, unknown> = {
    format: PASSPORT_FORMAT_ID,
    note,
    leafIndex: passport.leafIndex,
    registry: { origin: passport.registry.origin, sequence: passport.registry.sequence },
  };
  if (passport.ownerSecret !== null) json.ownerSecret = fieldToString(passport.ownerSecret, 'passport.ownerSecret');
  return canonicalJson(json, 'passport');
}

function malformed(why: string, cause?: unknown): never {
  throw new CanopyError('PASSPORT_MALFORMED', `malformed lot passport: ${why}`, cause === undefined ? undefined : { cause });
}

function onlyKeys(obj: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) malformed(`unknown member ${describe(key)} in ${where}`);
  }
}

/**
 * Parses a passport text (attacker-controlled). Strict: see the module doc.
 * @throws {TypeError} if `text` is not a string
 * @throws {CanopyError} PASSPORT_MALFORMED if the text is oversize, not JSON, not canonical,
 *   has an unknown, missing or mistyped member, a value out of range, a format id other than
 *   PASSPORT_FORMAT_ID, or a bearer secret that does not match the owner key; the message
 *   names the member
 * @example passportFromJson(readFileSync('lot.passport.json', 'utf8'))
 */
export function passportFromJson(text: string): LotPassport {
  assertString(text, 'text');
  // Every UTF-16 unit is at least one UTF-8 byte, so the cheap check bounds the encoding.
  if (text.length > PASSPORT_MAX_JSON_BYTES || new TextEncoder().encode(text).length > PASSPORT_MAX_JSON_BYTES) {
    malformed(`text exceeds ${PASSPORT_MAX_JSON_BYTES} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    malformed('not JSON', cause);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) malformed(`expected an object, got ${describe(json)}`);
  const j = json as Record<string, unknown>;
  onlyKeys(j, TOP_KEYS, 'the passport');
  if (j.format !== PASSPORT_FORMAT_ID) malformed(`"format" must be ${describe(PASSPORT_FORMAT_ID)}, got ${describe(j.format)}`);
  let passport: LotPassport;
  try {
    assertObject(j.note, 'note');
    onlyKeys(j.note, NOTE_KEYS, '"note"');
    const fields = {} as Record<(typeof NOTE_KEYS)[number], bigint>;
    for (const key of NOTE_KEYS) fields[key] = parseField(j.note[key], `note.${key}`);
    if (fields.deforestationFree > 1n) rangeError('note.deforestationFree', '"0" or "1"', j.note.deforestationFree);
    const note: LotNote = { ...fields, deforestationFree: fields.deforestationFree === 1n };
    assertObject(j.registry, 'registry');
    onlyKeys(j.registry, REGISTRY_KEYS, '"registry"');
    passport = {
      note,
      ownerSecret: Object.hasOwn(j, 'ownerSecret') ? parseField(j.ownerSecret, 'ownerSecret') : null,
      leafIndex: j.leafIndex as number,
      registry: { origin: j.registry.origin as string, sequence: j.registry.sequence as number },
    };
    assertLotPassport(passport, 'passport');
  } catch (cause) {
    if (cause instanceof CanopyError) throw cause;
    // The assertion message names the member: `"note.salt" expected …`.
    return malformed((cause as Error).message, cause);
  }
  if (passportToJson(passport) !== text) malformed('not in canonical form (RFC 8785: sorted members, no whitespace)');
  return passport;
}
