/**
 * A shared table of hostile inputs to throw at every export: wrong types, values that
 * coerce (objects with valueOf/toString, one-element arrays), numbers at and past the
 * safe-integer edge, bigints at the field and bit-width boundaries, and strings that look
 * like numbers but are not canonical.
 *
 * The table does not say which values a function must reject: each test decides with its
 * own predicate (`isFieldElement`, `isCanonicalFieldString`, …), so one table serves every
 * export.
 * @module
 */
import { expect } from 'vitest';

/** BN254 scalar field order r, written out here so tests do not trust the code under test. */
export const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** BN254 base field order p (> r): a plausible wrong modulus. */
export const P = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

export interface HostileInput {
  /** Shown in test names. */
  readonly name: string;
  readonly value: unknown;
}

const pow2 = (n: number) => 1n << BigInt(n);

const bigints: HostileInput[] = [
  { name: '0n', value: 0n },
  { name: '1n', value: 1n },
  { name: '-1n', value: -1n },
  { name: '-(r - 1)', value: -(R - 1n) },
  { name: 'r - 1', value: R - 1n },
  { name: 'r', value: R },
  { name: 'r + 1', value: R + 1n },
  { name: 'p - 1', value: P - 1n },
  { name: 'p', value: P },
  { name: '2r', value: 2n * R },
  ...[8, 31, 32, 53, 64, 128, 248, 252, 253, 254, 256].flatMap((n) => [
    { name: `2^${n} - 1`, value: pow2(n) - 1n },
    { name: `2^${n}`, value: pow2(n) },
  ]),
  { name: '2^1024', value: pow2(1024) },
  { name: '-2^256', value: -pow2(256) },
];

const numbers: HostileInput[] = [
  { name: 'number 0', value: 0 },
  { name: 'number -0', value: -0 },
  { name: 'number 1', value: 1 },
  { name: 'number -1', value: -1 },
  { name: 'number 0.5', value: 0.5 },
  { name: 'number 1.5', value: 1.5 },
  { name: 'number 2^31', value: 2 ** 31 },
  { name: 'number 2^32', value: 2 ** 32 },
  { name: 'MAX_SAFE_INTEGER', value: Number.MAX_SAFE_INTEGER },
  { name: 'MAX_SAFE_INTEGER + 1', value: Number.MAX_SAFE_INTEGER + 1 },
  { name: 'MIN_SAFE_INTEGER', value: Number.MIN_SAFE_INTEGER },
  { name: 'MAX_VALUE', value: Number.MAX_VALUE },
  { name: 'EPSILON', value: Number.EPSILON },
  { name: 'NaN', value: NaN },
  { name: 'Infinity', value: Infinity },
  { name: '-Infinity', value: -Infinity },
];

const strings: HostileInput[] = [
  { name: "''", value: '' },
  { name: "'0'", value: '0' },
  { name: "'1'", value: '1' },
  { name: "'00'", value: '00' },
  { name: "'01'", value: '01' },
  { name: "'-0'", value: '-0' },
  { name: "'-1'", value: '-1' },
  { name: "'+1'", value: '+1' },
  { name: "' 1'", value: ' 1' },
  { name: "'1 '", value: '1 ' },
  { name: "'\\n1'", value: '\n1' },
  { name: "'1\\n'", value: '1\n' },
  { name: "'\\t1'", value: '\t1' },
  { name: "'\\u00a01' (no-break space)", value: '\u00a01' },
  { name: "'\\u00001'", value: '\u00001' },
  { name: "'0x1'", value: '0x1' },
  { name: "'0X1'", value: '0X1' },
  { name: "'0b1'", value: '0b1' },
  { name: "'0o1'", value: '0o1' },
  { name: "'1e3'", value: '1e3' },
  { name: "'1.0'", value: '1.0' },
  { name: "'1.'", value: '1.' },
  { name: "'.5'", value: '.5' },
  { name: "'1_000'", value: '1_000' },
  { name: "'1n'", value: '1n' },
  { name: "'１' (fullwidth digit)", value: '\uff11' },
  { name: "'٣' (Arabic-Indic digit)", value: '\u0663' },
  { name: "'NaN'", value: 'NaN' },
  { name: "'Infinity'", value: 'Infinity' },
  { name: "'abc'", value: 'abc' },
  { name: 'r - 1 as string', value: String(R - 1n) },
  { name: 'r as string', value: String(R) },
  { name: 'p as string', value: String(P) },
  { name: '2^256 as string', value: String(pow2(256)) },
  { name: "'0' × 100", value: '0'.repeat(100) },
  { name: "'1' × 1000", value: '1'.repeat(1000) },
  { name: 'lone high surrogate', value: '\ud800' },
  { name: 'lone low surrogate', value: '\udc00' },
];

