/**
 * Reads the few figures a lot needs from a WBCSD PACT ProductFootprint (v2.0–2.3 or v3.0),
 * strictly, and nothing else: no identity (id, company, product ids) leaves this module.
 *
 * Fields read (docs/pact.md cites the sources):
 *
 *     field                          v2.0–2.3                       v3.0
 *     specVersion                    "2.<0..3>.<patch>[-YYYYMMDD]"  "3.0.<patch>[-YYYYMMDD]"
 *     status                         "Active" ("Deprecated" refused: the spec says it SHOULD NOT be used)
 *     pcf.declaredUnit               enum, PACT_V2_DECLARED_UNITS   — (forbidden)
 *     pcf.unitaryProductAmount       Decimal > 0, checked, unused   — (forbidden)
 *     pcf.pCfExcludingBiogenic       Decimal ≥ 0, kgCO2e / DU       — (forbidden)
 *     pcf.declaredUnitOfMeasurement  — (forbidden)                  enum, PACT_V3_DECLARED_UNITS
 *     pcf.declaredUnitAmount         — (forbidden)                  Decimal > 0
 *     pcf.pcfExcludingBiogenicUptake — (forbidden)                  Decimal, kgCO2e / DU; < 0 refused
 *     pcf.productMassPerDeclaredUnit optional from 2.3, kg per 1 unit   kg per declaredUnitAmount units
 *
 * DU is the declared unit: one unit of measure in v2, declaredUnitAmount units in v3. The
 * mass of one DU in kg follows from the unit kind (declared-unit.ts):
 *
 *     kind            v2                                  v3
 *     mass            1 (productMassPerDeclaredUnit,       declaredUnitAmount (productMassPerDeclaredUnit,
 *                     if given, must be 1)                 if given, must equal it)
 *     volume, area,   productMassPerDeclaredUnit > 0,      productMassPerDeclaredUnit > 0 (required)
 *     count           2.3 only; missing or 0 refused
 *     energy, transport, service   refused                 refused
 *
 * Fields of the other major version are refused rather than ignored, so a footprint can
 * never show one reader one figure and another reader a different one. A v2 unitaryProductAmount
 * (how many declared units one product holds) does not change the per-DU figure, so it is
 * only checked. In v3 a member set to null counts as absent ("Undefined Properties").
 *
 * Failures: CanopyError FOOTPRINT_MALFORMED when the document breaks the spec (missing or
 * mistyped field, a string that is not a Decimal, an unknown unit, contradicting figures);
 * FOOTPRINT_UNSUPPORTED when it follows the spec but cannot give a lot's emissions (unknown
 * spec version, deprecated, a unit without mass, negative emissions). Messages name the
 * field and the reason.
 * @module
 */
import { describe } from '../assert.ts';
import { CanopyError } from '../errors.ts';
import { equal, parseDecimal, type Rational, sign } from './_decimal.ts';
import { PACT_V2_DECLARED_UNITS, PACT_V3_DECLARED_UNITS, type UnitKind, unitHasMass } from './declared-unit.ts';

/** The figures a lot's emissions follow from, exact. */
export interface FootprintFigures {
  /** `specVersion`, verbatim. */
  specVersion: string;
  /** 2 or 3. */
  major: 2 | 3;
  /** The unit of measurement, verbatim (a key of the version's unit table). */
  unit: string;
  /** Amount of units in one declared unit: "1" in v2, `declaredUnitAmount` in v3; verbatim. */
  unitAmountText: string;
  /** Emissions per declared unit, kgCO2e, ≥ 0, and its verbatim text. */
  pcf: Rational;
  pcfText: string;
  /** Mass of one declared unit, kg, > 0, and the verbatim text it came from. */
  massKg: Rational;
  massKgText: string;
}

// Semantic-versioning core plus the optional date suffix the spec's own versions carry
// ("2.0.1-20230314"); the v3 OpenAPI schema's pattern is ^\d+\.\d+\.\d+(-\d{8})?$, and
// leading zeros are refused as semver 2.0.0 §2 requires.
const SPEC_VERSION_GRAMMAR = /^(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})\.(0|[1-9][0-9]{0,8})(-[0-9]{8})?$/;

const V2_ONLY = ['declaredUnit', 'unitaryProductAmount', 'pCfExcludingBiogenic'] as const;
const V3_ONLY = ['declaredUnitOfMeasurement', 'declaredUnitAmount', 'pcfExcludingBiogenicUptake'] as const;

type Obj = Record<string, unknown>;

function malformed(field: string, why: string): never {
  throw new CanopyError('FOOTPRINT_MALFORMED', `PACT footprint field "${field}": ${why}`);
}

