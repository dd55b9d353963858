/**
 * Tile paths of C2SP tlog-tiles, relative to a log's URL prefix:
 *
 *     tile/<L>/<N>[.p/<W>]          Merkle tree tile: level L, index N, width W
 *     tile/entries/<N>[.p/<W>]      entry bundle for the entries of level-0 tile N
 *
 *     <L>  decimal 0..63, no leading zeros
 *     <N>  decimal in 3-digit groups, all but the last prefixed by "x":
 *          0 → 000, 67 → 067, 1234067 → x001/x234/067
 *     <W>  decimal 1..255, no leading zeros; present only for partial tiles
 *
 * Grouping keeps every directory under 3000 entries (x000..x999, 000..999, 000.p..999.p),
 * so tiles can be served from a plain file system. Paths assume the C2SP height 8; the
 * height is not part of the path.
 *
 * `parseTilePath` reads attacker-controlled request paths. It is strict: it rebuilds the
 * path from the parsed tile and requires an exact match, so each tile has exactly one
 * accepted path (no "x000/" prefixes, no "0012", no ".p/256", no "+1").
 * @module
 */
import { assertString, describe, rangeError } from '../assert.ts';
import { CanopyError } from '../errors.ts';
import { assertTile, type Tile, TILE_HEIGHT, TILE_WIDTH } from './tile.ts';

/** Longest path `parseTilePath` reads; a valid path is under 64 characters. */
export const TILE_PATH_MAX_LENGTH = 128;

/** Path element standing for tile level −1. */
const ENTRIES = 'entries';

/**
 * The C2SP path of a tile (level −1: its entry bundle).
 * @throws {TypeError|RangeError} if the tile is malformed or its height is not 8
 * @example tilePath({ height: 8, level: 4, index: 1234067, width: 1 }) // 'tile/4/x001/x234/067.p/1'
 */
export function tilePath(tile: Tile): string {
  assertTile(tile, 'tile', true);
  if (tile.height !== TILE_HEIGHT) rangeError('tile.height', `${TILE_HEIGHT} (C2SP tile paths)`, tile.height);
  let n = tile.index;
  let digits = pad3(n % 1000);
  while (n >= 1000) {
    n = Math.floor(n / 1000);
    digits = `x${pad3(n % 1000)}/${digits}`;
  }
  const level = tile.level === -1 ? ENTRIES : String(tile.level);
  const partial = tile.width === TILE_WIDTH ? '' : `.p/${tile.width}`;
  return `tile/${level}/${digits}${partial}`;
}

/**
 * Parses a C2SP tile path (attacker-controlled) into a tile of height 8.
 * @throws {TypeError} if `path` is not a string; {RangeError} if longer than 128 characters;
 *   {CanopyError} TILE_PATH_MALFORMED if it is not exactly the path of some tile
 * @example parseTilePath('tile/0/x001/x234/067.p/8') // { height: 8, level: 0, index: 1234067, width: 8 }
 */
export function parseTilePath(path: string): Tile {
  assertString(path, 'path', TILE_PATH_MAX_LENGTH);
  const bad = (): never => {
    throw new CanopyError('TILE_PATH_MALFORMED', `malformed tile path ${describe(path)}`);
  };
  const f = path.split('/');
  if (f.length < 3 || f[0] !== 'tile') bad();
  let level: number;
  if (f[1] === ENTRIES) level = -1;
  else if (/^(0|[1-9][0-9]?)$/.test(f[1]!)) level = Number(f[1]);
  else return bad();
  let width = TILE_WIDTH;
  let groups = f.slice(2);
  const dotP = groups[groups.length - 2];
  if (dotP !== undefined && dotP.endsWith('.p')) {
    const w = groups[groups.length - 1]!;
    if (!/^[1-9][0-9]{0,2}$/.test(w)) bad();
    width = Number(w);
    groups = [...groups.slice(0, -2), dotP.slice(0, -2)];
  }
  // At most 6 groups: indexes below 10^18 are then read exactly enough to be range-checked.
  if (groups.length > 6) bad();
  let index = 0;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    const digits = i < groups.length - 1 ? (g.startsWith('x') ? g.slice(1) : '') : g;
    if (!/^[0-9]{3}$/.test(digits)) bad();
    index = index * 1000 + Number(digits);
  }
  const tile: Tile = { height: TILE_HEIGHT, level, index, width };
  try {
    assertTile(tile, 'tile', true);
  } catch {
    bad();
  }
  // Canonical form only: the path must be exactly what tilePath writes for this tile.
  if (tilePath(tile) !== path) bad();
  return tile;
}

function pad3(n: number): string {
  return String(n).padStart(3, '0');
}