const others: HostileInput[] = [
  { name: 'undefined', value: undefined },
  { name: 'null', value: null },
  { name: 'true', value: true },
  { name: 'false', value: false },
  { name: 'symbol', value: Symbol('hostile') },
  { name: 'function', value: () => 1n },
  { name: '{}', value: {} },
  { name: '[]', value: [] },
  { name: '[1n]', value: [1n] },
  { name: "['1']", value: ['1'] },
  { name: "['abc']", value: ['abc'] },
  { name: '{ valueOf: () => 1n }', value: { valueOf: () => 1n } },
  { name: "{ toString: () => '1' }", value: { toString: () => '1' } },
  { name: 'Object(1n) (boxed bigint)', value: Object(1n) },
  { name: 'new Number(1)', value: new Number(1) },
  { name: "new String('1')", value: new String('1') },
  { name: 'Uint8Array(0)', value: new Uint8Array(0) },
  { name: 'Uint8Array(32)', value: new Uint8Array(32) },
  { name: 'ArrayBuffer(32)', value: new ArrayBuffer(32) },
  { name: 'Uint16Array(2)', value: new Uint16Array(2) },
  { name: 'Date', value: new Date(0) },
  { name: 'Map', value: new Map() },
  { name: 'Object.create(null)', value: Object.create(null) },
];

/** Every hostile input, in one table. */
export const HOSTILE_INPUTS: readonly HostileInput[] = [...bigints, ...numbers, ...strings, ...others];

/** True for a bigint in [0, r). */
export function isFieldElement(v: unknown): v is bigint {
  return typeof v === 'bigint' && v >= 0n && v < R;
}

/** True for a bigint in [0, 2^bits). */
export function isUintBits(v: unknown, bits: number): v is bigint {
  return typeof v === 'bigint' && v >= 0n && v < pow2(bits);
}

/** True for a number that is a safe integer ≥ 0 (-0 included: it equals 0). */
export function isSafeUint(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** True for a canonical decimal string of a field element ('0', or no leading zero, < r). */
export function isCanonicalFieldString(v: unknown): v is string {
  if (typeof v !== 'string' || v.length === 0 || v.length > 78) return false;
  for (const c of v) if (c < '0' || c > '9') return false;
  if (v.length > 1 && v[0] === '0') return false;
  return BigInt(v) < R;
}

/** True for a Uint8Array (a Buffer counts: it is one). */
export function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

/**
 * Expects `fn` to reject bad input the way `core/assert.ts` does: a TypeError or RangeError
 * whose message starts with `"title" expected`.
 * @param kind - the error class required, or 'either' when the tests leave the class open
 */
export function expectInputError(fn: () => unknown, title: string, kind: 'type' | 'range' | 'either' = 'either'): void {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected a throw naming "${title}"`).toBeInstanceOf(Error);
  const err = thrown as Error;
  if (kind === 'type') expect(err).toBeInstanceOf(TypeError);
  else if (kind === 'range') expect(err).toBeInstanceOf(RangeError);
  else expect(err instanceof TypeError || err instanceof RangeError, `${err.name}: ${err.message}`).toBe(true);
  expect(err.message.startsWith(`"${title}" expected`), err.message).toBe(true);
}
