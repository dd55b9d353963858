/**
 * Plot GeoJSON: parse and validate as the EUDR information system expects, and convert
 * every coordinate to integer micro-degrees (core/geo/micro-degrees.ts).
 *
 * Accepted input (RFC 7946), attacker-controlled:
 *
 *     FeatureCollection { features: Feature[] }   one plot per feature
 *     Feature { geometry, properties, id? }        one plot
 *     Polygon | MultiPolygon | Point               one plot (a bare Point cannot declare
 *                                                  its area, so it is refused)
 *
 *     Polygon.coordinates      = [outer ring, hole, hole, …]
 *     MultiPolygon.coordinates = [Polygon.coordinates, …]
 *     ring                     = [[lon, lat], …, [lon, lat]]   first = last, ≥ 4 positions
 *     position                 = [lon, lat] or [lon, lat, altitude] (altitude ignored)
 *
 * Rules, each with the code a rejection names (`PlotRule`):
 * - GEOJSON_TYPE, GEOMETRY_TYPE, EMPTY, TOO_LARGE: the shape of the document; only
 *   Polygon and MultiPolygon, and Point for plots of at most 4 ha.
 * - CRS: a legacy `crs` member must name WGS84 (OGC CRS84 or EPSG:4326).
 * - POSITION: a position is 2 or 3 finite JSON numbers; strings, NaN, null and 4-D
 *   positions are refused. An altitude is accepted and ignored.
 * - LONGITUDE_RANGE, LATITUDE_RANGE: lon ∈ [-180, 180], lat ∈ [-90, 90]; AXIS_ORDER
 *   when a latitude is out of range but would fit as a longitude and vice versa, the
 *   signature of [lat, lon] order.
 * - RING_TOO_SHORT (< 4 positions), RING_NOT_CLOSED (first ≠ last, compared as the
 *   numbers given), RING_DEGENERATE (fewer than 3 distinct vertices, or all on a line).
 * - SELF_INTERSECTION: no two edges of a polygon's rings may meet except consecutive
 *   edges at their shared vertex; exact integer test on µ°. Stricter than OGC, which
 *   lets rings touch at a point: here rings may not touch at all.
 * - HOLE_OUTSIDE, HOLE_NESTED: every hole lies inside the outer ring and outside the
 *   other holes.
 * - PARTS_OVERLAP: the polygons of a MultiPolygon neither cross, touch nor contain one
 *   another (an island inside another part's hole is allowed). Adjacent fields belong in
 *   one polygon.
 * - POINT_AREA: a Point plot declares `properties.area_ha`, a number in (0, 4]; a plot
 *   over 4 ha must be a polygon.
 * - PRECISION (warning, not error): the EUDR asks for at least 6 decimal places. Judged
 *   per feature on the most decimals any coordinate shows, because the shortest string
 *   of a genuinely 6-decimal value may end in zeros (18.600000 reads as 18.6).
 *
 * Duplicate consecutive positions are tolerated (zero-length edges are skipped by every
 * test). Ring orientation is not checked: RFC 7946 asks writers, not readers, for it, and
 * the rasterisation does not depend on it.
 * @module
 */
import { CanopyError } from '../errors.ts';
import { describe as describeValue } from '../assert.ts';
import { adjacentEdgesOverlap, orient, pointStrictlyInRing, segmentsIntersect, type Point } from './_exact.ts';
import { decimalPlaces, formatMicroDegrees, toMicroDegrees } from './micro-degrees.ts';

/** A position in µ°: [lon, lat]. */
export type MicroPosition = [lon: number, lat: number];
/** A closed ring in µ°: first position repeated last. */
export type MicroRing = MicroPosition[];
/** Outer ring, then holes. */
export type MicroPolygon = MicroRing[];

/** A validated plot geometry in µ°, mirroring its GeoJSON type. */
export type PlotGeometry =
  | { type: 'Polygon'; coordinates: MicroPolygon }
  | { type: 'MultiPolygon'; coordinates: MicroPolygon[] }
  | { type: 'Point'; coordinates: MicroPosition; areaHa: number };

