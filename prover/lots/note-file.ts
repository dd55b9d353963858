/**
 * One note opening of a wallet, `canopy-wallet-note/1`: a lot note or a harvest capacity
 * note (docs/lots.md), where the registry put it, and whether it has been spent. The
 * wallet keeps one such file per note (prover/lots/wallet.ts); losing it loses the note,
 * since the salt cannot be recomputed.
 *
 * Plain JSON, two-space indented, members in this order, one trailing newline:
 *
 *     {
 *       "format": "canopy-wallet-note/1",
 *       "kind": "lot",                        "lot" or "capacity"
 *       "commitment": "<decimal>",            noteCommitment / capacityCommitment of "note"
 *       "note": { "ownerKey", "commodity", "quantityGrams", "emissionsGramsCo2e",
 *                 "deforestationFree" ("1"/"0"), "salt" }               a lot note, or
 *               { "ownerKey", "commodity", "harvestYear", "capacityGrams", "salt" }   capacity
 *                                           every value a canonical decimal string
 *       "ownerSecret": "<decimal>" | null,    the note's own spending secret when its owner key
 *                                           is not the wallet's (a bearer note, or a capacity
 *                                           note of a plot proven with another secret);
 *                                           null: the wallet's owner secret spends it
 *       "status": "pending" | "unspent" | "spent",
 *       "leafIndex": 12 | null,               its leaf in the lots tree; null while pending
 *       "registry": { "origin": "…", "sequence": 7 } | null,   the entry that created it
 *       "spentBy": 9 | null,                  sequence of the entry that spent it
 *       "pendingSpends": ["<decimal>", …],    while pending: commitments of the wallet notes
 *                                           the creating entry spends (empty otherwise)
 *       "bearerCopy": false,                  true when a bearer passport of it was handed over
 *       "memo": "merge of 2 notes",           how it came into the wallet, for people
 *       "createdAt": "2026-11-27T10:00:00.000Z"
 *     }
 *
 * Status and its invariants:
 *
 *     pending   written before the entry is submitted, so an acknowledged entry never
 *               leaves a note the wallet has no opening of; leafIndex and registry null
 *     unspent   the registry acknowledged the creating entry: leafIndex and registry set
 *     spent     the registry acknowledged an entry publishing its nullifier: spentBy set
 *
 * Parsing is strict: exact members, canonical decimals within the note's ranges, a
 * commitment that recomputes from the note, an owner secret that opens the owner key, and
 * fields consistent with the status.
 * @module
 */
