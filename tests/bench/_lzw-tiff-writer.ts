/**
 * A streaming GeoTIFF writer for the rasters the benchmarks and tests need and the
 * `geotiff` package cannot write (it writes uncompressed files only): single-band uint8,
 * EPSG:4326, LZW, one row per strip — the layout of a full Hansen GFC granule. Rows go to
 * disk as they are written, so a 40000 × 40000 file (1.6 GB of pixels) never sits in
 * memory: the writer holds one row's code buffer, a 4 MiB output buffer, the LZW table
 * (2 MiB) and the strip offsets and byte counts (8 bytes per row).
 *
 * File layout (classic little-endian TIFF 6.0, 32-bit offsets, so at most 4 GiB):
 *
 *     offset 0     "II", 42, offset of the IFD (u32)      patched when the file is closed
 *     offset 8     strip 0, strip 1, …, strip height−1      LZW, one row each, in row order
 *     then         the IFD, its out-of-line values (strip offsets and byte counts,
 *                  ModelPixelScale, ModelTiepoint, GeoKeys, GeoDoubleParams, GeoAsciiParams)
 *
 * Tags as in Hansen GFC v1.11 granules: BitsPerSample 8, Compression 5 (LZW), Photometric 1,
 * SamplesPerPixel 1, RowsPerStrip 1, PlanarConfig 1, Predictor 1 (none), SampleFormat 1;
 * ModelPixelScale (sx, sy, 0) and ModelTiepoint (0, 0, 0, lon, lat, 0); GeoKeys
 * GTModelType 2 (geographic), GTRasterType 1 (PixelIsArea), GeographicType 4326,
 * GeogCitation "WGS 84|", GeogAngularUnits 9102 (degree), GeogSemiMajorAxis 6378137,
 * GeogInvFlattening 298.257223563; GDAL_NODATA "255".
 *
 * LZW (TIFF 6.0 §13, as libtiff writes it):
 * - codes 0..255 are bytes, 256 Clear, 257 EndOfInformation (EOI), new strings from 258;
 * - each strip starts with Clear and ends with EOI; codes are packed most significant bit
 *   first, the last byte padded with zero bits;
 * - code width 9..12 bits with the "early change": a code is written with the width for
 *   which the next free code (before the string this write adds) is < 2^width, i.e. the
 *   width grows once the free code reaches 512, 1024, 2048 — one code before plain LZW
 *   would need it — because a TIFF decoder adds its table entry one code late and widens
 *   when its own next free code + 1 reaches 2^width;
 * - when the next free code reaches 4094 (libtiff's CODE_MAX − 1) a Clear is written
 *   (12 bits) and the table starts again at 258 with 9-bit codes;
 * - after the last string's code the width is chosen as if that code had added a string
 *   (the decoder adds one on reading it), and that count can also trigger the Clear —
 *   libtiff's LZWPostEncode.
 * libtiff also clears early when its compression ratio falls (checked every 10000 input
 * bytes); this writer does not, which every decoder accepts. Strips shorter than 10000
 * bytes come out byte-identical to libtiff's (tested against GDAL).
 * @module
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { assertBytes, assertInteger, rangeError } from '../../core/assert.ts';
import { bug } from '../../core/errors.ts';

/** TIFF 6.0 §13 code values. */
export const LZW_CLEAR = 256;
export const LZW_EOI = 257;
export const LZW_FIRST_FREE = 258;
/** libtiff writes Clear when the next free code reaches CODE_MAX − 1 = 4094. */
export const LZW_TABLE_FULL = 4094;
const MIN_BITS = 9;

/**
 * An LZW encoder for TIFF strips. Its buffers are reused from strip to strip: the table
 * is a direct map child[code·256 + byte] → code of that string extended by that byte
 * (0 = none: no string has code 0 as an extension), and a reset clears only the entries
 * set since the last one.
 * @example const strip = new LzwEncoder().encode(row).slice();
 */
export class LzwEncoder {
  readonly #child = new Uint16Array(4096 * 256);
  readonly #set = new Int32Array(LZW_TABLE_FULL);
  #setCount = 0;
  #out = new Uint8Array(0);

