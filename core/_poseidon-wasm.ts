/**
 * Generates the WebAssembly module that runs the Poseidon schedule of `_poseidon-opt.ts`
 * over a prime field of at most 254 bits, with Montgomery multiplication on 9 limbs of
 * 29 bits.
 *
 * Representation: an element is 18 little-endian 32-bit words in linear memory
 * (72 bytes). Words 0..8 are the limbs, word i holding bits [29·i, 29·i + 29) of the
 * value, so each is < 2^29; words 9..17 are the three-limb group sums g0+g1, g0+g2,
 * g1+g2 (g_k = limbs 3k..3k+2) that Karatsuba multiplication needs, kept with the value
 * so they are computed once per element, not once per product. Values are in
 * Montgomery form x·R mod p with R = 2^261, kept only partially reduced (bounds below,
 * all < 2^261 so they fit the 9 limbs); only the output is reduced to [0, p). A "wide"
 * value is an unreduced product: 18 limbs, value T standing for T/R, which a dot
 * product adds into its accumulator as is.
 *
 * Cost model: on current x86 cores the 64-bit multiplier is one port, shared with
 * ordinary ALU work, so speed follows the number of i64 multiplications first and the
 * number of other instructions second. So:
 * - 29-bit limbs: a limb product is < 2^58, and 63 of them sum in an i64 without
 *   overflow, so columns are accumulated with no carry handling;
 * - one level of 3-way Karatsuba (a·b from 6 products of 3-limb groups: g0·h0, g1·h1,
 *   g2·h2 and the three of group sums): 54 multiplications per 9 × 9 product instead of
 *   81. The six sub-products are recombined linearly, so a dot product Σ wⱼ·xⱼ sums
 *   them across all terms and recombines once; wrapping mod 2^64 in those sums is
 *   harmless, since the recombined column, a true column sum, is < 2^64;
 * - Montgomery reduction in product-scanning order (72 multiplications: p₀ = 2^28 + 1
 *   and −p⁻¹ ≡ 2^28 − 1 mod 2^29 for BN254 turn the other nine into shifts, which are
 *   also quicker on the reduction's serial chain), once per dot product rather than
 *   once per term.
 * Trading multiplications for more instructions did not pay when measured: Karatsuba
 * squaring (36 instead of 45), Karatsuba in the reduction (54 instead of 72), and
 * schoolbook dot products for two terms were all as fast or slower.
 *
 * Montgomery bounds (p < 2^254, R = 2^261, so p/R < 2^-7): REDC(T) = (T + q·p)/R with
 * q < R, hence REDC(T) < T/R + p. Constants are < p; dot products' multiplicands are
 * S-box outputs, sequence elements or constants; S-box inputs are any state value:
 * - dot outputs are < 2.4p: with multiplicands < 2.4p, ≤ 16 terms give < 38.4p²; the
 *   wide X below is < 3.9p²; at most one of X and c·R carries a constant < p; so the
 *   output is < 42.3p²/R + p + p < 2.4p;
 * - rebuilding the tail adds a state value (< 2.4p) instead of a constant: < 3.8p;
 * - an S-box input v < 3.8p gives x² < 14.5p²/R + p < 1.12p, x⁴ < 1.01p, x⁵ < 1.03p,
 *   and wide X = x⁴·v + c·R < 3.9p² + p·R;
 * - the last dot's output a < 2.4p, so REDC(a) < a/R + p ≤ p, and one conditional
 *   subtraction gives [0, p).
 * All are < 4p < 2^261 (wide: < 2^522), so they fit the limbs.
 * @module
 */
import { bug } from './errors.ts';
import { Code, encodeModule, I32, I64, type FunctionDef, type ValType } from './_poseidon-wasm-emit.ts';

/** Limbs per element and bits per limb: 9·29 = 261 bits, the Montgomery radix R = 2^261. */
export const LIMBS = 9;
export const LIMB_BITS = 29;
/** Words per element (limbs, then group sums) and bytes per element. */
export const ELEMENT_WORDS = 18;
export const ELEMENT_BYTES = ELEMENT_WORDS * 4;
const MASK = (1n << BigInt(LIMB_BITS)) - 1n;
/** Word offsets of the six Karatsuba operands in an element: g0, g1, g2, g0+g1, g0+g2, g1+g2. */
const GROUPS = [0, 3, 6, 9, 12, 15] as const;

/**
 * Fixed addresses in linear memory. Widths' constants are placed from `constants` on.
 * `input` holds up to 16 field elements as 4 little-endian u64 words each (32 bytes);
 * `output` one such element.
 */
