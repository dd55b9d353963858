/**
 * The plain parameters of circomlib's Poseidon for one state width t = 2..17: round
 * constants from the Grain LFSR that @noble/curves implements (they match circomlib's
 * bit for bit, checked in tests/poseidon.test.ts) and circomlib's MDS matrices from
 * `poseidon-bn254.ts`. Shared by the reference permutation and the fast path so the
 * LFSR runs once per width.
 * @module
 */
import { Field } from '@noble/curves/abstract/modular.js';
import { grainGenConstants } from '@noble/curves/abstract/poseidon.js';
import { bug } from './errors.ts';
import type { PoseidonPlainParams } from './_poseidon-opt.ts';
import { BN254_R, MDS_HEX, ROUNDS_FULL, ROUNDS_PARTIAL } from './poseidon-bn254.ts';

/** The BN254 scalar field as a noble field. */
export const Fr = Field(BN254_R);

const cache = new Map<number, PoseidonPlainParams>();

/**
 * Parameters for state width t (t − 1 inputs). Building them runs the Grain LFSR (a few
 * ms), so they are built on first use and cached.
 * @throws {Error} "canopy: bad math" if t is outside 2..17 (callers validate first)
 * @example plainParams(3).roundsPartial // 57
 */
export function plainParams(t: number): PoseidonPlainParams {
  let params = cache.get(t);
  if (!params) {
    if (!Number.isInteger(t) || t < 2 || t > MDS_HEX.length + 1) bug('plainParams', `t=${t}`);
    const opts = { Fp: Fr, t, roundsFull: ROUNDS_FULL, roundsPartial: ROUNDS_PARTIAL[t - 2]!, sboxPower: 5 };
    const { roundConstants } = grainGenConstants(opts);
    const mds = MDS_HEX[t - 2]!.map((row) => row.map((h) => BigInt(`0x${h}`)));
    params = { Fp: Fr, t, roundsFull: ROUNDS_FULL, roundsPartial: opts.roundsPartial, roundConstants, mds };
    cache.set(t, params);
  }
  return params;
}