/** One accepted plot. */
export interface PlotFeature {
  /** Position of the feature in the input (0 for a bare geometry or single Feature). */
  index: number;
  /** How messages name it: `feature #3 (id "farm-3")`. */
  label: string;
  /** `id` of the Feature, else `properties.id`, if a string or number. */
  id?: string | number;
  /** `properties.name`, if a string. */
  name?: string;
  geometry: PlotGeometry;
  /** Most decimal places any coordinate of the feature shows. */
  maxDecimalPlaces: number;
}

/** The rule a rejection or warning names. */
export type PlotRule =
  | 'GEOJSON_TYPE'
  | 'GEOMETRY_TYPE'
  | 'EMPTY'
  | 'TOO_LARGE'
  | 'CRS'
  | 'POSITION'
  | 'LONGITUDE_RANGE'
  | 'LATITUDE_RANGE'
  | 'AXIS_ORDER'
  | 'RING_TOO_SHORT'
  | 'RING_NOT_CLOSED'
  | 'RING_DEGENERATE'
  | 'SELF_INTERSECTION'
  | 'HOLE_OUTSIDE'
  | 'HOLE_NESTED'
  | 'PARTS_OVERLAP'
  | 'POINT_AREA'
  | 'PRECISION';

/** One problem found, naming the feature and the rule. */
export interface PlotIssue {
  /** Feature index, or -1 for the document itself. */
  feature: number;
  label: string;
  rule: PlotRule;
  severity: 'error' | 'warning';
  /** Path of the offending value, e.g. `features[2].geometry.coordinates[0][5]`. */
  path: string;
  message: string;
}

/** Result of `validatePlotGeoJson`: plots without errors, and every issue found. */
export interface PlotValidation {
  plots: PlotFeature[];
  errors: PlotIssue[];
  warnings: PlotIssue[];
}

/** Largest area a Point plot may declare, ha (EUDR Art. 2(28): polygons above 4 ha). */
export const POINT_PLOT_MAX_HA = 4;
/** Decimal places the EUDR asks for; fewer is a warning. */
export const MIN_DECIMAL_PLACES = 6;
/** Most features in one document. */
export const MAX_FEATURES = 10_000;
/** Most positions in one document, bounding the work of the ring tests. */
export const MAX_POSITIONS = 1_000_000;
/** Most issues reported; the rest are counted. */
export const MAX_ISSUES = 100;

/**
 * A refused plot document: `issues` lists every error (up to MAX_ISSUES), each naming
 * the feature and the rule; the message has one line per issue.
 */
export class PlotGeoJsonError extends CanopyError {
  readonly issues: readonly PlotIssue[];
  constructor(issues: readonly PlotIssue[]) {
    const lines = issues.map(formatPlotIssue);
    super('INVALID_INPUT', `plot GeoJSON refused (${issues.length} ${issues.length === 1 ? 'problem' : 'problems'}):\n  ${lines.join('\n  ')}`);
    this.name = 'PlotGeoJsonError';
    this.issues = issues;
  }
}

/**
 * One line for an issue: `feature #2 (id "farm-3"): RING_NOT_CLOSED at features[2]…: message`.
 * @example formatPlotIssue(issue)
 */
export function formatPlotIssue(issue: PlotIssue): string {
  return `${issue.label}: ${issue.rule}${issue.severity === 'warning' ? ' (warning)' : ''} at ${issue.path}: ${issue.message}`;
}

/**
 * The polygons of a polygonal plot (one for a Polygon), none for a Point.
 * @example plotPolygons({ type: 'Polygon', coordinates: [ring] }) // [[ring]]
 */
export function plotPolygons(geometry: PlotGeometry): MicroPolygon[] {
  if (geometry.type === 'Polygon') return [geometry.coordinates];
  if (geometry.type === 'MultiPolygon') return geometry.coordinates;
  return [];
}

/**
 * Validates a plot document and converts accepted plots to µ°, never throwing on bad
 * input: every problem becomes an issue naming the feature and the rule.
 * @param value - the parsed JSON document (attacker-controlled)
 * @returns accepted plots (features without errors), errors and warnings
 * @example validatePlotGeoJson(JSON.parse(text)).errors.length === 0
 */
