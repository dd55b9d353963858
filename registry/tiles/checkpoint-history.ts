/**
 * The history of a registry's signed checkpoints as static files, beside the C2SP tiles.
 * C2SP tlog-tiles serves only the latest checkpoint, but a Canopy auditor needs every
 * checkpoint the registry signed: a proof may only use a lots or plots root that some
 * earlier checkpoint published (docs/registry.md), which only the signed notes prove. The
 * registry serves the history at `GET /v1/checkpoints`; a mirror serves it here:
 *
 *     canopy/checkpoints/<N>      the checkpoints of sizes in [256·N, 256·(N+1)), complete
 *     canopy/checkpoints/<N>.p    the same range while the log is still in it (replaced as
 *                                 checkpoints are signed; deleted once <N> exists)
 *
 *     <N>  grouped like tile indexes (core/tlog/tile-path.ts): 0 → 000, 1234067 → x001/x234/067
 *
 * Each file is JSON, `{ "checkpoints": [ … ] }`, oldest first, each record the
 * `SignedCheckpoint` of `GET /v1/checkpoints` (the note, and unsigned conveniences: leaf
 * counts, signing time). A range is complete once the log has a checkpoint of size ≥
 * 256·(N+1): checkpoints are only ever signed with increasing sizes, so none can join it
 * later. Every range up to the latest checkpoint's has a file, empty ranges included, so
 * a missing file is a mirror's fault, not an empty range.
 *
 * Readers trust nothing here but the notes' signatures: `decodeHistory` checks shapes and
 * that the sizes lie in the range and increase; each note is opened by the reader under
 * its policy, and an auditor compares every signed value with the record.
 * @module
 */
import { assertArray, assertInteger, assertString, typeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { fieldToString } from '../../core/field.ts';
import { TILE_HEIGHT, TILE_WIDTH } from '../../core/tlog/tile.ts';
import { tilePath } from '../../core/tlog/tile-path.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';
import type { SignedCheckpoint } from '../log/checkpoint.ts';
import type { CheckpointRecord } from '../store/store.ts';

/** Log sizes covered by one history file. */
export const HISTORY_RANGE = TILE_WIDTH;

/** Path prefix of the history files. */
export const HISTORY_PREFIX = 'canopy/checkpoints/';

/** Largest history file read: 256 notes of up to 64 KiB each is far beyond any real one. */
export const MAX_HISTORY_FILE_BYTES = 16 * 1024 * 1024;

/** What reading the history needs of a store. `RegistryStore` is one. */
export interface HistorySource {
  readCheckpoints(fromSize: number, limit: number): Promise<CheckpointRecord[]>;
}

/**
 * The path of history range `n`: complete (`canopy/checkpoints/<N>`) or current (`… .p`).
 * @throws {TypeError|RangeError} if n is not an index of a range within 2^51 entries
 * @example historyPath(1234067, true) // 'canopy/checkpoints/x001/x234/067'
 */
export function historyPath(n: number, complete: boolean): string {
  assertInteger(n, 'n', 0, TLOG_MAX_SIZE / HISTORY_RANGE - 1);
  // The grouping of a full entry bundle's index, under another prefix.
  const grouped = tilePath({ height: TILE_HEIGHT, level: -1, index: n, width: TILE_WIDTH }).slice('tile/entries/'.length);
  return `${HISTORY_PREFIX}${grouped}${complete ? '' : '.p'}`;
}

/**
 * Parses a history path (attacker-controlled), strictly: it must be exactly what
 * `historyPath` writes.
 * @returns the range and whether the path names its complete file, or null if it is not a history path
 * @example parseHistoryPath('canopy/checkpoints/000.p') // { n: 0, complete: false }
 */
export function parseHistoryPath(path: unknown): { n: number; complete: boolean } | null {
  if (typeof path !== 'string' || path.length > 128 || !path.startsWith(HISTORY_PREFIX)) return null;
  const rest = path.slice(HISTORY_PREFIX.length);
  const complete = !rest.endsWith('.p');
  const groups = (complete ? rest : rest.slice(0, -2)).split('/');
  if (groups.length > 6) return null;
  let n = 0;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    const digits = i < groups.length - 1 ? (g.startsWith('x') ? g.slice(1) : '') : g;
    if (!/^[0-9]{3}$/.test(digits)) return null;
    n = n * 1000 + Number(digits);
  }
  if (n > TLOG_MAX_SIZE / HISTORY_RANGE - 1 || historyPath(n, complete) !== path) return null;
  return { n, complete };
}

