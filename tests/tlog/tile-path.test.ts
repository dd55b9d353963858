import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { newTiles, type Tile } from '../../core/tlog/tile.ts';
import { parseTilePath, tilePath } from '../../core/tlog/tile-path.ts';
import { expectInputError, HOSTILE_INPUTS } from '../hostile-inputs.ts';

const t = (level: number, index: number, width = 256): Tile => ({ height: 8, level, index, width });

describe('tilePath', () => {
  describe('when given the C2SP tlog-tiles examples', () => {
    it('encodes index 1234067 as x001/x234/067', () => {
      expect(tilePath(t(0, 1234067))).toBe('tile/0/x001/x234/067');
      expect(tilePath(t(0, 1234067, 8))).toBe('tile/0/x001/x234/067.p/8');
    });

    it('pads every group to three digits and writes partial widths', () => {
      const cases: [Tile, string][] = [
        [t(0, 0), 'tile/0/000'],
        [t(0, 1), 'tile/0/001'],
        [t(0, 1, 5), 'tile/0/001.p/5'],
        [t(0, 999), 'tile/0/999'],
        [t(0, 1000), 'tile/0/x001/000'],
        [t(1, 123456078, 255), 'tile/1/x123/x456/078.p/255'],
        [t(6, 0, 1), 'tile/6/000.p/1'],
        [t(-1, 3057500), 'tile/entries/x003/x057/500'],
        [t(-1, 0, 17), 'tile/entries/000.p/17'],
      ];
      for (const [tile, path] of cases) {
        expect(tilePath(tile), JSON.stringify(tile)).toBe(path);
        expect(parseTilePath(path), path).toEqual(tile);
      }
    });
  });

  describe('when the tile height is not 8', () => {
    it('rejects it: C2SP paths carry no height', () => {
      expectInputError(() => tilePath({ height: 2, level: 0, index: 0, width: 4 }), 'tile.height', 'range');
    });
  });

  describe('when given hostile input', () => {
    it.each(HOSTILE_INPUTS.map((h) => [h.name, h.value] as const))('rejects %s', (_n, v) => {
      expectInputError(() => tilePath(v as Tile), typeof v === 'object' && v !== null && !Array.isArray(v) ? 'tile.height' : 'tile');
    });
  });
});

describe('parseTilePath', () => {
  describe('when given the path of every tile of a 70,000-entry log', () => {
    it('returns the tile (round trip)', () => {
      for (const tile of newTiles(0, 70_000)) expect(parseTilePath(tilePath(tile))).toEqual(tile);
    });
  });

  describe('when the path is not exactly a C2SP tile path', () => {
    const bad = [
      '',
      'tile',
      'tile/0',
      'tile/0/',
      '/tile/0/001',
      'tile/0/001/',
      'tiles/0/001',
      'TILE/0/001',
      'tile/0/1',
      'tile/0/01',
      'tile/0/0001',
      'tile/0/x001',
      'tile/0/x000/001',
      'tile/0/X001/000',
      'tile/0/001/002',
      'tile/0/x001/x002',
      'tile/00/001',
      'tile/01/001',
      'tile/64/000.p/1',
      'tile/63/000.p/1', // level 63 exists only in a log beyond 2^51 entries
      'tile/7/000.p/1',
      'tile/-1/001',
      'tile/+1/001',
      'tile/data/001',
      'tile/3/5/123/456/078',
      'tile/0/001.p/0',
      'tile/0/001.p/05',
      'tile/0/001.p/256',
      'tile/0/001.p/1000',
      'tile/0/001.p/',
      'tile/0/001.p',
      'tile/0/001.p/5/6',
      'tile/0/001.q/5',
      'tile/0/ 001',
      'tile/0/001 ',
      'tile/0/00١',
      'tile/0/0x1',
      'tile/0/1e2',
      'tile/0/-01',
      'tile/entries/001.p/256',
      'tile/6/001', // beyond a 2^51-entry log
      'tile/0/x001/x000/x000/x000/x000/000', // 7 groups
      'tile/0/x999/x999/x999/x999/x999/999',
    ];
    it.each(bad)('rejects %j with TILE_PATH_MALFORMED', (path) => {
      let err: unknown;
      try {
        parseTilePath(path);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(CanopyError);
      expect((err as CanopyError).code).toBe('TILE_PATH_MALFORMED');
    });
  });

  describe('when given hostile input', () => {
    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value !== 'string').map((h) => [h.name, h.value] as const))('rejects %s', (_n, v) => {
      expectInputError(() => parseTilePath(v as string), 'path', 'type');
    });
    it('rejects paths over 128 characters before parsing', () => {
      expectInputError(() => parseTilePath(`tile/0/${'x000/'.repeat(30)}000`), 'path', 'range');
    });
  });
});
