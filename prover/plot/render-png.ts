/**
 * A PNG map of a plot on the committed layer, drawn by hand and encoded with pngjs.
 *
 * What the map shows, for a window of the dataset around the plot (the mask's window
 * plus a margin, clipped to the grid):
 * - each dataset pixel as a square of k × k screen pixels, coloured by its committed
 *   value: no forest loss (green), forest loss up to the cut-off year (amber), forest loss
 *   after the cut-off (red), no data (grey);
 * - pixels outside the plot's mask dimmed towards white, so the masked pixels — the ones
 *   the verdict reads — stand out;
 * - the plot's boundary as declared (every ring, holes included) in dark blue, and for a
 *   Point plot a marker at the point;
 * - a title (plot and verdict), a legend, a scale bar in metres and a north arrow.
 *
 * Screen coordinates follow the grid: x grows east, y grows south, and a position
 * (lon, lat) in µ° maps to x = (lon − west)·k/s, y = (north − lat)·k/s, the same affine
 * map the pixels use, so the outline lies exactly where the rasterisation saw it.
 * @module
 */
import pngjs from 'pngjs';
import { assertBytes, assertInteger } from '../../core/assert.ts';
import { WGS84_A, WGS84_F } from '../../core/geo/geodesic-area.ts';
import { plotPolygons, type PlotGeometry } from '../../core/geo/geojson.ts';
import { assertGrid, gridExtentMicro, type RasterGrid } from '../../core/geo/grid.ts';
import { maskHas, type PixelWindow, type PlotMask } from '../../core/geo/plot-mask.ts';
import { GLYPH_ADVANCE, GLYPH_HEIGHT, GLYPH_WIDTH, glyph, textWidth } from './_font.ts';

type Rgb = readonly [number, number, number];

/** Colours of the map, exported so tests can read the picture back. */
export const MAP_COLOURS = {
  noLoss: [124, 179, 66],
  lossUpToCutoff: [255, 179, 0],
  lossAfterCutoff: [211, 47, 47],
  nodata: [158, 158, 158],
  outline: [13, 27, 110],
  background: [255, 255, 255],
  text: [33, 33, 33],
} as const satisfies Record<string, Rgb>;

/** Share of white mixed into pixels outside the plot. */
export const DIM_OUTSIDE = 0.62;

/** What `renderPlotMap` draws. */
export interface PlotMapInput {
  readonly grid: RasterGrid;
  /** The dataset window drawn, e.g. `plotMapView(mask, geometry, grid)`. */
  readonly view: PixelWindow;
  /** Committed layer over `view`, row-major. */
  readonly layer: Uint8Array;
  readonly mask: PlotMask;
  readonly geometry: PlotGeometry;
  /** Smallest committed value after the cut-off (21 for 2020). */
  readonly lossFrom: number;
  readonly cutoffYear: number;
  /** First line of the title, e.g. the plot label and the verdict. */
  readonly title: string;
  /** Second line, e.g. the dataset and the rule. */
  readonly subtitle?: string;
}

/** An RGBA image. */
export interface RgbaImage {
  width: number;
  height: number;
  /** width × height × 4 bytes. */
  rgba: Uint8Array;
}

const PAD = 16;
const TEXT_SCALE = 2;
const LINE = GLYPH_HEIGHT * TEXT_SCALE + 8;
const MAP_TARGET = 640;

/**
 * The window a map shows: the mask's window and the pixels under the plot's bounding
 * box, grown by `margin` pixels on each side (default 4, 8 for a Point) and clipped to the grid. The bounding box
 * keeps a plot with no pixel centre inside (an empty mask) drawable.
 * @throws {TypeError|RangeError} for a malformed grid or margin
 * @example plotMapView(mask, plot.geometry, grid, 4)
 */
