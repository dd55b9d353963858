// circuits/toolchain/groth16-verify.ts against snarkjs's groth16.verify, on keys and proofs
// made here from a known trapdoor, so no circuit or setup is needed and every case is exact.
//
// With trapdoor (α, β, γ, δ) and IC points uᵢ·G1, a proof (a·G1, b·G2, c·G1) verifies iff
//     a·b = α·β + γ·(u₀ + Σ sᵢ·uᵢ₊₁) + δ·c   (mod r),
// so choosing a and b and solving for c makes a valid proof for any public signals. Points
// come from @noble/curves (an implementation independent of ffjavascript), scalars from
// SHA-256 of fixed labels: the vectors are the same on every run.
import { createHash } from 'node:crypto';
import { bn254 } from '@noble/curves/bn254.js';
import { describe, expect, it } from 'vitest';
import { groth16Curve, groth16Verify, isG2Point } from '../../circuits/toolchain/groth16-verify.ts';
import { verifyGroth16, type Groth16Proof, type VerificationKey } from '../../circuits/toolchain/prove.ts';

const R = bn254.fields.Fr.ORDER;
const G1 = bn254.G1.Point;
const G2 = bn254.G2.Point;
const Fp2 = bn254.fields.Fp2;

type Fp2Value = ReturnType<typeof Fp2.create>;

const scalar = (label: string) => (BigInt(`0x${createHash('sha256').update(label).digest('hex')}`) % (R - 1n)) + 1n;
const mod = (x: bigint) => ((x % R) + R) % R;
const inv = (x: bigint) => bn254.fields.Fr.inv(mod(x));

const g1 = (p: InstanceType<typeof G1>): string[] => {
  if (p.is0()) return ['0', '1', '0'];
  const { x, y } = p.toAffine();
  return [x.toString(), y.toString(), '1'];
};
const fp2 = (v: Fp2Value): string[] => [v.c0.toString(), v.c1.toString()];
const g2Affine = (x: Fp2Value, y: Fp2Value): string[][] => [fp2(x), fp2(y), ['1', '0']];
const g2 = (p: InstanceType<typeof G2>): string[][] => {
  const { x, y } = p.toAffine();
  return g2Affine(x, y);
};

interface Trapdoor {
  alpha: bigint;
  beta: bigint;
  gamma: bigint;
  delta: bigint;
  u: bigint[];
}

const trapdoor = (name: string, nPublic: number): Trapdoor => ({
  alpha: scalar(`${name} alpha`),
  beta: scalar(`${name} beta`),
  gamma: scalar(`${name} gamma`),
  delta: scalar(`${name} delta`),
  u: Array.from({ length: nPublic + 1 }, (_, i) => scalar(`${name} u${i}`)),
});

const keyOf = (t: Trapdoor): VerificationKey => ({
  protocol: 'groth16',
  curve: 'bn128',
  nPublic: t.u.length - 1,
  vk_alpha_1: g1(G1.BASE.multiply(t.alpha)),
  vk_beta_2: g2(G2.BASE.multiply(t.beta)),
  vk_gamma_2: g2(G2.BASE.multiply(t.gamma)),
  vk_delta_2: g2(G2.BASE.multiply(t.delta)),
  // Neither verifier reads e(α, β) from the key.
  vk_alphabeta_12: [],
  IC: t.u.map((u) => g1(G1.BASE.multiply(u))),
});

/** A valid proof for `signals` made with the trapdoor, from the labels of a and b. */
function proofOf(t: Trapdoor, signals: readonly bigint[], label: string): Groth16Proof {
  const a = scalar(`${label} a`);
  const b = scalar(`${label} b`);
  const pub = signals.reduce((acc, s, i) => mod(acc + s * t.u[i + 1]!), t.u[0]!);
  const c = mod((a * b - t.alpha * t.beta - t.gamma * pub) * inv(t.delta));
  return { pi_a: g1(G1.BASE.multiply(a)), pi_b: g2(G2.BASE.multiply(b)), pi_c: g1(G1.BASE.multiply(c)), protocol: 'groth16', curve: 'bn128' };
}

// snarkjs ships no types; a variable specifier keeps TypeScript from looking for them.
const SNARKJS = 'snarkjs';
interface Snarkjs {
  groth16: { verify(vkey: VerificationKey, signals: string[], proof: Groth16Proof): Promise<boolean> };
  curves: { getCurveFromName(name: string, o: { singleThread: boolean }): Promise<unknown> };
}