export function validatePlotGeoJson(value: unknown): PlotValidation {
  const v = new Validator();
  v.document(value);
  return { plots: v.plots, errors: v.errors, warnings: v.warnings };
}

/**
 * Validates a plot document and returns its plots in µ°, or throws listing every error.
 * @param value - the parsed JSON document (attacker-controlled)
 * @returns the plots, in input order, and any warnings (e.g. PRECISION)
 * @throws {PlotGeoJsonError} (code INVALID_INPUT) naming each feature and rule broken
 * @example parsePlotGeoJson({ type: 'Feature', properties: { area_ha: 2 }, geometry: { type: 'Point', coordinates: [-71.72, 18.67] } })
 */
export function parsePlotGeoJson(value: unknown): { plots: PlotFeature[]; warnings: PlotIssue[] } {
  const r = validatePlotGeoJson(value);
  if (r.errors.length > 0) throw new PlotGeoJsonError(r.errors);
  return { plots: r.plots, warnings: r.warnings };
}

// ---------------------------------------------------------------------------------------

const WGS84_CRS_NAMES = new Set([
  'urn:ogc:def:crs:OGC:1.3:CRS84',
  'urn:ogc:def:crs:OGC::CRS84',
  'OGC:CRS84',
  'CRS84',
  'EPSG:4326',
  'urn:ogc:def:crs:EPSG::4326',
  'urn:ogc:def:crs:EPSG:6.6:4326',
]);

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

interface FeatureContext {
  index: number;
  label: string;
  /** Set when the feature already has an error; later geometric tests are skipped. */
  failed: boolean;
  maxDecimals: number;
}

/** A ring after conversion, with the position indices of its edges. */
interface ParsedRing {
  points: MicroPosition[];
  path: string;
}

/** One non-degenerate edge for the intersection sweep. */
interface Edge {
  ring: number;
  /** Index among the ring's non-zero-length edges. */
  seq: number;
  /** Position index where the edge starts. */
  start: number;
  a: Point;
  b: Point;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

class Validator {
  plots: PlotFeature[] = [];
  errors: PlotIssue[] = [];
  warnings: PlotIssue[] = [];
  private positions = 0;
  private dropped = 0;

  private issue(ctx: { index: number; label: string }, rule: PlotRule, path: string, message: string, severity: 'error' | 'warning' = 'error'): void {
    const list = severity === 'error' ? this.errors : this.warnings;
    if (list.length >= MAX_ISSUES) {
      this.dropped++;
      return;
    }
    list.push({ feature: ctx.index, label: ctx.label, rule, severity, path, message });
  }

  private fail(ctx: FeatureContext, rule: PlotRule, path: string, message: string): void {
    ctx.failed = true;
    this.issue(ctx, rule, path, message);
  }

  document(value: unknown): void {
    const doc = { index: -1, label: 'document' };
    if (!isPlainObject(value)) {
      this.issue(doc, 'GEOJSON_TYPE', '$', `expected a GeoJSON object, got ${describeValue(value)}`);
      return;
    }
    if (!this.crs(value, doc, '$')) return;
    const type = value.type;
    if (type === 'FeatureCollection') {
      const features = value.features;
      if (!Array.isArray(features)) {
        this.issue(doc, 'GEOJSON_TYPE', '$.features', `a FeatureCollection needs an array "features", got ${describeValue(features)}`);
        return;
      }
      if (features.length === 0) {
        this.issue(doc, 'EMPTY', '$.features', 'the FeatureCollection has no features');
        return;
      }
      if (features.length > MAX_FEATURES) {
        this.issue(doc, 'TOO_LARGE', '$.features', `at most ${MAX_FEATURES} features, got ${features.length}`);
        return;
      }
      features.forEach((f, i) => this.feature(f, i, `features[${i}]`));
    } else if (type === 'Feature') {
      this.feature(value, 0, '$');
    } else if (type === 'Polygon' || type === 'MultiPolygon' || type === 'Point') {
      const ctx: FeatureContext = { index: 0, label: `feature #0 (bare ${type})`, failed: false, maxDecimals: 0 };
      this.geometry(value, null, ctx, '$');
    } else {
      this.issue(doc, 'GEOJSON_TYPE', '$.type', `expected "FeatureCollection", "Feature", "Polygon", "MultiPolygon" or "Point", got ${describeValue(type)}`);
    }
    if (this.dropped > 0) {
      // Replace the last slot so the caller learns the list was cut.
      const list = this.errors.length >= MAX_ISSUES ? this.errors : this.warnings;
      list[list.length - 1] = { feature: -1, label: 'document', rule: 'TOO_LARGE', severity: list === this.errors ? 'error' : 'warning', path: '$', message: `${this.dropped + 1} more issues not listed` };
    }
  }