import { assertInteger, assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { fieldToString, parseField } from '../../core/field.ts';
import { assertCapacityNote, capacityCommitment, type CapacityNote } from '../../core/lots/capacity-note.ts';
import { assertLotNote, noteCommitment, ownerKey, type LotNote } from '../../core/lots/note.ts';

/** Format id of a wallet note file. */
export const WALLET_NOTE_FORMAT = 'canopy-wallet-note/1';

/** Largest note file read, bytes (a note file is about 1 KiB). */
export const WALLET_NOTE_MAX_BYTES = 16 * 1024;

/** Where a note stands with the registry; see the module doc. */
export type WalletNoteStatus = 'pending' | 'unspent' | 'spent';

/** Where the registry recorded the entry that created a note. */
export interface NoteOrigin {
  /** The registry log's origin (checkpoint line 1). */
  origin: string;
  /** The entry's sequence number. */
  sequence: number;
}

interface StoredNoteBase {
  commitment: bigint;
  /** The note's own secret; null when the wallet's owner secret spends it. */
  ownerSecret: bigint | null;
  status: WalletNoteStatus;
  leafIndex: number | null;
  registry: NoteOrigin | null;
  spentBy: number | null;
  pendingSpends: bigint[];
  bearerCopy: boolean;
  memo: string;
  createdAt: string;
}

/** A lot note in the wallet. */
export interface StoredLotNote extends StoredNoteBase {
  kind: 'lot';
  note: LotNote;
}

/** A capacity note in the wallet. */
export interface StoredCapacityNote extends StoredNoteBase {
  kind: 'capacity';
  note: CapacityNote;
}

/** A note of the wallet, either kind. Plain data. */
export type StoredNote = StoredLotNote | StoredCapacityNote;

const TOP_KEYS = ['format', 'kind', 'commitment', 'note', 'ownerSecret', 'status', 'leafIndex', 'registry', 'spentBy', 'pendingSpends', 'bearerCopy', 'memo', 'createdAt'];
const LOT_KEYS = ['ownerKey', 'commodity', 'quantityGrams', 'emissionsGramsCo2e', 'deforestationFree', 'salt'] as const;
const CAPACITY_KEYS = ['ownerKey', 'commodity', 'harvestYear', 'capacityGrams', 'salt'] as const;
const STATUSES: readonly WalletNoteStatus[] = ['pending', 'unspent', 'spent'];
const MAX_MEMO = 200;

/**
 * The commitment of a note of either kind: its leaf in the lots tree.
 * @throws {TypeError|RangeError} if the note is malformed
 * @example commitmentOf({ kind: 'lot', note })
 */
export function commitmentOf(n: Pick<StoredLotNote, 'kind' | 'note'> | Pick<StoredCapacityNote, 'kind' | 'note'>): bigint {
  return n.kind === 'lot' ? noteCommitment(n.note) : capacityCommitment(n.note);
}

/**
 * The text of a note file (module doc).
 * @throws {TypeError|RangeError} if a field is malformed
 * @example await writeFile(path, formatNoteFile(stored), { mode: 0o600 })
 */
export function formatNoteFile(n: StoredNote): string {
  assertStoredNote(n, 'note file');
  const note =
    n.kind === 'lot'
      ? {
          ownerKey: fieldToString(n.note.ownerKey),
          commodity: fieldToString(n.note.commodity),
          quantityGrams: fieldToString(n.note.quantityGrams),
          emissionsGramsCo2e: fieldToString(n.note.emissionsGramsCo2e),
          deforestationFree: n.note.deforestationFree ? '1' : '0',
          salt: fieldToString(n.note.salt),
        }
      : {
          ownerKey: fieldToString(n.note.ownerKey),
          commodity: fieldToString(n.note.commodity),
          harvestYear: fieldToString(n.note.harvestYear),
          capacityGrams: fieldToString(n.note.capacityGrams),
          salt: fieldToString(n.note.salt),
        };
  const ordered = {
    format: WALLET_NOTE_FORMAT,
    kind: n.kind,
    commitment: fieldToString(n.commitment),
    note,
    ownerSecret: n.ownerSecret === null ? null : fieldToString(n.ownerSecret),
    status: n.status,
    leafIndex: n.leafIndex,
    registry: n.registry === null ? null : { origin: n.registry.origin, sequence: n.registry.sequence },
    spentBy: n.spentBy,
    pendingSpends: n.pendingSpends.map((c) => fieldToString(c)),
    bearerCopy: n.bearerCopy,
    memo: n.memo,
    createdAt: n.createdAt,
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}

/**
 * Parses a note file (module doc).
 * @param source - names the file in messages
 * @throws {CanopyError} WALLET_CONFLICT naming the member that is wrong (a wallet file that
 *   does not parse is a damaged wallet, never silently skipped)
 * @example parseNoteFile(readFileSync(path, 'utf8'), path)
 */
export function parseNoteFile(text: string, source: string): StoredNote {
  assertString(text, 'text');
  const bad = (why: string, cause?: unknown): never => {
    throw new CanopyError('WALLET_CONFLICT', `${source} is not a wallet note (${WALLET_NOTE_FORMAT}): ${why}`, cause === undefined ? undefined : { cause });
  };
  if (text.length > WALLET_NOTE_MAX_BYTES) bad(`over ${WALLET_NOTE_MAX_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    bad('not JSON', e);
  }
  try {
    const o = object(json, 'file', TOP_KEYS);
    if (o.format !== WALLET_NOTE_FORMAT) throw new RangeError(`"format" expected ${WALLET_NOTE_FORMAT}, got ${JSON.stringify(o.format)}`);
    const base = {
      commitment: parseField(o.commitment, 'commitment'),
      ownerSecret: o.ownerSecret === null ? null : parseField(o.ownerSecret, 'ownerSecret'),
      status: o.status as WalletNoteStatus,
      leafIndex: o.leafIndex as number | null,
      registry: o.registry === null ? null : (() => {
        const r = object(o.registry, 'registry', ['origin', 'sequence']);
        return { origin: r.origin as string, sequence: r.sequence as number };
      })(),
      spentBy: o.spentBy as number | null,
      pendingSpends: Array.isArray(o.pendingSpends) ? o.pendingSpends.map((c, i) => parseField(c, `pendingSpends[${i}]`)) : (o.pendingSpends as bigint[]),
      bearerCopy: o.bearerCopy as boolean,
      memo: o.memo as string,
      createdAt: o.createdAt as string,
    };
    let stored: StoredNote;
    if (o.kind === 'lot') {
      const n = object(o.note, 'note', LOT_KEYS);
      if (n.deforestationFree !== '0' && n.deforestationFree !== '1') throw new RangeError(`"note.deforestationFree" expected "0" or "1", got ${JSON.stringify(n.deforestationFree)}`);
      const note: LotNote = {
        ownerKey: parseField(n.ownerKey, 'note.ownerKey'),
        commodity: parseField(n.commodity, 'note.commodity'),
        quantityGrams: parseField(n.quantityGrams, 'note.quantityGrams'),
        emissionsGramsCo2e: parseField(n.emissionsGramsCo2e, 'note.emissionsGramsCo2e'),
        deforestationFree: n.deforestationFree === '1',
        salt: parseField(n.salt, 'note.salt'),
      };
      stored = { kind: 'lot', note, ...base };
    } else if (o.kind === 'capacity') {
      const n = object(o.note, 'note', CAPACITY_KEYS);
      const note: CapacityNote = {
        ownerKey: parseField(n.ownerKey, 'note.ownerKey'),
        commodity: parseField(n.commodity, 'note.commodity'),
        harvestYear: parseField(n.harvestYear, 'note.harvestYear'),
        capacityGrams: parseField(n.capacityGrams, 'note.capacityGrams'),
        salt: parseField(n.salt, 'note.salt'),
      };
      stored = { kind: 'capacity', note, ...base };
    } else {
      throw new RangeError(`"kind" expected "lot" or "capacity", got ${JSON.stringify(o.kind)}`);
    }
    assertStoredNote(stored, 'file');
    return stored;
  } catch (e) {
    if (e instanceof CanopyError) throw e;
    return bad((e as Error).message, e);
  }
}

/**
 * Checks a stored note: fields in range, the commitment recomputes, the secret opens the
 * owner key, and the status invariants of the module doc hold.
 * @throws {TypeError|RangeError} naming the first bad field
 * @example assertStoredNote(n, 'note')
 */
export function assertStoredNote(n: unknown, title: string): asserts n is StoredNote {
  if (typeof n !== 'object' || n === null) throw new TypeError(`"${title}" expected StoredNote object, got ${String(n)}`);
  const s = n as StoredNote;
  if (s.kind === 'lot') assertLotNote(s.note, `${title}.note`);
  else if (s.kind === 'capacity') assertCapacityNote(s.note, `${title}.note`);
  else throw new RangeError(`"${title}.kind" expected "lot" or "capacity", got ${JSON.stringify((s as { kind: unknown }).kind)}`);
  const want = commitmentOf(s);
  if (s.commitment !== want) throw new RangeError(`"${title}.commitment" expected ${want} (the note's commitment), got ${String(s.commitment)}`);
  if (s.ownerSecret !== null && ownerKey(s.ownerSecret) !== s.note.ownerKey) throw new RangeError(`"${title}.ownerSecret" does not open note.ownerKey ${s.note.ownerKey}`);
  if (!STATUSES.includes(s.status)) throw new RangeError(`"${title}.status" expected one of ${STATUSES.join(', ')}, got ${JSON.stringify(s.status)}`);
  const pending = s.status === 'pending';
  if (pending) {
    if (s.leafIndex !== null) throw new RangeError(`"${title}.leafIndex" expected null while pending, got ${String(s.leafIndex)}`);
    if (s.registry !== null) throw new RangeError(`"${title}.registry" expected null while pending`);
  } else {
    assertInteger(s.leafIndex, `${title}.leafIndex`, 0, 2 ** 32 - 1);
    if (typeof s.registry !== 'object' || s.registry === null) throw new TypeError(`"${title}.registry" expected { origin, sequence } once acknowledged, got ${String(s.registry)}`);
    assertString(s.registry.origin, `${title}.registry.origin`, 255);
    if (s.registry.origin.length === 0) throw new RangeError(`"${title}.registry.origin" expected a non-empty origin`);
    assertInteger(s.registry.sequence, `${title}.registry.sequence`, 0, 2 ** 51 - 1);
  }
  if (s.status === 'spent') assertInteger(s.spentBy, `${title}.spentBy`, 0, 2 ** 51 - 1);
  else if (s.spentBy !== null) throw new RangeError(`"${title}.spentBy" expected null unless spent, got ${String(s.spentBy)}`);
  if (!Array.isArray(s.pendingSpends)) throw new TypeError(`"${title}.pendingSpends" expected array`);
  if (!pending && s.pendingSpends.length > 0) throw new RangeError(`"${title}.pendingSpends" expected [] once acknowledged`);
  if (typeof s.bearerCopy !== 'boolean') throw new TypeError(`"${title}.bearerCopy" expected boolean, got ${String(s.bearerCopy)}`);
  assertString(s.memo, `${title}.memo`, MAX_MEMO);
  assertString(s.createdAt, `${title}.createdAt`, 40);
  if (Number.isNaN(Date.parse(s.createdAt))) throw new RangeError(`"${title}.createdAt" expected an ISO time, got ${JSON.stringify(s.createdAt)}`);
}

function object(value: unknown, title: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError(`"${title}" expected an object`);
  const got = Object.keys(value);
  const missing = keys.filter((k) => !got.includes(k));
  const extra = got.filter((k) => !keys.includes(k));
  if (missing.length || extra.length) throw new RangeError(`"${title}" members: ${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `unknown ${extra.join(', ')}` : ''}`);
  return value as Record<string, unknown>;
}
