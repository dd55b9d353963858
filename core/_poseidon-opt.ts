/**
 * Derives, from the plain Poseidon parameters (round constants and MDS matrix), the
 * constants of an equivalent schedule that needs far fewer field multiplications, and
 * evaluates that schedule in plain bigint arithmetic as its specification. The
 * WebAssembly module (`_poseidon-wasm.ts`) runs the same schedule; tests check both
 * against the plain permutation for every width.
 *
 * Plain permutation (noble's and circomlib's), rounds i = 0..N−1, N = RF + RP, F = RF/2:
 *   z ← M · σᵢ(z + aᵢ), σᵢ = x ↦ x⁵ on every element (full round) or on z[0] only (partial).
 * Write M = [[m00, m01ᵀ], [m10, M11]] with M11 of size n × n, n = t − 1.
 *
 * Step 1, constants (Poseidon paper, Grassi et al., eprint 2019/458, appendix B): with
 * constants added at each round's output, y_{i+1} = M·σᵢ(yᵢ) + a_{i+1}, a partial round's
 * output constant b equals M·u for u = M⁻¹·b. Its u[0] can be added right after that
 * round's S-box and its tail, which the partial S-box does not touch, moves into the
 * previous round's output constant. Going backwards over the partial rounds leaves one
 * scalar ĉᵣ per partial round, and all tails end up in the output constant of full
 * round F−1.
 *
 * Step 2, partial rounds as a shift register. Once the constants are moved, the partial
 * rounds are a time-invariant linear system with a scalar input xᵣ = z0ᵣ⁵ + ĉᵣ:
 *   u' = M11·u + m10·xᵣ,   z0' = m00·xᵣ + m01ᵀ·u.
 * (M11, m10) is controllable for every circomlib width, i.e. the Krylov matrix
 * [m10, M11·m10, .., M11ⁿ⁻¹·m10] is invertible; the derivation checks this. Then the
 * change of basis u = T·s to the controllable canonical form makes the state a window
 * s = (σᵣ, .., σ_{r+n−1}) of one scalar sequence:
 *   σ_{r+n} = Σⱼ aⱼ·σ_{r+j} + xᵣ,   z0' = m00·xᵣ + Σⱼ βⱼ·σ_{r+j},
 * where aⱼ are the coefficients of M11's characteristic polynomial (M11ⁿ = Σ aⱼ·M11ʲ),
 * β = Tᵀ·m01, and T is built column by column: T·e_{n−1} = m10,
 * T·e_{k−1} = M11·T·e_k − a_k·m10. Each partial round then costs two dot products of
 * n terms, where the sparse-matrix form of appendix B costs one dot product plus n
 * separate updates, each needing its own modular reduction. Full round F−1 maps into
 * the window with diag(1, T⁻¹)·M, and after the partial rounds u = T·s is rebuilt.
 * The inverses taken exist: M's because an MDS matrix is invertible, the Krylov
 * matrix's and T's exactly when (M11, m10) is controllable.
 *
 * Step 3, scaling. A stored value may be any fixed nonzero multiple λ·y of the true one:
 * the S-box maps λ·y to λ⁵·y⁵, and the next linear layer absorbs the factor into its
 * constants. The derivation picks the factors so that, in every dot product, one term
 * has coefficient 1:
 * - in partial rounds, xᵣ's coefficient in both dot products, which lets the
 *   WebAssembly module add the unreduced S-box product into both accumulators and
 *   skip its reduction;
 * - in full rounds, a whole column of the matrix (column `xIndex`), for the same reason;
 * - when u = T·s is rebuilt, the last window element's coefficient.
 * The last round uses the true scale, so the output is the plain permutation's.
 *
 * Resulting schedule, as `evaluateSchedule` below runs it (all arithmetic mod p):
 *   y ← x + initial
 *   F full rounds:       y ← full[r].matrix · y⁵ + full[r].constants
 *     (the last of these writes (Y, σ₀..σₙ₋₁) instead of y)
 *   RP partial rounds:   X ← Y⁵ + c;  σ_{r+n} ← α·(σᵣ..σ_{r+n−1}) + X;  Y ← β·(σᵣ..σ_{r+n−1}) + X
 *   rebuild:             y ← (Y, [finish[i]·(σ_RP..σ_{RP+n−2}) + σ_{RP+n−1} for i < n])
 *   F−1 full rounds:     y ← full[r].matrix · y⁵ + full[r].constants
 *   last round:          output ← last · y⁵
 * @module
 */