export const LAYOUT = {
  /** 128 zero bytes: the zero element, and the zero wide value. */
  zero: 0,
  r2: 128,
  scratch1: 256,
  scratch2: 384,
  /** The wide S-box output X of the current round. */
  wide: 512,
  /** Scratch word that column loops store to; see `column`. */
  anchor: 600,
  output: 640,
  input: 704,
  /** `dot`'s 18 running column sums (i64), then its 30 Karatsuba sums (i64). */
  columns: 1280,
  products: 1440,
  stateA: 1792,
  stateB: 3072,
  /** Reduced S-box outputs of a full round, without the wide one. */
  compact: 4352,
  result: 5632,
  /** Partial rounds: Y, then the sequence σ₀, σ₁, .. */
  sequence: 5760,
  constants: 12288,
} as const;

/** Largest state width the layout has room for (17 elements per state buffer). */
export const MAX_WIDTH = 17;
/** Most elements σ the `sequence` area has room for after Y: n + RP ≤ 84 for every width. */
export const MAX_SEQUENCE = 84;

/** The words of an element holding `value` < 2^261: 29-bit limbs, then the group sums. */
export function toElementWords(value: bigint): number[] {
  // Invariant: callers pass values < 2^261 (field elements or constants derived from them).
  if (value < 0n || value >> BigInt(LIMBS * LIMB_BITS) !== 0n) bug('toElementWords', `${value}`);
  const limbs: number[] = [];
  let v = value;
  for (let i = 0; i < LIMBS; i++) {
    limbs.push(Number(v & MASK));
    v >>= BigInt(LIMB_BITS);
  }
  const sums = [0, 1, 2].flatMap((u) => [limbs[u]! + limbs[3 + u]!]);
  sums.push(...[0, 1, 2].map((u) => limbs[u]! + limbs[6 + u]!));
  sums.push(...[0, 1, 2].map((u) => limbs[3 + u]! + limbs[6 + u]!));
  return [...limbs, ...sums];
}

/** Exported functions of the generated module; pointers are byte addresses. */
export interface PoseidonWasmExports {
  memory: WebAssembly.Memory;
  /** out = REDC(a·b + c·R), i.e. a·b/R + c in Montgomery terms. */
  mulAdd(out: number, a: number, b: number, c: number): void;
  /** out = REDC(a·a). */
  sqr(out: number, a: number): void;
  /** The limbs of REDC(a·a), without the group sums. */
  sqrLimbs(out: number, a: number): void;
  /** Wide out = a·b + c·R, unreduced. */
  mulWide(out: number, a: number, b: number, c: number): void;
  /** out = REDC(Σ_{j<n} w[j]·x[j] + X + c·R) over n ≥ 0 consecutive elements, X wide. */
  dot(out: number, w: number, x: number, n: number, wide: number, c: number): void;
  /** out = x⁵ (reduced) for the element at `x`. */
  sbox(out: number, x: number): void;
  /** Wide out = x⁴·x + c·R, i.e. x⁵ + c before its last reduction. */
  sboxWide(out: number, x: number, c: number): void;
  /** The element (plain, not Montgomery form) of the 256-bit little-endian value at `in64`. */
  toLimbs(out: number, in64: number): void;
  /** Writes REDC(a) reduced to [0, p) as 4 little-endian u64 words at `out64`. */
  fromMont(out64: number, a: number): void;
  /**
   * One full round: out[k] = Σᵢ matrix[k][i]·in[i]⁵ + constants[k], where column `xIndex`
   * is all ones and not stored (rows hold t − 1 elements).
   */
  fullRound(t: number, input: number, out: number, matrix: number, constants: number, xIndex: number): void;
  /**
   * Poseidon of the t − 1 inputs at `LAYOUT.input` (canonical, < p) with the width's
   * schedule constants at the given addresses (see `_poseidon-fast.ts` for their layout);
   * writes the output to `LAYOUT.output`.
   */
  hash(t: number, partialRounds: number, initial: number, full: number, xIndexes: number, partial: number, finish: number, last: number): void;
}

// Local-variable allocator for one function: parameters first, then declared locals.
class Locals {
  readonly types: ValType[] = [];
  private next: number;
  constructor(params: number) { this.next = params; }
  add(type: ValType): number { this.types.push(type); return this.next++; }
  addMany(type: ValType, n: number): number[] { return Array.from({ length: n }, () => this.add(type)); }
}

type Term = () => void;
type EmitLimb = (limb: number, value: Term) => void;

/**
 * Generates the module's bytes for the prime `p`, with a memory of `memoryPages` 64 KiB
 * pages. Only the arithmetic depends on `p` (its limbs and −p⁻¹ mod 2^29 are
 * immediates); Poseidon's constants are written into memory at run time.
 * @throws {Error} "canopy: bad math" if `p` is not an odd number in (2^29, 2^254)
 */
