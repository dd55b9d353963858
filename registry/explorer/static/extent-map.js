// @ts-check
/**
 * A small inline SVG map of a dataset's committed extent, drawn from the grid of its
 * manifest (docs/datasets.md §6): a world panel (equirectangular, graticule every 30°)
 * locating the extent, and a zoomed panel with the dataset's tile grid and corner
 * coordinates. No base map, no tiles from a server: the page loads nothing but the registry.
 *
 *     grid   { originLonMicro, originLatMicro, pixelSizeMicro, width, height }   integer µ°
 *     west = originLon, north = originLat,
 *     east = west + width · pixelSize, south = north − height · pixelSize        (north-up)
 * @module
 */
import { svg } from './dom.js';

/**
 * @typedef {object} Grid
 * @property {number} originLonMicro
 * @property {number} originLatMicro
 * @property {number} pixelSizeMicro
 * @property {number} width
 * @property {number} height
 */

/**
 * The extent of a grid in degrees.
 * @param {Grid} g
 * @returns {{ west: number, east: number, north: number, south: number }}
 * @example gridExtent({ originLonMicro: -71737750, originLatMicro: 18687000, pixelSizeMicro: 250, width: 192, height: 221 }).east // -71.68975
 * @throws never
 */
export function gridExtent(g) {
  return {
    west: g.originLonMicro / 1e6,
    east: (g.originLonMicro + g.width * g.pixelSizeMicro) / 1e6,
    north: g.originLatMicro / 1e6,
    south: (g.originLatMicro - g.height * g.pixelSizeMicro) / 1e6,
  };
}

/**
 * A longitude or latitude with its hemisphere: "71.73775° W".
 * @param {number} deg
 * @param {'lon' | 'lat'} axis
 * @throws never
 * @example formatDegrees(-71.73775, 'lon') // '71.73775° W'
 */
export function formatDegrees(deg, axis) {
  const hemi = axis === 'lon' ? (deg < 0 ? 'W' : 'E') : deg < 0 ? 'S' : 'N';
  return `${Math.abs(deg).toFixed(5).replace(/0+$/, '').replace(/\.$/, '')}° ${hemi}`;
}

/**
 * Whether a value is a grid the map can draw (integers, positive sizes, inside the globe).
 * @param {unknown} v
 * @returns {v is Grid}
 * @throws never
 * @example isGrid(manifest.grid) // true
 */
export function isGrid(v) {
  const g = /** @type {any} */ (v);
  if (g === null || typeof g !== 'object') return false;
  const ints = [g.originLonMicro, g.originLatMicro, g.pixelSizeMicro, g.width, g.height].every(Number.isSafeInteger);
  if (!ints || g.pixelSizeMicro <= 0 || g.width <= 0 || g.height <= 0) return false;
  const e = gridExtent(g);
  return e.west >= -180 && e.east <= 180 && e.north <= 90 && e.south >= -90;
}

/**
 * The map of a grid's extent, with its tile grid when the counts are small enough to draw.
 * @param {Grid} grid
 * @param {{ x: number, y: number, size: number } | null} tiles - tile counts and size (pixels) from the manifest
 * @param {string} label - accessible name, e.g. the dataset's name
 * @returns {SVGElement}
 * @example document.body.append(extentMap(manifest.grid, manifest.tiles, manifest.name))
 * @throws never (check the grid with isGrid first)
 */
