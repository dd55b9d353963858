/**
 * Poseidon over BN254 exactly as circomlib's `Poseidon(n)` template computes it, for
 * 1..16 inputs. The permutation is @noble/curves' generic Poseidon; the parameters are
 * circomlib's (see `poseidon-bn254.ts`). Round constants come from the Grain LFSR that
 * noble implements (they match circomlib's bit for bit, checked in tests); the MDS
 * matrices are circomlib's own.
 *
 * Callers hashing protocol objects should use `hashTagged` from `domain.ts`, which puts
 * a domain tag first; this module is the raw hash.
 * @module
 */
import { Field } from '@noble/curves/abstract/modular.js';
import { grainGenConstants, poseidon as poseidonPermutation, type PoseidonFn } from '@noble/curves/abstract/poseidon.js';
import { assertArray } from './assert.ts';
import { assertField } from './field.ts';
import { BN254_R, MDS_HEX, ROUNDS_FULL, ROUNDS_PARTIAL } from './poseidon-bn254.ts';

/** Most inputs one Poseidon call takes (state width 17). */
export const POSEIDON_MAX_INPUTS = 16;

const Fr = Field(BN254_R);
const permutations = new Map<number, PoseidonFn>();

// Building a width's constants runs the Grain LFSR (a few ms); do it once per width, on first use.
function permutationFor(t: number): PoseidonFn {
  let perm = permutations.get(t);
  if (!perm) {
    const opts = { Fp: Fr, t, roundsFull: ROUNDS_FULL, roundsPartial: ROUNDS_PARTIAL[t - 2]!, sboxPower: 5 };
    const { roundConstants } = grainGenConstants(opts);
    const mds = MDS_HEX[t - 2]!.map((row) => row.map((h) => BigInt(`0x${h}`)));
    perm = poseidonPermutation({ ...opts, roundConstants, mds });
    permutations.set(t, perm);
  }
  return perm;
}

/**
 * circomlib `Poseidon(inputs.length)`: permutes [0, ...inputs] and returns state[0].
 * @param inputs - 1..16 field elements
 * @throws {TypeError|RangeError} if the array has the wrong size or an input is not in [0, r)
 * @example poseidon([1n, 2n]) // 7853200120776062878684798364095072458815029376092732009249414926327459813530n
 */
export function poseidon(inputs: readonly bigint[]): bigint {
  assertArray(inputs, 'inputs', 1, POSEIDON_MAX_INPUTS);
  for (let i = 0; i < inputs.length; i++) assertField(inputs[i], `inputs[${i}]`);
  return permutationFor(inputs.length + 1)([0n, ...inputs])[0]!;
}
