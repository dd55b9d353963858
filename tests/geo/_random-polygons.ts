/**
 * Seeded random plot polygons for the rasterisation tests: star-shaped rings (simple by
 * construction before snapping) with optional holes, in µ°.
 * @module
 */
import type { MicroPolygon, MicroRing } from '../../core/geo/geojson.ts';

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A star-shaped ring around (cx, cy): n vertices at sorted random angles, radii in
 * [rMin, rMax], each coordinate rounded to a multiple of `snap` µ°. Counter-clockwise
 * unless `clockwise`.
 */
export function starRing(random: () => number, cx: number, cy: number, rMin: number, rMax: number, n: number, snap = 1, clockwise = false): MicroRing {
  const angles = Array.from({ length: n }, () => random() * 2 * Math.PI).sort((a, b) => a - b);
  const ring: MicroRing = angles.map((a) => {
    const r = rMin + random() * (rMax - rMin);
    return [Math.round((cx + r * Math.cos(a)) / snap) * snap, Math.round((cy + r * Math.sin(a)) / snap) * snap];
  });
  if (clockwise) ring.reverse();
  ring.push([ring[0]![0], ring[0]![1]]);
  return ring;
}

/**
 * A random polygon inside the square of half-side `half` around (cx, cy): a star outer
 * ring, and with probability `holeChance` a small star hole near the centre.
 */
export function randomPolygon(random: () => number, cx: number, cy: number, half: number, snap = 1, holeChance = 0.35): MicroPolygon {
  const n = 3 + Math.floor(random() * 10);
  const outer = starRing(random, cx, cy, half * 0.45, half * 0.95, n, snap, random() < 0.5);
  if (random() >= holeChance) return [outer];
  const hole = starRing(random, cx, cy, half * 0.08, half * 0.3, 3 + Math.floor(random() * 5), snap, random() < 0.5);
  return [outer, hole];
}
