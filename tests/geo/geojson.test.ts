// Plot GeoJSON validation: one failing example per rule, each required to name the
// feature (index and id or name) and the rule; accepted shapes; hostile values in every
// position; and agreement with a brute-force validity check written independently here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOSTILE_INPUTS } from '../hostile-inputs.ts';
import { formatPlotIssue, MAX_FEATURES, parsePlotGeoJson, PlotGeoJsonError, validatePlotGeoJson, type MicroPolygon, type PlotRule } from '../../core/geo/geojson.ts';
import { plotGeometryJson } from '../../core/geo/plot-geometry.ts';
import { randomPolygon, rng } from './_random-polygons.ts';

type Pos = number[];
const ring = (...p: Pos[]): Pos[] => [...p, p[0]!];
// A clean 6-decimal square near the Hansen crop, counter-clockwise.
const SQ = ring([-71.72, 18.66], [-71.719, 18.66], [-71.719, 18.661], [-71.72, 18.661]);
const SQ6 = SQ.map(([x, y]) => [x! + 0.0000011, y! + 0.0000012]);

function feature(geometry: unknown, properties: Record<string, unknown> | null = { name: 'Finca Prueba' }, id?: unknown): Record<string, unknown> {
  return { type: 'Feature', ...(id !== undefined ? { id } : {}), properties, geometry };
}
const polygon = (...rings: unknown[]) => ({ type: 'Polygon', coordinates: rings });
const collection = (...features: unknown[]) => ({ type: 'FeatureCollection', features });