/**
 * The JSON form of a store's checkpoint record, as `GET /v1/checkpoints` serves it.
 * @throws {TypeError|RangeError} if the record is malformed
 * @example signedCheckpoint(await store.latestCheckpoint())
 */
export function signedCheckpoint(c: CheckpointRecord): SignedCheckpoint {
  if (typeof c !== 'object' || c === null) typeError('checkpoint', 'CheckpointRecord', c);
  return {
    note: c.note,
    size: c.size,
    rootHash: Buffer.from(c.rootHash).toString('base64'),
    lotsSize: c.lotsSize,
    plotsSize: c.plotsSize,
    lotsRoot: fieldToString(c.lotsRoot),
    plotsRoot: fieldToString(c.plotsRoot),
    signedAt: c.signedAt,
  };
}

/**
 * The checkpoints of history range `n` among those with size ≤ `upToSize`, read from the store.
 * @throws {TypeError|RangeError} for bad arguments; store errors
 * @example await readHistoryRange(store, 0, latest.size)
 */
export async function readHistoryRange(source: HistorySource, n: number, upToSize: number): Promise<SignedCheckpoint[]> {
  assertInteger(n, 'n', 0, TLOG_MAX_SIZE / HISTORY_RANGE - 1);
  assertInteger(upToSize, 'upToSize', 0, TLOG_MAX_SIZE);
  const lo = n * HISTORY_RANGE;
  const hi = Math.min(lo + HISTORY_RANGE - 1, upToSize);
  const out: SignedCheckpoint[] = [];
  for (let from = lo; from <= hi; ) {
    const page = await source.readCheckpoints(from, HISTORY_RANGE);
    const inRange = page.filter((c) => c.size <= hi);
    out.push(...inRange.map(signedCheckpoint));
    if (inRange.length < page.length || page.length < HISTORY_RANGE) break;
    from = page[page.length - 1]!.size + 1;
  }
  return out;
}

/**
 * The bytes of a history file.
 * @throws {TypeError} if a record is not an object
 * @example encodeHistory(await readHistoryRange(store, 0, size))
 */
export function encodeHistory(checkpoints: readonly SignedCheckpoint[]): Uint8Array {
  assertArray(checkpoints, 'checkpoints', 0, HISTORY_RANGE);
  return new TextEncoder().encode(`${JSON.stringify({ checkpoints })}\n`);
}

/**
 * Reads a history file of range `n` (attacker-controlled bytes): shapes only, sizes within
 * the range and strictly increasing. Notes are not opened here.
 * @param name - what to call the file in errors, e.g. its path and location
 * @throws {CanopyError} PROOF_INVALID if the file is not a well-formed history of range n
 * @example decodeHistory(bytes, 0, 'canopy/checkpoints/000 from https://m.example')
 */
export function decodeHistory(bytes: Uint8Array, n: number, name: string): SignedCheckpoint[] {
  const bad = (why: string): never => {
    throw new CanopyError('PROOF_INVALID', `${name} is not a checkpoint history: ${why}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return bad('not UTF-8 JSON');
  }
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { checkpoints?: unknown }).checkpoints)) return bad('no "checkpoints" array');
  const list = (json as { checkpoints: unknown[] }).checkpoints;
  if (list.length > HISTORY_RANGE) bad(`${list.length} records`);
  let previous = n * HISTORY_RANGE - 1;
  return list.map((r, i) => {
    try {
      if (typeof r !== 'object' || r === null) typeError(`checkpoints[${i}]`, 'object', r);
      const c = r as Record<string, unknown>;
      assertString(c.note, `checkpoints[${i}].note`, 1 << 20);
      assertInteger(c.size, `checkpoints[${i}].size`, previous + 1, n * HISTORY_RANGE + HISTORY_RANGE - 1);
      assertString(c.rootHash, `checkpoints[${i}].rootHash`, 44);
      assertInteger(c.lotsSize, `checkpoints[${i}].lotsSize`, 0, 2 ** 32);
      assertInteger(c.plotsSize, `checkpoints[${i}].plotsSize`, 0, 2 ** 32);
      assertString(c.lotsRoot, `checkpoints[${i}].lotsRoot`, 80);
      assertString(c.plotsRoot, `checkpoints[${i}].plotsRoot`, 80);
      assertInteger(c.signedAt, `checkpoints[${i}].signedAt`);
      previous = c.size as number;
      return { note: c.note, size: c.size, rootHash: c.rootHash, lotsSize: c.lotsSize, plotsSize: c.plotsSize, lotsRoot: c.lotsRoot, plotsRoot: c.plotsRoot, signedAt: c.signedAt } as SignedCheckpoint;
    } catch (e) {
      return bad((e as Error).message);
    }
  });
}
