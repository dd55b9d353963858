/**
 * The LZW GeoTIFF writer of the benchmarks (tests/bench/_lzw-tiff-writer.ts): its strips
 * must be read back exactly by three independent decoders — the `geotiff` package, GDAL
 * (`gdal_translate`, `gdalinfo -checksum`, skipped when gdal-bin is not installed) and a
 * small decoder written here from TIFF 6.0 §13, which also exposes the code stream (code
 * widths, Clear codes) — and, for strips under libtiff's 10000-byte ratio check, be
 * byte-identical to what GDAL's libtiff writes for the same rows.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LZW_CLEAR, LZW_EOI, LzwEncoder, lzwEncode, LzwGeoTiffWriter, type LzwGeoTiffOptions } from '../bench/_lzw-tiff-writer.ts';
import { openRasterSource } from '../../prover/dataset/geotiff-source.ts';
import { tempDir } from './_dirs.ts';
import { randomBytes } from './_reference.ts';

function hasGdal(): boolean {
  try {
    execFileSync('gdal_translate', ['--version'], { stdio: 'ignore' });
    execFileSync('gdalinfo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const GDAL = hasGdal();

/** A code of the stream and the width it was read with. */
interface Code {
  readonly code: number;
  readonly width: number;
}

/**
 * TIFF 6.0 §13 decoder: MSB-first codes, Clear 256, EOI 257, widths 9..12 widening when
 * the decoder's next free code + 1 reaches 2^width (the early change). Throws on any code
 * the table cannot hold, so an encoder that forgets a Clear fails here. A string is kept
 * as (prefix code, last byte, length) and spelled backwards into the output.
 */
function referenceDecode(data: Uint8Array): { bytes: Uint8Array; codes: Code[] } {
  const codes: Code[] = [];
  const prefix = new Int32Array(4096);
  const last = new Uint8Array(4096);
  const length = new Int32Array(4096);
  for (let i = 0; i < 256; i++) [prefix[i], last[i], length[i]] = [-1, i, 1];
  let out = new Uint8Array(1024);
  let size = 0;
  let free = 258;
  let width = 9;
  let bit = 0;
  const next = (): number => {
    if (bit + width > 8 * data.length) throw new Error(`ran past the data at bit ${bit}`);
    let code = 0;
    for (let i = 0; i < width; i++, bit++) code = (code << 1) | ((data[bit >> 3]! >> (7 - (bit & 7))) & 1);
    codes.push({ code, width });
    return code;
  };
  const spell = (code: number): number => {
    if (size + length[code]! + 1 > out.length) {
      const bigger = new Uint8Array(2 * (size + length[code]! + 1));
      bigger.set(out.subarray(0, size));
      out = bigger;
    }
    for (let c = code, at = size + length[code]! - 1; c >= 0; c = prefix[c]!, at--) out[at] = last[c]!;
    size += length[code]!;
    return out[size - length[code]!]!;
  };
  let previous = -1;
  for (;;) {
    const code = next();
    if (code === LZW_EOI) break;
    if (code === LZW_CLEAR) {
      [free, width, previous] = [258, 9, -1];
      continue;
    }
    if (code > free || (code === free && previous < 0)) throw new Error(`code ${code} with ${free} table entries`);
    if (code < free) {
      const first = spell(code);
      if (previous >= 0) [prefix[free], last[free], length[free]] = [previous, first, length[previous]! + 1];
    } else {
      // The code being defined: the previous string and its own first byte.
      const first = out[size - length[previous]!]!;
      [prefix[free], last[free], length[free]] = [previous, first, length[previous]! + 1];
      spell(code);
    }
    if (previous >= 0) free++;
    if (free > 4094) throw new Error(`table of ${free} entries: a Clear is missing`);
    previous = code;
    if (free + 1 >= 1 << width && width < 12) width++;
  }
  if (bit + 8 <= 8 * data.length) throw new Error(`${data.length - Math.ceil(bit / 8)} bytes after EOI`);
  return { bytes: out.slice(0, size), codes };
}