  /**
   * Encodes one strip.
   * @param input - the strip's bytes
   * @returns the code bytes, a view into a buffer the next call overwrites
   * @throws {TypeError} if `input` is not a Uint8Array
   */
  encode(input: Uint8Array): Uint8Array {
    assertBytes(input, 'input');
    const n = input.length;
    // At most one code per input byte, plus Clear at the start, one Clear per 3836 codes,
    // a final Clear and EOI; each ≤ 12 bits.
    const bound = Math.ceil((12 * (n + Math.ceil(n / 3836) + 4)) / 8);
    if (this.#out.length < bound) this.#out = new Uint8Array(Math.max(bound, 2 * this.#out.length));
    const out = this.#out;
    const child = this.#child;
    const set = this.#set;
    let pos = 0;
    // Bit accumulator: `bits` pending bits (< 8 between writes) in the low end of `acc`.
    let acc = 0;
    let bits = 0;
    let width = MIN_BITS;
    let free = LZW_FIRST_FREE;
    let setCount = this.#setCount;
    const put = (code: number) => {
      acc = (acc << width) | code;
      bits += width;
      while (bits >= 8) {
        bits -= 8;
        out[pos++] = (acc >>> bits) & 0xff;
      }
      acc &= (1 << bits) - 1;
    };
    const reset = () => {
      for (let i = 0; i < setCount; i++) child[set[i]!] = 0;
      setCount = 0;
      free = LZW_FIRST_FREE;
    };
    if (n > 0) {
      put(LZW_CLEAR);
      let prefix = input[0]!;
      for (let i = 1; i < n; i++) {
        const c = input[i]!;
        const key = (prefix << 8) | c;
        const next = child[key]!;
        if (next !== 0) {
          prefix = next;
          continue;
        }
        put(prefix);
        child[key] = free++;
        set[setCount++] = key;
        prefix = c;
        if (free === LZW_TABLE_FULL) {
          put(LZW_CLEAR);
          reset();
          width = MIN_BITS;
        } else if (free >= 1 << width) {
          width++;
        }
      }
      put(prefix);
      // The decoder adds a string on reading that code: size the EOI for one more.
      free++;
      if (free === LZW_TABLE_FULL) {
        put(LZW_CLEAR);
        width = MIN_BITS;
      } else if (free >= 1 << width) {
        width++;
      }
      reset();
    }
    put(LZW_EOI);
    if (bits > 0) out[pos++] = (acc << (8 - bits)) & 0xff;
    this.#setCount = setCount;
    if (pos > bound) bug('LzwEncoder.encode', `${pos} bytes over the bound ${bound}`);
    return out.subarray(0, pos);
  }
}

/**
 * One strip encoded with a fresh encoder (a copy, unlike `LzwEncoder.encode`).
 * @throws {TypeError} if `input` is not a Uint8Array
 * @example lzwEncode(new Uint8Array(100)) // 0x80 … (Clear, codes, EOI)
 */
export function lzwEncode(input: Uint8Array): Uint8Array {
  return new LzwEncoder().encode(input).slice();
}

/** Georeferencing and size of a written raster. */
export interface LzwGeoTiffOptions {
  readonly width: number;
  readonly height: number;
  /** Upper-left corner of the upper-left pixel, degrees (ModelTiepoint). */
  readonly originLon: number;
  readonly originLat: number;
  /** ModelPixelScale x and y, degrees, written as given (Hansen: 0.0002500000000000095, 0.0002500000000000041). */
  readonly pixelScale: readonly [number, number];
  /** GDAL_NODATA text (default "255"), or null to leave the tag out. */
  readonly nodata?: string | null;
}

/** What `close` reports. */
export interface LzwGeoTiffSummary {
  readonly path: string;
  readonly bytes: number;
  /** Bytes of pixel data before and after compression. */
  readonly rawBytes: number;
  readonly stripBytes: number;
}

const TYPE = { ASCII: 2, SHORT: 3, LONG: 4, DOUBLE: 12 } as const;
const TYPE_SIZE: Readonly<Record<number, number>> = { 2: 1, 3: 2, 4: 4, 12: 8 };
const OUTPUT_BUFFER = 4 << 20;
const MAX_OFFSET = 2 ** 32 - 1;

interface Entry {
  readonly tag: number;
  readonly type: number;
  readonly values: ArrayLike<number> | string;
}

/**
 * Writes a GeoTIFF row by row (see the module doc).
 * @example
 * const w = LzwGeoTiffWriter.create('lossyear.tif', { width: 40000, height: 40000, originLon: -80, originLat: 20, pixelScale: [0.00025, 0.00025] });
 * for (let y = 0; y < 40000; y++) w.writeRow(row(y));
 * w.close();
 */
export class LzwGeoTiffWriter {
  readonly path: string;
  readonly options: LzwGeoTiffOptions;
  readonly #fd: number;
  readonly #encoder = new LzwEncoder();
  readonly #offsets: Uint32Array;
  readonly #counts: Uint32Array;
  readonly #buffer = new Uint8Array(OUTPUT_BUFFER);
  #buffered = 0;
  /** File offset of the next byte appended. */
  #end = 0;
  #rows = 0;
  #closed = false;

