/**
 * The declared units of PACT product footprints, and which of them can describe a mass of
 * goods such as a lot of coffee.
 *
 * A PACT footprint states its emissions per *declared unit* (kgCO2e / declared unit):
 * - v2.x (Technical Specifications 2.3.0, §"Data Type: DeclaredUnit"): the declared unit is
 *   ONE unit of `pcf.declaredUnit`, one of the seven values of PACT_V2_DECLARED_UNITS. The
 *   optional `pcf.productMassPerDeclaredUnit` (added in 2.3, ADR 33) is the mass in kg of
 *   one such unit, excluding packaging ("if the declared unit is liter … the density").
 * - v3.0 (OpenAPI schema `CarbonFootprint`, ADR 36): the declared unit is
 *   `pcf.declaredUnitAmount` × `pcf.declaredUnitOfMeasurement` (e.g. 12 liter), one of the
 *   ten values of PACT_V3_DECLARED_UNITS, and the mandatory `productMassPerDeclaredUnit` is
 *   the mass in kg of that whole amount, excluding packaging; it "SHALL be 0" when mass is
 *   not relevant (energy, logistics, services).
 *
 * Neither version has a tonne or gram unit: kilogram is the only mass unit.
 *
 * How a unit becomes a mass (`UnitKind`):
 * - `mass` (kilogram): directly, 1 kilogram weighs 1 kg;
 * - `volume`, `area`, `count` (liter, cubic meter, square meter, piece): only through a
 *   positive `productMassPerDeclaredUnit` (a density, an area density, a piece mass);
 * - `energy`, `transport`, `service` (kilowatt hour, megajoule, ton kilometer, hour,
 *   megabit second): never. Such a footprint describes energy delivered, goods moved or a
 *   service rendered, not goods with a mass, and the spec asks for mass 0.
 * @module
 */
import { rangeError } from '../assert.ts';

/** How a declared unit relates to the mass of the product. */
export type UnitKind = 'mass' | 'volume' | 'area' | 'count' | 'energy' | 'transport' | 'service';

const UNIT_KINDS: readonly string[] = ['mass', 'volume', 'area', 'count', 'energy', 'transport', 'service'];

/** Declared units of PACT v2.0–2.3 (`pcf.declaredUnit`), with their kind. */
export const PACT_V2_DECLARED_UNITS: Readonly<Record<string, UnitKind>> = Object.freeze({
  liter: 'volume',
  kilogram: 'mass',
  'cubic meter': 'volume',
  'kilowatt hour': 'energy',
  megajoule: 'energy',
  'ton kilometer': 'transport',
  'square meter': 'area',
});

/** Declared units of PACT v3.0 (`pcf.declaredUnitOfMeasurement`), with their kind. */
export const PACT_V3_DECLARED_UNITS: Readonly<Record<string, UnitKind>> = Object.freeze({
  ...PACT_V2_DECLARED_UNITS,
  piece: 'count',
  hour: 'service',
  'megabit second': 'service',
});

/**
 * Whether a unit of this kind can be turned into a mass of goods, given a positive mass per
 * declared unit where the kind needs one.
 * @throws {RangeError} if `kind` is not a UnitKind
 * @example unitHasMass('volume') // true
 */
export function unitHasMass(kind: UnitKind): boolean {
  if (typeof kind !== 'string' || !UNIT_KINDS.includes(kind)) rangeError('kind', `one of ${UNIT_KINDS.join(', ')}`, kind);
  return kind === 'mass' || kind === 'volume' || kind === 'area' || kind === 'count';
}