export function plotMapView(mask: PlotMask, geometry: PlotGeometry, grid: RasterGrid, margin = geometry.type === 'Point' ? 8 : 4): PixelWindow {
  assertGrid(grid);
  assertInteger(margin, 'margin', 0, 1000);
  const { west, north } = gridExtentMicro(grid);
  const s = grid.pixelSizeMicro;
  const positions = geometry.type === 'Point' ? [geometry.coordinates] : plotPolygons(geometry).flat(2);
  // Pixels covering the bounding box, half-open [c0, c1) × [r0, r1), at least one.
  const lons = positions.map(([lon]) => (lon - west) / s);
  const rowsFromTop = positions.map(([, lat]) => (north - lat) / s);
  let c0 = Math.floor(Math.min(...lons));
  let c1 = Math.max(c0 + 1, Math.ceil(Math.max(...lons)));
  let r0 = Math.floor(Math.min(...rowsFromTop));
  let r1 = Math.max(r0 + 1, Math.ceil(Math.max(...rowsFromTop)));
  if (mask.width > 0) {
    c0 = Math.min(c0, mask.col0);
    r0 = Math.min(r0, mask.row0);
    c1 = Math.max(c1, mask.col0 + mask.width);
    r1 = Math.max(r1, mask.row0 + mask.height);
  }
  const col0 = Math.max(0, c0 - margin);
  const row0 = Math.max(0, r0 - margin);
  const col1 = Math.min(grid.width, c1 + margin);
  const row1 = Math.min(grid.height, r1 + margin);
  return { col0, row0, width: col1 - col0, height: row1 - row0 };
}

/**
 * Class of a committed value, for the colour and the legend.
 * @example lossClass(23, 21) // 'lossAfterCutoff'
 */
export function lossClass(value: number, lossFrom: number): keyof typeof MAP_COLOURS {
  if (value === 255) return 'nodata';
  if (value === 0) return 'noLoss';
  return value >= lossFrom ? 'lossAfterCutoff' : 'lossUpToCutoff';
}

class Canvas {
  readonly rgba: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.rgba = new Uint8Array(width * height * 4);
    this.rect(0, 0, width, height, MAP_COLOURS.background);
  }
  set(x: number, y: number, c: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    const i = (y * this.width + x) * 4;
    this.rgba[i] = c[0];
    this.rgba[i + 1] = c[1];
    this.rgba[i + 2] = c[2];
    this.rgba[i + 3] = 255;
  }
  rect(x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let yy = Math.max(0, y); yy < Math.min(this.height, y + h); yy++) for (let xx = Math.max(0, x); xx < Math.min(this.width, x + w); xx++) this.set(xx, yy, c);
  }
  frame(x: number, y: number, w: number, h: number, c: Rgb, t = 1): void {
    this.rect(x, y, w, t, c);
    this.rect(x, y + h - t, w, t, c);
    this.rect(x, y, t, h, c);
    this.rect(x + w - t, y, t, h, c);
  }
  /** A line of thickness `t` (a disc stamped every half pixel). */
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, t: number): void {
    const steps = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) * 2));
    const r = t / 2;
    for (let i = 0; i <= steps; i++) {
      const x = x0 + ((x1 - x0) * i) / steps;
      const y = y0 + ((y1 - y0) * i) / steps;
      for (let yy = Math.floor(y - r); yy <= Math.ceil(y + r); yy++) {
        for (let xx = Math.floor(x - r); xx <= Math.ceil(x + r); xx++) {
          if ((xx + 0.5 - x) ** 2 + (yy + 0.5 - y) ** 2 <= r * r) this.set(xx, yy, c);
        }
      }
    }
  }
  text(x: number, y: number, s: string, c: Rgb, scale = TEXT_SCALE): void {
    let cx = x;
    for (const ch of s) {
      const g = glyph(ch);
      for (let gy = 0; gy < GLYPH_HEIGHT; gy++) for (let gx = 0; gx < GLYPH_WIDTH; gx++) if (g[gy]![gx]) this.rect(cx + gx * scale, y + gy * scale, scale, scale, c);
      cx += GLYPH_ADVANCE * scale;
    }
  }
}

function mix(c: Rgb, white: number): Rgb {
  return [Math.round(c[0] + (255 - c[0]) * white), Math.round(c[1] + (255 - c[1]) * white), Math.round(c[2] + (255 - c[2]) * white)];
}

/** East–west metres of one pixel at latitude `latMicro` on the WGS84 ellipsoid. */
function pixelWidthMetres(grid: RasterGrid, latMicro: number): number {
  const phi = (latMicro / 1e6) * (Math.PI / 180);
  const e2 = WGS84_F * (2 - WGS84_F);
  const n = WGS84_A / Math.sqrt(1 - e2 * Math.sin(phi) ** 2);
  return n * Math.cos(phi) * (grid.pixelSizeMicro / 1e6) * (Math.PI / 180);
}

const NICE_METRES = [5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000];

