/**
 * Public signals by name. A proof-bearing log entry carries its public signals as an object
 * keyed by the circuit's signal names, never as a bare snarkjs array, so that what the
 * registry does with each value (interpretation.ts) is read by name and cannot shift with
 * a position.
 *
 *     lot_transition (nIn = 2)      snarkjs array                  named form in the entry
 *       root                        ["r",                          { "root": "r",
 *       nullifiers[nIn]              "n0", "n1",                     "nullifiers": ["n0","n1"],
 *       outCommitments[2]            "c0", "c1",                     "outCommitments": ["c0","c1"],
 *       inCommodity …                "90111", …]                     "inCommodity": "90111", … }
 *
 * The order and the names come from the circuits' JS twins in core/circuits/
 * (`LOT_TRANSITION_PUBLIC_SIGNALS`, `LOT_MINT_PUBLIC_SIGNALS`, `CAPACITY_MINT_PUBLIC_SIGNALS`,
 * `CAPACITY_ISSUE_PUBLIC_SIGNALS`, `PLOT_WINDOW_PUBLIC_SIGNALS`), which circuits/circuits.json repeats; a test holds the two
 * equal. An array signal is written `name[n]` (fixed length) or `name[param]`, whose
 * length is a template parameter bounded here. Each circuit has at most one
 * parameter-length array, so the snarkjs array names back unambiguously
 * (`namePublicSignals`). Values are canonical decimal field elements (core/field.ts).
 * @module
 */
import { assertArray, rangeError, typeError } from '../../core/assert.ts';
import { CAPACITY_ISSUE_PUBLIC_SIGNALS } from '../../core/circuits/capacity-issue.ts';
import { CAPACITY_MINT_PUBLIC_SIGNALS } from '../../core/circuits/capacity-mint.ts';
import { LOT_MINT_PUBLIC_SIGNALS } from '../../core/circuits/lot-mint.ts';
import { LOT_TRANSITION_MAX_INPUTS, LOT_TRANSITION_PUBLIC_SIGNALS } from '../../core/circuits/lot-transition.ts';
import { PLOT_WINDOW_PUBLIC_SIGNALS } from '../../core/circuits/plot-window.ts';
import { parseField } from '../../core/field.ts';

/** The circuits whose proofs the registry accepts, each with its public signals in snarkjs order. */
export const CIRCUIT_PUBLIC_SIGNALS = {
  lot_transition: LOT_TRANSITION_PUBLIC_SIGNALS,
  lot_mint: LOT_MINT_PUBLIC_SIGNALS,
  capacity_mint: CAPACITY_MINT_PUBLIC_SIGNALS,
  capacity_issue: CAPACITY_ISSUE_PUBLIC_SIGNALS,
  plot_window: PLOT_WINDOW_PUBLIC_SIGNALS,
} as const satisfies Record<string, readonly string[]>;

/** A circuit id of circuits/circuits.json whose proofs the registry accepts. */
export type CircuitId = keyof typeof CIRCUIT_PUBLIC_SIGNALS;

/** Every accepted circuit id. */
export const CIRCUIT_IDS = Object.keys(CIRCUIT_PUBLIC_SIGNALS) as CircuitId[];

/** Bounds of the template parameters that size a public array signal. */
export const SIGNAL_PARAM_BOUNDS: Readonly<Record<string, readonly [min: number, max: number]>> = {
  nIn: [1, LOT_TRANSITION_MAX_INPUTS],
};

/** Public signals by name: a decimal string per scalar signal, an array of them per array signal. */
export type NamedPublicSignals = Record<string, string | string[]>;

/** One public signal of a circuit: its name and, for an array, its length rule. */
export interface SignalLayout {
  name: string;
  /** null for a scalar; [min, max] lengths for an array (min = max for a fixed length). */
  length: readonly [min: number, max: number] | null;
}

const layouts = new Map<CircuitId, SignalLayout[]>();

/**
 * The public signals of `circuit`, in snarkjs order, with their length rules.
 * @throws {RangeError} if `circuit` is not an accepted circuit id
 * @example signalLayout('lot_transition')[1] // { name: 'nullifiers', length: [1, 16] }
 */
export function signalLayout(circuit: CircuitId): readonly SignalLayout[] {
  assertCircuitId(circuit, 'circuit');
  let layout = layouts.get(circuit);
  if (layout === undefined) {
    layout = CIRCUIT_PUBLIC_SIGNALS[circuit].map((spec: string) => {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[([A-Za-z_][A-Za-z0-9_]*|[1-9][0-9]*)\])?$/.exec(spec);
      if (m === null) throw new Error(`canopy: bad math in signalLayout: signal spec ${spec}`);
      if (m[2] === undefined) return { name: m[1]!, length: null };
      if (/^[0-9]+$/.test(m[2])) return { name: m[1]!, length: [Number(m[2]), Number(m[2])] as const };
      const bounds = SIGNAL_PARAM_BOUNDS[m[2]];
      if (bounds === undefined) throw new Error(`canopy: bad math in signalLayout: no bounds for parameter ${m[2]}`);
      return { name: m[1]!, length: bounds };
    });
    layouts.set(circuit, layout);
  }
  return layout;
}

