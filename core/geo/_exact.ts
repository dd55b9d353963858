/**
 * Exact geometric predicates on integer micro-degree points, for ring validation.
 *
 * Coordinates are integers with |lon| ≤ 1.8e8 and |lat| ≤ 9e7, so a coordinate difference
 * reaches 3.6e8 and a cross product (dx1·dy2 − dy1·dx2) about 2.6e17 — beyond 2^53, where
 * doubles stop being exact. Every product is therefore taken in BigInt; differences of
 * two coordinates are exact doubles (|d| < 2^29) and converted before multiplying.
 * @module
 */

/** A point in µ°: [lon, lat]. */
export type Point = readonly [number, number];

/**
 * Sign of the cross product (b − a) × (c − a): 1 if a→b→c turns left (counter-clockwise
 * with lat pointing north), -1 if right, 0 if collinear. Exact.
 */
export function orient(a: Point, b: Point, c: Point): -1 | 0 | 1 {
  const v = BigInt(b[0] - a[0]) * BigInt(c[1] - a[1]) - BigInt(b[1] - a[1]) * BigInt(c[0] - a[0]);
  return v > 0n ? 1 : v < 0n ? -1 : 0;
}

/** Whether c, known collinear with a and b, lies on the closed segment [a, b]. */
function onCollinearSegment(a: Point, b: Point, c: Point): boolean {
  return Math.min(a[0], b[0]) <= c[0] && c[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= c[1] && c[1] <= Math.max(a[1], b[1]);
}

/**
 * Whether the closed segments [p1, p2] and [q1, q2] share at least one point (crossing,
 * touching at an end, or overlapping collinearly). Exact.
 */
export function segmentsIntersect(p1: Point, p2: Point, q1: Point, q2: Point): boolean {
  const o1 = orient(p1, p2, q1);
  const o2 = orient(p1, p2, q2);
  const o3 = orient(q1, q2, p1);
  const o4 = orient(q1, q2, p2);
  if (o1 * o2 < 0 && o3 * o4 < 0) return true;
  if (o1 === 0 && onCollinearSegment(p1, p2, q1)) return true;
  if (o2 === 0 && onCollinearSegment(p1, p2, q2)) return true;
  if (o3 === 0 && onCollinearSegment(q1, q2, p1)) return true;
  if (o4 === 0 && onCollinearSegment(q1, q2, p2)) return true;
  return false;
}

/**
 * For consecutive edges a→b→c sharing only b legitimately: whether they overlap beyond b,
 * i.e. c doubles back along a→b (a spike). Exact.
 */
export function adjacentEdgesOverlap(a: Point, b: Point, c: Point): boolean {
  if (orient(a, b, c) !== 0) return false;
  // Collinear: overlap iff c − b points back towards a, i.e. (b − a)·(c − b) < 0.
  const dot = BigInt(b[0] - a[0]) * BigInt(c[0] - b[0]) + BigInt(b[1] - a[1]) * BigInt(c[1] - b[1]);
  return dot < 0n;
}

/**
 * Twice the signed area of a closed ring (first position repeated last), in µ°²:
 * positive when counter-clockwise. Exact (shoelace in BigInt).
 */
export function ringArea2(ring: readonly Point[]): bigint {
  let s = 0n;
  // Relative to the first vertex keeps the terms small; the sum is unchanged.
  const [x0, y0] = ring[0]!;
  for (let i = 0; i + 1 < ring.length; i++) {
    const [x1, y1] = ring[i]!;
    const [x2, y2] = ring[i + 1]!;
    s += BigInt(x1 - x0) * BigInt(y2 - y0) - BigInt(x2 - x0) * BigInt(y1 - y0);
  }
  return s;
}

/**
 * Whether p lies strictly inside a closed ring, for a p known not to lie on the ring
 * (the caller has shown the rings do not touch). Crossing number with the half-open
 * rule lat_a ≤ p.lat < lat_b, exact.
 */
export function pointStrictlyInRing(p: Point, ring: readonly Point[]): boolean {
  let inside = false;
  for (let i = 0; i + 1 < ring.length; i++) {
    let a = ring[i]!;
    let b = ring[i + 1]!;
    if (a[1] === b[1]) continue;
    if (a[1] > b[1]) [a, b] = [b, a];
    if (p[1] < a[1] || p[1] >= b[1]) continue;
    // a is south of b: p is west of the edge iff a→b→p turns left.
    if (orient(a, b, p) > 0) inside = !inside;
  }
  return inside;
}
