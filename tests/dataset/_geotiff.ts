/**
 * Small GeoTIFFs written by the tests:
 * - `writeGeoTiff`: with the `geotiff` package's writer (uncompressed strips), its
 *   metadata overridable to make invalid files (other CRS, uint16, other grid, nodata);
 * - `writeTiffByHand`: a minimal little-endian TIFF 6.0 writer for the layouts the
 *   package cannot write: tiles and Deflate (zlib) compression, strips of several rows.
 * Both write Hansen-like georeferencing by default: EPSG:4326, PixelIsArea, pixel
 * 0.00025°, upper-left (-71.73775, 18.687), GDAL_NODATA "255".
 * @module
 */
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { writeArrayBuffer } from 'geotiff';

export const HANSEN_ORIGIN = { lon: -71.73775, lat: 18.687 };
export const HANSEN_PIXEL = 0.00025;

/** Options of `writeGeoTiff`. */
export interface GeoTiffOptions {
  readonly width: number;
  readonly height: number;
  readonly originLon?: number;
  readonly originLat?: number;
  readonly pixelSize?: number;
  /** Extra or replaced metadata (GeoKeys, tags) for the geotiff writer. */
  readonly metadata?: Record<string, unknown>;
}

/** Writes `pixels` (Uint8Array, or Uint16Array for a uint16 file) as a GeoTIFF. */
export function writeGeoTiff(path: string, pixels: Uint8Array | Uint16Array, o: GeoTiffOptions): void {
  const s = o.pixelSize ?? HANSEN_PIXEL;
  const metadata: Record<string, unknown> = {
    width: o.width,
    height: o.height,
    ModelPixelScale: [s, s, 0],
    ModelTiepoint: [0, 0, 0, o.originLon ?? HANSEN_ORIGIN.lon, o.originLat ?? HANSEN_ORIGIN.lat, 0],
    GTModelTypeGeoKey: 2,
    GTRasterTypeGeoKey: 1,
    GeographicTypeGeoKey: 4326,
    GDAL_NODATA: '255',
    BitsPerSample: [pixels instanceof Uint16Array ? 16 : 8],
    SampleFormat: [1],
    ...o.metadata,
  };
  writeFileSync(path, new Uint8Array(writeArrayBuffer(pixels, metadata as never)));
}

/** Options of `writeTiffByHand`. */
export interface HandTiffOptions {
  readonly width: number;
  readonly height: number;
  /** Tile edge (multiple of 16), or undefined for strips. */
  readonly tile?: number;
  /** Rows per strip when striped (default 1, as in full Hansen granules). */
  readonly rowsPerStrip?: number;
  readonly deflate: boolean;
}

const SHORT = 3;
const LONG = 4;
const ASCII = 2;
const DOUBLE = 12;

/** Writes a single-band uint8 GeoTIFF with tiles or strips, raw or Deflate-compressed. */
export function writeTiffByHand(path: string, pixels: Uint8Array, o: HandTiffOptions): void {
  const blocks: Uint8Array[] = [];
  const bw = o.tile ?? o.width;
  const bh = o.tile ?? o.rowsPerStrip ?? 1;
  for (let by = 0; by * bh < o.height; by++) {
    for (let bx = 0; bx * bw < o.width; bx++) {
      // Tiles are always full-size (padded with 0); the last strip holds only the rows left.
      const rows = o.tile ? bh : Math.min(bh, o.height - by * bh);
      const block = new Uint8Array(bw * rows);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < bw; c++) {
          const x = bx * bw + c;
          const y = by * bh + r;
          if (x < o.width && y < o.height) block[r * bw + c] = pixels[y * o.width + x]!;
        }
      }
      blocks.push(o.deflate ? new Uint8Array(deflateSync(block)) : block);
    }
  }
  const geoKeys = [1, 1, 0, 3, 1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, 4326];
  type Entry = { tag: number; type: number; values: number[] | string };
  const entries: Entry[] = [
    { tag: 256, type: LONG, values: [o.width] },
    { tag: 257, type: LONG, values: [o.height] },
    { tag: 258, type: SHORT, values: [8] },
    { tag: 259, type: SHORT, values: [o.deflate ? 8 : 1] },
    { tag: 262, type: SHORT, values: [1] },
    ...(o.tile ? [] : [{ tag: 273, type: LONG, values: blocks.map(() => 0) }]),
    { tag: 277, type: SHORT, values: [1] },
    ...(o.tile ? [] : [{ tag: 278, type: LONG, values: [bh] }, { tag: 279, type: LONG, values: blocks.map((b) => b.length) }]),
    { tag: 284, type: SHORT, values: [1] },
    ...(o.tile
      ? [
          { tag: 322, type: LONG, values: [bw] },
          { tag: 323, type: LONG, values: [bh] },
          { tag: 324, type: LONG, values: blocks.map(() => 0) },
          { tag: 325, type: LONG, values: blocks.map((b) => b.length) },
        ]
      : []),
    { tag: 339, type: SHORT, values: [1] },
    { tag: 33550, type: DOUBLE, values: [HANSEN_PIXEL, HANSEN_PIXEL, 0] },
    { tag: 33922, type: DOUBLE, values: [0, 0, 0, HANSEN_ORIGIN.lon, HANSEN_ORIGIN.lat, 0] },
    { tag: 34735, type: SHORT, values: geoKeys },
    { tag: 42113, type: ASCII, values: '255\0' },
  ];
  const size = (e: Entry) => (e.type === ASCII ? (e.values as string).length : (e.values as number[]).length * (e.type === SHORT ? 2 : e.type === LONG ? 4 : 8));
  const ifdOffset = 8;
  const ifdBytes = 2 + entries.length * 12 + 4;
  let extra = ifdOffset + ifdBytes;
  const outOfLine = new Map<Entry, number>();
  for (const e of entries) {
    if (size(e) > 4) {
      outOfLine.set(e, extra);
      extra += size(e) + (size(e) % 2);
    }
  }
  let dataOffset = extra;
  const offsets = blocks.map((b) => {
    const at = dataOffset;
    dataOffset += b.length;
    return at;
  });
  for (const e of entries) if (e.tag === 273 || e.tag === 324) e.values = offsets;
  const buf = new Uint8Array(dataOffset);
  const v = new DataView(buf.buffer);
  buf.set([0x49, 0x49], 0);
  v.setUint16(2, 42, true);
  v.setUint32(4, ifdOffset, true);
  v.setUint16(ifdOffset, entries.length, true);
  const writeValues = (e: Entry, at: number) => {
    if (e.type === ASCII) (e.values as string).split('').forEach((ch, i) => v.setUint8(at + i, ch.charCodeAt(0)));
    else
      (e.values as number[]).forEach((x, i) => {
        if (e.type === SHORT) v.setUint16(at + 2 * i, x, true);
        else if (e.type === LONG) v.setUint32(at + 4 * i, x, true);
        else v.setFloat64(at + 8 * i, x, true);
      });
  };
  entries.forEach((e, i) => {
    const at = ifdOffset + 2 + 12 * i;
    v.setUint16(at, e.tag, true);
    v.setUint16(at + 2, e.type, true);
    v.setUint32(at + 4, e.type === ASCII ? (e.values as string).length : (e.values as number[]).length, true);
    const ool = outOfLine.get(e);
    if (ool === undefined) writeValues(e, at + 8);
    else {
      v.setUint32(at + 8, ool, true);
      writeValues(e, ool);
    }
  });
  v.setUint32(ifdOffset + 2 + 12 * entries.length, 0, true);
  blocks.forEach((b, i) => buf.set(b, offsets[i]!));
  writeFileSync(path, buf);
}