  private constructor(path: string, options: LzwGeoTiffOptions, fd: number) {
    this.path = path;
    this.options = options;
    this.#fd = fd;
    this.#offsets = new Uint32Array(options.height);
    this.#counts = new Uint32Array(options.height);
  }

  /**
   * Creates (or truncates) the file and writes the header.
   * @throws {TypeError|RangeError} for a size outside 1..2^20 or a non-finite georeference
   */
  static create(path: string, options: LzwGeoTiffOptions): LzwGeoTiffWriter {
    assertInteger(options.width, 'width', 1, 2 ** 20);
    assertInteger(options.height, 'height', 1, 2 ** 20);
    for (const [title, v] of [['originLon', options.originLon], ['originLat', options.originLat], ['pixelScale[0]', options.pixelScale[0]], ['pixelScale[1]', options.pixelScale[1]]] as const) {
      if (!Number.isFinite(v)) rangeError(title, 'finite number', v);
    }
    const writer = new LzwGeoTiffWriter(path, options, openSync(path, 'w'));
    // "II", 42, IFD offset 0 for now.
    writer.#append(Uint8Array.of(0x49, 0x49, 42, 0, 0, 0, 0, 0));
    return writer;
  }

  /** Rows written so far. */
  get rows(): number {
    return this.#rows;
  }