  private crs(obj: Record<string, unknown>, ctx: { index: number; label: string }, path: string): boolean {
    if (!Object.hasOwn(obj, 'crs') || obj.crs === null) return true;
    const crs = obj.crs;
    const name = isPlainObject(crs) && isPlainObject(crs.properties) ? crs.properties.name : undefined;
    if (typeof name === 'string' && WGS84_CRS_NAMES.has(name)) return true;
    this.issue(ctx, 'CRS', `${path}.crs`, `coordinates must be WGS84 longitude, latitude (RFC 7946); the "crs" member names ${describeValue(name ?? crs)}`);
    return false;
  }

  private feature(f: unknown, index: number, path: string): void {
    const ctx: FeatureContext = { index, label: `feature #${index}`, failed: false, maxDecimals: 0 };
    if (!isPlainObject(f) || f.type !== 'Feature') {
      this.fail(ctx, 'GEOJSON_TYPE', path, `expected a Feature object, got ${isPlainObject(f) ? `type ${describeValue(f.type)}` : describeValue(f)}`);
      return;
    }
    const props = f.properties;
    if (props !== undefined && props !== null && !isPlainObject(props)) {
      this.fail(ctx, 'GEOJSON_TYPE', `${path}.properties`, `expected an object or null, got ${describeValue(props)}`);
      return;
    }
    const p = isPlainObject(props) ? props : {};
    const idRaw = f.id !== undefined ? f.id : p.id;
    const id = typeof idRaw === 'string' || (typeof idRaw === 'number' && Number.isFinite(idRaw)) ? idRaw : undefined;
    const name = typeof p.name === 'string' ? p.name : undefined;
    ctx.label = `feature #${index}${id !== undefined ? ` (id ${describeValue(id)})` : name !== undefined ? ` (name ${describeValue(name)})` : ''}`;
    if (!this.crs(f, ctx, path)) return;
    this.geometry(f.geometry, p, ctx, `${path}.geometry`, id, name);
  }

  private geometry(g: unknown, props: Record<string, unknown> | null, ctx: FeatureContext, path: string, id?: string | number, name?: string): void {
    if (!isPlainObject(g)) {
      this.fail(ctx, 'GEOMETRY_TYPE', path, `a plot needs a Polygon, MultiPolygon or Point geometry, got ${describeValue(g)}`);
      return;
    }
    let geometry: PlotGeometry | null = null;
    const coords = g.coordinates;
    const cpath = `${path}.coordinates`;
    switch (g.type) {
      case 'Point': {
        const pos = this.position(coords, ctx, cpath);
        const areaHa = this.pointArea(props, ctx, path);
        if (pos !== null && areaHa !== null) geometry = { type: 'Point', coordinates: pos, areaHa };
        break;
      }
      case 'Polygon': {
        const poly = this.polygon(coords, ctx, cpath);
        if (poly !== null) geometry = { type: 'Polygon', coordinates: poly };
        break;
      }
      case 'MultiPolygon': {
        if (!Array.isArray(coords) || coords.length === 0) {
          this.fail(ctx, Array.isArray(coords) ? 'EMPTY' : 'GEOMETRY_TYPE', cpath, `a MultiPolygon needs a non-empty array of polygons, got ${describeValue(coords)}`);
          break;
        }
        const polys = coords.map((c, i) => this.polygon(c, ctx, `${cpath}[${i}]`));
        if (!ctx.failed && polys.every((x) => x !== null)) {
          this.partsDisjoint(polys as MicroPolygon[], ctx, cpath);
          geometry = { type: 'MultiPolygon', coordinates: polys as MicroPolygon[] };
        }
        break;
      }
      default:
        this.fail(
          ctx,
          'GEOMETRY_TYPE',
          `${path}.type`,
          `a plot must be a Polygon or MultiPolygon (or a Point for plots of at most ${POINT_PLOT_MAX_HA} ha), got ${describeValue(g.type)}`,
        );
    }
    if (ctx.failed || geometry === null) return;
    if (ctx.maxDecimals < MIN_DECIMAL_PLACES) {
      this.issue(
        ctx,
        'PRECISION',
        cpath,
        `coordinates show at most ${ctx.maxDecimals} decimal places; the EUDR asks for at least ${MIN_DECIMAL_PLACES} (about 0.1 m)`,
        'warning',
      );
    }
    const plot: PlotFeature = { index: ctx.index, label: ctx.label, geometry, maxDecimalPlaces: ctx.maxDecimals };
    if (id !== undefined) plot.id = id;
    if (name !== undefined) plot.name = name;
    this.plots.push(plot);
  }

