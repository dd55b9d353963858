/**
 * gdal_rasterize as an oracle: burns GeoJSON features on a grid given in µ° and returns
 * the raster, so tests can compare it with core/geo/rasterise.ts pixel for pixel.
 *
 *     gdal_rasterize -a burn -init 0 -te W S E N -tr s s -ot Byte -of EHdr in.geojson out.bil
 *
 * Each feature carries its burn value (1..255) in the attribute `burn`; features must
 * not overlap, so every pixel's value names the one feature that covers it. The grid's
 * extent is passed as decimal degrees µ°/1e6, so GDAL's pixel coordinates are computed
 * from the same numbers the plot's canonical GeoJSON holds.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gridExtentMicro, type RasterGrid } from '../../core/geo/grid.ts';
import type { PlotGeometry } from '../../core/geo/geojson.ts';
import { plotGeometryJson } from '../../core/geo/plot-geometry.ts';

/** `gdal_rasterize --version` output, or null when GDAL is not installed. */
export function gdalVersion(): string | null {
  const r = spawnSync('gdal_rasterize', ['--version'], { encoding: 'utf8' });
  return r.error || r.status !== 0 ? null : r.stdout.trim();
}

const deg = (micro: number) => String(micro / 1e6);

/**
 * Burns `geometries[i]` with value i + 1 and returns the grid's raster, row-major.
 * @throws {Error} if gdal_rasterize fails or more than 255 geometries are given
 */
export function gdalRasterise(geometries: readonly PlotGeometry[], grid: RasterGrid): Uint8Array {
  if (geometries.length > 255) throw new Error('at most 255 geometries per burn');
  const dir = mkdtempSync(join(tmpdir(), 'canopy-gdal-'));
  try {
    const features = geometries.map((g, i) => {
      const f = plotGeometryJson(g) as { geometry: unknown };
      return { type: 'Feature', properties: { burn: i + 1 }, geometry: f.geometry };
    });
    writeFileSync(join(dir, 'in.geojson'), JSON.stringify({ type: 'FeatureCollection', features }));
    const { west, south, east, north } = gridExtentMicro(grid);
    const s = deg(grid.pixelSizeMicro);
    const r = spawnSync(
      'gdal_rasterize',
      ['-q', '-a', 'burn', '-init', '0', '-te', deg(west), deg(south), deg(east), deg(north), '-tr', s, s, '-ot', 'Byte', '-of', 'EHdr', join(dir, 'in.geojson'), join(dir, 'out.bil')],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`gdal_rasterize failed: ${r.stderr}`);
    const out = new Uint8Array(readFileSync(join(dir, 'out.bil')));
    if (out.length !== grid.width * grid.height) throw new Error(`gdal_rasterize wrote ${out.length} pixels, expected ${grid.width}×${grid.height}`);
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