function unsupported(field: string, why: string): never {
  throw new CanopyError('FOOTPRINT_UNSUPPORTED', `PACT footprint field "${field}": ${why}`);
}

function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own member, with null read as absent; never a value from the prototype chain. */
function member(obj: Obj, key: string): unknown {
  if (!Object.hasOwn(obj, key)) return undefined;
  const v = obj[key];
  return v === null ? undefined : v;
}

function describeType(v: unknown): string {
  return `${describe(v)} (${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v})`;
}

function requiredString(obj: Obj, key: string, path: string): string {
  const v = member(obj, key);
  if (v === undefined) malformed(path, 'missing');
  if (typeof v !== 'string') malformed(path, `expected a string, got ${describeType(v)}`);
  return v;
}

/** A Decimal member as an exact rational; `undefined` when absent and `required` is false. */
function decimal(obj: Obj, key: string, path: string, required: true): { value: Rational; text: string };
function decimal(obj: Obj, key: string, path: string, required: false): { value: Rational; text: string } | undefined;
function decimal(obj: Obj, key: string, path: string, required: boolean): { value: Rational; text: string } | undefined {
  const v = member(obj, key);
  if (v === undefined) {
    if (required) malformed(path, 'missing');
    return undefined;
  }
  // PACT encodes every Decimal as a JSON string; a JSON number has already lost digits.
  if (typeof v !== 'string') malformed(path, `expected a decimal string such as "4.5", got ${describeType(v)}`);
  const value = parseDecimal(v);
  if (value === null) {
    malformed(path, `expected a decimal string [+-]digits[.digits] of at most 64 characters (no exponent, NaN or spaces), got ${describe(v)}`);
  }
  return { value, text: v };
}