  private pointArea(props: Record<string, unknown> | null, ctx: FeatureContext, path: string): number | null {
    const area = props === null ? undefined : props.area_ha;
    const where = props === null ? path : `${path.replace(/\.geometry$/, '')}.properties.area_ha`;
    if (typeof area !== 'number' || !Number.isFinite(area) || area <= 0) {
      this.fail(
        ctx,
        'POINT_AREA',
        where,
        `a Point plot must declare its area as properties.area_ha, a number in (0, ${POINT_PLOT_MAX_HA}]${props === null ? ' (a bare Point geometry has no properties: wrap it in a Feature)' : `, got ${describeValue(area)}`}`,
      );
      return null;
    }
    if (area > POINT_PLOT_MAX_HA) {
      this.fail(ctx, 'POINT_AREA', where, `a plot of ${area} ha must be given as a polygon: points are allowed only up to ${POINT_PLOT_MAX_HA} ha`);
      return null;
    }
    return area;
  }

  private position(p: unknown, ctx: FeatureContext, path: string): MicroPosition | null {
    if (++this.positions > MAX_POSITIONS) {
      if (this.positions === MAX_POSITIONS + 1) this.fail(ctx, 'TOO_LARGE', path, `at most ${MAX_POSITIONS} positions in one document`);
      ctx.failed = true;
      return null;
    }
    if (!Array.isArray(p) || p.length < 2 || p.length > 3) {
      this.fail(ctx, 'POSITION', path, `a position is [longitude, latitude] or [longitude, latitude, altitude], got ${describeValue(p)}`);
      return null;
    }
    for (let i = 0; i < p.length; i++) {
      if (typeof p[i] !== 'number' || !Number.isFinite(p[i])) {
        this.fail(ctx, 'POSITION', `${path}[${i}]`, `expected a finite number, got ${describeValue(p[i])}`);
        return null;
      }
    }
    const lon = p[0] as number;
    const lat = p[1] as number;
    const lonOk = lon >= -180 && lon <= 180;
    const latOk = lat >= -90 && lat <= 90;
    if (!latOk && lonOk && Math.abs(lon) <= 90 && Math.abs(lat) <= 180) {
      this.fail(ctx, 'AXIS_ORDER', path, `latitude ${lat} is outside [-90, 90] but [${lat}, ${lon}] would be valid: positions must be [longitude, latitude] (RFC 7946 §3.1.1), this looks like [latitude, longitude]`);
      return null;
    }
    if (!lonOk) {
      this.fail(ctx, 'LONGITUDE_RANGE', `${path}[0]`, `longitude must be in [-180, 180], got ${lon}`);
      return null;
    }
    if (!latOk) {
      this.fail(ctx, 'LATITUDE_RANGE', `${path}[1]`, `latitude must be in [-90, 90], got ${lat}`);
      return null;
    }
    ctx.maxDecimals = Math.max(ctx.maxDecimals, decimalPlaces(lon), decimalPlaces(lat));
    return [toMicroDegrees(lon), toMicroDegrees(lat)];
  }

