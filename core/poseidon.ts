/**
 * Poseidon over BN254 exactly as circomlib's `Poseidon(n)` template computes it, for
 * 1..16 inputs: permute [0, in_1..in_n] and return state[0]. The parameters are
 * circomlib's (see `poseidon-bn254.ts`): round constants from the Grain LFSR that
 * @noble/curves implements (they match circomlib's bit for bit, checked in tests), MDS
 * matrices circomlib's own (`_poseidon-params.ts` assembles them per width).
 *
 * Two implementations of the same function:
 * - `poseidon`, the fast path: a WebAssembly module generated on first use
 *   (`_poseidon-wasm.ts`: Montgomery arithmetic on 9 × 29-bit limbs, Karatsuba
 *   products) running an equivalent schedule with far fewer multiplications, whose
 *   constants `_poseidon-opt.ts` derives from the plain ones (round constants moved as
 *   in the Poseidon paper's appendix B, partial rounds as a shift register);
 * - `poseidonReference`, @noble/curves' generic permutation with the plain parameters:
 *   slow (BigInt arithmetic, dense matrices), kept as an independent cross-check.
 *
 * Callers hashing protocol objects should use `hashTagged` from `domain.ts`, which puts
 * a domain tag first; this module is the raw hash.
 * @module
 */
import { poseidon as poseidonPermutation, type PoseidonFn } from '@noble/curves/abstract/poseidon.js';
import { assertArray } from './assert.ts';
import { assertField } from './field.ts';
import { poseidonUnchecked } from './_poseidon-fast.ts';
import { plainParams } from './_poseidon-params.ts';

/** Most inputs one Poseidon call takes (state width 17). */
export const POSEIDON_MAX_INPUTS = 16;

const permutations = new Map<number, PoseidonFn>();

function permutationFor(t: number): PoseidonFn {
  let perm = permutations.get(t);
  if (!perm) {
    const { Fp, roundsFull, roundsPartial, roundConstants, mds } = plainParams(t);
    perm = poseidonPermutation({
      Fp,
      t,
      roundsFull,
      roundsPartial,
      sboxPower: 5,
      roundConstants: roundConstants.map((row) => row.slice()),
      mds: mds.map((row) => row.slice()),
    });
    permutations.set(t, perm);
  }
  return perm;
}

// Every export validates first: 1..16 inputs, each a bigint in [0, r).
function validate(inputs: readonly bigint[]): void {
  assertArray(inputs, 'inputs', 1, POSEIDON_MAX_INPUTS);
  for (let i = 0; i < inputs.length; i++) assertField(inputs[i], `inputs[${i}]`);
}

/**
 * circomlib `Poseidon(inputs.length)`: permutes [0, ...inputs] and returns state[0].
 * The first call for a given number of inputs derives that width's constants (35 to
 * 200 ms); later calls take 20–150 µs on a current x86 core, more for more inputs.
 * @param inputs - 1..16 field elements
 * @throws {TypeError|RangeError} if the array has the wrong size or an input is not in [0, r)
 * @example poseidon([1n, 2n]) // 7853200120776062878684798364095072458815029376092732009249414926327459813530n
 */
export function poseidon(inputs: readonly bigint[]): bigint {
  validate(inputs);
  return poseidonUnchecked(inputs);
}

/**
 * The same hash as `poseidon`, computed by @noble/curves' generic permutation with the
 * plain constants: 10 to 30 times slower. For cross-checks only.
 * @param inputs - 1..16 field elements
 * @throws {TypeError|RangeError} if the array has the wrong size or an input is not in [0, r)
 * @example poseidonReference([1n, 2n]) // 7853200120776062878684798364095072458815029376092732009249414926327459813530n
 */
export function poseidonReference(inputs: readonly bigint[]): bigint {
  validate(inputs);
  return permutationFor(inputs.length + 1)([0n, ...inputs])[0]!;
}
