/**
 * Groth16 verification over BN254, on ffjavascript's WebAssembly curve, with the work that
 * depends only on the verification key done once per key.
 *
 * Why not `snarkjs.groth16.verify`: it re-derives everything from the key on every call
 * (four Miller loops, four G2 preparations) and sends the public-input multi-exponentiation
 * and the pairings to worker threads, whose round trips cost more than the arithmetic for a
 * handful of signals (27–47 ms per proof on two loaded cores, against 20 ms wanted). And it
 * checks that B is on the twist, not that it lies in the order-r subgroup G2, which
 * EIP-197's precompile and gnark both require. This module follows snarkjs's
 * `groth16_verify.js` step for step and differs only there:
 *
 *     per key (cached):  IC points; prepareG2(γ), prepareG2(δ); millerLoop(α, β)
 *     per proof:         A, C on the curve (G1 has cofactor 1, so that is membership);
 *                        B on the twist and [r]B = O (membership of G2);
 *                        cpub = IC₀ + Σ sᵢ·ICᵢ₊₁;
 *                        FE( ML(−A, B) · ML(α, β) · ML(cpub, γ) · ML(C, δ) ) = 1
 *
 * The product of Miller loops under one final exponentiation is the product of the four
 * pairings, so the equation is snarkjs's `pairingEq` unchanged.
 *
 * Invariants: every call runs on one single-threaded curve built once per thread (no
 * worker threads, nothing to terminate, and nothing shared with snarkjs's curve, whose
 * lifetime snarkjs.ts owns). Cached values are plain bytes derived from the key's points
 * alone; a key whose points are not on the curve or not in their subgroups is refused
 * before anything is cached. Inputs are shape-checked by `verifyGroth16` (prove.ts):
 * decimal strings, signals below r, coordinates below q.
 * @module
 */
import type { Bn128 } from 'ffjavascript';
import { rangeError } from '../../core/assert.ts';
import type { Groth16Proof, VerificationKey } from './snarkjs.ts';

type Bytes = Uint8Array;

/** Key-dependent values, computed once per verification key. */
interface PreparedKey {
  ic0: Bytes;
  ic: Bytes[];
  gamma: Bytes;
  delta: Bytes;
  alphaBeta: Bytes;
}

/** Keys kept prepared; a process verifies against a few circuits, each with one key. */
const MAX_PREPARED_KEYS = 32;
const prepared = new Map<string, PreparedKey>();
let curvePromise: Promise<Bn128> | undefined;

// A variable specifier keeps the import lazy: the curve's WebAssembly is built only by
// a process that verifies.
const FFJAVASCRIPT = 'ffjavascript';

/**
 * The single-threaded BN254 curve this module verifies on, built on first use
 * (0.35–0.55 s on 2 cores). Call it ahead of time to keep that cost out of the first verification.
 * @example await groth16Curve();
 */
export function groth16Curve(): Promise<Bn128> {
  if (curvePromise === undefined) {
    curvePromise = (import(FFJAVASCRIPT) as Promise<typeof import('ffjavascript')>).then((m) => m.buildBn128(true));
    // A failed build is not cached: the next call tries again.
    curvePromise.catch(() => {
      curvePromise = undefined;
    });
  }
  return curvePromise;
}

/**
 * True iff `proof` is a valid Groth16 proof for `publicSignals` under `vkey`: the
 * equation of snarkjs's verifier, plus membership of B in G2.
 * @throws {RangeError} when a point of the key is off its curve or outside its subgroup
 * @example const ok = await groth16Verify(vkey, publicSignals, proof);
 */
export async function groth16Verify(vkey: VerificationKey, publicSignals: readonly string[], proof: Groth16Proof): Promise<boolean> {
  const curve = await groth16Curve();
  const key = prepareKey(curve, vkey);
  const { G1, G2, Gt } = curve;
  const a = G1.fromObject(coords(proof.pi_a));
  const b = G2.fromObject(proof.pi_b.map(coords));
  const c = G1.fromObject(coords(proof.pi_c));
  if (!G1.isValid(a) || !G1.isValid(c) || !inG2(curve, b)) return false;
  let cpub = key.ic0;
  publicSignals.forEach((s, i) => {
    const scalar = BigInt(s);
    if (scalar !== 0n) cpub = G1.add(cpub, G1.timesScalar(key.ic[i]!, scalar));
  });
  const loop = (p: Bytes, preparedQ: Bytes) => curve.millerLoop(curve.prepareG1(G1.toJacobian(p)), preparedQ);
  let f = Gt.mul(key.alphaBeta, loop(G1.neg(a), curve.prepareG2(G2.toJacobian(b))));
  f = Gt.mul(f, loop(cpub, key.gamma));
  f = Gt.mul(f, loop(c, key.delta));
  return Gt.eq(curve.finalExponentiation(f), Gt.one);
}

// ffjavascript's fromObject wants integers; Scalar.toRprLE would read a string's characters.
function coords(p: readonly string[]): bigint[] {
  return p.map((v) => BigInt(v));
}

/**
 * True iff `point` ([x, y, z] of Fp2 pairs, decimal strings) lies in G2: on the twist and
 * of order r. The twist's group has order r·h with h ≠ 1, unlike G1, so the curve equation
 * alone does not say it.
 * @example await isG2Point(vkey.vk_delta_2) // true
 */
export async function isG2Point(point: readonly (readonly string[])[]): Promise<boolean> {
  const curve = await groth16Curve();
  return inG2(curve, curve.G2.fromObject(point.map(coords)));
}

function inG2(curve: Bn128, p: Bytes): boolean {
  return curve.G2.isValid(p) && curve.G2.isZero(curve.G2.timesScalar(p, curve.r));
}

function prepareKey(curve: Bn128, vkey: VerificationKey): PreparedKey {
  const id = JSON.stringify([vkey.vk_alpha_1, vkey.vk_beta_2, vkey.vk_gamma_2, vkey.vk_delta_2, vkey.IC]);
  const hit = prepared.get(id);
  if (hit) return hit;
  const { G1, G2 } = curve;
  const g1 = (name: string, p: string[]) => {
    const point = G1.fromObject(coords(p));
    if (!G1.isValid(point)) rangeError(name, 'a point of G1', p);
    return point;
  };
  const g2 = (name: string, p: string[][]) => {
    const point = G2.fromObject(p.map(coords));
    if (!inG2(curve, point)) rangeError(name, 'a point of G2', p);
    return point;
  };
  const ic = vkey.IC.map((p, i) => g1(`vkey.IC[${i}]`, p));
  const alpha = g1('vkey.vk_alpha_1', vkey.vk_alpha_1);
  const beta = g2('vkey.vk_beta_2', vkey.vk_beta_2);
  const key: PreparedKey = {
    ic0: ic[0]!,
    ic: ic.slice(1),
    gamma: curve.prepareG2(G2.toJacobian(g2('vkey.vk_gamma_2', vkey.vk_gamma_2))),
    delta: curve.prepareG2(G2.toJacobian(g2('vkey.vk_delta_2', vkey.vk_delta_2))),
    alphaBeta: curve.millerLoop(curve.prepareG1(G1.toJacobian(alpha)), curve.prepareG2(G2.toJacobian(beta))),
  };
  if (prepared.size >= MAX_PREPARED_KEYS) prepared.delete(prepared.keys().next().value!);
  prepared.set(id, key);
  return key;
}
