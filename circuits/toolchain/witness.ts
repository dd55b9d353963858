/**
 * Witness generation and an independent R1CS check, for tests and for the prover's own
 * sanity check before it spends time on a proof.
 *
 * `calculateWitness` runs circom's generated WebAssembly, which also evaluates the
 * circuit's `assert`s and `===` constraints on honest inputs. That is not enough to
 * test soundness: a cheating prover does not run our witness code. `checkConstraints`
 * evaluates every constraint A·B = C of the .r1cs over any witness vector, so tests can
 * tamper with the witness directly (`setSignal`) and show the constraints catch it.
 * @module
 */
import { readFileSync } from 'node:fs';
import { WitnessCalculatorBuilder } from 'circom_runtime';
import { readR1cs } from 'r1csfile';
import { CanopyError } from '../../core/errors.ts';
import { FIELD_ORDER } from '../../core/field.ts';
import type { CompiledCircuit } from './compile.ts';

/** Circuit inputs as snarkjs takes them: signal name → value or nested arrays of values. */
export type CircuitInput = Record<string, bigint | string | number | readonly unknown[]>;

type WitnessCalculator = { calculateWitness(input: unknown, sanityCheck: boolean): Promise<bigint[]> };
const calculators = new Map<string, Promise<WitnessCalculator>>();

/**
 * Computes the full witness (wire 0 is the constant 1).
 * @throws {CanopyError} WITNESS_FAILED when an assert or constraint fails on these inputs
 */
export async function calculateWitness(circuit: Pick<CompiledCircuit, 'wasmPath'>, input: CircuitInput): Promise<bigint[]> {
  let wc = calculators.get(circuit.wasmPath);
  if (!wc) {
    wc = WitnessCalculatorBuilder(readFileSync(circuit.wasmPath)) as Promise<WitnessCalculator>;
    calculators.set(circuit.wasmPath, wc);
  }
  try {
    return await (await wc).calculateWitness(input, true);
  } catch (e) {
    throw new CanopyError('WITNESS_FAILED', `witness generation failed: ${firstLine(e)}`, { cause: e });
  }
}

interface LinearCombination { [wire: string]: bigint }
interface R1cs { nVars: number; nOutputs: number; nPubInputs: number; constraints: [LinearCombination, LinearCombination, LinearCombination][] }
const r1csCache = new Map<string, Promise<R1cs>>();

async function loadR1cs(path: string): Promise<R1cs> {
  // r1csfile returns coefficients in the curve's internal (Montgomery) form; convert once.
  const raw = await readR1cs(path, { loadConstraints: true, loadMap: false, singleThread: true });
  const Fr = raw.curve.Fr;
  const conv = (lc: Record<string, Uint8Array>): LinearCombination =>
    Object.fromEntries(Object.entries(lc).map(([k, v]) => [k, BigInt(Fr.toObject(v))]));
  const constraints = raw.constraints.map((c: Record<string, Uint8Array>[]) => [conv(c[0]!), conv(c[1]!), conv(c[2]!)]);
  await raw.curve.terminate();
  return { nVars: raw.nVars, nOutputs: raw.nOutputs, nPubInputs: raw.nPubInputs, constraints } as R1cs;
}

function evaluate(lc: LinearCombination, w: readonly bigint[]): bigint {
  let acc = 0n;
  for (const k in lc) acc += lc[k]! * w[Number(k)]!;
  return acc % FIELD_ORDER;
}

/**
 * Evaluates every R1CS constraint on `witness`. Returns the index of the first
 * constraint that fails, or -1 when all hold.
 */
export async function firstUnsatisfiedConstraint(circuit: Pick<CompiledCircuit, 'r1csPath'>, witness: readonly bigint[]): Promise<number> {
  let p = r1csCache.get(circuit.r1csPath);
  if (!p) r1csCache.set(circuit.r1csPath, (p = loadR1cs(circuit.r1csPath)));
  const r1cs = await p;
  if (witness.length !== r1cs.nVars) throw new RangeError(`"witness" expected ${r1cs.nVars} wires, got ${witness.length}`);
  if (witness[0] !== 1n) return -2; // wire 0 must be the constant one
  for (let i = 0; i < r1cs.constraints.length; i++) {
    const [a, b, c] = r1cs.constraints[i]!;
    if ((evaluate(a, witness) * evaluate(b, witness) - evaluate(c, witness)) % FIELD_ORDER !== 0n) return i;
  }
  return -1;
}

/**
 * Checks every constraint on `witness`.
 * @throws {CanopyError} CONSTRAINTS_UNSATISFIED naming the first failing constraint
 */
export async function checkConstraints(circuit: Pick<CompiledCircuit, 'r1csPath'>, witness: readonly bigint[]): Promise<void> {
  const i = await firstUnsatisfiedConstraint(circuit, witness);
  if (i !== -1) throw new CanopyError('CONSTRAINTS_UNSATISFIED', i === -2 ? 'witness wire 0 is not 1' : `constraint ${i} is not satisfied`);
}

const symCache = new Map<string, Map<string, number>>();

/** Witness index of each signal, by full name (e.g. `main.root`, `main.path.hashes[2]`). */
export function signalIndexes(circuit: Pick<CompiledCircuit, 'symPath'>): Map<string, number> {
  let m = symCache.get(circuit.symPath);
  if (!m) {
    m = new Map();
    // .sym lines: labelIndex,witnessIndex,componentIndex,name; witnessIndex -1 = optimised away
    for (const line of readFileSync(circuit.symPath, 'utf8').split('\n')) {
      const parts = line.split(',');
      if (parts.length < 4) continue;
      const w = Number(parts[1]);
      if (w >= 0) m.set(parts.slice(3).join(','), w);
    }
    symCache.set(circuit.symPath, m);
  }
  return m;
}

/** Witness value of a signal. @throws {RangeError} if the signal is unknown or optimised away */
export function getSignal(circuit: Pick<CompiledCircuit, 'symPath'>, witness: readonly bigint[], name: string): bigint {
  return witness[indexOf(circuit, name)]!;
}

/** A copy of `witness` with one signal replaced (reduced mod r), for tamper tests. */
export function setSignal(circuit: Pick<CompiledCircuit, 'symPath'>, witness: readonly bigint[], name: string, value: bigint): bigint[] {
  const out = witness.slice();
  out[indexOf(circuit, name)] = ((value % FIELD_ORDER) + FIELD_ORDER) % FIELD_ORDER;
  return out;
}

function indexOf(circuit: Pick<CompiledCircuit, 'symPath'>, name: string): number {
  const i = signalIndexes(circuit).get(name);
  if (i === undefined) throw new RangeError(`"signal" expected a signal kept in the witness, got ${JSON.stringify(name)}`);
  return i;
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0]!.slice(0, 300);
}