/** Validates `doc` and expects exactly one error, of `rule`, on feature `index`. */
function expectRejected(doc: unknown, rule: PlotRule, index: number, label: RegExp | string, message?: RegExp): void {
  const { errors, plots } = validatePlotGeoJson(doc);
  expect(errors.map((e) => e.rule)).toEqual([rule]);
  const [e] = errors;
  expect(e!.feature).toBe(index);
  if (typeof label === 'string') expect(e!.label).toBe(label);
  else expect(e!.label).toMatch(label);
  if (message) expect(e!.message).toMatch(message);
  expect(plots.some((p) => p.index === index)).toBe(false);
  // parsePlotGeoJson throws the same issue, named in its one-line form.
  let thrown: unknown;
  try {
    parsePlotGeoJson(doc);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(PlotGeoJsonError);
  expect((thrown as PlotGeoJsonError).code).toBe('INVALID_INPUT');
  expect((thrown as PlotGeoJsonError).message).toContain(`${e!.label}: ${rule} at ${e!.path}: `);
  expect(formatPlotIssue(e!)).toBe(`${e!.label}: ${rule} at ${e!.path}: ${e!.message}`);
}

describe('validatePlotGeoJson', () => {
  describe('when given the example plots', () => {
    it('accepts each file and the cooperative collection, with no warning', () => {
      for (const name of ['clean', 'loss', 'hole', 'multipolygon', 'point']) {
        const r = validatePlotGeoJson(JSON.parse(readFileSync(`examples/plots/${name}.geojson`, 'utf8')));
        expect(r.errors, name).toEqual([]);
        expect(r.warnings, name).toEqual([]);
        expect(r.plots).toHaveLength(1);
        expect(r.plots[0]!.maxDecimalPlaces).toBe(6);
      }
      const coop = validatePlotGeoJson(JSON.parse(readFileSync('examples/plots/cooperative.geojson', 'utf8')));
      expect(coop.plots.map((p) => p.label)).toEqual(['DO-NEIBA-0001', 'DO-NEIBA-0002', 'DO-NEIBA-0003', 'DO-NEIBA-0004', 'DO-NEIBA-0005'].map((id, i) => `feature #${i} (id "${id}")`));
      expect(coop.plots[1]!.name).toBe('Finca El Limón');
    });
  });

  describe('when given an accepted polygon', () => {
    it('converts every coordinate to µ°, rounding half away from zero', () => {
      const r = parsePlotGeoJson(polygon(ring([-71.7200005, 18.6600005], [-71.719, 18.66], [-71.719, 18.661], [-71.72, 18.661])));
      expect(r.plots[0]!.geometry).toEqual({
        type: 'Polygon',
        coordinates: [[[-71_720_001, 18_660_001], [-71_719_000, 18_660_000], [-71_719_000, 18_661_000], [-71_720_000, 18_661_000], [-71_720_001, 18_660_001]]],
      });
      expect(r.plots[0]!.label).toBe('feature #0 (bare Polygon)');
    });
    it('accepts and drops an altitude', () => {
      const r = parsePlotGeoJson(feature(polygon(SQ6.map(([x, y]) => [x!, y!, 812.5]))));
      expect((r.plots[0]!.geometry as { coordinates: number[][][] }).coordinates[0]![0]).toEqual([-71_719_999, 18_660_001]);
    });
    it('tolerates repeated consecutive positions', () => {
      const sq = [SQ6[0]!, SQ6[1]!, SQ6[1]!, SQ6[2]!, SQ6[3]!, SQ6[0]!];
      expect(validatePlotGeoJson(feature(polygon(sq))).errors).toEqual([]);
    });
    it('accepts a hole strictly inside, and an island inside another part\'s hole', () => {
      const outer = ring([0, 0], [0.01, 0], [0.01, 0.01], [0, 0.01]);
      const hole = ring([0.002, 0.002], [0.002, 0.008], [0.008, 0.008], [0.008, 0.002]);
      const island = ring([0.004, 0.004], [0.006, 0.004], [0.006, 0.006], [0.004, 0.006]);
      const r = validatePlotGeoJson(feature({ type: 'MultiPolygon', coordinates: [[outer, hole], [island]] }));
      expect(r.errors).toEqual([]);
    });
    it('labels features by id, then properties.id, then properties.name', () => {
      const r = validatePlotGeoJson(collection(feature(polygon(SQ6), { id: 'P-1', name: 'A' }, 42), feature(polygon(SQ6), { id: 'P-2', name: 'B' }), feature(polygon(SQ6), { name: 'C' }), feature(polygon(SQ6), null)));
      expect(r.plots.map((p) => p.label)).toEqual(['feature #0 (id 42)', 'feature #1 (id "P-2")', 'feature #2 (name "C")', 'feature #3']);
    });
    it('accepts a crs naming WGS84', () => {
      expect(validatePlotGeoJson({ ...collection(feature(polygon(SQ6))), crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:OGC:1.3:CRS84' } } }).errors).toEqual([]);
    });
  });

  describe('when the document is not a plot document', () => {
    it('rejects a non-object (GEOJSON_TYPE)', () => expectRejected([1, 2], 'GEOJSON_TYPE', -1, 'document'));
    it('rejects an unknown type (GEOJSON_TYPE)', () => expectRejected({ type: 'Topology' }, 'GEOJSON_TYPE', -1, 'document', /"Topology"/));
    it('rejects features that are not an array (GEOJSON_TYPE)', () => expectRejected({ type: 'FeatureCollection', features: {} }, 'GEOJSON_TYPE', -1, 'document'));
    it('rejects an empty collection (EMPTY)', () => expectRejected(collection(), 'EMPTY', -1, 'document'));
    it(`rejects more than ${MAX_FEATURES} features (TOO_LARGE)`, () => {
      expectRejected(collection(...Array.from({ length: MAX_FEATURES + 1 }, () => feature(polygon(SQ6)))), 'TOO_LARGE', -1, 'document');
    });
    it('rejects a crs other than WGS84 (CRS)', () => {
      expectRejected({ ...collection(feature(polygon(SQ6))), crs: { type: 'name', properties: { name: 'EPSG:3857' } } }, 'CRS', -1, 'document', /"EPSG:3857"/);
    });
    it('rejects a feature that is not a Feature, naming it (GEOJSON_TYPE)', () => {
      expectRejected(collection(feature(polygon(SQ6)), { type: 'Polygon', coordinates: [SQ6] }), 'GEOJSON_TYPE', 1, 'feature #1');
    });
  });

  describe('when a geometry is not a plot geometry', () => {
    const cases: [string, unknown][] = [
      ['LineString', { type: 'LineString', coordinates: SQ6 }],
      ['MultiPoint', { type: 'MultiPoint', coordinates: SQ6 }],
      ['GeometryCollection', { type: 'GeometryCollection', geometries: [] }],
      ['null', null],
    ];
    for (const [name, g] of cases) {
      it(`rejects ${name} (GEOMETRY_TYPE)`, () => expectRejected(collection(feature(polygon(SQ6)), feature(g, { name: 'Finca Mala' })), 'GEOMETRY_TYPE', 1, 'feature #1 (name "Finca Mala")'));
    }
    it('rejects a Polygon without rings (EMPTY)', () => expectRejected(feature(polygon(), null, 'p-0'), 'EMPTY', 0, 'feature #0 (id "p-0")'));
  });

  describe('when a position is malformed', () => {
    const bad: [string, unknown, PlotRule, RegExp][] = [
      ['a string coordinate', ['-71.72', 18.66], 'POSITION', /expected a finite number, got "-71.72"/],
      ['NaN', [NaN, 18.66], 'POSITION', /got NaN/],
      ['null', [null, 18.66], 'POSITION', /got null/],
      ['four numbers', [-71.72, 18.66, 800, 1], 'POSITION', /\[longitude, latitude\]/],
      ['one number', [-71.72], 'POSITION', /\[longitude, latitude\]/],
      ['longitude 190', [190, 18.66], 'LONGITUDE_RANGE', /\[-180, 180\], got 190/],
      ['latitude 95 with longitude 120', [120, 95], 'LATITUDE_RANGE', /\[-90, 90\], got 95/],
      ['[lat, lon] order', [18.66, -91.72], 'AXIS_ORDER', /looks like \[latitude, longitude\]/],
    ];
    for (const [name, pos, rule, message] of bad) {
      it(`rejects ${name} (${rule})`, () => {
        const r = SQ6.map((p) => [...p]);
        r[2] = pos as number[];
        expectRejected(collection(feature(polygon(SQ6), null, 'ok'), feature(polygon(r), { id: 'DO-7' })), rule, 1, 'feature #1 (id "DO-7")', message);
        expect(validatePlotGeoJson(feature(polygon(r))).errors[0]!.path).toMatch(/^\$\.geometry\.coordinates\[0\]\[2\]/);
      });
    }
  });

  describe('when a ring is malformed', () => {
    it('rejects fewer than 4 positions (RING_TOO_SHORT)', () => expectRejected(feature(polygon([SQ6[0], SQ6[1], SQ6[0]])), 'RING_TOO_SHORT', 0, 'feature #0 (name "Finca Prueba")', /at least 4 positions/));
    it('rejects an open ring (RING_NOT_CLOSED)', () => expectRejected(feature(polygon(SQ6.slice(0, 4).concat([[-71.72, 18.6601]]))), 'RING_NOT_CLOSED', 0, /Finca Prueba/, /must repeat the first/));
    it('rejects a ring whose last position differs beyond the 6th decimal (RING_NOT_CLOSED)', () => {
      const r = SQ6.map((p) => [...p]);
      r[4] = [r[0]![0]! + 1e-9, r[0]![1]!];
      expectRejected(feature(polygon(r)), 'RING_NOT_CLOSED', 0, /Finca Prueba/);
    });
    it('rejects collinear vertices (RING_DEGENERATE)', () => expectRejected(feature(polygon(ring([0, 0], [0.001, 0.001], [0.002, 0.002], [0.003, 0.003]))), 'RING_DEGENERATE', 0, /Finca Prueba/, /all on one line/));
    it('rejects a ring of one repeated point (RING_DEGENERATE)', () => expectRejected(feature(polygon(ring([0, 0], [0, 0], [0, 0], [0, 0]))), 'RING_DEGENERATE', 0, /Finca Prueba/, /1 distinct vertices/));
  });

  describe('when rings intersect', () => {
    it('rejects a bow-tie (SELF_INTERSECTION), naming the two edges', () => {
      expectRejected(feature(polygon(ring([0, 0], [0.01, 0.01], [0.01, 0], [0, 0.01])), { id: 'bow' }), 'SELF_INTERSECTION', 0, 'feature #0 (id "bow")', /ring 0: edge from position \d .* and edge from position \d .* intersect/);
    });
    it('rejects a spike doubling back along an edge (SELF_INTERSECTION)', () => {
      // Whichever pair the sweep meets first: the doubled-back edges, or the next edge
      // starting on the first one.
      expectRejected(feature(polygon(ring([0, 0], [0.01, 0], [0.02, 0], [0.015, 0], [0.01, 0.01]))), 'SELF_INTERSECTION', 0, /Finca Prueba/, /doubles back|intersect/);
    });
    it('rejects a ring touching itself at a vertex (SELF_INTERSECTION)', () => {
      expectRejected(feature(polygon(ring([0, 0], [0.01, 0], [0.005, 0.005], [0.01, 0.01], [0, 0.01], [0.005, 0.005]))), 'SELF_INTERSECTION', 0, /Finca Prueba/);
    });
    it('rejects a hole crossing the outer ring (SELF_INTERSECTION)', () => {
      const outer = ring([0, 0], [0.01, 0], [0.01, 0.01], [0, 0.01]);
      expectRejected(feature(polygon(outer, ring([0.005, 0.005], [0.015, 0.005], [0.015, 0.006], [0.005, 0.006]))), 'SELF_INTERSECTION', 0, /Finca Prueba/, /rings 0 and 1|rings 1 and 0/);
    });
    it('rejects a hole touching the outer ring at one vertex (SELF_INTERSECTION, stricter than OGC)', () => {
      const outer = ring([0, 0], [0.01, 0], [0.01, 0.01], [0, 0.01]);
      expectRejected(feature(polygon(outer, ring([0.005, 0], [0.006, 0.002], [0.004, 0.002]))), 'SELF_INTERSECTION', 0, /Finca Prueba/);
    });
    it('rejects a hole outside the outer ring (HOLE_OUTSIDE)', () => {
      const outer = ring([0, 0], [0.01, 0], [0.01, 0.01], [0, 0.01]);
      expectRejected(feature(polygon(outer, ring([0.02, 0.02], [0.03, 0.02], [0.03, 0.03]))), 'HOLE_OUTSIDE', 0, /Finca Prueba/, /hole 1 lies outside/);
    });
    it('rejects a hole inside another hole (HOLE_NESTED)', () => {
      const outer = ring([0, 0], [0.01, 0], [0.01, 0.01], [0, 0.01]);
      const h1 = ring([0.001, 0.001], [0.001, 0.009], [0.009, 0.009], [0.009, 0.001]);
      const h2 = ring([0.004, 0.004], [0.004, 0.006], [0.006, 0.006], [0.006, 0.004]);
      expectRejected(feature(polygon(outer, h1, h2)), 'HOLE_NESTED', 0, /Finca Prueba/, /hole 2 lies inside hole 1/);
    });
  });

  describe('when the parts of a MultiPolygon meet', () => {
    const a = ring([0, 0], [0.01, 0], [0.01, 0.01], [0, 0.01]);
    const multi = (...parts: Pos[][]) => feature({ type: 'MultiPolygon', coordinates: parts.map((p) => [p]) }, { id: 'M-1' });
    it('rejects crossing parts (PARTS_OVERLAP)', () => expectRejected(multi(a, ring([0.005, 0.005], [0.015, 0.005], [0.015, 0.015], [0.005, 0.015])), 'PARTS_OVERLAP', 0, 'feature #0 (id "M-1")', /polygons 0 and 1/));
    it('rejects parts sharing an edge (PARTS_OVERLAP)', () => expectRejected(multi(a, ring([0.01, 0], [0.02, 0], [0.02, 0.01], [0.01, 0.01])), 'PARTS_OVERLAP', 0, 'feature #0 (id "M-1")', /merge adjacent fields/));
    it('rejects parts touching at a corner (PARTS_OVERLAP)', () => expectRejected(multi(a, ring([0.01, 0.01], [0.02, 0.01], [0.02, 0.02], [0.01, 0.02])), 'PARTS_OVERLAP', 0, 'feature #0 (id "M-1")'));
    it('rejects a part inside another (PARTS_OVERLAP)', () => expectRejected(multi(a, ring([0.002, 0.002], [0.004, 0.002], [0.004, 0.004])), 'PARTS_OVERLAP', 0, 'feature #0 (id "M-1")', /polygon 1 of the MultiPolygon lies inside polygon 0/));
  });

  describe('when a plot is a Point', () => {
    const point = { type: 'Point', coordinates: [-71.722612, 18.666843] };
    it('accepts one of at most 4 ha declared in area_ha', () => {
      const r = parsePlotGeoJson(feature(point, { name: 'Loma', area_ha: 4 }));
      expect(r.plots[0]!.geometry).toEqual({ type: 'Point', coordinates: [-71_722_612, 18_666_843], areaHa: 4 });
    });
    it('rejects one over 4 ha: it must be a polygon (POINT_AREA)', () => expectRejected(feature(point, { name: 'Grande', area_ha: 4.01 }), 'POINT_AREA', 0, 'feature #0 (name "Grande")', /must be given as a polygon/));
    it('rejects one without area_ha (POINT_AREA)', () => expectRejected(feature(point, { name: 'Sin área' }), 'POINT_AREA', 0, 'feature #0 (name "Sin área")', /properties\.area_ha/));
    it('rejects area_ha as a string (POINT_AREA)', () => expectRejected(feature(point, { name: 'Texto', area_ha: '2' }), 'POINT_AREA', 0, /Texto/, /got "2"/));
    it('rejects a bare Point, which cannot declare its area (POINT_AREA)', () => expectRejected(point, 'POINT_AREA', 0, 'feature #0 (bare Point)', /wrap it in a Feature/));
  });

  describe('when coordinates carry fewer than 6 decimals', () => {
    it('warns (PRECISION) but accepts', () => {
      const r = validatePlotGeoJson(feature(polygon(ring([-71.7201, 18.6601], [-71.719, 18.66], [-71.719, 18.661], [-71.72, 18.661])), { id: 'low' }));
      expect(r.errors).toEqual([]);
      expect(r.plots).toHaveLength(1);
      expect(r.warnings).toMatchObject([{ rule: 'PRECISION', severity: 'warning', feature: 0, label: 'feature #0 (id "low")' }]);
      expect(formatPlotIssue(r.warnings[0]!)).toMatch(/^feature #0 \(id "low"\): PRECISION \(warning\) at \$\.geometry\.coordinates: coordinates show at most 4 decimal places/);
    });
    it('does not warn when one coordinate shows 6 decimals and others end in zeros', () => {
      expect(validatePlotGeoJson(feature(polygon(SQ.map((p, i) => (i === 1 ? [-71.719001, 18.66] : p))))).warnings).toEqual([]);
    });
  });

  describe('when several features are bad', () => {
    it('reports every one, each naming its own feature', () => {
      const r = validatePlotGeoJson(collection(feature(polygon(SQ6), { id: 'a' }), feature({ type: 'LineString', coordinates: SQ6 }, { id: 'b' }), feature(polygon([SQ6[0]]), { id: 'c' })));
      expect(r.errors.map((e) => [e.feature, e.rule, e.label])).toEqual([
        [1, 'GEOMETRY_TYPE', 'feature #1 (id "b")'],
        [2, 'RING_TOO_SHORT', 'feature #2 (id "c")'],
      ]);
      expect(r.plots.map((p) => p.index)).toEqual([0]);
    });
  });

  describe('when given hostile values anywhere', () => {
    it('never throws, and rejects every non-number coordinate', () => {
      for (const { name, value } of HOSTILE_INPUTS) {
        for (const doc of [value, feature(value), feature(polygon(value)), feature(polygon([value, ...SQ6.slice(1)])), feature(polygon(SQ6.map((p, i) => (i === 1 ? [value, p[1]] : p))))]) {
          let r: ReturnType<typeof validatePlotGeoJson> | undefined;
          expect(() => (r = validatePlotGeoJson(doc)), name).not.toThrow();
          const finite = typeof value === 'number' && Number.isFinite(value) && Math.abs(value) <= 180;
          if (!finite) expect(r!.errors.length, `${name}`).toBeGreaterThan(0);
        }
      }
    });
  });
});

// Brute-force validity, independent of core/geo/_exact.ts: every pair of edges with exact
// rational arithmetic in BigInt, and hole containment by ray casting with cross-multiplication.
function bruteForceValid(poly: MicroPolygon): boolean {
  const cross = (a: number[], b: number[], c: number[]) => {
    const v = BigInt(b[0]! - a[0]!) * BigInt(c[1]! - a[1]!) - BigInt(b[1]! - a[1]!) * BigInt(c[0]! - a[0]!);
    return v > 0n ? 1 : v < 0n ? -1 : 0;
  };
  const within = (a: number[], b: number[], c: number[]) => Math.min(a[0]!, b[0]!) <= c[0]! && c[0]! <= Math.max(a[0]!, b[0]!) && Math.min(a[1]!, b[1]!) <= c[1]! && c[1]! <= Math.max(a[1]!, b[1]!);
  const meet = (p: number[], q: number[], r: number[], s: number[]) => {
    const [d1, d2, d3, d4] = [cross(r, s, p), cross(r, s, q), cross(p, q, r), cross(p, q, s)];
    if (d1 * d2 < 0 && d3 * d4 < 0) return true;
    return (d1 === 0 && within(r, s, p)) || (d2 === 0 && within(r, s, q)) || (d3 === 0 && within(p, q, r)) || (d4 === 0 && within(p, q, s));
  };
  const edges: { r: number; k: number; n: number; a: number[]; b: number[] }[] = [];
  poly.forEach((ring, r) => {
    const es = ring.slice(0, -1).map((a, i) => [a, ring[i + 1]!] as const).filter(([a, b]) => a[0] !== b[0] || a[1] !== b[1]);
    es.forEach(([a, b], k) => edges.push({ r, k, n: es.length, a, b }));
  });
  for (let i = 0; i < edges.length; i++) {
    for (let j = i + 1; j < edges.length; j++) {
      const e = edges[i]!;
      const f = edges[j]!;
      const adjacent = e.r === f.r && (Math.abs(e.k - f.k) === 1 || Math.abs(e.k - f.k) === e.n - 1);
      if (!adjacent) {
        if (meet(e.a, e.b, f.a, f.b)) return false;
        continue;
      }
      const [p, q] = f.k === e.k + 1 || (e.k === e.n - 1 && f.k === 0) ? [e, f] : [f, e];
      const dot = (p.b[0]! - p.a[0]!) * (q.b[0]! - p.b[0]!) + (p.b[1]! - p.a[1]!) * (q.b[1]! - p.b[1]!);
      if (cross(p.a, p.b, q.b) === 0 && dot < 0) return false;
    }
  }
  const inside = (pt: number[], ring: number[][]) => {
    let odd = false;
    for (let i = 0; i + 1 < ring.length; i++) {
      const [a, b] = [ring[i]!, ring[i + 1]!];
      if (a[1]! > pt[1]! === b[1]! > pt[1]!) continue;
      // x_cross > pt.x ⇔ (b.x − a.x)(pt.y − a.y) > (pt.x − a.x)(b.y − a.y) when b.y > a.y
      const l = BigInt(b[0]! - a[0]!) * BigInt(pt[1]! - a[1]!);
      const rr = BigInt(pt[0]! - a[0]!) * BigInt(b[1]! - a[1]!);
      if (b[1]! > a[1]! ? l > rr : l < rr) odd = !odd;
    }
    return odd;
  };
  return poly.slice(1).every((h) => inside(h[0]!, poly[0]!)) && poly.slice(1).every((h, i) => poly.slice(1).every((g, j) => i === j || !inside(h[0]!, g)));
}

describe('validatePlotGeoJson', () => {
  describe('when compared with a brute-force validity check', () => {
    it('accepts exactly the random polygons the brute force finds valid', () => {
      const random = rng(31122020);
      const polys: MicroPolygon[] = [];
      for (let k = 0; k < 300; k++) polys.push(randomPolygon(random, -71_720_000, 18_660_000, 2_000, k % 3 === 0 ? 250 : 1, 0.5));
      const { errors } = validatePlotGeoJson({ type: 'FeatureCollection', features: polys.map((p) => plotGeometryJson({ type: 'Polygon', coordinates: p })) });
      const rejected = new Set(errors.map((e) => e.feature));
      const disagree = polys.map((p, i) => [i, bruteForceValid(p), !rejected.has(i)] as const).filter(([, a, b]) => a !== b);
      expect(disagree).toEqual([]);
      // Both outcomes occur, so the comparison means something.
      expect(rejected.size).toBeGreaterThan(20);
      expect(rejected.size).toBeLessThan(280);
    });
  });
});