export function generatePoseidonWasm(p: bigint, memoryPages: number): Uint8Array<ArrayBuffer> {
  // The bounds in the module doc need p < 2^254 (so 4p < 2^261 and p/R < 2^-7).
  if (p <= MASK || p >= 1n << 254n || (p & 1n) === 0n) bug('generatePoseidonWasm', `modulus ${p}`);
  const P = toElementWords(p).slice(0, LIMBS).map(BigInt);
  // mu = −p⁻¹ mod 2^29, by Newton iteration on the inverse (each step doubles correct bits).
  let inv = 1n;
  for (let i = 0; i < 6; i++) inv = (inv * (2n - p * inv)) & MASK;
  const MU = (-inv) & MASK;
  if (((p * MU + 1n) & MASK) !== 0n) bug('generatePoseidonWasm', 'mu');

  const W = BigInt(LIMB_BITS);
  const E = ELEMENT_BYTES;
  const NAMES = ['mulAdd', 'sqr', 'sqrLimbs', 'mulWide', 'dot', 'sbox', 'sboxWide', 'toLimbs', 'fromMont', 'fullRound', 'hash'];
  const functions: FunctionDef[] = [];
  const index = (name: string) => {
    const i = NAMES.indexOf(name);
    if (i < 0) bug('generatePoseidonWasm', name);
    return i;
  };

  // Pushes the sum of `terms` as a balanced tree: the adds of a column then form a
  // chain of depth log₂(n) instead of n, which matters because columns are serial.
  const sum = (c: Code, terms: Term[]) => {
    if (terms.length === 0) bug('generatePoseidonWasm', 'empty sum');
    if (terms.length === 1) { terms[0]!(); return; }
    const half = terms.length >> 1;
    sum(c, terms.slice(0, half));
    sum(c, terms.slice(half));
    c.add64();
  };
  // Pushes Σ plus − Σ minus (mod 2^64).
  const signedSum = (c: Code, plus: Term[], minus: Term[]) => {
    if (plus.length === 0) c.i64(0n);
    else sum(c, plus);
    if (minus.length > 0) { sum(c, minus); c.sub64(); }
  };
  // value·k for a constant k < 2^32: shifts when k is 2^a ± 2^b or 2^a − 1 (BN254's
  // p₀ = 2^28 + 1 and μ = 2^28 − 1 are), an imul otherwise. Results are mod 2^64, as
  // i64.mul's are.
  const mulConst = (c: Code, value: Term, k: bigint) => {
    const bits = [...k.toString(2)].reverse().flatMap((b, i) => (b === '1' ? [i] : []));
    const low = (k + 1n) & -(k + 1n); // lowest set bit of k + 1
    if (bits.length === 1) {
      value(); c.i64(BigInt(bits[0]!)).shl64();
    } else if (bits.length === 2) {
      value(); c.i64(BigInt(bits[1]!)).shl64(); value();
      if (bits[0]! > 0) c.i64(BigInt(bits[0]!)).shl64();
      c.add64();
    } else if (k + 1n === low) {
      value(); c.i64(BigInt(low.toString(2).length - 1)).shl64(); value(); c.sub64();
    } else {
      value(); c.i64(k).mul64();
    }
  };

  /**
   * One column of product-scanning Montgomery reduction: acc ← column + Σ q_i·p_{k−i}
   * (i < k − 1) + q_{k−1}·p₁ + carry, added in that order so the independent products
   * are summed first and the carry, known last, joins last. For k < 9 it derives q_k
   * (making the column divisible by 2^29); for k ≥ 9 it emits result limb k − 9 through
   * `emitLimb`. Leaves the carry (acc >> 29) in `acc`.
   *
   * Each column's sum is also stored to `LAYOUT.anchor`, a store nothing reads: memory
   * accesses keep program order in TurboFan while arithmetic is scheduled late, so
   * without a store between columns every operand load of the function is hoisted to
   * its start and spilled to the stack, which makes it about 1.7 times slower.
   */
  const column = (c: Code, acc: number, q: number[], k: number, value: Term | null, emitLimb: EmitLimb) => {
    const all: Term[] = value ? [value] : [];
    for (let i = Math.max(0, k - (LIMBS - 1)); i < Math.min(k - 1, LIMBS); i++) {
      all.push(() => mulConst(c, () => c.get(q[i]!), P[k - i]!));
    }
    if (k >= 1 && k - 1 < LIMBS) all.push(() => mulConst(c, () => c.get(q[k - 1]!), P[1]!));
    if (all.length === 0) c.i64(0n);
    else sum(c, all);
    if (k > 0) c.get(acc).add64();
    c.set(acc);
    c.i32(0).get(acc).store64(LAYOUT.anchor);
    if (k < LIMBS) {
      mulConst(c, () => c.get(acc), MU);
      c.i64(MASK).and64().set(q[k]!);
      c.get(acc);
      mulConst(c, () => c.get(q[k]!), P[0]!);
      c.add64().i64(W).shrU64().set(acc);
    } else {
      emitLimb(k - LIMBS, () => c.get(acc).i64(MASK).and64());
      c.get(acc).i64(W).shrU64().set(acc);
    }
  };

  /** Montgomery reduction of 18 column values (`value(k)` pushes column k); limbs to `emitLimb`. */
  const reduce = (c: Code, L: Locals, value: (k: number) => Term | null, emitLimb: EmitLimb) => {
    const acc = L.add(I64);
    const q = L.addMany(I64, LIMBS);
    for (let k = 0; k < 2 * LIMBS; k++) column(c, acc, q, k, value(k), emitLimb);
  };

  /** Stores limbs held in locals `r` as an element at pointer local `out`, with its group sums. */
  const storeElement = (c: Code, out: number, r: number[]) => {
    for (let i = 0; i < LIMBS; i++) c.get(out).get(r[i]!).store64as32(4 * i);
    const pairs = [[0, 3], [0, 6], [3, 6]] as const;
    pairs.forEach(([g, h], s) => {
      for (let u = 0; u < 3; u++) c.get(out).get(r[g + u]!).get(r[h + u]!).add64().store64as32(4 * (LIMBS + 3 * s + u));
    });
  };
  const intoLocals = (c: Code, r: number[]): EmitLimb => (limb, value) => { value(); c.set(r[limb]!); };

  /** Pushes column j (0..4) of the product of two 3-limb groups: Σ_{u+v=j} a(u)·b(v). */
  const groupColumn = (c: Code, a: (u: number) => void, b: (v: number) => void, j: number) => {
    const terms: Term[] = [];
    for (let u = Math.max(0, j - 2); u <= Math.min(j, 2); u++) terms.push(() => { a(u); b(j - u); c.mul64(); });
    sum(c, terms);
  };
  /**
   * Column k (0..16) of a·b from the sub-product columns P_g[j] (`P(g, j)` pushes one):
   * T = P0 + (P3 − P0 − P1)·B + (P4 − P0 − P2 + P1)·B² + (P5 − P1 − P2)·B³ + P2·B⁴, with
   * B = 2^87 (three columns) and P3, P4, P5 the products of group sums.
   */
  const karatsubaColumn = (c: Code, k: number, P: (g: number, j: number) => Term) => {
    const plus: Term[] = [];
    const minus: Term[] = [];
    const add = (list: Term[], g: number, j: number) => { if (j >= 0 && j <= 4) list.push(P(g, j)); };
    add(plus, 0, k);
    add(plus, 3, k - 3); add(minus, 0, k - 3); add(minus, 1, k - 3);
    add(plus, 4, k - 6); add(minus, 0, k - 6); add(minus, 2, k - 6); add(plus, 1, k - 6);
    add(plus, 5, k - 9); add(minus, 1, k - 9); add(minus, 2, k - 9);
    add(plus, 2, k - 12);
    signedSum(c, plus, minus);
  };
  // The 30 Karatsuba sums of the product being formed live in memory (see `column` for
  // why memory and not locals: locals kept across columns spill).
  const prodAt = (g: number, j: number) => LAYOUT.products + 8 * (5 * g + j);
  /**
   * Forms the six group sub-products of `count` (1 or 2) consecutive products
   * w[i]·x[i] (elements from pointer locals w, x on) into the Karatsuba sums: stored if
   * `first`, else added. Each group's limbs are loaded once into locals `wl`, `xl` (6
   * each), not once per multiplication, and two products share one store per sum.
   */
  const karatsubaTerm = (c: Code, w: number, x: number, wl: number[], xl: number[], first: boolean, count = 1) => {
    for (let g = 0; g < 6; g++) {
      for (let i = 0; i < count; i++) {
        for (let u = 0; u < 3; u++) {
          c.get(w).load64u32(E * i + 4 * (GROUPS[g]! + u)).set(wl[3 * i + u]!);
          c.get(x).load64u32(E * i + 4 * (GROUPS[g]! + u)).set(xl[3 * i + u]!);
        }
      }
      for (let j = 0; j < 5; j++) {
        c.i32(0);
        for (let i = 0; i < count; i++) {
          groupColumn(c, (u) => c.get(wl[3 * i + u]!), (v) => c.get(xl[3 * i + v]!), j);
          if (i > 0) c.add64();
        }
        if (!first) c.i32(0).load64(prodAt(g, j)).add64();
        c.store64(prodAt(g, j));
      }
    }
  };
  /** Pushes column k (0..16) of the product recombined from the Karatsuba sums in memory. */
  const recombined = (c: Code, k: number) => karatsubaColumn(c, k, (g, j) => () => c.i32(0).load64(prodAt(g, j)));

  /** r := r − m if r ≥ m (r in limb locals, m as limb constants), branch-free. */
  const condSub = (c: Code, L: Locals, r: number[], m: bigint[]) => {
    const d = L.addMany(I64, LIMBS);
    const borrow = L.add(I64);
    const tmp = L.add(I64);
    for (let i = 0; i < LIMBS; i++) {
      c.get(r[i]!).i64(m[i]!).sub64().get(borrow).add64().tee(tmp).i64(MASK).and64().set(d[i]!);
      c.get(tmp).i64(W).shrS64().set(borrow); // 0 or −1
    }
    for (let i = 0; i < LIMBS; i++) c.get(d[i]!).get(r[i]!).get(borrow).eqz64().select().set(r[i]!);
  };

  // mulAdd(out, a, b, c): Karatsuba product, then reduction. The Karatsuba sums area is
  // shared with mulWide and dot, which never run nested.
  {
    const code = new Code();
    const L = new Locals(4);
    const r = L.addMany(I64, LIMBS);
    karatsubaTerm(code, 1, 2, L.addMany(I64, 6), L.addMany(I64, 6), true);
    reduce(code, L, (k) => () => {
      if (k < 2 * LIMBS - 1) recombined(code, k);
      else code.i64(0n);
      if (k >= LIMBS) code.get(3).load64u32(4 * (k - LIMBS)).add64();
    }, intoLocals(code, r));
    storeElement(code, 0, r);
    functions.push({ name: 'mulAdd', params: [I32, I32, I32, I32], results: [], locals: L.types, code, exported: true });
  }
  // sqr(out, a) and sqrLimbs(out, a): schoolbook squaring (45 products; Karatsuba saves
  // too few to pay for its recombination), each cross product a_i·a_j, i < j, counted
  // twice. sqrLimbs stores only the limbs, for x² whose one use is to be squared again.
  for (const withSums of [true, false]) {
    const code = new Code();
    const L = new Locals(2);
    const r = L.addMany(I64, LIMBS);
    // Each limb is loaded once, at its first use (column i), into a local.
    const limbs = L.addMany(I64, LIMBS);
    const loaded = new Set<number>();
    const limb = (i: number) => () => {
      if (loaded.has(i)) { code.get(limbs[i]!); return; }
      loaded.add(i);
      code.get(1).load64u32(4 * i).tee(limbs[i]!);
    };
    reduce(code, L, (k) => {
      if (k >= 2 * LIMBS - 1) return null;
      const terms: Term[] = [];
      const cross: Term[] = [];
      for (let i = Math.max(0, k - (LIMBS - 1)); 2 * i < k; i++) cross.push(() => { limb(i)(); limb(k - i)(); code.mul64(); });
      if (cross.length > 0) terms.push(() => { sum(code, cross); code.i64(1n).shl64(); });
      if (k % 2 === 0) terms.push(() => { limb(k / 2)(); limb(k / 2)(); code.mul64(); });
      return () => sum(code, terms);
    }, intoLocals(code, r));
    if (withSums) storeElement(code, 0, r);
    else for (let i = 0; i < LIMBS; i++) code.get(0).get(r[i]!).store64as32(4 * i);
    functions.push({ name: withSums ? 'sqr' : 'sqrLimbs', params: [I32, I32], results: [], locals: L.types, code, exported: true });
  }
  // mulWide(out, a, b, c): a·b + c·R by columns, carried so each word is < 2^29.
  {
    const code = new Code();
    const L = new Locals(4);
    const acc = L.add(I64);
    karatsubaTerm(code, 1, 2, L.addMany(I64, 6), L.addMany(I64, 6), true);
    for (let k = 0; k < 2 * LIMBS; k++) {
      code.get(0);
      if (k < 2 * LIMBS - 1) recombined(code, k);
      else code.i64(0n);
      if (k >= LIMBS) code.get(3).load64u32(4 * (k - LIMBS)).add64();
      if (k > 0) code.get(acc).add64();
      code.tee(acc);
      if (k < 2 * LIMBS - 1) code.i64(MASK).and64();
      code.store64as32(4 * k);
      code.get(acc).i64(W).shrU64().set(acc);
    }
    functions.push({ name: 'mulWide', params: [I32, I32, I32, I32], results: [], locals: L.types, code, exported: true });
  }
  // dot(out, w, x, n, wide, c)
  {
    const code = new Code();
    const [out, w, x, n, wide, cPtr] = [0, 1, 2, 3, 4, 5];
    const L = new Locals(6);
    const count = L.add(I32);
    const r = L.addMany(I64, LIMBS);
    const carry = L.add(I64);
    // The running column sums T (of earlier chunks, plus X and c·R) and the 30 Karatsuba
    // sums of the current chunk live in memory during the loop: each sum's store pins
    // its loads and products together (see `column`).
    const colAt = (k: number) => LAYOUT.columns + 8 * k;
    for (let k = 0; k < 2 * LIMBS; k++) {
      code.i32(0).get(wide).load64u32(4 * k);
      if (k >= LIMBS) code.get(cPtr).load64u32(4 * (k - LIMBS)).add64();
      code.store64(colAt(k));
    }
    const wl = L.addMany(I64, 6);
    const xl = L.addMany(I64, 6);
    // `count` terms (1 or 2) into the Karatsuba sums, then advance.
    const terms = (first: boolean, count: number) => {
      karatsubaTerm(code, w, x, wl, xl, first, count);
      code.get(w).i32(E * count).add32().set(w);
      code.get(x).i32(E * count).add32().set(x);
      code.get(n).i32(count).sub32().set(n);
    };
    // Column k of T plus the recombined Karatsuba sums: exact, since the recombined
    // column is a true column sum of ≤ 6 terms (< 54·2^58) and T's is < 2^30
    // (X and c·R, each word < 2^29, or a carried T).
    const total = (k: number): Term => () => {
      code.i32(0).load64(colAt(k));
      if (k < 2 * LIMBS - 1) {
        recombined(code, k);
        code.add64();
      }
    };
    // Terms come in chunks of at most 6 (`count` so far in this chunk), two at a time
    // after an odd first one. Between chunks T absorbs the chunk and is carried so every
    // column is < 2^29 again; then a column holds < 2^30 + 54 products, and the
    // reduction adds ≤ 9 more and a carry < 2^35: < 63·2^58 + 2^36 < 2^64.
    const CHUNK = 6;
    code.block();
    code.get(n).eqz32().if();
    {
      // No terms: the Karatsuba sums must read as zero.
      for (let g = 0; g < 6; g++) for (let j = 0; j < 5; j++) code.i32(0).i64(0n).store64(prodAt(g, j));
      code.br(1);
    }
    code.end();
    code.get(n).i32(1).and32().if();
    terms(true, 1);
    code.i32(1).set(count);
    code.else();
    terms(true, 2);
    code.i32(2).set(count);
    code.end();
    code.block().get(n).eqz32().brIf(0).loop();
    code.get(count).i32(CHUNK - 2).gtU32().if();
    {
      code.i64(0n).set(carry);
      for (let k = 0; k < 2 * LIMBS; k++) {
        code.i32(0).get(carry);
        total(k)();
        code.add64().tee(carry);
        if (k < 2 * LIMBS - 1) code.i64(MASK).and64();
        code.store64(colAt(k));
        code.get(carry).i64(W).shrU64().set(carry);
      }
      terms(true, 2);
      code.i32(2).set(count);
    }
    code.else();
    {
      terms(false, 2);
      code.get(count).i32(2).add32().set(count);
    }
    code.end();
    code.get(n).brIf(0);
    code.end().end().end();
    reduce(code, L, total, intoLocals(code, r));
    storeElement(code, out, r);
    functions.push({ name: 'dot', params: [I32, I32, I32, I32, I32, I32], results: [], locals: L.types, code, exported: true });
  }
  // sbox(out, x) and sboxWide(out, x, c): x² and x⁴ reduced, then the last product
  // (x⁵ ≡ x⁴·x: the chain 2, 4, 5 has the fewest multiplications for the exponent 5).
  {
    const code = new Code();
    const { scratch1: s } = LAYOUT;
    code.i32(s).get(1).call(index('sqrLimbs'));
    code.i32(s).i32(s).call(index('sqr')); // in place: results are stored after all reads
    code.get(0).i32(s).get(1).i32(LAYOUT.zero).call(index('mulAdd'));
    functions.push({ name: 'sbox', params: [I32, I32], results: [], locals: [], code, exported: true });
  }
  {
    const code = new Code();
    const { scratch1: s } = LAYOUT;
    code.i32(s).get(1).call(index('sqrLimbs'));
    code.i32(s).i32(s).call(index('sqr'));
    code.get(0).i32(s).get(1).get(2).call(index('mulWide'));
    functions.push({ name: 'sboxWide', params: [I32, I32, I32], results: [], locals: [], code, exported: true });
  }
  // toLimbs(out, in64)
  {
    const code = new Code();
    const L = new Locals(2);
    const words = L.addMany(I64, 4);
    const r = L.addMany(I64, LIMBS);
    for (let k = 0; k < 4; k++) code.get(1).load64(8 * k).set(words[k]!);
    for (let i = 0; i < LIMBS; i++) {
      const bit = LIMB_BITS * i;
      const k = bit >> 6;
      const o = bit & 63;
      code.get(words[k]!);
      if (o > 0) code.i64(BigInt(o)).shrU64();
      if (o + LIMB_BITS > 64 && k + 1 < 4) code.get(words[k + 1]!).i64(BigInt(64 - o)).shl64().or64();
      code.i64(MASK).and64().set(r[i]!);
    }
    storeElement(code, 0, r);
    functions.push({ name: 'toLimbs', params: [I32, I32], results: [], locals: L.types, code, exported: true });
  }
  // fromMont(out64, a): REDC(a) < a/R + p ≤ p, so one conditional subtraction of p.
  {
    const code = new Code();
    const L = new Locals(2);
    const r = L.addMany(I64, LIMBS);
    reduce(code, L, (k) => (k < LIMBS ? () => code.get(1).load64u32(4 * k) : null), intoLocals(code, r));
    condSub(code, L, r, P);
    for (let k = 0; k < 4; k++) {
      code.get(0);
      let first = true;
      for (let i = 0; i < LIMBS; i++) {
        const shift = LIMB_BITS * i - 64 * k; // position of limb i within word k
        if (shift <= -LIMB_BITS || shift >= 64) continue;
        code.get(r[i]!);
        if (shift > 0) code.i64(BigInt(shift)).shl64();
        else if (shift < 0) code.i64(BigInt(-shift)).shrU64();
        if (!first) code.or64();
        first = false;
      }
      code.store64(8 * k);
    }
    functions.push({ name: 'fromMont', params: [I32, I32], results: [], locals: L.types, code, exported: true });
  }

  // do { body } while (++counter !== limit): every loop using it runs at least once.
  const doLoop = (code: Code, counter: number, from: number, limit: Term, body: Term) => {
    code.i32(from).set(counter).loop();
    body();
    code.get(counter).i32(1).add32().tee(counter);
    limit();
    code.ne32().brIf(0).end();
  };
  // Pushes base + index·E (base and index in locals).
  const elem = (code: Code, base: number, idx: number) => code.get(base).get(idx).i32(E).mul32().add32();

  // fullRound(t, in, out, matrix, constants, xIndex)
  {
    const code = new Code();
    const [t, input, out, matrix, constants, xIndex] = [0, 1, 2, 3, 4, 5];
    const L = new Locals(6);
    const [i, k, rowBytes] = L.addMany(I32, 3) as [number, number, number];
    code.get(t).i32(1).sub32().i32(E).mul32().set(rowBytes);
    doLoop(code, i, 0, () => code.get(t), () => {
      code.get(i).get(xIndex).eq32().if();
      code.i32(LAYOUT.wide);
      elem(code, input, i).i32(LAYOUT.zero).call(index('sboxWide'));
      code.end();
      code.get(i).get(xIndex).ne32().if();
      code.i32(LAYOUT.compact).get(k).i32(E).mul32().add32();
      elem(code, input, i).call(index('sbox'));
      code.get(k).i32(1).add32().set(k);
      code.end();
    });
    doLoop(code, i, 0, () => code.get(t), () => {
      elem(code, out, i);
      code.get(matrix).get(i).get(rowBytes).mul32().add32();
      code.i32(LAYOUT.compact).get(t).i32(1).sub32().i32(LAYOUT.wide);
      elem(code, constants, i);
      code.call(index('dot'));
    });
    functions.push({ name: 'fullRound', params: [I32, I32, I32, I32, I32, I32], results: [], locals: L.types, code, exported: true });
  }
  // hash(t, partialRounds, initial, full, xIndexes, partial, finish, last)
  {
    const code = new Code();
    const [t, nP, initial, full, xIndexes, partial, finish, last] = [0, 1, 2, 3, 4, 5, 6, 7];
    const L = new Locals(8);
    const [A, B, i, r, tmp, n, fullBytes, sig] = L.addMany(I32, 8) as [number, number, number, number, number, number, number, number];
    const swap = () => { code.get(A).set(tmp).get(B).set(A).get(tmp).set(B); };
    const round = (target: Term) => {
      code.get(t).get(A);
      target();
      code.get(full).get(full).get(t).get(n).mul32().i32(E).mul32().add32();
      code.get(xIndexes).get(r).i32(4).mul32().add32().load32(0);
      code.call(index('fullRound'));
      code.get(full).get(fullBytes).add32().set(full);
    };

    code.get(t).i32(1).sub32().set(n);
    // Bytes of one full round's constants: t rows of t − 1, then t constants.
    code.get(t).get(t).mul32().i32(E).mul32().set(fullBytes);
    code.i32(LAYOUT.stateA).set(A).i32(LAYOUT.stateB).set(B);
    // Input: state[0] = 0 and state[i] = inputs[i − 1], each to Montgomery form (·R²/R)
    // with the first round constant added: REDC(x·R² + a0·R) = x·R + a0.
    code.get(A).i32(LAYOUT.r2).i32(LAYOUT.zero).i32(1).i32(LAYOUT.zero).get(initial).call(index('dot'));
    doLoop(code, i, 1, () => code.get(t), () => {
      code.i32(LAYOUT.scratch2);
      code.get(i).i32(32).mul32().i32(LAYOUT.input - 32).add32();
      code.call(index('toLimbs'));
      elem(code, A, i).i32(LAYOUT.r2).i32(LAYOUT.scratch2).i32(1).i32(LAYOUT.zero);
      elem(code, initial, i).call(index('dot'));
    });
    // First half: 3 full rounds, then the fourth writing (Y, σ₀..σₙ₋₁) to `sequence`.
    doLoop(code, r, 0, () => code.i32(3), () => { round(() => code.get(B)); swap(); });
    round(() => code.i32(LAYOUT.sequence));
    code.get(r).i32(1).add32().set(r);
    // Partial rounds: X ← Y⁵ + c; σ_{r+n} ← α·window + X; Y ← β·window + X.
    code.i32(LAYOUT.sequence + E).set(sig);
    doLoop(code, i, 0, () => code.get(nP), () => {
      code.i32(LAYOUT.wide).i32(LAYOUT.sequence).get(partial).call(index('sboxWide'));
      code.get(sig).get(i).get(n).add32().i32(E).mul32().add32();
      code.get(partial).i32(E).add32();
      elem(code, sig, i);
      code.get(n).i32(LAYOUT.wide).i32(LAYOUT.zero).call(index('dot'));
      code.i32(LAYOUT.sequence);
      code.get(partial).get(n).i32(1).add32().i32(E).mul32().add32();
      elem(code, sig, i);
      code.get(n).i32(LAYOUT.wide).i32(LAYOUT.zero).call(index('dot'));
      code.get(partial).get(n).i32(2).mul32().i32(1).add32().i32(E).mul32().add32().set(partial);
    });
    // Rebuild the tail: A[0] = Y, A[i] = finish[i−1]·(σ_RP..σ_{RP+n−2}) + σ_{RP+n−1}.
    for (let word = 0; word < ELEMENT_WORDS; word++) code.get(A).i32(LAYOUT.sequence).load32(4 * word).store32(4 * word);
    elem(code, sig, nP).set(sig); // σ_RP
    doLoop(code, i, 1, () => code.get(t), () => {
      elem(code, A, i);
      code.get(finish).get(i).i32(1).sub32().get(n).i32(1).sub32().mul32().i32(E).mul32().add32();
      code.get(sig).get(n).i32(1).sub32().i32(LAYOUT.zero);
      code.get(sig).get(n).i32(1).sub32().i32(E).mul32().add32();
      code.call(index('dot'));
    });
    // Second half: 3 full rounds.
    doLoop(code, i, 0, () => code.i32(3), () => {
      round(() => code.get(B));
      swap();
      code.get(r).i32(1).add32().set(r);
    });
    // Last round: every S-box reduced, then only row 0.
    doLoop(code, i, 0, () => code.get(t), () => {
      code.i32(LAYOUT.compact).get(i).i32(E).mul32().add32();
      elem(code, A, i).call(index('sbox'));
    });
    code.i32(LAYOUT.result).get(last).i32(LAYOUT.compact).get(t).i32(LAYOUT.zero).i32(LAYOUT.zero).call(index('dot'));
    code.i32(LAYOUT.output).i32(LAYOUT.result).call(index('fromMont'));
    functions.push({ name: 'hash', params: [I32, I32, I32, I32, I32, I32, I32, I32], results: [], locals: L.types, code, exported: true });
  }

  if (functions.map((f) => f.name).join() !== NAMES.join()) bug('generatePoseidonWasm', 'function order');
  return encodeModule(functions, memoryPages);
}
