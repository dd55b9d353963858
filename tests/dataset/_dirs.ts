/**
 * Temporary folders and source pairs for the dataset tests.
 * @module
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { writeGeoTiff, type GeoTiffOptions } from './_geotiff.ts';
import { syntheticHansen } from './_reference.ts';

/** The real crop shipped in examples/data/hansen (CC BY 4.0, see its README). */
export const CROP = {
  lossYear: join(import.meta.dirname, '../../examples/data/hansen/Hansen_GFC-2023-v1.11_lossyear_20N_080W.tif'),
  treeCover: join(import.meta.dirname, '../../examples/data/hansen/Hansen_GFC-2023-v1.11_treecover2000_20N_080W.tif'),
  width: 192,
  height: 221,
};

/** A fresh temporary folder. */
export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `canopy-dataset-${label}-`));
}

/** A synthetic Hansen pair written with the geotiff writer into DIR/src/. */
export interface SourcePair {
  readonly lossYear: string;
  readonly treeCover: string;
  readonly lossYearPixels: Uint8Array;
  readonly treeCoverPixels: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export function writePair(dir: string, width: number, height: number, seed: number, options: Partial<GeoTiffOptions> = {}): SourcePair {
  const src = join(dir, 'src');
  mkdirSync(src, { recursive: true });
  const { lossYear, treeCover } = syntheticHansen(width, height, seed);
  const pair = { lossYear: join(src, `lossyear-${seed}.tif`), treeCover: join(src, `treecover-${seed}.tif`) };
  writeGeoTiff(pair.lossYear, lossYear, { width, height, ...options });
  writeGeoTiff(pair.treeCover, treeCover, { width, height, ...options });
  return { ...pair, lossYearPixels: lossYear, treeCoverPixels: treeCover, width, height };
}

/** The whole first band of a GeoTIFF, read directly with the geotiff package. */
export async function readWhole(path: string): Promise<Uint8Array> {
  const tiff = await fromFile(path);
  try {
    const image = await tiff.getImage();
    // A plain copy: readRasters adds width and height properties to the array it returns.
    return Uint8Array.from((await image.readRasters({ samples: [0], interleave: true })) as unknown as Uint8Array);
  } finally {
    await tiff.close();
  }
}