  private ring(r: unknown, ctx: FeatureContext, path: string): ParsedRing | null {
    if (!Array.isArray(r)) {
      this.fail(ctx, 'GEOMETRY_TYPE', path, `a linear ring is an array of positions, got ${describeValue(r)}`);
      return null;
    }
    if (r.length < 4) {
      this.fail(ctx, 'RING_TOO_SHORT', path, `a linear ring needs at least 4 positions (RFC 7946 §3.1.6), got ${r.length}`);
      return null;
    }
    const points: MicroPosition[] = [];
    for (let i = 0; i < r.length; i++) {
      const p = this.position(r[i], ctx, `${path}[${i}]`);
      if (p === null) return null;
      points.push(p);
    }
    const first = r[0] as number[];
    const last = r[r.length - 1] as number[];
    if (first[0] !== last[0] || first[1] !== last[1]) {
      this.fail(ctx, 'RING_NOT_CLOSED', path, `the last position ${describeValue(JSON.stringify(last.slice(0, 2)))} must repeat the first ${describeValue(JSON.stringify(first.slice(0, 2)))} (RFC 7946 §3.1.6)`);
      return null;
    }
    // Degenerate: fewer than 3 distinct vertices, or all on one line. Any other ring of
    // zero signed area crosses itself, which the intersection test reports.
    const distinct = new Set(points.map(([x, y]) => `${x},${y}`));
    const far = points.find((p) => p[0] !== points[0]![0] || p[1] !== points[0]![1]);
    if (distinct.size < 3 || points.every((p) => orient(points[0]!, far!, p) === 0)) {
      this.fail(ctx, 'RING_DEGENERATE', path, `the ring encloses no area (${distinct.size} distinct vertices${distinct.size >= 3 ? ', all on one line' : ''})`);
      return null;
    }
    return { points, path };
  }

  private polygon(c: unknown, ctx: FeatureContext, path: string): MicroPolygon | null {
    if (!Array.isArray(c) || c.length === 0) {
      this.fail(ctx, Array.isArray(c) ? 'EMPTY' : 'GEOMETRY_TYPE', path, `a Polygon needs a non-empty array of linear rings, got ${describeValue(c)}`);
      return null;
    }
    const rings: ParsedRing[] = [];
    for (let i = 0; i < c.length; i++) {
      const r = this.ring(c[i], ctx, `${path}[${i}]`);
      if (r === null) return null;
      rings.push(r);
    }
    if (!this.noIntersections(rings, ctx)) return null;
    // Rings do not touch, so each hole is wholly inside or wholly outside any other ring,
    // and testing one vertex decides.
    const outer = rings[0]!.points;
    for (let h = 1; h < rings.length; h++) {
      const v = rings[h]!.points[0]!;
      if (!pointStrictlyInRing(v, outer)) {
        this.fail(ctx, 'HOLE_OUTSIDE', rings[h]!.path, `hole ${h} lies outside the outer ring (its vertex ${fmt(v)} is not inside it)`);
        return null;
      }
      for (let k = 1; k < rings.length; k++) {
        if (k !== h && pointStrictlyInRing(v, rings[k]!.points)) {
          this.fail(ctx, 'HOLE_NESTED', rings[h]!.path, `hole ${h} lies inside hole ${k}; holes may not nest`);
          return null;
        }
      }
    }
    return rings.map((r) => r.points);
  }

  /** No two edges of the rings meet, except consecutive edges at their shared vertex. */
  private noIntersections(rings: ParsedRing[], ctx: FeatureContext): boolean {
    const edges = ringEdges(rings.map((r) => r.points));
    const counts = rings.map((_, i) => edges.filter((e) => e.ring === i).length);
    const hit = firstIntersection(edges, (e, f) => (e.ring === f.ring && isAdjacent(e.seq, f.seq, counts[e.ring]!) ? 'consecutive' : 'test'), counts);
    if (hit === null) return true;
    const [e, f, kind] = hit;
    const where = e.ring === f.ring ? `ring ${e.ring}` : `rings ${e.ring} and ${f.ring}`;
    this.fail(
      ctx,
      'SELF_INTERSECTION',
      rings[e.ring]!.path,
      `${where}: edge from position ${e.start} ${fmt(e.a)}→${fmt(e.b)} and edge from position ${f.start} ${fmt(f.a)}→${fmt(f.b)} ${kind}`,
    );
    return false;
  }