import type { IField } from '@noble/curves/abstract/modular.js';
import { bug } from './errors.ts';

/** The plain parameters of one Poseidon instance (width t, x⁵ S-box). */
export interface PoseidonPlainParams {
  readonly Fp: IField<bigint>;
  readonly t: number;
  readonly roundsFull: number;
  readonly roundsPartial: number;
  /** roundsFull + roundsPartial rows of t elements. */
  readonly roundConstants: readonly (readonly bigint[])[];
  /** t × t; the linear layer computes out[i] = Σⱼ mds[i][j]·in[j]. */
  readonly mds: readonly (readonly bigint[])[];
}

/** A full round of the schedule: y ← matrix · y⁵ + constants. */
export interface ScheduleFullRound {
  /** The column of `matrix` that is all ones. */
  readonly xIndex: number;
  /** t × t. */
  readonly matrix: readonly (readonly bigint[])[];
  readonly constants: readonly bigint[];
}

/** A partial round: X ← Y⁵ + constant; σ_{r+n} ← alpha·window + X; Y ← beta·window + X. */
export interface SchedulePartialRound {
  readonly constant: bigint;
  /** n coefficients over the window (σᵣ..σ_{r+n−1}). */
  readonly alpha: readonly bigint[];
  readonly beta: readonly bigint[];
}

/** Constants of the schedule in the module doc. All elements in [0, p). */
export interface PoseidonSchedule {
  readonly t: number;
  readonly roundsFull: number;
  readonly roundsPartial: number;
  /** Added to the input state (the first round constants). */
  readonly initial: readonly bigint[];
  /** RF − 1 full rounds: RF/2 before the partial rounds, RF/2 − 1 after. */
  readonly full: readonly ScheduleFullRound[];
  readonly partial: readonly SchedulePartialRound[];
  /** n rows of n − 1 coefficients: tail element i + 1 = finish[i]·(σ_RP..σ_{RP+n−2}) + σ_{RP+n−1}. */
  readonly finish: readonly (readonly bigint[])[];
  /** t coefficients of the last round's output row. */
  readonly last: readonly bigint[];
}

type Matrix = bigint[][];

function matVec(Fp: IField<bigint>, m: readonly (readonly bigint[])[], v: readonly bigint[]): bigint[] {
  return m.map((row) => row.reduce((acc, x, j) => Fp.add(acc, Fp.mul(x, v[j]!)), Fp.ZERO));
}

function transpose(m: readonly (readonly bigint[])[]): Matrix {
  return m[0]!.map((_, j) => m.map((row) => row[j]!));
}

/** Gauss–Jordan inverse; throws "bad math" on a singular matrix (the module doc says when none is). */
function inverse(Fp: IField<bigint>, m: readonly (readonly bigint[])[]): Matrix {
  const n = m.length;
  const a = m.map((row) => row.slice());
  const inv = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? Fp.ONE : Fp.ZERO)));
  for (let col = 0; col < n; col++) {
    let pivot = col;
    while (pivot < n && Fp.is0(a[pivot]![col]!)) pivot++;
    if (pivot === n) bug('inverse', 'singular matrix');
    [a[col], a[pivot]] = [a[pivot]!, a[col]!];
    [inv[col], inv[pivot]] = [inv[pivot]!, inv[col]!];
    const f = Fp.inv(a[col]![col]!);
    a[col] = a[col]!.map((x) => Fp.mul(x, f));
    inv[col] = inv[col]!.map((x) => Fp.mul(x, f));
    for (let r = 0; r < n; r++) {
      const g = a[r]![col]!;
      if (r === col || Fp.is0(g)) continue;
      a[r] = a[r]!.map((x, j) => Fp.sub(x, Fp.mul(g, a[col]![j]!)));
      inv[r] = inv[r]!.map((x, j) => Fp.sub(x, Fp.mul(g, inv[col]![j]!)));
    }
  }
  return inv;
}

const pow5 = (Fp: IField<bigint>, x: bigint) => Fp.mul(Fp.sqr(Fp.sqr(x)), x);