// A single-threaded curve for snarkjs: no worker threads to leave behind.
const snarkjsCurve = import(SNARKJS).then((s: Snarkjs) => s.curves.getCurveFromName('bn128', { singleThread: true }));

/** Both verifiers' answers: ours through `verifyGroth16`, and snarkjs's on a single-threaded curve. */
async function both(vkey: VerificationKey, signals: readonly bigint[], proof: Groth16Proof): Promise<{ ours: boolean; snarkjs: boolean }> {
  const s = (await import(SNARKJS)) as Snarkjs;
  const strings = signals.map(String);
  const previous = globalThis.curve_bn128;
  globalThis.curve_bn128 = (await snarkjsCurve) as typeof previous;
  try {
    return { ours: await verifyGroth16(vkey, strings, proof), snarkjs: await s.groth16.verify(vkey, strings, proof) };
  } finally {
    globalThis.curve_bn128 = previous ?? null;
  }
}

/**
 * A point of the twist E'(Fp2) outside G2 (the twist's group has order r·h, h ≠ 1): the
 * first x = k + 0·u, k = 1, 2, … with x³ + b' a square. Its [r]-multiple is a point of
 * order dividing h, so adding it to a G2 point leaves the subgroup.
 */
function twistPointOutsideG2(): { x: Fp2Value; y: Fp2Value } {
  const b = G2.CURVE().b;
  for (let k = 1n; ; k++) {
    const x = Fp2.create({ c0: k, c1: 0n });
    const rhs = Fp2.add(Fp2.mul(Fp2.sqr(x), x), b);
    let y: Fp2Value;
    try {
      y = Fp2.sqrt(rhs);
    } catch {
      continue;
    }
    if (!Fp2.eql(Fp2.sqr(y), rhs)) continue;
    return { x, y };
  }
}

/** [k]P on the twist by ffjavascript (noble refuses points outside G2), as snarkjs coordinates. */
async function twistTimes(p: string[][], k: bigint, plus?: string[][]): Promise<string[][]> {
  const c = await groth16Curve();
  const big = (q: string[][]) => q.map((v) => v.map(BigInt));
  let point = c.G2.timesScalar(c.G2.fromObject(big(p)), k);
  if (plus) point = c.G2.add(point, c.G2.fromObject(big(plus)));
  const [x, y] = c.G2.toObject(c.G2.toAffine(point)) as bigint[][];
  return [x!.map(String), y!.map(String), ['1', '0']];
}

const T = trapdoor('canopy groth16 vectors', 3);
const KEY = keyOf(T);
const SIGNALS = [5n, 0n, R - 1n];
const PROOF = proofOf(T, SIGNALS, 'proof 1');

