/**
 * Entry bundles of C2SP tlog-tiles ("Log entries"): the entries of one level-0 tile, served
 * at `tile/entries/<N>[.p/<W>]` beside `tile/0/<N>[.p/<W>]`.
 *
 *     bundle = entry_0 ‖ entry_1 ‖ … ‖ entry_{W−1}
 *     entry  = uint16 big-endian length ‖ the entry's bytes          (length ≤ 65 535)
 *
 * Entry i of bundle N is log record N·256 + i; it hashes (RFC 6962 §2.1, SHA-256(0x00 ‖
 * bytes)) to hash i of the level-0 tile N, which is how a client authenticates it. A full
 * bundle holds 256 entries, a partial one 1..255 (the width of the matching partial tile).
 *
 * The uint16 prefix bounds an entry at 65 535 bytes, and so does the registry
 * (MAX_ENTRY_BYTES, registry/log/entry.ts, is this bound; a test holds them equal), so
 * every entry of a log it wrote has a bundle encoding. An entry above the bound (a store
 * altered by hand) has none: `encodeEntryBundle` refuses it with a RangeError naming its
 * position rather than write a bundle other clients would misread.
 *
 * `decodeEntryBundle` reads attacker-controlled bytes (a mirror's): it requires exactly
 * `width` entries and no trailing byte, so each bundle has one accepted reading.
 * @module
 */
import { assertArray, assertBytes, assertInteger, rangeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { TILE_WIDTH } from '../../core/tlog/tile.ts';

/** C2SP tlog-tiles: the length prefix is a big-endian uint16, so an entry holds at most 65 535 bytes. */
export const ENTRY_BUNDLE_MAX_ENTRY_BYTES = 0xffff;

/** Bytes of the length prefix of each entry. */
export const ENTRY_LENGTH_PREFIX_BYTES = 2;

/**
 * The bundle of `entries` (1..256 of them, in log order).
 * @throws {TypeError} if `entries` is not an array of Uint8Array; {RangeError} if it holds
 *   no entry or more than 256, or an entry is longer than 65 535 bytes
 * @example encodeEntryBundle([new TextEncoder().encode('{"a":1}')]) // 00 07 7b 22 61 22 3a 31 7d
 */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  assertArray(entries, 'entries', 1, TILE_WIDTH);
  let total = 0;
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i];
    assertBytes(e, `entries[${i}]`);
    if (e.length > ENTRY_BUNDLE_MAX_ENTRY_BYTES) rangeError(`entries[${i}]`, `an entry of at most ${ENTRY_BUNDLE_MAX_ENTRY_BYTES} bytes (C2SP entry bundles use a uint16 length)`, `${e.length} bytes`);
    total += ENTRY_LENGTH_PREFIX_BYTES + e.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const e of entries) {
    out[at] = e.length >>> 8;
    out[at + 1] = e.length & 0xff;
    out.set(e, at + ENTRY_LENGTH_PREFIX_BYTES);
    at += ENTRY_LENGTH_PREFIX_BYTES + e.length;
  }
  return out;
}

/**
 * The entries of a bundle (attacker-controlled bytes) that must hold exactly `width` of them.
 * Returns copies.
 * @param name - what to call the bundle in errors, e.g. its path
 * @throws {TypeError|RangeError} if `data` is not a Uint8Array or `width` is not in [1, 256];
 *   {CanopyError} PROOF_INVALID if the bundle is truncated, holds fewer or more entries, or
 *   has trailing bytes
 * @example decodeEntryBundle(bytes, 256, 'tile/entries/000')[17]
 */
export function decodeEntryBundle(data: Uint8Array, width: number, name = 'entry bundle'): Uint8Array[] {
  assertBytes(data, 'data');
  assertInteger(width, 'width', 1, TILE_WIDTH);
  const entries: Uint8Array[] = [];
  let at = 0;
  while (at < data.length) {
    if (entries.length === width) throw new CanopyError('PROOF_INVALID', `${name} has ${data.length - at} bytes after its ${width} entries`);
    if (data.length - at < ENTRY_LENGTH_PREFIX_BYTES) throw new CanopyError('PROOF_INVALID', `${name} ends inside the length of entry ${entries.length}`);
    const length = (data[at]! << 8) | data[at + 1]!;
    at += ENTRY_LENGTH_PREFIX_BYTES;
    if (data.length - at < length) throw new CanopyError('PROOF_INVALID', `${name} ends inside entry ${entries.length} (${length} bytes announced, ${data.length - at} left)`);
    entries.push(data.slice(at, at + length));
    at += length;
  }
  if (entries.length !== width) throw new CanopyError('PROOF_INVALID', `${name} holds ${entries.length} entries, want ${width}`);
  return entries;
}