/**
 * Derives the schedule's constants from the plain parameters.
 * @throws {Error} "canopy: bad math" if the parameters are inconsistent (wrong sizes,
 *   odd roundsFull), a matrix the derivation inverts is singular, or no matrix column is
 *   free of zeros
 * @example
 * const s = deriveSchedule({ Fp, t: 3, roundsFull: 8, roundsPartial: 57, roundConstants, mds });
 * s.partial.length // 57
 */
export function deriveSchedule(params: PoseidonPlainParams): PoseidonSchedule {
  const { Fp, t, roundsFull, roundsPartial: RP } = params;
  const F = roundsFull / 2;
  const N = roundsFull + RP;
  const n = t - 1;
  if (!Number.isInteger(F) || F < 2 || RP < 1 || t < 2 || params.roundConstants.length !== N || params.mds.length !== t) {
    bug('deriveSchedule', `t=${t} RF=${roundsFull} RP=${RP}`);
  }
  for (const row of [...params.roundConstants, ...params.mds]) if (row.length !== t) bug('deriveSchedule', 'row length');
  const M: Matrix = params.mds.map((row) => row.map((x) => Fp.create(x)));
  // b[i]: the constant added at the output of round i − 1; b[0] is added to the input.
  const b: bigint[][] = params.roundConstants.map((row) => row.map((x) => Fp.create(x)));

  // Step 1: move the partial rounds' output constants back (see the module doc).
  const Minv = inverse(Fp, M);
  const partialConstants: bigint[] = new Array<bigint>(RP);
  for (let i = F + RP - 1; i >= F; i--) {
    const u = matVec(Fp, Minv, b[i + 1]!);
    partialConstants[i - F] = u[0]!;
    b[i + 1] = new Array<bigint>(t).fill(Fp.ZERO);
    for (let j = 1; j < t; j++) b[i]![j] = Fp.add(b[i]![j]!, u[j]!);
  }

  // Step 2: the controllable canonical form of (M11, m10).
  const m00 = M[0]![0]!;
  const m01 = M[0]!.slice(1);
  const m10 = M.slice(1).map((row) => row[0]!);
  const M11 = M.slice(1).map((row) => row.slice(1));
  const krylov: bigint[][] = [m10]; // columns M11ᵏ·m10, k = 0..n
  for (let k = 1; k <= n; k++) krylov.push(matVec(Fp, M11, krylov[k - 1]!));
  // Solve [m10 .. M11ⁿ⁻¹m10]·a = M11ⁿ·m10 (singular iff (M11, m10) is not controllable).
  const a = matVec(Fp, inverse(Fp, transpose(krylov.slice(0, n))), krylov[n]!);
  const Tcols: bigint[][] = new Array<bigint[]>(n);
  Tcols[n - 1] = m10;
  for (let k = n - 1; k >= 1; k--) {
    const next = matVec(Fp, M11, Tcols[k]!);
    Tcols[k - 1] = next.map((x, i) => Fp.sub(x, Fp.mul(a[k]!, m10[i]!)));
  }
  // Cayley–Hamilton closes the recurrence: M11·T·e₀ = a₀·m10.
  const check = matVec(Fp, M11, Tcols[0]!);
  if (!check.every((x, i) => Fp.eql(x, Fp.mul(a[0]!, m10[i]!)))) bug('deriveSchedule', 'companion form');
  const T = transpose(Tcols);
  const Tinv = inverse(Fp, T);
  const beta = Tcols.map((col) => col.reduce((acc, x, i) => Fp.add(acc, Fp.mul(x, m01[i]!)), Fp.ZERO));

  // Step 3: scaling. `scale` holds the factor of each stored state element.
  let scale: bigint[] = new Array<bigint>(t).fill(Fp.ONE);
  const full: ScheduleFullRound[] = [];
  const fullRound = (matrix: Matrix, constants: readonly bigint[]) => {
    const mu = scale.map((l) => pow5(Fp, l));
    const xIndex = matrix[0]!.findIndex((_, j) => matrix.every((row) => !Fp.is0(row[j]!)));
    if (xIndex < 0) bug('deriveSchedule', 'no column without zeros');
    const muInv = mu.map((x) => Fp.inv(x));
    // Output factor ρ_k = μ_x / matrix[k][x] makes column x all ones.
    const rho = matrix.map((row) => Fp.mul(mu[xIndex]!, Fp.inv(row[xIndex]!)));
    full.push({
      xIndex,
      matrix: matrix.map((row, k) => row.map((m, i) => (i === xIndex ? Fp.ONE : Fp.mul(Fp.mul(rho[k]!, m), muInv[i]!)))),
      constants: constants.map((c, k) => Fp.mul(rho[k]!, c)),
    });
    scale = rho;
  };
  for (let r = 0; r < F - 1; r++) fullRound(M, b[r + 1]!);
  // Full round F−1 writes z0 and the window s = T⁻¹·u.
  const toWindow = (v: readonly bigint[]) => [v[0]!, ...matVec(Fp, Tinv, v.slice(1))];
  fullRound(transpose(transpose(M).map(toWindow)), toWindow(b[F]!));

  // Partial rounds: y0's factor λ, the window's factors κ (one per sequence element).
  let lambda = scale[0]!;
  const kappa = scale.slice(1);
  const kappaInv = kappa.map((x) => Fp.inv(x));
  const m00inv = Fp.inv(m00);
  const partial: SchedulePartialRound[] = [];
  for (let r = 0; r < RP; r++) {
    const mu = pow5(Fp, lambda);
    kappa.push(mu); // σ_{r+n} is stored times μ, so xᵣ's coefficient is 1
    kappaInv.push(Fp.inv(mu));
    const next = Fp.mul(mu, m00inv); // and so is y0's, with this λ for the next round
    partial.push({
      constant: Fp.mul(mu, partialConstants[r]!),
      alpha: a.map((aj, j) => Fp.mul(Fp.mul(aj, mu), kappaInv[r + j]!)),
      beta: beta.map((bj, j) => Fp.mul(Fp.mul(bj, next), kappaInv[r + j]!)),
    });
    lambda = next;
  }
  // Rebuild u = T·s, scaled so the last window element's coefficient is 1.
  const lastKappa = kappa[RP + n - 1]!;
  const rho = T.map((row) => Fp.mul(lastKappa, Fp.inv(row[n - 1]!)));
  const finish = T.map((row, i) => row.slice(0, n - 1).map((x, j) => Fp.mul(Fp.mul(rho[i]!, x), kappaInv[RP + j]!)));
  scale = [lambda, ...rho];

  for (let i = F + RP; i < N - 1; i++) fullRound(M, b[i + 1]!);
  const mu = scale.map((l) => pow5(Fp, l));
  const last = M[0]!.map((m, i) => Fp.mul(m, Fp.inv(mu[i]!)));
  return { t, roundsFull, roundsPartial: RP, initial: b[0]!, full, partial, finish, last };
}

