/**
 * Tools for writing a witness as a cheating prover would, beyond `setSignal`:
 * - `recomputeComponent` re-runs one sub-component honestly on chosen inputs (from a
 *   standalone compile of the same template) and copies its signals into the witness,
 *   so a forged witness keeps every hash consistent except where the test wants it broken;
 * - `unsatisfiedConstraints` lists every failing constraint, and `constraintSignals` names
 *   the signals a constraint mentions, so a test can state which gadget rejected a
 *   forgery, not only that something did.
 * A forgery test pairs each use with a control: the same procedure on a statement that is
 * true must give a witness that satisfies every constraint, which shows the procedure
 * itself leaves nothing stale.
 * @module
 */
import { readR1cs } from 'r1csfile';
import { expect } from 'vitest';
import type { CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { calculateWitness, signalIndexes, type CircuitInput } from '../../circuits/toolchain/witness.ts';
import { FIELD_ORDER } from '../../core/field.ts';

type Lc = Map<number, bigint>;
const cache = new Map<string, Promise<[Lc, Lc, Lc][]>>();

function constraintsOf(circuit: Pick<CompiledCircuit, 'r1csPath'>): Promise<[Lc, Lc, Lc][]> {
  let p = cache.get(circuit.r1csPath);
  if (!p) {
    p = (async () => {
      const raw = await readR1cs(circuit.r1csPath, { loadConstraints: true, loadMap: false, singleThread: true });
      const Fr = raw.curve.Fr;
      const conv = (lc: Record<string, Uint8Array>): Lc => new Map(Object.entries(lc).map(([k, v]) => [Number(k), BigInt(Fr.toObject(v))]));
      const out = raw.constraints.map((c: Record<string, Uint8Array>[]) => [conv(c[0]!), conv(c[1]!), conv(c[2]!)] as [Lc, Lc, Lc]);
      await raw.curve.terminate();
      return out;
    })();
    cache.set(circuit.r1csPath, p);
  }
  return p;
}

function evaluate(lc: Lc, w: readonly bigint[]): bigint {
  let acc = 0n;
  for (const [k, v] of lc) acc += v * w[k]!;
  return acc % FIELD_ORDER;
}

/** Indexes of every constraint A·B = C that fails on `witness`. */
export async function unsatisfiedConstraints(circuit: Pick<CompiledCircuit, 'r1csPath'>, witness: readonly bigint[]): Promise<number[]> {
  const cs = await constraintsOf(circuit);
  const out: number[] = [];
  for (let i = 0; i < cs.length; i++) {
    const [a, b, c] = cs[i]!;
    if ((evaluate(a, witness) * evaluate(b, witness) - evaluate(c, witness)) % FIELD_ORDER !== 0n) out.push(i);
  }
  return out;
}

/** Names of the signals constraint `i` mentions (wires the .sym file names). */
export async function constraintSignals(circuit: CompiledCircuit, i: number): Promise<string[]> {
  const [a, b, c] = (await constraintsOf(circuit))[i]!;
  const wires = new Set([...a.keys(), ...b.keys(), ...c.keys()]);
  const names: string[] = [];
  for (const [name, w] of signalIndexes(circuit)) if (wires.has(w)) names.push(name);
  return names;
}

/**
 * Asserts that some constraint fails on `witness` and that every failing constraint
 * mentions a signal whose name starts with one of `prefixes`: the forgery was rejected
 * by that gadget.
 */
export async function expectRejectedBy(circuit: CompiledCircuit, witness: readonly bigint[], prefixes: readonly string[]): Promise<void> {
  const failing = await unsatisfiedConstraints(circuit, witness);
  expect(failing.length, `unsatisfied constraints of the forged ${circuit.name} witness, want ≥ 1`).toBeGreaterThan(0);
  for (const i of failing) {
    const names = await constraintSignals(circuit, i);
    expect(
      names.some((n) => prefixes.some((p) => n.startsWith(p))),
      `constraint ${i} fails and mentions ${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''}; want only constraints of ${prefixes.join(' or ')}`,
    ).toBe(true);
  }
}

/**
 * A copy of `witness` where every signal under `prefix` (e.g. `main.leaf`) is taken from
 * an honest witness of `sub`, a standalone compile of the same template, on `input`.
 * Throws if a kept signal under `prefix` has no counterpart in `sub`, so nothing is left
 * stale silently.
 */
export async function recomputeComponent(circuit: CompiledCircuit, witness: readonly bigint[], prefix: string, sub: CompiledCircuit, input: CircuitInput): Promise<bigint[]> {
  const subWitness = await calculateWitness(sub, input);
  const subIndex = signalIndexes(sub);
  const w = witness.slice();
  const missing: string[] = [];
  let copied = 0;
  for (const [name, i] of signalIndexes(circuit)) {
    if (!name.startsWith(`${prefix}.`)) continue;
    const j = subIndex.get(`main.${name.slice(prefix.length + 1)}`);
    if (j === undefined) missing.push(name);
    else {
      w[i] = subWitness[j]!;
      copied++;
    }
  }
  if (missing.length > 0) throw new Error(`recomputeComponent(${prefix}): ${missing.length} signals have no counterpart in ${sub.name}, e.g. ${missing[0]}`);
  expect(copied, `signals recomputed under ${prefix}`).toBeGreaterThan(0);
  return w;
}

/** Whether `circuit` keeps a wire for signal `name` (--O2 removes some). */
export function hasSignal(circuit: CompiledCircuit, name: string): boolean {
  return signalIndexes(circuit).has(name);
}