describe('groth16Verify', () => {
  describe('when the proof is valid', () => {
    for (const [name, signals] of [
      ['small, zero and r − 1 signals', SIGNALS],
      ['all-zero signals', [0n, 0n, 0n]],
      ['signals from hashes', [scalar('s0'), scalar('s1'), scalar('s2')]],
    ] as const) {
      it(`accepts it, as snarkjs does, for ${name}`, async () => {
        expect(await both(KEY, signals, proofOf(T, signals, name))).toEqual({ ours: true, snarkjs: true });
      });
    }

    it('accepts a key with no public signals', async () => {
      const t = trapdoor('no public signals', 0);
      expect(await both(keyOf(t), [], proofOf(t, [], 'none'))).toEqual({ ours: true, snarkjs: true });
    });

    it('keeps keys apart: a proof under one key fails under another, both prepared', async () => {
      const other = trapdoor('another key', 3);
      const otherKey = keyOf(other);
      expect(await groth16Verify(otherKey, SIGNALS.map(String), proofOf(other, SIGNALS, 'x'))).toBe(true);
      expect(await groth16Verify(otherKey, SIGNALS.map(String), PROOF)).toBe(false);
      expect(await groth16Verify(KEY, SIGNALS.map(String), PROOF)).toBe(true);
    });
  });

  describe('when the proof or its signals are tampered with', () => {
    const a = G1.fromAffine({ x: BigInt(PROOF.pi_a[0]!), y: BigInt(PROOF.pi_a[1]!) });
    for (const [name, signals, proof] of [
      ['signal 0 + 1', [6n, 0n, R - 1n], PROOF],
      ['signal 1 + 1', [5n, 1n, R - 1n], PROOF],
      ['signals swapped', [0n, 5n, R - 1n], PROOF],
      ['A and C swapped', SIGNALS, { ...PROOF, pi_a: PROOF.pi_c, pi_c: PROOF.pi_a }],
      ['A negated', SIGNALS, { ...PROOF, pi_a: g1(a.negate()) }],
      ['A doubled', SIGNALS, { ...PROOF, pi_a: g1(a.double()) }],
      ['B of another proof', SIGNALS, { ...PROOF, pi_b: proofOf(T, SIGNALS, 'proof 2').pi_b }],
      ['A at infinity', SIGNALS, { ...PROOF, pi_a: ['0', '1', '0'] }],
      ['C at infinity', SIGNALS, { ...PROOF, pi_c: ['0', '1', '0'] }],
      ['A off the curve (y + 1)', SIGNALS, { ...PROOF, pi_a: [PROOF.pi_a[0]!, String(BigInt(PROOF.pi_a[1]!) + 1n), '1'] }],
      ['B off the twist (y.c0 + 1)', SIGNALS, { ...PROOF, pi_b: [PROOF.pi_b[0]!, [String(BigInt(PROOF.pi_b[1]![0]!) + 1n), PROOF.pi_b[1]![1]!], ['1', '0']] }],
    ] as const) {
      it(`rejects ${name}, as snarkjs does`, async () => {
        expect(await both(KEY, signals, proof as Groth16Proof)).toEqual({ ours: false, snarkjs: false });
      });
    }
  });

  // The pairing equation alone rejects these proofs too (e(A, T) ≠ 1 for these T), so
  // snarkjs's answer is the same; membership is checked first all the same, as EIP-197
  // does, and is tested directly and through the key (which nothing else would catch).
  describe('when B is on the twist but outside G2', () => {
    it('isG2Point tells the test point (on the twist, [r]P ≠ O) from points of G2', async () => {
      const { x, y } = twistPointOutsideG2();
      const p = g2Affine(x, y);
      expect(await twistTimes(p, R)).not.toEqual([['0', '0'], ['1', '0'], ['0', '0']]);
      expect(() => G2.fromAffine({ x, y }).assertValidity()).toThrow();
      expect(await isG2Point(p)).toBe(false);
      expect(await isG2Point(await twistTimes(p, R))).toBe(false);
      for (const q of [PROOF.pi_b, KEY.vk_beta_2, KEY.vk_gamma_2, KEY.vk_delta_2]) expect(await isG2Point(q)).toBe(true);
    });

    it('rejects B + T for T of order dividing the cofactor', async () => {
      const { x, y } = twistPointOutsideG2();
      const shifted = await twistTimes(PROOF.pi_b, 1n, await twistTimes(g2Affine(x, y), R));
      expect(shifted).not.toEqual(PROOF.pi_b);
      expect(await isG2Point(shifted)).toBe(false);
      expect(await both(KEY, SIGNALS, { ...PROOF, pi_b: shifted })).toEqual({ ours: false, snarkjs: false });
    });

    it('rejects a B that is a twist point outside G2', async () => {
      const { x, y } = twistPointOutsideG2();
      expect(await both(KEY, SIGNALS, { ...PROOF, pi_b: g2Affine(x, y) })).toEqual({ ours: false, snarkjs: false });
    });
  });

  describe('when the key is bad', () => {
    it('throws a RangeError naming vk_gamma_2 when γ lies outside G2', async () => {
      const { x, y } = twistPointOutsideG2();
      await expect(groth16Verify({ ...KEY, vk_gamma_2: g2Affine(x, y) }, SIGNALS.map(String), PROOF)).rejects.toThrow(/"vkey\.vk_gamma_2" expected a point of G2/);
    });

    it('throws a RangeError naming the IC point that is off the curve', async () => {
      const ic = KEY.IC.map((p, i) => (i === 2 ? [p[0]!, String(BigInt(p[1]!) + 1n), '1'] : p));
      await expect(groth16Verify({ ...KEY, IC: ic }, SIGNALS.map(String), PROOF)).rejects.toThrow(/"vkey\.IC\[2\]" expected a point of G1/);
    });

    it('throws a TypeError naming a key point with a missing coordinate (verifyGroth16)', async () => {
      await expect(verifyGroth16({ ...KEY, vk_delta_2: KEY.vk_delta_2.slice(0, 2) }, SIGNALS.map(String), PROOF)).rejects.toThrow(/"vkey\.vk_delta_2" expected an array of 3/);
    });
  });
});