/**
 * Runs the schedule in plain bigint arithmetic: the specification the WebAssembly module
 * follows, and the check that the derived constants reproduce the plain permutation.
 * @param state - t field elements in [0, p)
 * @returns element 0 of the plain permutation's output
 * @throws {Error} "canopy: bad math" if `state` does not have t elements
 * @example evaluateSchedule(Fp, s, [0n, 1n, 2n]) // circomlib Poseidon([1, 2])
 */
export function evaluateSchedule(Fp: IField<bigint>, s: PoseidonSchedule, state: readonly bigint[]): bigint {
  const { t, roundsFull } = s;
  const n = t - 1;
  if (state.length !== t) bug('evaluateSchedule', `state of ${state.length}`);
  const F = roundsFull / 2;
  const dot = (w: readonly bigint[], x: readonly bigint[], extra: bigint) =>
    w.reduce((acc, wj, j) => Fp.add(acc, Fp.mul(wj, x[j]!)), extra);
  let y = state.map((x, i) => Fp.add(x, s.initial[i]!));
  const fullRound = (round: ScheduleFullRound) => {
    const x = y.map((v) => pow5(Fp, v));
    y = round.matrix.map((row, k) => dot(row, x, round.constants[k]!));
  };
  for (let r = 0; r < F; r++) fullRound(s.full[r]!);
  let Y = y[0]!;
  const sigma = y.slice(1);
  s.partial.forEach((round, r) => {
    const X = Fp.add(pow5(Fp, Y), round.constant);
    const window = sigma.slice(r, r + n);
    sigma.push(dot(round.alpha, window, X));
    Y = dot(round.beta, window, X);
  });
  const end = sigma.slice(s.roundsPartial);
  y = [Y, ...s.finish.map((row) => dot(row, end, end[n - 1]!))];
  for (let r = F; r < s.full.length; r++) fullRound(s.full[r]!);
  return dot(s.last, y.map((v) => pow5(Fp, v)), Fp.ZERO);
}