function parseSpecVersion(root: Obj): { text: string; major: 2 | 3; minor: number } {
  const text = requiredString(root, 'specVersion', 'specVersion');
  const m = SPEC_VERSION_GRAMMAR.exec(text);
  if (m === null) malformed('specVersion', `expected major.minor.patch[-YYYYMMDD], got ${describe(text)}`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  if ((major === 2 && minor <= 3) || (major === 3 && minor === 0)) return { text, major, minor };
  return unsupported('specVersion', `version ${describe(text)} is not supported (supported: 2.0–2.3, 3.0)`);
}

function checkStatus(root: Obj): void {
  const status = requiredString(root, 'status', 'status');
  if (status === 'Deprecated') unsupported('status', 'the footprint is "Deprecated" and SHOULD NOT be used for calculations');
  if (status !== 'Active') malformed('status', `expected "Active" or "Deprecated", got ${describe(status)}`);
}

function forbidOther(pcf: Obj, keys: readonly string[], ownVersion: string): void {
  for (const key of keys) {
    if (Object.hasOwn(pcf, key)) malformed(`pcf.${key}`, `belongs to the other major version, not allowed in a ${ownVersion} footprint`);
  }
}

function readUnit(pcf: Obj, key: string, table: Readonly<Record<string, UnitKind>>): { unit: string; kind: UnitKind } {
  const unit = requiredString(pcf, key, `pcf.${key}`);
  if (!Object.hasOwn(table, unit)) malformed(`pcf.${key}`, `expected one of ${Object.keys(table).map((u) => `"${u}"`).join(', ')}, got ${describe(unit)}`);
  const kind = table[unit]!;
  if (!unitHasMass(kind)) {
    unsupported(`pcf.${key}`, `declared unit ${describe(unit)} measures ${kind}, not a mass of goods, so it cannot give a lot's emissions`);
  }
  return { unit, kind };
}

function positive(field: string, d: { value: Rational; text: string }): void {
  if (sign(d.value) <= 0) malformed(field, `must be greater than 0, got ${describe(d.text)}`);
}

function readV2(pcf: Obj, minor: number): Omit<FootprintFigures, 'specVersion' | 'major'> {
  forbidOther(pcf, V3_ONLY, 'v2.x');
  const { unit, kind } = readUnit(pcf, 'declaredUnit', PACT_V2_DECLARED_UNITS);
  positive('pcf.unitaryProductAmount', decimal(pcf, 'unitaryProductAmount', 'pcf.unitaryProductAmount', true));
  const pcfFigure = decimal(pcf, 'pCfExcludingBiogenic', 'pcf.pCfExcludingBiogenic', true);
  if (sign(pcfFigure.value) < 0) malformed('pcf.pCfExcludingBiogenic', `must be 0 or greater (v2.x), got ${describe(pcfFigure.text)}`);
  // productMassPerDeclaredUnit exists from 2.3 on (ADR 33); in 2.0–2.2 it is not a field.
  const mass = minor >= 3 ? decimal(pcf, 'productMassPerDeclaredUnit', 'pcf.productMassPerDeclaredUnit', false) : undefined;
  const base = { unit, unitAmountText: '1', pcf: pcfFigure.value, pcfText: pcfFigure.text };
  if (kind === 'mass') {
    if (mass !== undefined && !equal(mass.value, { num: 1n, den: 1n })) {
      malformed('pcf.productMassPerDeclaredUnit', `contradicts declared unit "kilogram" (one kilogram weighs 1 kg), got ${describe(mass.text)}`);
    }
    return { ...base, massKg: { num: 1n, den: 1n }, massKgText: '1' };
  }
  if (mass === undefined) {
    const since = minor >= 3 ? '' : ' (a field from spec 2.3 on)';
    unsupported('pcf.productMassPerDeclaredUnit', `missing: declared unit ${describe(unit)} is a ${kind}, and turning it into a mass needs the mass per declared unit${since}`);
  }
  return { ...base, ...massOfUnit(mass, unit, kind) };
}

function readV3(pcf: Obj): Omit<FootprintFigures, 'specVersion' | 'major'> {
  forbidOther(pcf, V2_ONLY, 'v3.0');
  const { unit, kind } = readUnit(pcf, 'declaredUnitOfMeasurement', PACT_V3_DECLARED_UNITS);
  const amount = decimal(pcf, 'declaredUnitAmount', 'pcf.declaredUnitAmount', true);
  positive('pcf.declaredUnitAmount', amount);
  const pcfFigure = decimal(pcf, 'pcfExcludingBiogenicUptake', 'pcf.pcfExcludingBiogenicUptake', true);
  if (sign(pcfFigure.value) < 0) {
    // Valid v3 (removals may outweigh emissions), but a note carries emissions ≥ 0.
    unsupported('pcf.pcfExcludingBiogenicUptake', `is negative (${describe(pcfFigure.text)}); a lot's emissions must be 0 or greater`);
  }
  const mass = decimal(pcf, 'productMassPerDeclaredUnit', 'pcf.productMassPerDeclaredUnit', false);
  const base = { unit, unitAmountText: amount.text, pcf: pcfFigure.value, pcfText: pcfFigure.text };
  if (kind === 'mass') {
    // The declared unit is `amount` kilograms, so it weighs `amount` kg.
    if (mass !== undefined && !equal(mass.value, amount.value)) {
      malformed('pcf.productMassPerDeclaredUnit', `contradicts declaredUnitAmount ${describe(amount.text)} kilogram, got ${describe(mass.text)}`);
    }
    return { ...base, massKg: amount.value, massKgText: amount.text };
  }
  if (mass === undefined) malformed('pcf.productMassPerDeclaredUnit', `missing (required in v3.0; declared unit ${describe(unit)} is a ${kind})`);
  return { ...base, ...massOfUnit(mass, unit, kind) };
}

function massOfUnit(mass: { value: Rational; text: string }, unit: string, kind: UnitKind): { massKg: Rational; massKgText: string } {
  const field = 'pcf.productMassPerDeclaredUnit';
  if (sign(mass.value) < 0) malformed(field, `a mass cannot be negative, got ${describe(mass.text)}`);
  if (sign(mass.value) === 0) {
    unsupported(field, `is 0, which declares mass not relevant, so declared unit ${describe(unit)} (a ${kind}) cannot become a mass`);
  }
  return { massKg: mass.value, massKgText: mass.text };
}

/**
 * Checks that a footprint is an object at all, before anything walks it.
 * @throws {CanopyError} FOOTPRINT_MALFORMED naming "(root)"
 */
export function assertFootprintObject(footprint: unknown): asserts footprint is Obj {
  if (!isPlainObject(footprint)) malformed('(root)', `expected a ProductFootprint object, got ${describeType(footprint)}`);
}

/**
 * The figures of a footprint (a parsed JSON value; attacker-controlled).
 * @throws {CanopyError} FOOTPRINT_MALFORMED or FOOTPRINT_UNSUPPORTED (see module doc)
 */
export function readFootprint(footprint: unknown): FootprintFigures {
  assertFootprintObject(footprint);
  if (!Object.hasOwn(footprint, 'specVersion') && isPlainObject(member(footprint, 'data'))) {
    malformed('specVersion', 'missing; this looks like an API response, pass its "data" member');
  }
  const version = parseSpecVersion(footprint);
  checkStatus(footprint);
  const pcf = member(footprint, 'pcf');
  if (pcf === undefined) malformed('pcf', 'missing');
  if (!isPlainObject(pcf)) malformed('pcf', `expected a CarbonFootprint object, got ${describeType(pcf)}`);
  const figures = version.major === 2 ? readV2(pcf, version.minor) : readV3(pcf);
  return { specVersion: version.text, major: version.major, ...figures };
}