/** GDAL's checksum (gdalinfo -checksum): Σ pixel mod primes[i mod 11], 16 bits, across rows. */
function gdalChecksum(rows: readonly Uint8Array[]): number {
  const primes = [7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43];
  let sum = 0;
  let p = 0;
  for (const row of rows) {
    for (const v of row) {
      sum = (sum + (v % primes[p]!)) & 0xffff;
      if (++p > 10) p = 0;
    }
  }
  return sum;
}

const GRANULE: Omit<LzwGeoTiffOptions, 'width' | 'height'> = { originLon: -80, originLat: 20, pixelScale: [0.0002500000000000095, 0.0002500000000000041] };

/** Rows that exercise the encoder: runs, gradients, few symbols, incompressible, mixed. */
function testRows(width: number): Uint8Array[] {
  const random = randomBytes(width, 5);
  return [
    new Uint8Array(width),
    new Uint8Array(width).fill(255),
    random,
    Uint8Array.from({ length: width }, (_, i) => (i >> 5) & 0xff),
    Uint8Array.from(randomBytes(width, 6), (v) => v % 3),
    Uint8Array.from({ length: width }, (_, i) => (i < width / 2 ? random[i]! : 7)),
    Uint8Array.from({ length: width }, (_, i) => (i * 31) & 0xff),
    Uint8Array.from(randomBytes(width, 7), (v, i) => (i % 400 < 300 ? 0 : v)),
  ];
}

function writeFile(path: string, rows: readonly Uint8Array[], options: Partial<LzwGeoTiffOptions> = {}): void {
  const w = LzwGeoTiffWriter.create(path, { width: rows[0]!.length, height: rows.length, ...GRANULE, ...options });
  for (const row of rows) w.writeRow(row);
  w.close();
}

async function readWithGeotiff(path: string): Promise<Uint8Array> {
  const tiff = await fromFile(path);
  try {
    const image = await tiff.getImage();
    return Uint8Array.from((await image.readRasters({ samples: [0], interleave: true })) as unknown as Uint8Array);
  } finally {
    await tiff.close();
  }
}

/** Strip i of a striped TIFF, as stored. */
async function stripBytes(path: string): Promise<Uint8Array[]> {
  const tiff = await fromFile(path);
  try {
    const dir = (await tiff.getImage()).fileDirectory;
    const offsets = (await dir.loadValue('StripOffsets')) as ArrayLike<number>;
    const counts = (await dir.loadValue('StripByteCounts')) as ArrayLike<number>;
    const file = readFileSync(path);
    return Array.from({ length: offsets.length }, (_, i) => Uint8Array.from(file.subarray(offsets[i]!, offsets[i]! + counts[i]!)));
  } finally {
    await tiff.close();
  }
}

/** Random bytes whose prefixes of these lengths end exactly where a code width or the table fills. */
const EDGE_SOURCE = randomBytes(5000, 13);
const EDGE_LENGTHS = { widened: [255, 770, 1813], cleared: [3941] };

const concat = (rows: readonly Uint8Array[]) => Uint8Array.from(rows.flatMap((r) => [...r]));