/**
 * Checks a circuit id.
 * @throws {TypeError} if not a string; {RangeError} if not an accepted circuit
 * @example assertCircuitId('lot_mint', 'circuit')
 */
export function assertCircuitId(value: unknown, title: string): asserts value is CircuitId {
  if (typeof value !== 'string') typeError(title, 'circuit id string', value);
  if (!Object.prototype.hasOwnProperty.call(CIRCUIT_PUBLIC_SIGNALS, value)) rangeError(title, `one of ${CIRCUIT_IDS.join(', ')}`, value);
}

/**
 * Checks named public signals against the circuit's layout: exactly its signal names, a
 * canonical decimal field element per scalar, an array of allowed length per array signal.
 * @throws {TypeError|RangeError} naming the first bad signal
 * @example assertNamedPublicSignals('lot_mint', { outCommitment: '42' }, 'publicSignals')
 */
export function assertNamedPublicSignals(circuit: CircuitId, value: unknown, title: string): asserts value is NamedPublicSignals {
  const layout = signalLayout(circuit);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.getPrototypeOf(value) !== Object.prototype) {
    typeError(title, 'object of public signals by name', value);
  }
  const v = value as Record<string, unknown>;
  const names = new Set(layout.map((s) => s.name));
  for (const key of Object.keys(v)) if (!names.has(key)) rangeError(title, `only the signals ${[...names].join(', ')} of ${circuit}`, `key ${JSON.stringify(key)}`);
  for (const s of layout) {
    const t = `${title}.${s.name}`;
    if (!Object.prototype.hasOwnProperty.call(v, s.name)) typeError(t, 'a public signal value', undefined);
    const x = v[s.name];
    if (s.length === null) {
      parseField(x, t);
    } else {
      assertArray(x, t, s.length[0], s.length[1]);
      x.forEach((e, i) => parseField(e, `${t}[${i}]`));
    }
  }
}

/**
 * The snarkjs public signal array (what a Groth16 verifier takes) of named signals.
 * @throws {TypeError|RangeError} as `assertNamedPublicSignals`
 * @example flattenPublicSignals('capacity_mint', { root, capacityNullifier, lotCommitment, remainderCommitment })
 */
export function flattenPublicSignals(circuit: CircuitId, named: NamedPublicSignals): string[] {
  assertNamedPublicSignals(circuit, named, 'named');
  return signalLayout(circuit).flatMap((s) => {
    const x = named[s.name]!;
    return typeof x === 'string' ? [x] : [...x];
  });
}

/**
 * Names a snarkjs public signal array: the inverse of `flattenPublicSignals`. The length
 * of the one parameter-sized array (if any) is what the other signals leave over.
 * @throws {TypeError|RangeError} if the array is not a valid signal list of `circuit`
 * @example namePublicSignals('lot_transition', publicSignals).nullifiers
 */
export function namePublicSignals(circuit: CircuitId, flat: readonly string[]): NamedPublicSignals {
  const layout = signalLayout(circuit);
  assertArray(flat, 'flat', 1, 1024);
  const fixed = layout.reduce((n, s) => n + (s.length === null ? 1 : s.length[0] === s.length[1] ? s.length[0] : 0), 0);
  const variable = layout.filter((s) => s.length !== null && s.length[0] !== s.length[1]);
  const spare = flat.length - fixed;
  if (variable.length === 0 ? spare !== 0 : spare < 0) rangeError('flat', `the signal count of ${circuit}`, flat.length);
  const named: NamedPublicSignals = {};
  let at = 0;
  for (const s of layout) {
    if (s.length === null) named[s.name] = flat[at++]!;
    else {
      const n = s.length[0] === s.length[1] ? s.length[0] : spare;
      named[s.name] = flat.slice(at, at + n);
      at += n;
    }
  }
  assertNamedPublicSignals(circuit, named, 'flat');
  return named;
}

/**
 * The values of one signal as field elements: one for a scalar, each element for an array.
 * @throws {TypeError|RangeError} if the signal is missing or not canonical
 * @example signalValues(named, 'nullifiers') // [n0, n1]
 */
export function signalValues(named: NamedPublicSignals, name: string): bigint[] {
  const x = named[name];
  if (typeof x === 'string') return [parseField(x, name)];
  assertArray(x, name);
  return x.map((e, i) => parseField(e, `${name}[${i}]`));
}
