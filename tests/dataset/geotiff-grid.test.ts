import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { gridFromGeoreference, MICRO_DEGREE_TOLERANCE, type GeoTiffGeoreference } from '../../prover/dataset/geotiff-grid.ts';

// The tags of examples/data/hansen as stored (the pixel size carries float noise).
const HANSEN: GeoTiffGeoreference = {
  width: 192,
  height: 221,
  geoKeys: { GTModelTypeGeoKey: 2, GTRasterTypeGeoKey: 1, GeographicTypeGeoKey: 4326, GeogAngularUnitsGeoKey: 9102 },
  modelPixelScale: [0.0002500000000000095, 0.0002500000000000041, 0],
  modelTiepoint: [0, 0, 0, -71.73775, 18.687, 0],
};

function refusal(ref: GeoTiffGeoreference): string {
  try {
    gridFromGeoreference(ref, 'layer.tif');
  } catch (e) {
    expect(e).toBeInstanceOf(CanopyError);
    expect((e as CanopyError).code).toBe('INVALID_INPUT');
    expect((e as Error).message.startsWith('layer.tif: '), (e as Error).message).toBe(true);
    return (e as Error).message;
  }
  throw new Error('gridFromGeoreference accepted the georeference, want a refusal');
}

describe('gridFromGeoreference', () => {
  describe('when given the Hansen crop tags', () => {
    it('gives the integer grid: pixel 250 µ°, origin (-71737750, 18687000) µ°', () => {
      expect(gridFromGeoreference(HANSEN, 'a.tif')).toEqual({ originLonMicro: -71737750, originLatMicro: 18687000, pixelSizeMicro: 250, width: 192, height: 221 });
    });

    it('accepts a full 40000-pixel granule at 20N_080W, float noise and all', () => {
      const g = gridFromGeoreference({ ...HANSEN, width: 40000, height: 40000, modelTiepoint: [0, 0, 0, -80, 20, 0] }, 'g.tif');
      expect(g).toEqual({ originLonMicro: -80000000, originLatMicro: 20000000, pixelSizeMicro: 250, width: 40000, height: 40000 });
    });
  });

  describe('when the tie point is not at pixel (0, 0)', () => {
    it('moves the origin back to the upper-left corner', () => {
      const g = gridFromGeoreference({ ...HANSEN, modelTiepoint: [4, 2, 0, -71.73675, 18.6865, 0] }, 'a.tif');
      expect(g.originLonMicro).toBe(-71737750);
      expect(g.originLatMicro).toBe(18687000);
    });
  });

  describe('when georeferenced by a north-up ModelTransformation', () => {
    it('gives the same grid as pixel scale and tie point', () => {
      const t = [0.00025, 0, 0, -71.73775, 0, -0.00025, 0, 18.687, 0, 0, 0, 0, 0, 0, 0, 1];
      expect(gridFromGeoreference({ width: 192, height: 221, geoKeys: HANSEN.geoKeys, modelTransformation: t }, 'a.tif')).toEqual(gridFromGeoreference(HANSEN, 'a.tif'));
    });
  });

  describe('when the CRS is not EPSG:4326', () => {
    it('refuses a projected CRS, another datum, another unit, PixelIsPoint and a missing GeoKeyDirectory', () => {
      expect(refusal({ ...HANSEN, geoKeys: { GTModelTypeGeoKey: 1, ProjectedCSTypeGeoKey: 3857 } })).toMatch(/projected CRS EPSG:3857/);
      expect(refusal({ ...HANSEN, geoKeys: { GTModelTypeGeoKey: 2, GeographicTypeGeoKey: 4269 } })).toMatch(/geographic CRS 4269, want EPSG:4326/);
      expect(refusal({ ...HANSEN, geoKeys: { GTModelTypeGeoKey: 2, GeographicTypeGeoKey: 4326, GeogAngularUnitsGeoKey: 9105 } })).toMatch(/angular unit 9105/);
      expect(refusal({ ...HANSEN, geoKeys: { GTModelTypeGeoKey: 2, GeographicTypeGeoKey: 4326, GTRasterTypeGeoKey: 2 } })).toMatch(/PixelIsPoint/);
      expect(refusal({ ...HANSEN, geoKeys: null })).toMatch(/no GeoKeyDirectory/);
    });
  });

  describe('when the grid is rotated, irregular, non-square, south-up or missing', () => {
    it('refuses it naming the reason', () => {
      const rotated = [0.00025, 0.00001, 0, -71.73775, 0, -0.00025, 0, 18.687, 0, 0, 0, 0, 0, 0, 0, 1];
      expect(refusal({ width: 192, height: 221, geoKeys: HANSEN.geoKeys, modelTransformation: rotated })).toMatch(/rotated or sheared/);
      expect(refusal({ ...HANSEN, modelTiepoint: [0, 0, 0, -71.73775, 18.687, 0, 192, 221, 0, -71.68975, 18.63175, 0] })).toMatch(/2 tie points: an irregular grid/);
      expect(refusal({ ...HANSEN, modelPixelScale: [0.00025, 0.0005, 0] })).toMatch(/non-square pixels: 250 × 500 µ°/);
      const southUp = [0.00025, 0, 0, -71.73775, 0, 0.00025, 0, 18.687, 0, 0, 0, 0, 0, 0, 0, 1];
      expect(refusal({ width: 192, height: 221, geoKeys: HANSEN.geoKeys, modelTransformation: southUp })).toMatch(/north-up/);
      expect(refusal({ width: 192, height: 221, geoKeys: HANSEN.geoKeys })).toMatch(/not georeferenced/);
    });
  });

  describe('when a value is not on whole micro-degrees', () => {
    it('refuses an arc-second pixel (277.78 µ°) and a half-micro-degree origin', () => {
      expect(refusal({ ...HANSEN, modelPixelScale: [1 / 3600, 1 / 3600, 0] })).toMatch(/pixel width .* not a whole number of micro-degrees/);
      expect(refusal({ ...HANSEN, modelTiepoint: [0, 0, 0, -71.7377505, 18.687, 0] })).toMatch(/origin longitude/);
    });

    it('accepts an origin off by half the tolerance and refuses one off by twice the tolerance', () => {
      const off = (k: number) => ({ ...HANSEN, modelTiepoint: [0, 0, 0, -71.73775, 18.687 + (k * MICRO_DEGREE_TOLERANCE) / 1e6, 0] });
      expect(gridFromGeoreference(off(0.5), 'a.tif').originLatMicro).toBe(18687000);
      expect(refusal(off(2))).toMatch(/origin latitude/);
    });

    it('weighs the pixel-size error by the raster size: the drift across the raster must stay within the tolerance', () => {
      const size = 250 + 1e-7; // µ°: 4e-3 µ° of drift over 40000 pixels, 1.9e-5 over 192
      const ref = { ...HANSEN, modelPixelScale: [size / 1e6, size / 1e6, 0] };
      expect(gridFromGeoreference(ref, 'a.tif').pixelSizeMicro).toBe(250);
      expect(refusal({ ...ref, width: 40000, height: 40000, modelTiepoint: [0, 0, 0, -80, 20, 0] })).toMatch(/× 40000 pixels/);
    });
  });

  describe('when the extent leaves the globe', () => {
    it('refuses it', () => {
      expect(refusal({ ...HANSEN, modelTiepoint: [0, 0, 0, 179.99, 18.687, 0] })).toMatch(/grid outside what Canopy accepts/);
    });
  });
});
