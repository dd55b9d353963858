/**
 * A cheating prover for the lot circuits: writes a complete witness for ANY assignment of
 * the main inputs, valid or not, without running the circuit's own witness code (which
 * refuses bad statements, and so says nothing about soundness).
 *
 * How every wire gets its value:
 * - hashes and Merkle paths are grafted whole from honest witnesses of the library
 *   templates compiled as mains (OwnerKey, LotNoteCommitment, NoteNullifier,
 *   CapacityNoteCommitment, MerkleInclusion), which hash any field elements they are
 *   given: every Poseidon constraint holds;
 * - each range check's bits are the low n bits of its value modulo r, the best a prover
 *   can write: every bit constraint holds, and only the sum fails when the value is ≥ 2^n;
 * - every other wire (products, inverses, flags) is computed from the circuit's text,
 *   modulo r, as the constraint that defines it says.
 * A wire the forge does not know makes `build` throw, so no stale value can hide; and the
 * tests check that a forged witness of a valid statement equals the honest witness wire
 * for wire, which shows the forge computes what the circuit computes.
 *
 * `failingConstraintSignals` then names the wires of every constraint a forged witness
 * breaks, so a test can show which rule, and only which rule, stops an attack.
 * @module
 */
import { expect } from 'vitest';
import { readR1cs } from 'r1csfile';
import type { CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { calculateWitness, signalIndexes, type CircuitInput } from '../../circuits/toolchain/witness.ts';
import { FIELD_ORDER } from '../../core/field.ts';
import { compileTemplate } from '../circuits/_circuit-test.ts';

const R = FIELD_ORDER;

/** x mod r in [0, r). */
export function modR(x: bigint): bigint {
  return ((x % R) + R) % R;
}

function pow(base: bigint, exp: bigint): bigint {
  let result = 1n;
  let b = modR(base);
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % R;
    b = (b * b) % R;
  }
  return result;
}

/** The inverse of x mod r, or 0 for 0 (what `x != 0 ? 1 / x : 0` computes in circom). */
export function invOrZero(x: bigint): bigint {
  const v = modR(x);
  return v === 0n ? 0n : pow(v, R - 2n);
}

/** Library templates whose honest witnesses the forge grafts in. */
export interface Donors {
  ownerKey: CompiledCircuit;
  lotNote: CompiledCircuit;
  nullifier: CompiledCircuit;
  capacityNote: CompiledCircuit;
  merkle: CompiledCircuit;
}

/**
 * Compiles the donor templates for trees of `depth`.
 * @example const donors = await compileDonors(4);
 */
export async function compileDonors(depth: number): Promise<Donors> {
  return {
    ownerKey: await compileTemplate('circuits/lib/lot_note.circom', 'OwnerKey', []),
    lotNote: await compileTemplate('circuits/lib/lot_note.circom', 'LotNoteCommitment', []),
    nullifier: await compileTemplate('circuits/lib/lot_note.circom', 'NoteNullifier', []),
    capacityNote: await compileTemplate('circuits/lib/capacity_note.circom', 'CapacityNoteCommitment', []),
    merkle: await compileTemplate('circuits/lib/merkle_inclusion.circom', 'MerkleInclusion', [depth]),
  };
}

/** A witness under construction: signal name → value. */
export class Forge {
  readonly values = new Map<string, bigint>();

  /** Sets one signal (reduced mod r). */
  set(name: string, value: bigint): bigint {
    const v = modR(value);
    this.values.set(name, v);
    return v;
  }

  /** Reads a signal set before; throws if it was not. */
  get(name: string): bigint {
    const v = this.values.get(name);
    if (v === undefined) throw new Error(`forge: ${name} read before it was set`);
    return v;
  }

  /** Sets `main.<key>` (and `main.<key>[i]…` for arrays) from an input object. */
  setInputs(input: Record<string, unknown>): void {
    const walk = (name: string, v: unknown): void => {
      if (Array.isArray(v)) v.forEach((x, i) => walk(`${name}[${i}]`, x));
      else this.set(name, BigInt(v as string | bigint));
    };
    for (const [k, v] of Object.entries(input)) walk(`main.${k}`, v);
  }

