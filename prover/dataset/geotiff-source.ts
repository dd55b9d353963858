/**
 * One source layer of a dataset: a single-band uint8 GeoTIFF on a regular EPSG:4326 grid,
 * opened with the `geotiff` package (`fromFile`) and read by windows, so that a 40000 ×
 * 40000 granule (1.6 GB decoded) is never decoded at once: a window decodes only the
 * strips or tiles it touches. Striped and tiled layouts and every compression the package
 * decodes (none, LZW, Deflate, PackBits, with or without the horizontal predictor) read
 * alike. Striped files in those encodings (Hansen's layout) are read and decoded by
 * `_strip-reader.ts` instead, from a file handle of its own: the package's per-pixel window
 * copy and its LZW decoder took 40 % of a commit's CPU time (measured on 10000 × 10000
 * Hansen-like LZW files), the strip reader under 5 %. Tiled files, and any other layout,
 * go through the package's `readRasters`.
 *
 * Validation on open, each failure a CanopyError INVALID_INPUT naming the file:
 * one sample per pixel, 8 bits, unsigned integer (SampleFormat 1 or absent); GDAL_NODATA
 * absent or 255; the georeferencing rules of `geotiff-grid.ts` (EPSG:4326, north-up,
 * one tie point, whole micro-degrees). Only the first image (IFD 0) is read; overviews
 * in later IFDs are ignored.
 * @module
 */
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { fromFile, type GeoTIFF, type GeoTIFFImage } from 'geotiff';
import { assertInteger } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import type { RasterGrid } from '../../core/geo/grid.ts';
import { LAYER_NODATA } from '../../core/raster/layer-rule.ts';
import { gridFromGeoreference } from './geotiff-grid.ts';
import { canReadStrips, StripReader, type StripLayout } from './_strip-reader.ts';

/** Compression codes (TIFF 6.0 §3, Adobe Deflate 8 and the old Deflate 32946). */
const COMPRESSION_NAMES: Readonly<Record<number, string>> = { 1: 'none', 5: 'LZW', 7: 'JPEG', 8: 'Deflate', 32773: 'PackBits', 32946: 'Deflate', 50000: 'Zstandard' };

/** How the pixels are laid out in the file, for reports. */
export interface RasterLayout {
  readonly compression: string;
  readonly tiled: boolean;
  /** Strip or tile width in pixels (the image width for strips). */
  readonly blockWidth: number;
  /** Rows per strip, or tile height. */
  readonly blockHeight: number;
  /** Who decodes the pixels: this package's strip reader, or the `geotiff` package (tiles, other encodings). */
  readonly reader: 'strips' | 'geotiff';
}

/** An open source layer. Close it with `close()`. */
export interface RasterSource {
  /** The path it was opened from. */
  readonly path: string;
  /** Its integer grid. */
  readonly grid: RasterGrid;
  readonly layout: RasterLayout;
  /** GDAL_NODATA if the file declares it (then always 255). */
  readonly nodata: number | null;
  /**
   * Reads the pixel window [col0, col0 + width) × [row0, row0 + height), which must lie
   * inside the raster, row-major.
   * @throws {RangeError} if the window leaves the raster
   */
  read(col0: number, row0: number, width: number, height: number): Promise<Uint8Array>;
  /** Releases the file handle. */
  close(): Promise<void>;
}

/**
 * Opens and validates a source layer.
 * @param path - a GeoTIFF file
 * @throws {CanopyError} INVALID_INPUT naming the file when it is not a single-band uint8
 *   GeoTIFF on an EPSG:4326 micro-degree grid with nodata 255 (or none); the file system's
 *   error (ENOENT …) when it cannot be read
 * @example const src = await openRasterSource('lossyear.tif'); const row = await src.read(0, 0, src.grid.width, 1); await src.close();
 */
export async function openRasterSource(path: string): Promise<RasterSource> {
  let tiff: GeoTIFF;
  try {
    tiff = await fromFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== undefined) throw e;
    throw new CanopyError('INVALID_INPUT', `${path}: not a readable TIFF file (${(e as Error).message})`, { cause: e });
  }
  try {
    const image = await tiff.getImage(0);
    return await describeSource(path, tiff, image);
  } catch (e) {
    await tiff.close();
    if (e instanceof CanopyError) throw e;
    throw new CanopyError('INVALID_INPUT', `${path}: not a readable GeoTIFF (${(e as Error).message})`, { cause: e });
  }
}

