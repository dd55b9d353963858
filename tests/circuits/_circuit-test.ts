/**
 * Shared steps of the circuit tests: compile a library template as a main, and the
 * three outcomes a soundness test asserts.
 *
 * Two ways a circuit must reject a bad statement, and the tests check both:
 * - honest witness generation refuses it (`calculateWitness` throws WITNESS_FAILED);
 * - a cheating prover, who writes the witness by hand (`setSignal`), cannot satisfy the
 *   R1CS (`firstUnsatisfiedConstraint` returns a constraint index, never -1).
 * The second is what soundness means; the first only shows our own code is careful.
 * @module
 */
import { expect } from 'vitest';
import { compileMain, type CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { calculateWitness, firstUnsatisfiedConstraint, getSignal, setSignal, signalIndexes, type CircuitInput } from '../../circuits/toolchain/witness.ts';
import { FIELD_ORDER } from '../../core/field.ts';

/** BN254 scalar field order r. */
export const R = FIELD_ORDER;

/**
 * Compiles `template(params)` from a library file as a main. The artifact name is derived
 * from the template and parameters (`LessThanBounded`, [8] → `less_than_bounded_8`).
 * @example const c = await compileTemplate('circuits/lib/range_check.circom', 'RangeCheck', [8]);
 */
export function compileTemplate(
  templateFile: string,
  template: string,
  params: readonly (number | bigint)[],
  publicInputs: readonly string[] = [],
): Promise<CompiledCircuit> {
  const snake = template.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
  return compileMain({ name: [snake, ...params].join('_'), templateFile, template, params, publicInputs });
}

/** Computes a witness and checks it satisfies every constraint; returns it. */
export async function honestWitness(circuit: CompiledCircuit, input: CircuitInput): Promise<bigint[]> {
  const w = await calculateWitness(circuit, input);
  expect(await firstUnsatisfiedConstraint(circuit, w), `firstUnsatisfiedConstraint(honest witness of ${circuit.name}), want -1`).toBe(-1);
  return w;
}

/** Asserts that honest witness generation refuses `input`. */
export async function expectWitnessFails(circuit: CompiledCircuit, input: CircuitInput): Promise<void> {
  await expect(calculateWitness(circuit, input), `calculateWitness(${circuit.name}, ${show(input)}) succeeded, want WITNESS_FAILED`).rejects.toMatchObject({
    code: 'WITNESS_FAILED',
  });
}

/** Asserts that some constraint fails on `witness` (a real constraint, not wire 0). */
export async function expectUnsatisfied(circuit: CompiledCircuit, witness: readonly bigint[]): Promise<void> {
  const i = await firstUnsatisfiedConstraint(circuit, witness);
  expect(i, `firstUnsatisfiedConstraint(tampered witness of ${circuit.name}) = ${i}, want a constraint index ≥ 0`).toBeGreaterThanOrEqual(0);
}

/** Asserts that every constraint holds on `witness`. */
export async function expectSatisfied(circuit: CompiledCircuit, witness: readonly bigint[]): Promise<void> {
  const i = await firstUnsatisfiedConstraint(circuit, witness);
  expect(i, `firstUnsatisfiedConstraint(witness of ${circuit.name}) = ${i}, want -1`).toBe(-1);
}

/** A copy of `witness` with several signals replaced, in order. */
export function setSignals(circuit: CompiledCircuit, witness: readonly bigint[], values: Record<string, bigint>): bigint[] {
  let w = witness.slice();
  for (const [name, v] of Object.entries(values)) w = setSignal(circuit, w, name, v);
  return w;
}

/**
 * A copy of `target` with every kept signal whose name starts with `prefix` taken from
 * `source`, another witness of the same circuit: how a cheating prover reuses a whole
 * honest sub-computation (a range check, a hash) inside a forged witness.
 */
export function spliceSignals(circuit: CompiledCircuit, target: readonly bigint[], source: readonly bigint[], prefix: string): bigint[] {
  const w = target.slice();
  let n = 0;
  for (const [name, i] of signalIndexes(circuit)) {
    if (name.startsWith(prefix)) {
      w[i] = source[i]!;
      n++;
    }
  }
  expect(n, `signals of ${circuit.name} under ${prefix}`).toBeGreaterThan(0);
  return w;
}

/** Reads `main.<name>`. */
export function mainSignal(circuit: CompiledCircuit, witness: readonly bigint[], name: string): bigint {
  return getSignal(circuit, witness, `main.${name}`);
}

/** Reads `main.<name>[0..length)`. */
export function mainArray(circuit: CompiledCircuit, witness: readonly bigint[], name: string, length: number): bigint[] {
  return Array.from({ length }, (_, i) => getSignal(circuit, witness, `main.${name}[${i}]`));
}

/** Reduces an integer into [0, r): what a cheating prover writes for a "negative" value. */
export function fr(x: bigint): bigint {
  return ((x % R) + R) % R;
}

function show(input: CircuitInput): string {
  const s = JSON.stringify(input, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  return s.length > 120 ? `${s.slice(0, 117)}...` : s;
}