export function extentMap(grid, tiles, label) {
  const e = gridExtent(grid);
  const desc = `${label}: ${formatDegrees(e.west, 'lon')} to ${formatDegrees(e.east, 'lon')}, ${formatDegrees(e.south, 'lat')} to ${formatDegrees(e.north, 'lat')}`;
  // World panel: 0..360 × 0..180 (x = lon + 180, y = 90 − lat).
  const wx = (/** @type {number} */ lon) => lon + 180;
  const wy = (/** @type {number} */ lat) => 90 - lat;
  const world = [
    svg('rect', { x: 0, y: 0, width: 360, height: 180, class: 'map-sea' }),
    [-150, -120, -90, -60, -30, 30, 60, 90, 120, 150].map((lon) => svg('line', { x1: wx(lon), y1: 0, x2: wx(lon), y2: 180, class: 'map-graticule' })),
    [-60, -30, 30, 60].map((lat) => svg('line', { x1: 0, y1: wy(lat), x2: 360, y2: wy(lat), class: 'map-graticule' })),
    svg('line', { x1: 0, y1: 90, x2: 360, y2: 90, class: 'map-axis' }),
    svg('line', { x1: 180, y1: 0, x2: 180, y2: 180, class: 'map-axis' }),
    // Orientation: the meridians every 90° and the parallels every 30°, labelled inside the frame.
    [-90, 0, 90].map((lon) => svg('text', { x: wx(lon) + 2, y: 177, class: 'map-grid-label' }, lon === 0 ? '0°' : `${Math.abs(lon)}°${lon < 0 ? 'W' : 'E'}`)),
    [-60, -30, 30, 60].map((lat) => svg('text', { x: 2, y: wy(lat) - 2, class: 'map-grid-label' }, `${Math.abs(lat)}°${lat < 0 ? 'S' : 'N'}`)),
  ];
  const cx = wx((e.west + e.east) / 2);
  const cy = wy((e.north + e.south) / 2);
  const w = Math.max(wx(e.east) - wx(e.west), 2);
  const hgt = Math.max(wy(e.south) - wy(e.north), 2);
  world.push(svg('rect', { x: cx - w / 2, y: cy - hgt / 2, width: w, height: hgt, class: 'map-extent' }));
  if (w < 12 && hgt < 12) world.push(svg('circle', { cx, cy, r: 9, class: 'map-locator' }));
  world.push(svg('rect', { x: 0, y: 0, width: 360, height: 180, class: 'map-frame' }));

  // Zoom panel: the extent fitted into a 160 × 160 box at x 390, y 10, aspect kept.
  const spanX = e.east - e.west;
  const spanY = e.north - e.south;
  const scale = 160 / Math.max(spanX, spanY);
  const zw = spanX * scale;
  const zh = spanY * scale;
  const zx = 390 + (160 - zw) / 2;
  const zy = 10 + (160 - zh) / 2;
  const zoom = [svg('rect', { x: zx, y: zy, width: zw, height: zh, class: 'map-extent-zoom' })];
  if (tiles !== null && [tiles.x, tiles.y, tiles.size].every((v) => Number.isSafeInteger(v) && v > 0) && tiles.x <= 64 && tiles.y <= 64) {
    // Tile boundaries every `size` pixels from the origin (docs/datasets.md §3); the last
    // column and row of tiles may hang past the raster, so only inner boundaries are drawn.
    for (let i = 1; i < tiles.x; i++) {
      const x = zx + ((i * tiles.size) / grid.width) * zw;
      if (x < zx + zw) zoom.push(svg('line', { x1: x, y1: zy, x2: x, y2: zy + zh, class: 'map-tile' }));
    }
    for (let j = 1; j < tiles.y; j++) {
      const y = zy + ((j * tiles.size) / grid.height) * zh;
      if (y < zy + zh) zoom.push(svg('line', { x1: zx, y1: y, x2: zx + zw, y2: y, class: 'map-tile' }));
    }
  }
  zoom.push(
    svg('text', { x: zx, y: zy - 3, class: 'map-label' }, `${formatDegrees(e.west, 'lon')}, ${formatDegrees(e.north, 'lat')}`),
    svg('text', { x: zx + zw, y: zy + zh + 11, class: 'map-label', 'text-anchor': 'end' }, `${formatDegrees(e.east, 'lon')}, ${formatDegrees(e.south, 'lat')}`),
  );
  return svg(
    'svg',
    { class: 'extent-map', viewBox: '0 -6 560 198', role: 'img', 'aria-label': desc },
    svg('title', {}, desc),
    world,
    svg('line', { x1: cx + w / 2, y1: cy, x2: zx, y2: zy + zh / 2, class: 'map-leader' }),
    zoom,
  );
}