  /**
   * Runs `donor` honestly on `input` and copies every signal `main.<rest>` of its witness
   * to `<prefix>.<rest>`. Returns the donor's witness reader.
   */
  async graft(prefix: string, donor: CompiledCircuit, input: CircuitInput): Promise<(name: string) => bigint> {
    const w = await calculateWitness(donor, input);
    for (const [name, i] of signalIndexes(donor)) {
      if (name.startsWith('main.')) this.values.set(`${prefix}.${name.slice(5)}`, w[i]!);
    }
    return (name: string) => {
      const i = signalIndexes(donor).get(`main.${name}`);
      if (i === undefined) throw new Error(`forge: donor ${donor.name} has no main.${name}`);
      return w[i]!;
    };
  }

  /** Bits of a RangeCheck(n) at `prefix`: the low n bits of value mod r. */
  bits(prefix: string, value: bigint, n: number): void {
    const v = modR(value);
    for (let k = 0; k < n; k++) this.values.set(`${prefix}.bits.out[${k}]`, (v >> BigInt(k)) & 1n);
  }

  /**
   * The witness vector of `circuit`: every kept wire from the values set.
   * @throws {Error} naming the first kept wires the forge has no value for
   */
  build(circuit: CompiledCircuit): bigint[] {
    const index = signalIndexes(circuit);
    const w: bigint[] = new Array<bigint>(circuit.wires).fill(0n);
    w[0] = 1n;
    const missing: string[] = [];
    for (const [name, i] of index) {
      const v = this.values.get(name);
      if (v === undefined) missing.push(name);
      else w[i] = v;
    }
    if (missing.length > 0) throw new Error(`forge: no value for ${missing.length} wires of ${circuit.name}: ${missing.slice(0, 8).join(', ')}`);
    return w;
  }
}

type Lc = Map<number, bigint>;
interface R1cs {
  constraints: [Lc, Lc, Lc][];
}
const r1csCache = new Map<string, Promise<R1cs>>();

async function loadR1cs(path: string): Promise<R1cs> {
  const raw = await readR1cs(path, { loadConstraints: true, loadMap: false, singleThread: true });
  const Fr = raw.curve.Fr;
  const conv = (lc: Record<string, Uint8Array>): Lc => new Map(Object.entries(lc).map(([k, v]) => [Number(k), BigInt(Fr.toObject(v))]));
  const constraints = raw.constraints.map((c: Record<string, Uint8Array>[]) => [conv(c[0]!), conv(c[1]!), conv(c[2]!)] as [Lc, Lc, Lc]);
  await raw.curve.terminate();
  return { constraints };
}

function evaluate(lc: Lc, w: readonly bigint[]): bigint {
  let acc = 0n;
  for (const [k, c] of lc) acc += c * w[k]!;
  return acc % R;
}

/**
 * For every constraint `witness` breaks, the names of the wires it involves (wire 0,
 * the constant, is omitted). Empty when the witness satisfies the circuit.
 */
export async function failingConstraintSignals(circuit: CompiledCircuit, witness: readonly bigint[]): Promise<string[][]> {
  let p = r1csCache.get(circuit.r1csPath);
  if (!p) r1csCache.set(circuit.r1csPath, (p = loadR1cs(circuit.r1csPath)));
  const r1cs = await p;
  const names = new Map<number, string>();
  for (const [name, i] of signalIndexes(circuit)) if (!names.has(i)) names.set(i, name);
  const out: string[][] = [];
  for (const [a, b, c] of r1cs.constraints) {
    if ((evaluate(a, witness) * evaluate(b, witness) - evaluate(c, witness)) % R === 0n) continue;
    const wires = new Set<number>([...a.keys(), ...b.keys(), ...c.keys()]);
    wires.delete(0);
    out.push([...wires].map((i) => names.get(i) ?? `wire ${i}`));
  }
  return out;
}

/**
 * Asserts that `witness` breaks at least one constraint, and that every constraint it
 * breaks involves a wire under one of `prefixes`: the attack is stopped by that rule and
 * by no accident elsewhere.
 */
export async function expectOnlyRuleFails(circuit: CompiledCircuit, witness: readonly bigint[], prefixes: readonly string[]): Promise<void> {
  const failing = await failingConstraintSignals(circuit, witness);
  expect(failing.length, `constraints of ${circuit.name} broken by the forged witness, want ≥ 1`).toBeGreaterThan(0);
  for (const wires of failing) {
    const hit = wires.some((n) => prefixes.some((p) => n.startsWith(p)));
    expect(hit, `a broken constraint over [${wires.slice(0, 6).join(', ')}${wires.length > 6 ? ', …' : ''}] is outside ${prefixes.join(', ')}`).toBe(true);
  }
}