  private partsDisjoint(polys: MicroPolygon[], ctx: FeatureContext, path: string): void {
    const all: Edge[] = [];
    polys.forEach((poly, p) => {
      for (const e of ringEdges(poly)) all.push({ ...e, ring: p });
    });
    // Within one part the rings were already checked; only edges of different parts count.
    const hit = firstIntersection(all, (e, f) => (e.ring === f.ring ? 'skip' : 'test'));
    if (hit !== null) {
      const [e, f] = hit;
      this.fail(ctx, 'PARTS_OVERLAP', path, `polygons ${e.ring} and ${f.ring} of the MultiPolygon cross or touch (near ${fmt(e.a)}); merge adjacent fields into one polygon`);
      return;
    }
    for (let p = 0; p < polys.length; p++) {
      for (let q = 0; q < polys.length; q++) {
        if (p === q) continue;
        const v = polys[p]![0]![0]!;
        const [outer, ...holes] = polys[q]!;
        if (pointStrictlyInRing(v, outer!) && !holes.some((h) => pointStrictlyInRing(v, h))) {
          this.fail(ctx, 'PARTS_OVERLAP', `${path}[${p}]`, `polygon ${p} of the MultiPolygon lies inside polygon ${q}`);
          return;
        }
      }
    }
  }
}

function fmt(p: Point): string {
  return `[${formatMicroDegrees(p[0])}, ${formatMicroDegrees(p[1])}]`;
}

function isAdjacent(i: number, j: number, n: number): boolean {
  const d = Math.abs(i - j);
  return d === 1 || d === n - 1;
}

/** Non-zero-length edges of closed rings, numbered per ring. */
function ringEdges(rings: readonly (readonly MicroPosition[])[]): Edge[] {
  const out: Edge[] = [];
  rings.forEach((ring, r) => {
    let seq = 0;
    for (let i = 0; i + 1 < ring.length; i++) {
      const a = ring[i]!;
      const b = ring[i + 1]!;
      if (a[0] === b[0] && a[1] === b[1]) continue;
      out.push({ ring: r, seq: seq++, start: i, a, b, minX: Math.min(a[0], b[0]), maxX: Math.max(a[0], b[0]), minY: Math.min(a[1], b[1]), maxY: Math.max(a[1], b[1]) });
    }
  });
  return out;
}

/** How a pair of edges is tested: not at all, as consecutive edges of a ring, or fully. */
type PairKind = 'skip' | 'consecutive' | 'test';

/**
 * First pair of edges that meet, found by a sweep from west to east: only pairs whose
 * bounding boxes overlap are tested, exactly. Consecutive edges of a ring share their
 * common vertex by construction and fail only when they overlap collinearly.
 * @param ringEdgeCounts - edges per ring, to recognise the closing pair (last, first)
 */
function firstIntersection(edges: Edge[], kind: (e: Edge, f: Edge) => PairKind, ringEdgeCounts: readonly number[] = []): [Edge, Edge, string] | null {
  const sorted = [...edges].sort((e, f) => e.minX - f.minX);
  for (let i = 0; i < sorted.length; i++) {
    const e = sorted[i]!;
    for (let j = i + 1; j < sorted.length && sorted[j]!.minX <= e.maxX; j++) {
      const f = sorted[j]!;
      if (f.minY > e.maxY || f.maxY < e.minY) continue;
      const k = kind(e, f);
      if (k === 'skip') continue;
      if (k === 'consecutive') {
        // Order the pair so that p.b = q.a is the shared vertex.
        const last = ringEdgeCounts[e.ring]! - 1;
        const eFirst = f.seq === e.seq + 1 || (e.seq === last && f.seq === 0);
        const [p, q] = eFirst ? [e, f] : [f, e];
        if (adjacentEdgesOverlap(p.a, p.b, q.b)) return [p, q, 'overlap: the ring doubles back on itself'];
        continue;
      }
      if (segmentsIntersect(e.a, e.b, f.a, f.b)) return [e, f, 'intersect'];
    }
  }
  return null;
}
