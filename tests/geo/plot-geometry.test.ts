// The canonical GeoJSON of a plot and its hash: exact text, round trip through the
// validator, and the hash recomputed from its definition.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { tagFromName } from '../../core/domain.ts';
import { parsePlotGeoJson, type PlotGeometry } from '../../core/geo/geojson.ts';
import { canonicalPlotGeometry, plotGeometryHash } from '../../core/geo/plot-geometry.ts';
import { packBytes } from '../../core/pack-bytes.ts';
import { poseidon } from '../../core/poseidon.ts';

const SQUARE: PlotGeometry = {
  type: 'Polygon',
  coordinates: [[[-71_720_001, 18_660_000], [-71_719_000, 18_660_000], [-71_719_000, 18_661_000], [-71_720_001, 18_661_000], [-71_720_001, 18_660_000]]],
};

describe('canonicalPlotGeometry', () => {
  it('writes a Feature with the µ° coordinates as decimals and sorted keys', () => {
    expect(canonicalPlotGeometry(SQUARE)).toBe(
      '{"geometry":{"coordinates":[[[-71.720001,18.66],[-71.719,18.66],[-71.719,18.661],[-71.720001,18.661],[-71.720001,18.66]]],"type":"Polygon"},"properties":{},"type":"Feature"}',
    );
    expect(canonicalPlotGeometry({ type: 'Point', coordinates: [-71_722_612, 18_666_843], areaHa: 2.5 })).toBe(
      '{"geometry":{"coordinates":[-71.722612,18.666843],"type":"Point"},"properties":{"area_ha":2.5},"type":"Feature"}',
    );
  });

  describe('when read back through the validator', () => {
    it('gives the same geometry for every example plot', () => {
      const { plots } = parsePlotGeoJson(JSON.parse(readFileSync('examples/plots/cooperative.geojson', 'utf8')));
      for (const p of plots) {
        const again = parsePlotGeoJson(JSON.parse(canonicalPlotGeometry(p.geometry)));
        expect(again.plots[0]!.geometry, p.label).toEqual(p.geometry);
      }
    });
  });
});

describe('plotGeometryHash', () => {
  it('matches its definition: Poseidon(tag, byte length, chain of the packed UTF-8)', () => {
    const bytes = new TextEncoder().encode(canonicalPlotGeometry(SQUARE));
    const elements = packBytes(bytes);
    let s = 0n;
    for (let i = 0; i < elements.length; i += 14) {
      const block = elements.slice(i, i + 14);
      while (block.length < 14) block.push(0n);
      s = poseidon([tagFromName('canopy/sequence'), s, ...block]);
    }
    expect(plotGeometryHash(SQUARE)).toBe(poseidon([tagFromName('canopy/plot-geometry'), BigInt(bytes.length), s]));
  });

  it('changes when one vertex moves by 1 µ°, not when ids or other properties change', () => {
    const moved: PlotGeometry = { type: 'Polygon', coordinates: [SQUARE.coordinates[0]!.map(([x, y], i) => [i === 1 ? x + 1 : x, y] as [number, number])] };
    expect(plotGeometryHash(moved)).not.toBe(plotGeometryHash(SQUARE));
    const doc = (props: Record<string, unknown>) => ({ type: 'Feature', id: props.id, properties: props, geometry: JSON.parse(canonicalPlotGeometry(SQUARE)).geometry });
    const a = parsePlotGeoJson(doc({ id: 'a', name: 'A' })).plots[0]!;
    const b = parsePlotGeoJson(doc({ id: 'b', name: 'B', owner: 'x' })).plots[0]!;
    expect(plotGeometryHash(a.geometry)).toBe(plotGeometryHash(b.geometry));
  });

  it('commits a point\'s declared area', () => {
    const p = (areaHa: number): PlotGeometry => ({ type: 'Point', coordinates: [-71_722_612, 18_666_843], areaHa });
    expect(plotGeometryHash(p(2.5))).not.toBe(plotGeometryHash(p(2.6)));
  });
});
