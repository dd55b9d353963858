/**
 * Opening the two source layers of a dataset together (internal to `prover/dataset`):
 * each is validated by `openRasterSource`, then their grids must be identical, field by
 * field, or the pair is refused naming both files and the fields that differ.
 * @module
 */
import { CanopyError } from '../../core/errors.ts';
import type { RasterGrid } from '../../core/geo/grid.ts';
import type { BandSources } from './_bands.ts';
import { openRasterSource, type RasterSource } from './geotiff-source.ts';

const GRID_FIELDS = ['originLonMicro', 'originLatMicro', 'pixelSizeMicro', 'width', 'height'] as const;

/**
 * Fields in which two grids differ, as "field a ≠ b" strings (empty when equal).
 * @throws never (the grids were validated when their files were opened)
 * @example gridDifferences(a, { ...a, width: 10 }) // ['width 192 ≠ 10']
 */
export function gridDifferences(a: RasterGrid, b: RasterGrid): string[] {
  return GRID_FIELDS.filter((f) => a[f] !== b[f]).map((f) => `${f} ${a[f]} ≠ ${b[f]}`);
}

/**
 * Opens and validates both layers; closes both on failure.
 * @throws {CanopyError} INVALID_INPUT naming the file at fault, or both files when their grids differ
 * @example const sources = await openSources('lossyear.tif', 'treecover2000.tif');
 */
export async function openSources(lossYearPath: string, treeCoverPath: string): Promise<BandSources> {
  const lossYear = await openRasterSource(lossYearPath);
  let treeCover: RasterSource;
  try {
    treeCover = await openRasterSource(treeCoverPath);
  } catch (e) {
    await lossYear.close();
    throw e;
  }
  const diff = gridDifferences(lossYear.grid, treeCover.grid);
  if (diff.length > 0) {
    await Promise.all([lossYear.close(), treeCover.close()]);
    throw new CanopyError('INVALID_INPUT', `${lossYearPath} and ${treeCoverPath} are not on the same grid: ${diff.join(', ')}`);
  }
  return { lossYear, treeCover };
}

/**
 * Closes both layers.
 * @throws the file system's error if a handle cannot be closed
 * @example await closeSources(sources)
 */
export async function closeSources(sources: BandSources): Promise<void> {
  await Promise.all([sources.lossYear.close(), sources.treeCover.close()]);
}