  /**
   * Appends the next row as one LZW strip.
   * @throws {RangeError} if the row is not `width` bytes, all rows were written, or the file would pass 4 GiB
   */
  writeRow(row: Uint8Array): void {
    assertBytes(row, 'row', this.options.width);
    if (this.#closed) throw new Error('canopy: LzwGeoTiffWriter used after close');
    if (this.#rows >= this.options.height) rangeError('row', `at most ${this.options.height} rows`, this.#rows + 1);
    const strip = this.#encoder.encode(row);
    this.#offsets[this.#rows] = this.#end;
    this.#counts[this.#rows] = strip.length;
    this.#append(strip);
    this.#rows++;
  }

  /**
   * Writes the IFD after the strips, points the header at it and closes the file.
   * @throws {RangeError} if fewer than `height` rows were written (the file is closed anyway)
   */
  close(): LzwGeoTiffSummary {
    if (this.#closed) throw new Error('canopy: LzwGeoTiffWriter closed twice');
    this.#closed = true;
    try {
      if (this.#rows !== this.options.height) rangeError('rows', `${this.options.height} rows written`, this.#rows);
      const stripBytes = this.#end - 8;
      if (this.#end % 2 === 1) this.#append(new Uint8Array(1));
      const ifdAt = this.#end;
      this.#append(this.#ifd(ifdAt));
      this.#flush();
      const header = new Uint8Array(4);
      new DataView(header.buffer).setUint32(0, ifdAt, true);
      writeSync(this.#fd, header, 0, 4, 4);
      return { path: this.path, bytes: this.#end, rawBytes: this.options.width * this.options.height, stripBytes };
    } finally {
      closeSync(this.#fd);
    }
  }

  #append(bytes: Uint8Array): void {
    if (this.#end + bytes.length > MAX_OFFSET) rangeError('file', 'at most 4 GiB (classic TIFF offsets)', this.#end + bytes.length);
    if (this.#buffered + bytes.length > this.#buffer.length) this.#flush();
    if (bytes.length > this.#buffer.length) {
      writeSync(this.#fd, bytes, 0, bytes.length, this.#end);
    } else {
      this.#buffer.set(bytes, this.#buffered);
      this.#buffered += bytes.length;
    }
    this.#end += bytes.length;
  }

  #flush(): void {
    if (this.#buffered === 0) return;
    const at = this.#end - this.#buffered;
    writeSync(this.#fd, this.#buffer, 0, this.#buffered, at);
    this.#buffered = 0;
  }

  // The IFD at `at` followed by its out-of-line values, every value at an even offset.
  #ifd(at: number): Uint8Array {
    const o = this.options;
    const citation = 'WGS 84|\0';
    const entries: Entry[] = [
      { tag: 256, type: TYPE.LONG, values: [o.width] },
      { tag: 257, type: TYPE.LONG, values: [o.height] },
      { tag: 258, type: TYPE.SHORT, values: [8] },
      { tag: 259, type: TYPE.SHORT, values: [5] },
      { tag: 262, type: TYPE.SHORT, values: [1] },
      { tag: 273, type: TYPE.LONG, values: this.#offsets },
      { tag: 277, type: TYPE.SHORT, values: [1] },
      { tag: 278, type: TYPE.LONG, values: [1] },
      { tag: 279, type: TYPE.LONG, values: this.#counts },
      { tag: 284, type: TYPE.SHORT, values: [1] },
      { tag: 317, type: TYPE.SHORT, values: [1] },
      { tag: 339, type: TYPE.SHORT, values: [1] },
      { tag: 33550, type: TYPE.DOUBLE, values: [o.pixelScale[0], o.pixelScale[1], 0] },
      { tag: 33922, type: TYPE.DOUBLE, values: [0, 0, 0, o.originLon, o.originLat, 0] },
      // GeoKeyDirectory: version 1.1.0, 7 keys; each key: id, location tag (0 = inline), count, value or index.
      {
        tag: 34735,
        type: TYPE.SHORT,
        values: [1, 1, 0, 7, 1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, 4326, 2049, 34737, citation.length, 0, 2054, 0, 1, 9102, 2057, 34736, 1, 1, 2059, 34736, 1, 0],
      },
      { tag: 34736, type: TYPE.DOUBLE, values: [298.257223563, 6378137] },
      { tag: 34737, type: TYPE.ASCII, values: citation },
      ...(o.nodata === null ? [] : [{ tag: 42113, type: TYPE.ASCII, values: `${o.nodata ?? '255'}\0` }]),
    ];
    const size = (e: Entry) => e.values.length * TYPE_SIZE[e.type]!;
    const ifdBytes = 2 + 12 * entries.length + 4;
    let extra = at + ifdBytes;
    const places = entries.map((e) => {
      if (size(e) <= 4) return -1;
      const place = extra;
      extra += size(e) + (size(e) % 2);
      return place;
    });
    const out = new Uint8Array(extra - at);
    const view = new DataView(out.buffer);
    const put = (e: Entry, offset: number) => {
      const rel = offset - at;
      if (typeof e.values === 'string') {
        for (let i = 0; i < e.values.length; i++) out[rel + i] = e.values.charCodeAt(i);
        return;
      }
      for (let i = 0; i < e.values.length; i++) {
        const v = e.values[i]!;
        if (e.type === TYPE.SHORT) view.setUint16(rel + 2 * i, v, true);
        else if (e.type === TYPE.LONG) view.setUint32(rel + 4 * i, v, true);
        else view.setFloat64(rel + 8 * i, v, true);
      }
    };
    view.setUint16(0, entries.length, true);
    entries.forEach((e, i) => {
      const rel = 2 + 12 * i;
      view.setUint16(rel, e.tag, true);
      view.setUint16(rel + 2, e.type, true);
      view.setUint32(rel + 4, e.values.length, true);
      if (places[i] === -1) put(e, at + rel + 8);
      else {
        view.setUint32(rel + 8, places[i]!, true);
        put(e, places[i]!);
      }
    });
    view.setUint32(2 + 12 * entries.length, 0, true);
    return out;
  }
}