/**
 * Draws the map as raw RGBA (see the module doc); `renderPlotPng` encodes it.
 * @throws {TypeError|RangeError} if the grid, view or layer are malformed, or the view
 *   is empty or outside the grid
 * @example const img = renderPlotMap({ grid, view, layer, mask, geometry, lossFrom: 21, cutoffYear: 2020, title: 'plot' });
 */
export function renderPlotMap(input: PlotMapInput): RgbaImage {
  const { grid, view, layer, mask, geometry, lossFrom, cutoffYear } = input;
  assertGrid(grid);
  assertInteger(view.col0, 'view.col0', 0, grid.width - 1);
  assertInteger(view.row0, 'view.row0', 0, grid.height - 1);
  assertInteger(view.width, 'view.width', 1, grid.width - view.col0);
  assertInteger(view.height, 'view.height', 1, grid.height - view.row0);
  assertBytes(layer, 'layer', view.width * view.height);
  assertInteger(lossFrom, 'lossFrom', 1, 254);
  const k = Math.max(3, Math.min(32, Math.floor(MAP_TARGET / Math.max(view.width, view.height))));
  const mapW = view.width * k;
  const mapH = view.height * k;
  const legend: [Rgb, string][] = [
    [MAP_COLOURS.noLoss, 'no forest loss'],
    [MAP_COLOURS.lossUpToCutoff, `forest loss 2001–${cutoffYear}`],
    [MAP_COLOURS.lossAfterCutoff, `forest loss after 31 Dec ${cutoffYear}`],
    [MAP_COLOURS.nodata, 'no data'],
    [mix(MAP_COLOURS.noLoss, DIM_OUTSIDE), 'outside the plot (dimmed)'],
  ];
  const titleLines = [input.title, ...(input.subtitle ? [input.subtitle] : [])];
  const outlineLabel = geometry.type === 'Point' ? 'point, its pixel, declared area (dashed)' : 'plot boundary as declared';
  const textW = Math.max(...titleLines.map((t) => textWidth(t) * TEXT_SCALE), ...[...legend.map(([, t]) => t), outlineLabel].map((t) => 30 + textWidth(t) * TEXT_SCALE));
  const width = Math.max(mapW, textW) + 2 * PAD;
  const mapX = PAD;
  const mapY = PAD + titleLines.length * LINE + 6;
  const legendY = mapY + mapH + 16;
  const height = legendY + (legend.length + 1) * LINE + 4 * LINE + PAD;
  const cv = new Canvas(width, height);

  titleLines.forEach((t, i) => cv.text(PAD, PAD + i * LINE, t, MAP_COLOURS.text));

  // Pixels.
  for (let r = 0; r < view.height; r++) {
    for (let c = 0; c < view.width; c++) {
      let colour: Rgb = MAP_COLOURS[lossClass(layer[r * view.width + c]!, lossFrom)];
      if (!maskHas(mask, view.col0 + c, view.row0 + r)) colour = mix(colour, DIM_OUTSIDE);
      cv.rect(mapX + c * k, mapY + r * k, k, k, colour);
    }
  }
  // Faint pixel grid when pixels are large enough to count.
  if (k >= 10) {
    for (let r = 1; r < view.height; r++) for (let x = 0; x < mapW; x++) cv.set(mapX + x, mapY + r * k, mix(MAP_COLOURS.text, 0.82));
    for (let c = 1; c < view.width; c++) for (let y = 0; y < mapH; y++) cv.set(mapX + c * k, mapY + y, mix(MAP_COLOURS.text, 0.82));
  }
  cv.frame(mapX - 1, mapY - 1, mapW + 2, mapH + 2, MAP_COLOURS.text);

  // Outline, in the pixels' own affine frame.
  const { west, north } = gridExtentMicro(grid);
  const s = grid.pixelSizeMicro;
  const sx = (lon: number) => mapX + ((lon - west) / s - view.col0) * k;
  const sy = (lat: number) => mapY + ((north - lat) / s - view.row0) * k;
  const thick = Math.max(2, Math.min(4, Math.round(k / 5)));
  if (geometry.type === 'Point') {
    const [lon, lat] = geometry.coordinates;
    const x = sx(lon);
    const y = sy(lat);
    cv.line(x - 2 * k, y, x + 2 * k, y, MAP_COLOURS.outline, thick);
    cv.line(x, y - 2 * k, x, y + 2 * k, MAP_COLOURS.outline, thick);
    cv.frame(mapX + (mask.col0 - view.col0) * k, mapY + (mask.row0 - view.row0) * k, k, k, MAP_COLOURS.outline, thick);
    // A circle of the declared area around the point: what the point stands for, of
    // which only the one pixel is read.
    const radius = Math.sqrt((geometry.areaHa * 10_000) / Math.PI) / (pixelWidthMetres(grid, lat) / k);
    const dots = Math.max(24, Math.round(radius));
    for (let i = 0; i < dots; i += 2) {
      const a0 = (2 * Math.PI * i) / dots;
      const a1 = (2 * Math.PI * (i + 1)) / dots;
      cv.line(x + radius * Math.cos(a0), y + radius * Math.sin(a0), x + radius * Math.cos(a1), y + radius * Math.sin(a1), MAP_COLOURS.outline, 2);
    }
  } else {
    for (const poly of plotPolygons(geometry)) {
      for (const ring of poly) {
        for (let i = 0; i + 1 < ring.length; i++) cv.line(sx(ring[i]![0]), sy(ring[i]![1]), sx(ring[i + 1]![0]), sy(ring[i + 1]![1]), MAP_COLOURS.outline, thick);
      }
    }
  }

  // North arrow in the map's top-right corner, on a white tab.
  const ax = mapX + mapW - 30;
  cv.rect(ax - 4, mapY + 2, 30, 40, MAP_COLOURS.background);
  cv.text(ax + 4, mapY + 4, '↑', MAP_COLOURS.text);
  cv.text(ax + 4, mapY + 22, 'N', MAP_COLOURS.text);

  // Legend.
  legend.forEach(([colour, label], i) => {
    const y = legendY + i * LINE;
    cv.rect(PAD, y, 20, 14, colour);
    cv.frame(PAD, y, 20, 14, MAP_COLOURS.text);
    cv.text(PAD + 30, y, label, MAP_COLOURS.text);
  });
  const outlineY = legendY + legend.length * LINE + 7;
  cv.line(PAD, outlineY, PAD + 20, outlineY, MAP_COLOURS.outline, 3);
  cv.text(PAD + 30, outlineY - 7, outlineLabel, MAP_COLOURS.text);

  // Scale bar: the longest round length that fits in half the map.
  const centreLat = north - (view.row0 + view.height / 2) * s;
  const metresPerScreenPx = pixelWidthMetres(grid, centreLat) / k;
  const maxLen = Math.max(40, mapW / 2);
  const metres = [...NICE_METRES].reverse().find((m) => m / metresPerScreenPx <= maxLen) ?? NICE_METRES[0]!;
  const barPx = Math.round(metres / metresPerScreenPx);
  const by = legendY + (legend.length + 1) * LINE + 8;
  cv.rect(PAD, by, barPx, 8, MAP_COLOURS.text);
  cv.rect(PAD + Math.round(barPx / 2), by + 2, Math.round(barPx / 2) - 2, 4, MAP_COLOURS.background);
  cv.rect(PAD, by - 4, 2, 16, MAP_COLOURS.text);
  cv.rect(PAD + barPx - 2, by - 4, 2, 16, MAP_COLOURS.text);
  cv.text(PAD + barPx + 12, by - 3, metres >= 1000 ? `${metres / 1000} km` : `${metres} m`, MAP_COLOURS.text);
  cv.text(PAD, by + LINE + 4, `1 pixel = ${pixelWidthMetres(grid, centreLat).toFixed(1)} m east-west`, MAP_COLOURS.text);

  return { width, height, rgba: cv.rgba };
}

/**
 * Encodes an RGBA image as PNG (8-bit RGBA, no interlace).
 * @throws {RangeError} if the buffer does not match the size
 * @example writeFileSync('plot.png', encodePng(img))
 */
export function encodePng(img: RgbaImage): Uint8Array {
  assertInteger(img.width, 'img.width', 1, 1 << 15);
  assertInteger(img.height, 'img.height', 1, 1 << 15);
  assertBytes(img.rgba, 'img.rgba', img.width * img.height * 4);
  const png = new pngjs.PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.rgba.buffer, img.rgba.byteOffset, img.rgba.byteLength);
  return new Uint8Array(pngjs.PNG.sync.write(png));
}

/**
 * The map of a plot as PNG bytes.
 * @throws {TypeError|RangeError} as `renderPlotMap`
 * @example writeFileSync('plot.png', renderPlotPng(input))
 */
export function renderPlotPng(input: PlotMapInput): Uint8Array {
  return encodePng(renderPlotMap(input));
}