let dir: string;
beforeAll(() => {
  dir = tempDir('lzw');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('LzwEncoder', () => {
  describe('when encoding rows with runs, gradients and incompressible bytes', () => {
    it('round-trips every row through the reference decoder, starting with Clear and ending with EOI', () => {
      const encoder = new LzwEncoder();
      for (const width of [1, 2, 255, 256, 257, 1000, 9000, 40000]) {
        for (const [i, row] of testRows(width).entries()) {
          const { bytes, codes } = referenceDecode(encoder.encode(row));
          expect(Buffer.from(bytes).equals(row), `width ${width}, row ${i}`).toBe(true);
          expect(codes[0], `width ${width}, row ${i}`).toEqual({ code: LZW_CLEAR, width: 9 });
          expect(codes.at(-1)!.code).toBe(LZW_EOI);
        }
      }
    });

    it('uses all four code widths on an incompressible row and clears the table when the next free code reaches 4094', () => {
      const row = randomBytes(20000, 11);
      const { bytes, codes } = referenceDecode(lzwEncode(row));
      expect(bytes).toEqual(row);
      expect(new Set(codes.map((c) => c.width))).toEqual(new Set([9, 10, 11, 12]));
      // Between two Clears the encoder adds one string per code but the last: 4094 − 258 = 3836 codes.
      const clears = codes.flatMap((c, i) => (c.code === LZW_CLEAR ? [i] : []));
      expect(clears.length).toBeGreaterThanOrEqual(5);
      for (let k = 1; k < clears.length; k++) {
        expect(clears[k]! - clears[k - 1]! - 1, `codes between Clear ${k - 1} and ${k}`).toBe(3836);
        expect(codes[clears[k]!]!.width, 'a Clear at table full is written in 12 bits').toBe(12);
      }
      // Widths step up at the early-change points: the 254th, 766th and 1790th code after a Clear.
      const first = codes.slice(clears[0]! + 1, clears[1]!);
      expect([first.findIndex((c) => c.width === 10), first.findIndex((c) => c.width === 11), first.findIndex((c) => c.width === 12)]).toEqual([254, 766, 1790]);
    });

    it('widens the EOI when the last code fills a width, and clears before the EOI when it fills the table', () => {
      const encoder = new LzwEncoder();
      const widened: number[] = [];
      const clearedAtEnd: number[] = [];
      const wrong: number[] = [];
      for (let n = 200; n <= 4100; n++) {
        const row = EDGE_SOURCE.subarray(0, n);
        const { bytes, codes } = referenceDecode(encoder.encode(row));
        if (!Buffer.from(bytes).equals(row)) wrong.push(n);
        const [last, eoi] = codes.slice(-2);
        if (eoi!.width > last!.width) widened.push(n);
        if (last!.code === LZW_CLEAR) clearedAtEnd.push(n);
      }
      expect(wrong, 'prefixes that do not round-trip').toEqual([]);
      // The prefixes whose last code brings the next free code to 512, 1024, 2048 and 4094.
      expect(widened).toEqual(EDGE_LENGTHS.widened);
      expect(clearedAtEnd).toEqual(EDGE_LENGTHS.cleared);
    });

    it('encodes the empty strip as EOI alone', () => {
      expect(referenceDecode(lzwEncode(new Uint8Array(0))).codes).toEqual([{ code: LZW_EOI, width: 9 }]);
    });
  });

  describe('when given something other than bytes', () => {
    it('throws TypeError', () => {
      expect(() => lzwEncode([1, 2, 3] as unknown as Uint8Array)).toThrow(TypeError);
    });
  });
});

describe('LzwGeoTiffWriter', () => {
  describe('when writing rows that cross code-width boundaries and table resets', () => {
    it('is read back exactly by the geotiff package, with the Hansen layout and georeferencing', async () => {
      const rows = [...testRows(12000), randomBytes(12000, 17)];
      const path = join(dir, 'geotiff.tif');
      writeFile(path, rows);
      expect(await readWithGeotiff(path)).toEqual(concat(rows));
      const source = await openRasterSource(path);
      try {
        expect(source.grid).toEqual({ originLonMicro: -80000000, originLatMicro: 20000000, pixelSizeMicro: 250, width: 12000, height: rows.length });
        expect(source.layout).toEqual({ compression: 'LZW', tiled: false, blockWidth: 12000, blockHeight: 1, reader: 'strips' });
        expect(source.nodata).toBe(255);
        expect(Uint8Array.from(await source.read(0, 2, 12000, 1))).toEqual(rows[2]);
      } finally {
        await source.close();
      }
    });
  });

  describe.skipIf(!GDAL)('when read by GDAL', () => {
    it('gives the same pixels through gdal_translate and the same gdalinfo checksum, georeferencing and nodata', () => {
      const rows = [...testRows(20000), randomBytes(20000, 19), Uint8Array.from(randomBytes(20000, 23), (v) => v & 0x3f)];
      const path = join(dir, 'gdal.tif');
      writeFile(path, rows);
      const raw = join(dir, 'gdal.bin');
      execFileSync('gdal_translate', ['-q', '-of', 'ENVI', path, raw]);
      expect(new Uint8Array(readFileSync(raw))).toEqual(concat(rows));
      const info = execFileSync('gdalinfo', ['-checksum', path]).toString();
      expect(info).toContain(`Checksum=${gdalChecksum(rows)}`);
      expect(info).toMatch(/ID\["EPSG",4326\]\]/);
      expect(info).toContain('Origin = (-80.000000000000000,20.000000000000000)');
      expect(info).toContain('Pixel Size = (0.000250000000000,-0.000250000000000)');
      expect(info).toContain('NoData Value=255');
      expect(info).toContain('COMPRESSION=LZW');
      expect(info).toContain('Block=20000x1 Type=Byte');
    });

    it('writes strips byte-identical to libtiff for rows under its 10000-byte ratio check', async () => {
      const rows = [...testRows(9999), ...[200, 300, 3900, 4100].map((n) => Uint8Array.from(randomBytes(9999, 29), (v, i) => (i < n ? v : 0)))];
      const path = join(dir, 'ours.tif');
      writeFile(path, rows);
      const theirs = join(dir, 'theirs.tif');
      execFileSync('gdal_translate', ['-q', '-co', 'COMPRESS=LZW', '-co', 'BLOCKYSIZE=1', path, theirs]);
      const [a, b] = [await stripBytes(path), await stripBytes(theirs)];
      expect(a.length).toBe(rows.length);
      for (let i = 0; i < rows.length; i++) expect(Buffer.from(a[i]!).equals(Buffer.from(b[i]!)), `strip ${i}`).toBe(true);
    });

    it('agrees with libtiff and the geotiff package on strips ending where the EOI widens or a Clear precedes it', async () => {
      for (const n of [...EDGE_LENGTHS.widened, ...EDGE_LENGTHS.cleared]) {
        const row = EDGE_SOURCE.slice(0, n);
        const path = join(dir, `edge-${n}.tif`);
        writeFile(path, [row, row]);
        expect(await readWithGeotiff(path), `${n} bytes, geotiff`).toEqual(concat([row, row]));
        const theirs = join(dir, `edge-${n}-gdal.tif`);
        execFileSync('gdal_translate', ['-q', '-co', 'COMPRESS=LZW', '-co', 'BLOCKYSIZE=1', path, theirs]);
        const [a, b] = [await stripBytes(path), await stripBytes(theirs)];
        expect(Buffer.from(a[0]!).equals(Buffer.from(b[0]!)), `${n} bytes, libtiff`).toBe(true);
      }
    });
  });

  describe('when more rows than fit the output buffer are written', () => {
    it('has written them to disk before close', () => {
      const path = join(dir, 'stream.tif');
      const w = LzwGeoTiffWriter.create(path, { width: 10000, height: 1200, ...GRANULE });
      const row = randomBytes(10000, 31);
      for (let y = 0; y < 1200; y++) w.writeRow(row);
      // 1200 strips of 13.6 KB: all but the last 4 MiB buffer must be on disk.
      expect(statSync(path).size, 'bytes on disk before close').toBeGreaterThan(8 << 20);
      const summary = w.close();
      expect(statSync(path).size).toBe(summary.bytes);
    });
  });

  describe('when misused', () => {
    it('throws RangeError for a row of the wrong length, a row too many, or a close before the last row', () => {
      const w = LzwGeoTiffWriter.create(join(dir, 'bad.tif'), { width: 4, height: 1, ...GRANULE });
      expect(() => w.writeRow(new Uint8Array(5))).toThrow(RangeError);
      w.writeRow(new Uint8Array(4));
      expect(() => w.writeRow(new Uint8Array(4))).toThrow(RangeError);
      w.close();
      const short = LzwGeoTiffWriter.create(join(dir, 'short.tif'), { width: 4, height: 2, ...GRANULE });
      short.writeRow(new Uint8Array(4));
      expect(() => short.close()).toThrow(/"rows" expected 2 rows written, got 1/);
    });

    it('throws for a size or georeference out of range', () => {
      expect(() => LzwGeoTiffWriter.create(join(dir, 'x.tif'), { width: 0, height: 1, ...GRANULE })).toThrow(RangeError);
      expect(() => LzwGeoTiffWriter.create(join(dir, 'x.tif'), { width: 1, height: 1, ...GRANULE, originLat: Number.NaN })).toThrow(RangeError);
    });
  });
});