async function describeSource(path: string, tiff: GeoTIFF, image: GeoTIFFImage): Promise<RasterSource> {
  const fail = (why: string): never => {
    throw new CanopyError('INVALID_INPUT', `${path}: ${why}`);
  };
  const dir = image.fileDirectory;
  const samples = image.getSamplesPerPixel();
  if (samples !== 1) fail(`${samples} bands, want a single band`);
  const bits = image.getBitsPerSample(0);
  const format = dir.hasTag('SampleFormat') ? (await dir.loadValue('SampleFormat'))?.[0] : 1;
  if (bits !== 8 || format !== 1) fail(`sample type ${sampleTypeName(bits, format)}, want uint8`);
  const nodata = await readNodata(image, fail);
  if (nodata !== null && nodata !== LAYER_NODATA) fail(`GDAL_NODATA is ${nodata}, want ${LAYER_NODATA} (the Hansen nodata value) or none`);
  const grid = gridFromGeoreference(
    {
      width: image.getWidth(),
      height: image.getHeight(),
      geoKeys: image.getGeoKeys(),
      modelPixelScale: await numbers(image, 'ModelPixelScale'),
      modelTiepoint: await numbers(image, 'ModelTiepoint'),
      modelTransformation: await numbers(image, 'ModelTransformation'),
    },
    path,
  );
  const compression = Number(dir.getValue('Compression') ?? 1);
  const strips = image.isTiled ? null : await stripLayout(image, compression);
  const handle: FileHandle | null = strips !== null && canReadStrips(strips) ? await open(path, 'r') : null;
  const reader = handle === null ? null : new StripReader(handle, strips!);
  const layout: RasterLayout = {
    compression: COMPRESSION_NAMES[compression] ?? `code ${compression}`,
    tiled: image.isTiled,
    blockWidth: image.getTileWidth(),
    blockHeight: image.getTileHeight(),
    reader: reader === null ? 'geotiff' : 'strips',
  };
  return {
    path,
    grid,
    layout,
    nodata,
    async read(col0, row0, width, height) {
      assertInteger(col0, 'col0', 0, grid.width - 1);
      assertInteger(row0, 'row0', 0, grid.height - 1);
      assertInteger(width, 'width', 1, grid.width - col0);
      assertInteger(height, 'height', 1, grid.height - row0);
      let data: unknown;
      try {
        data = reader !== null ? await reader.read(col0, row0, width, height) : await image.readRasters({ window: [col0, row0, col0 + width, row0 + height], samples: [0], interleave: true });
      } catch (e) {
        throw new CanopyError('INVALID_INPUT', `${basename(path)}: cannot decode rows ${row0}..${row0 + height - 1} (${(e as Error).message})`, { cause: e });
      }
      if (!(data instanceof Uint8Array) || data.length !== width * height) {
        throw new CanopyError('INVALID_INPUT', `${basename(path)}: decoding rows ${row0}..${row0 + height - 1} gave ${describeData(data)}, want ${width * height} bytes`);
      }
      return data;
    },
    async close() {
      await Promise.all([tiff.close(), handle?.close()]);
    },
  };
}

// The strips of a striped file, or null when bit order (FillOrder 2) rules out direct reads.
async function stripLayout(image: GeoTIFFImage, compression: number): Promise<StripLayout | null> {
  const dir = image.fileDirectory;
  const scalar = async (tag: 'FillOrder' | 'Predictor') => (dir.hasTag(tag) ? Number(await dir.loadValue(tag)) : 1);
  if ((await scalar('FillOrder')) !== 1) return null;
  const list = async (tag: 'StripOffsets' | 'StripByteCounts') => (dir.hasTag(tag) ? Array.from((await dir.loadValue(tag)) as ArrayLike<number | bigint>, Number) : []);
  return {
    width: image.getWidth(),
    height: image.getHeight(),
    rowsPerStrip: image.getTileHeight(),
    compression,
    predictor: await scalar('Predictor'),
    offsets: await list('StripOffsets'),
    byteCounts: await list('StripByteCounts'),
  };
}

async function numbers(image: GeoTIFFImage, tag: 'ModelPixelScale' | 'ModelTiepoint' | 'ModelTransformation'): Promise<number[] | undefined> {
  if (!image.fileDirectory.hasTag(tag)) return undefined;
  const v = (await image.fileDirectory.loadValue(tag)) as ArrayLike<number> | undefined;
  return v === undefined ? undefined : Array.from(v, Number);
}

// GDAL_NODATA is ASCII, usually NUL-terminated; "255", " 255 " and "255.0" all mean 255.
async function readNodata(image: GeoTIFFImage, fail: (why: string) => never): Promise<number | null> {
  const dir = image.fileDirectory;
  if (!dir.hasTag('GDAL_NODATA')) return null;
  const raw = String(await dir.loadValue('GDAL_NODATA')).replace(/\0+$/, '').trim();
  const value = Number(raw);
  if (raw === '' || !Number.isFinite(value)) fail(`GDAL_NODATA ${JSON.stringify(raw)} is not a number`);
  return value;
}

function sampleTypeName(bits: number, format: unknown): string {
  const kind = format === 1 ? 'uint' : format === 2 ? 'int' : format === 3 ? 'float' : `format ${String(format)} `;
  return `${kind}${bits}`;
}

function describeData(data: unknown): string {
  if (ArrayBuffer.isView(data)) return `${data.constructor.name}(${(data as unknown as ArrayLike<number>).length})`;
  return typeof data;
}
