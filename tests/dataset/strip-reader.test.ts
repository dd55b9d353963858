/**
 * Direct strip reads (prover/dataset/_strip-reader.ts, _lzw-decode.ts), which the commit
 * uses instead of the `geotiff` package for striped sources: every window must equal the
 * pixels written, and the package's own `readRasters` on the same file, for files GDAL
 * wrote in every encoding the reader handles (LZW, Deflate, PackBits, none; predictor 1
 * and 2; 1, 7 and all rows per strip) and for the benchmarks' LZW writer.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { fromFile } from 'geotiff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { LzwDecodeError, lzwDecode } from '../../prover/dataset/_lzw-decode.ts';
import { StripDecodeError, StripReader, type StripLayout } from '../../prover/dataset/_strip-reader.ts';
import { openRasterSource } from '../../prover/dataset/geotiff-source.ts';
import { LzwEncoder, LzwGeoTiffWriter } from '../bench/_lzw-tiff-writer.ts';
import { tempDir } from './_dirs.ts';
import { randomBytes, syntheticHansen } from './_reference.ts';

function hasGdal(): boolean {
  try {
    execFileSync('gdal_translate', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const GDAL = hasGdal();

const W = 203;
const H = 57;

/** MSB-first codes of the given widths, as a TIFF LZW stream is packed. */
function packCodes(codes: readonly [code: number, width: number][]): Uint8Array {
  const bits: number[] = [];
  for (const [code, width] of codes) for (let i = width - 1; i >= 0; i--) bits.push((code >> i) & 1);
  while (bits.length % 8 !== 0) bits.push(0);
  return Uint8Array.from({ length: bits.length / 8 }, (_, i) => bits.slice(8 * i, 8 * i + 8).reduce((a, b) => (a << 1) | b, 0));
}

/** Windows that start and end inside strips, span several, take one pixel, or the whole raster. */
const WINDOWS = [
  [0, 0, W, H],
  [0, 5, W, 9],
  [17, 3, 40, 20],
  [W - 1, H - 1, 1, 1],
  [100, 0, 103, 57],
  [0, 50, W, 7],
] as const;

