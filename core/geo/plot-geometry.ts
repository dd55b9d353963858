/**
 * The canonical GeoJSON of a validated plot, and its Poseidon hash: what a plot
 * attestation commits as "the plot".
 *
 * Canonical GeoJSON: a Feature holding exactly the geometry that was rasterised, with
 * coordinates as µ°/10^6 (so at most 6 decimals, altitude dropped, rings as given), and
 * for a Point the declared area; serialised by RFC 8785 (core/canonical-json.ts):
 *
 *     {"geometry":{"coordinates":[[[-71.73,18.68],…]],"type":"Polygon"},"properties":{},"type":"Feature"}
 *     {"geometry":{"coordinates":[-71.7,18.6],"type":"Point"},"properties":{"area_ha":2.5},"type":"Feature"}
 *
 * Reading the canonical text back through geojson.ts gives the same µ° geometry
 * (µ° → degrees → µ° is the identity, micro-degrees.ts), so anyone handed the text in a
 * disclosure can recompute both the hash and the mask. Ids, names and other properties
 * are not committed: they identify the plot to its owner, not to the protocol.
 *
 * Hash, with the UTF-8 bytes packed 31 per element (core/pack-bytes.ts):
 *
 *     PLOT_GEOMETRY hash = Poseidon(TAG_PLOT_GEOMETRY, byteLength, chainDigest(packBytes(utf8)))
 * @module
 */
import { canonicalJson, type JsonValue } from '../canonical-json.ts';
import { hashTagged } from '../domain.ts';
import { packBytes } from '../pack-bytes.ts';
import { chainDigest } from './_hash-chain.ts';
import type { MicroPolygon, MicroPosition, PlotGeometry } from './geojson.ts';
import { microToDegrees } from './micro-degrees.ts';

function position(p: MicroPosition): JsonValue {
  return [microToDegrees(p[0]), microToDegrees(p[1])];
}

function polygon(poly: MicroPolygon): JsonValue {
  return poly.map((ring) => ring.map(position));
}

/**
 * The canonical GeoJSON Feature of a plot, as a JSON value.
 * @throws {TypeError|RangeError} if a coordinate is not an integer µ° value
 * @example plotGeometryJson({ type: 'Point', coordinates: [-71700000, 18600000], areaHa: 2.5 })
 */
export function plotGeometryJson(geometry: PlotGeometry): JsonValue {
  switch (geometry.type) {
    case 'Point':
      return { type: 'Feature', geometry: { type: 'Point', coordinates: position(geometry.coordinates) }, properties: { area_ha: geometry.areaHa } };
    case 'Polygon':
      return { type: 'Feature', geometry: { type: 'Polygon', coordinates: polygon(geometry.coordinates) }, properties: {} };
    case 'MultiPolygon':
      return { type: 'Feature', geometry: { type: 'MultiPolygon', coordinates: geometry.coordinates.map(polygon) }, properties: {} };
  }
}

/**
 * The RFC 8785 text of the canonical GeoJSON Feature.
 * @throws {TypeError|RangeError} as `plotGeometryJson`
 * @example canonicalPlotGeometry(plot.geometry)
 */
export function canonicalPlotGeometry(geometry: PlotGeometry): string {
  return canonicalJson(plotGeometryJson(geometry));
}

/**
 * The plot's Poseidon hash: see the module doc.
 * @throws {TypeError|RangeError} as `plotGeometryJson`
 * @example plotGeometryHash(plot.geometry).toString()
 */
export function plotGeometryHash(geometry: PlotGeometry): bigint {
  const bytes = new TextEncoder().encode(canonicalPlotGeometry(geometry));
  return hashTagged('PLOT_GEOMETRY', [BigInt(bytes.length), chainDigest(packBytes(bytes))]);
}