let dir: string;
let pixels: Uint8Array;
let lzwPath: string;
beforeAll(() => {
  dir = tempDir('strips');
  // A Hansen-like layer: mostly smooth, some runs and noise.
  pixels = syntheticHansen(W, H, 41).treeCover;
  lzwPath = join(dir, 'writer-lzw.tif');
  const w = LzwGeoTiffWriter.create(lzwPath, { width: W, height: H, originLon: -80, originLat: 20, pixelScale: [0.00025, 0.00025] });
  for (let y = 0; y < H; y++) w.writeRow(pixels.subarray(y * W, (y + 1) * W));
  w.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The window of `pixels`, row-major. */
function window(col0: number, row0: number, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let r = 0; r < height; r++) out.set(pixels.subarray((row0 + r) * W + col0, (row0 + r) * W + col0 + width), r * width);
  return out;
}

async function expectWindows(path: string): Promise<void> {
  const source = await openRasterSource(path);
  const tiff = await fromFile(path);
  try {
    const image = await tiff.getImage();
    for (const [c, r, w, h] of WINDOWS) {
      const got = Uint8Array.from(await source.read(c, r, w, h));
      const theirs = Uint8Array.from((await image.readRasters({ window: [c, r, c + w, r + h], samples: [0], interleave: true })) as unknown as Uint8Array);
      expect(Buffer.from(got).equals(window(c, r, w, h)), `${path} window (${c}, ${r}, ${w}, ${h})`).toBe(true);
      expect(Buffer.from(got).equals(theirs), `${path} window (${c}, ${r}, ${w}, ${h}) against geotiff`).toBe(true);
    }
  } finally {
    await tiff.close();
    await source.close();
  }
}

describe('lzwDecode', () => {
  describe('when given strips the LZW writer encoded', () => {
    it('decodes runs, noise and strips crossing every code width and table reset exactly', () => {
      const encoder = new LzwEncoder();
      const rows = [new Uint8Array(40000), randomBytes(40000, 3), Uint8Array.from(randomBytes(40000, 4), (v) => v % 5), Uint8Array.from({ length: 9000 }, (_, i) => (i >> 4) & 0xff)];
      for (let n = 1; n < 5000; n += 37) rows.push(randomBytes(n, n));
      for (const [i, row] of rows.entries()) {
        const out = new Uint8Array(row.length);
        expect(lzwDecode(encoder.encode(row), out), `row ${i}`).toBe(row.length);
        expect(Buffer.from(out).equals(row), `row ${i}`).toBe(true);
      }
    });

    it('stops when the output is full, returning how much it wrote', () => {
      const row = randomBytes(3000, 5);
      const out = new Uint8Array(1000);
      expect(lzwDecode(new LzwEncoder().encode(row), out)).toBe(1000);
      expect(out).toEqual(row.subarray(0, 1000));
    });
  });

  describe('when a strip ends without EOI', () => {
    it('returns what it decoded, as libtiff does', () => {
      const out = new Uint8Array(10);
      expect(lzwDecode(packCodes([[256, 9], [65, 9], [66, 9], [258, 9]]), out)).toBe(4);
      expect([...out.subarray(0, 4)]).toEqual([65, 66, 65, 66]);
    });
  });

  describe('when the stream is corrupt', () => {
    it('throws LzwDecodeError for a code the table does not hold, an old-style stream, or a table past 4096 entries', () => {
      const out = new Uint8Array(100000);
      expect(() => lzwDecode(packCodes([[256, 9], [65, 9], [300, 9], [257, 9]]), out)).toThrow(/code 300 .* with 258 table entries/);
      expect(() => lzwDecode(Uint8Array.of(0x00, 0x01, 0x02), out)).toThrow(LzwDecodeError);
      // Literal codes only, never a Clear: the table fills at 4096.
      const codes: [number, number][] = [[256, 9]];
      let [free, width] = [258, 9];
      for (let i = 0; i < 3900; i++) {
        codes.push([i & 0xff, width]);
        if (i > 0) free++;
        if (free + 1 >= 1 << width && width < 12) width++;
      }
      expect(() => lzwDecode(packCodes(codes), out)).toThrow(/table past 4096 entries without Clear/);
    });
  });
});

describe('StripReader', () => {
  describe('when the strips are LZW from the benchmarks writer (Hansen layout)', () => {
    it('reads every window as written and as the geotiff package reads it', async () => {
      const source = await openRasterSource(lzwPath);
      expect(source.layout.reader).toBe('strips');
      await source.close();
      await expectWindows(lzwPath);
    });
  });

  describe.skipIf(!GDAL)('when GDAL wrote the strips', () => {
    it('reads LZW, Deflate, PackBits and uncompressed strips, with and without the horizontal predictor, of 1, 7 and all rows', async () => {
      const cases = [];
      for (const compress of ['LZW', 'DEFLATE', 'PACKBITS', 'NONE']) {
        for (const predictor of compress === 'LZW' || compress === 'DEFLATE' ? [1, 2] : [1]) {
          for (const rows of [1, 7, H]) cases.push({ compress, predictor, rows });
        }
      }
      for (const c of cases) {
        const path = join(dir, `gdal-${c.compress}-p${c.predictor}-r${c.rows}.tif`);
        execFileSync('gdal_translate', ['-q', '-co', `COMPRESS=${c.compress}`, '-co', `PREDICTOR=${c.predictor}`, '-co', `BLOCKYSIZE=${c.rows}`, lzwPath, path]);
        const source = await openRasterSource(path);
        expect([source.layout.blockHeight, source.layout.reader], path).toEqual([c.rows, 'strips']);
        await source.close();
        await expectWindows(path);
      }
    });

    it('leaves tiled files to the geotiff package, with the same windows', async () => {
      const path = join(dir, 'gdal-tiled.tif');
      execFileSync('gdal_translate', ['-q', '-co', 'COMPRESS=LZW', '-co', 'TILED=YES', '-co', 'BLOCKXSIZE=32', '-co', 'BLOCKYSIZE=16', lzwPath, path]);
      const source = await openRasterSource(path);
      expect([source.layout.tiled, source.layout.reader]).toEqual([true, 'geotiff']);
      await source.close();
      await expectWindows(path);
    });
  });

  describe('when the strips are stored out of order', () => {
    it('reads each strip where its offset says', async () => {
      // Uncompressed strips of 5 rows, written last strip first.
      const R = 5;
      const strips = Math.ceil(H / R);
      const parts: Uint8Array[] = [];
      const offsets = new Array<number>(strips);
      const byteCounts = new Array<number>(strips);
      let at = 0;
      for (let s = strips - 1; s >= 0; s--) {
        const bytes = pixels.subarray(s * R * W, Math.min(H, (s + 1) * R) * W);
        offsets[s] = at;
        byteCounts[s] = bytes.length;
        parts.push(bytes);
        at += bytes.length;
      }
      const path = join(dir, 'reversed.bin');
      writeFileSync(path, Buffer.concat(parts));
      const layout: StripLayout = { width: W, height: H, rowsPerStrip: R, compression: 1, predictor: 1, offsets, byteCounts };
      const handle = await open(path, 'r');
      try {
        const reader = new StripReader(handle, layout);
        for (const [c, r, w, h] of WINDOWS) expect(Buffer.from(await reader.read(c, r, w, h)).equals(window(c, r, w, h)), `window (${c}, ${r}, ${w}, ${h})`).toBe(true);
        const short = new StripReader(handle, { ...layout, offsets: offsets.map((o) => o + 1000) });
        await expect(short.read(0, 0, W, H)).rejects.toThrow(StripDecodeError);
      } finally {
        await handle.close();
      }
    });
  });

  describe('when a strip is corrupt', () => {
    it('refuses the read with INVALID_INPUT naming the file and the rows', async () => {
      const bytes = new Uint8Array(readFileSync(lzwPath));
      const tiff = await fromFile(lzwPath);
      const dirEntry = (await tiff.getImage()).fileDirectory;
      const offsets = (await dirEntry.loadValue('StripOffsets')) as ArrayLike<number>;
      await tiff.close();
      // Strip 10 becomes a Clear followed by codes the table cannot hold.
      bytes.set(packCodes([[256, 9], [65, 9], [511, 9], [257, 9]]), offsets[10]!);
      const path = join(dir, 'corrupt.tif');
      writeFileSync(path, bytes);
      const source = await openRasterSource(path);
      try {
        expect(Uint8Array.from(await source.read(0, 0, W, 10))).toEqual(window(0, 0, W, 10));
        const error = await source.read(0, 8, W, 4).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CanopyError);
        expect((error as CanopyError).code).toBe('INVALID_INPUT');
        expect((error as Error).message).toMatch(/^corrupt\.tif: cannot decode rows 8\.\.11 \(strip 10: code 511/);
      } finally {
        await source.close();
      }
    });
  });
});
