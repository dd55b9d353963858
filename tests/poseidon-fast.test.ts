// The fast Poseidon path: the schedule derivation (`_poseidon-opt.ts`), the WebAssembly
// arithmetic (`_poseidon-wasm.ts`, through its exports, at the bounds its module doc
// states), the binary writer (`_poseidon-wasm-emit.ts`), and `poseidon` itself against
// the plain @noble/curves permutation (`poseidonReference`) on random and edge inputs.
import { poseidon as noblePermutation } from '@noble/curves/abstract/poseidon.js';
import { describe, expect, it } from 'vitest';
import { poseidon, POSEIDON_MAX_INPUTS, poseidonReference } from '../core/poseidon.ts';
import { createPoseidonFast } from '../core/_poseidon-fast.ts';
import { deriveSchedule, evaluateSchedule, type PoseidonPlainParams } from '../core/_poseidon-opt.ts';
import { Fr, plainParams } from '../core/_poseidon-params.ts';
import { Code, encodeModule, I32, I64 } from '../core/_poseidon-wasm-emit.ts';
import { ELEMENT_BYTES, generatePoseidonWasm, LAYOUT, toElementWords, type PoseidonWasmExports } from '../core/_poseidon-wasm.ts';
import { expectInputError, isFieldElement, R } from './hostile-inputs.ts';

// Deterministic test inputs: xorshift64* words assembled into 256-bit values.
function random256(seed: bigint): () => bigint {
  let s = seed;
  const next = () => {
    s ^= s >> 12n;
    s ^= (s << 25n) & 0xffffffffffffffffn;
    s ^= s >> 27n;
    return (s * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
  };
  return () => (next() << 192n) | (next() << 128n) | (next() << 64n) | next();
}

function randomVectors(seed: bigint, count: number, width: number): bigint[][] {
  const next = random256(seed);
  return Array.from({ length: count }, () => Array.from({ length: width }, () => next() % R));
}

/** Width-t plain permutation of @noble/curves on a whole state. */
function plainPermutation(params: PoseidonPlainParams) {
  return noblePermutation({
    Fp: params.Fp,
    t: params.t,
    roundsFull: params.roundsFull,
    roundsPartial: params.roundsPartial,
    sboxPower: 5,
    roundConstants: params.roundConstants.map((row) => row.slice()),
    mds: params.mds.map((row) => row.slice()),
  });
}

const WIDTHS = Array.from({ length: POSEIDON_MAX_INPUTS }, (_, i) => i + 2); // t = 2..17

describe('deriveSchedule', () => {
  describe('when run on circomlib parameters', () => {
    it.each(WIDTHS)('t = %i: the schedule equals the plain permutation on random whole states', (t) => {
      const params = plainParams(t);
      const schedule = deriveSchedule(params);
      const plain = plainPermutation(params);
      // Whole states, element 0 included: the schedule does not rely on it being 0.
      for (const state of randomVectors(BigInt(t) * 101n, 4, t)) {
        const got = evaluateSchedule(Fr, schedule, state);
        const want = plain(state)[0]!;
        expect(got, `evaluateSchedule(t=${t}, [${state.join(', ')}]) = ${got}, want ${want}`).toBe(want);
      }
    });

    it.each(WIDTHS)('t = %i: has the shape the WebAssembly module reads', (t) => {
      const s = deriveSchedule(plainParams(t));
      expect(s.full).toHaveLength(7);
      expect(s.partial).toHaveLength(plainParams(t).roundsPartial);
      expect(s.initial).toHaveLength(t);
      expect(s.last).toHaveLength(t);
      expect(s.finish).toHaveLength(t - 1);
      for (const row of s.finish) expect(row).toHaveLength(t - 2);
      for (const round of s.partial) {
        expect(round.alpha).toHaveLength(t - 1);
        expect(round.beta).toHaveLength(t - 1);
      }
      for (const round of s.full) {
        expect(round.matrix).toHaveLength(t);
        expect(round.constants).toHaveLength(t);
        // Column xIndex is all ones: the module adds that S-box output without a product.
        for (const row of round.matrix) expect(row[round.xIndex]).toBe(1n);
      }
      const all = [...s.initial, ...s.last, ...s.finish.flat(), ...s.partial.flatMap((p) => [p.constant, ...p.alpha, ...p.beta])];
      all.push(...s.full.flatMap((f) => [...f.matrix.flat(), ...f.constants]));
      expect(all.every(isFieldElement)).toBe(true);
    });
  });

  describe('when the parameters are inconsistent', () => {
    const good = plainParams(3);
    it('throws "bad math" for an odd number of full rounds', () => {
      expect(() => deriveSchedule({ ...good, roundsFull: 7, roundConstants: good.roundConstants.slice(1) })).toThrow(/bad math/);
    });

    it('throws "bad math" for a round-constant count that does not match the rounds', () => {
      expect(() => deriveSchedule({ ...good, roundConstants: good.roundConstants.slice(1) })).toThrow(/bad math/);
    });

    it('throws "bad math" when (M11, m10) is not controllable', () => {
      // M11 = I and m10 = 0: the partial rounds' linear part has no shift-register form.
      const mds = [
        [1n, 2n, 3n],
        [0n, 1n, 0n],
        [0n, 0n, 1n],
      ];
      expect(() => deriveSchedule({ ...good, mds })).toThrow(/bad math/);
    });
  });
});

// The module's exports on a fresh instance, with helpers to place and read values.
function arithmetic() {
  const bytes = generatePoseidonWasm(R, 4);
  const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as PoseidonWasmExports;
  const words = new Uint32Array(ex.memory.buffer);
  const MONT_R = 1n << 261n;
  const rInv = Fr.inv(MONT_R % R);
  const put = (address: number, value: bigint) => words.set(toElementWords(value), address / 4);
  const wordsAt = (address: number, count: number) => Array.from(words.subarray(address / 4, address / 4 + count));
  const value = (ws: number[]) => ws.reduceRight((acc, w) => (acc << 29n) + BigInt(w), 0n);
  /** The element at `address`, checking its invariants: limbs < 2^29, sums consistent. */
  const element = (address: number) => {
    const ws = wordsAt(address, 18);
    expect(ws.slice(0, 9).every((w) => w < 2 ** 29)).toBe(true);
    expect(ws).toEqual(toElementWords(value(ws.slice(0, 9))));
    return value(ws.slice(0, 9));
  };
  return { ex, put, element, wide: (address: number) => value(wordsAt(address, 18)), rInv, MONT_R };
}

const P = R;
const BASE = 16384; // scratch elements for the primitive tests, past the fixed layout

describe('generatePoseidonWasm', () => {
  // Operand extremes from the module doc: constants < p, multiplicands < 2.4p, S-box
  // inputs < 3.8p. Values near the caps and with every limb at 2^29 − 1 probe the
  // no-carry column sums for overflow.
  const caps = { constant: P - 1n, multiplicand: (24n * P) / 10n - 1n, sboxInput: (38n * P) / 10n - 1n };
  // The largest value ≤ cap whose limbs 0..7 are all 2^29 − 1: the worst case for
  // column sums (only the top limb is held down by the bound).
  const allOnesBelow = (cap: bigint) => (((cap >> 232n) - 1n) << 232n) | ((1n << 232n) - 1n);
  const samples = (cap: bigint, seed: bigint) => {
    const next = random256(seed);
    // (1 << 232) − 1 has limbs 0..7 all at 2^29 − 1.
    const extremes = [0n, 1n, cap, cap - 1n, cap >> 1n, (1n << 232n) - 1n, P - 1n, allOnesBelow(cap)].filter((v) => v <= cap);
    return [...extremes, ...Array.from({ length: 20 }, () => next() % (cap + 1n))];
  };

  describe('when its arithmetic is given operands at the documented bounds', () => {
    const { ex, put, element, wide, rInv, MONT_R } = arithmetic();
    const [A, B, C, OUT, W] = [BASE, BASE + ELEMENT_BYTES, BASE + 2 * ELEMENT_BYTES, BASE + 3 * ELEMENT_BYTES, BASE + 4 * ELEMENT_BYTES];

    it('mulAdd(a, b, c) ≡ a·b/R + c and stays < 1.13p + c for S-box operands', () => {
      for (const a of samples(caps.sboxInput, 1n)) {
        for (const b of samples(caps.sboxInput, 2n).slice(0, 8)) {
          const c = (a * 7n) % P;
          put(A, a); put(B, b); put(C, c);
          ex.mulAdd(OUT, A, B, C);
          const got = element(OUT);
          const want = Fr.add(Fr.mul(Fr.create(a * b), rInv), c);
          expect(Fr.create(got), `mulAdd(${a}, ${b}, ${c})`).toBe(want);
          expect(got < (113n * P) / 100n + c + 1n).toBe(true);
        }
      }
    });

    it('sqr(a) ≡ a²/R and stays < 1.13p for S-box inputs', () => {
      for (const a of samples(caps.sboxInput, 3n)) {
        put(A, a);
        ex.sqr(OUT, A);
        const got = element(OUT);
        expect(Fr.create(got), `sqr(${a})`).toBe(Fr.mul(Fr.create(a * a), rInv));
        expect(got < (113n * P) / 100n).toBe(true);
        ex.sqr(A, A); // in place, as sbox uses it
        expect(element(A)).toBe(got);
      }
    });

    it('mulWide(a, b, c) = a·b + c·R exactly, in words < 2^29', () => {
      for (const a of samples(caps.sboxInput, 4n)) {
        const b = (a * 3n + 5n) % caps.sboxInput;
        const c = (a * 11n) % P;
        put(A, a); put(B, b); put(C, c);
        ex.mulWide(W, A, B, C);
        expect(wide(W), `mulWide(${a}, ${b}, ${c})`).toBe(a * b + c * MONT_R);
      }
    });

    it.each([0, 1, 2, 3, 5, 6, 7, 12, 13, 16])('dot of %i maximal terms plus X and c reduces correctly and stays < 2.4p', (n) => {
      // Weights < p and multiplicands < 2.4p with limbs 0..7 at 2^29 − 1, X as large as
      // an S-box makes it (x just under 3.8p); the constant rides on X (partial rounds)
      // or on c (full rounds).
      const w = BASE + 8 * ELEMENT_BYTES;
      const x = w + 17 * ELEMENT_BYTES;
      const terms = Array.from({ length: n }, (_, j) => [allOnesBelow(caps.constant) - BigInt(j), allOnesBelow(caps.multiplicand) - BigInt(j)] as const);
      terms.forEach(([wj, xj], j) => { put(w + j * ELEMENT_BYTES, wj); put(x + j * ELEMENT_BYTES, xj); });
      for (const constantOnX of [true, false]) {
        const c = constantOnX ? 0n : caps.constant;
        put(A, caps.sboxInput); put(B, constantOnX ? caps.constant : 0n); put(C, c);
        ex.sqr(OUT, A); ex.sqr(OUT, OUT);
        ex.mulWide(W, OUT, A, B);
        const X = wide(W);
        ex.dot(OUT, w, x, n, W, C);
        const got = element(OUT);
        const t = terms.reduce((acc, [wj, xj]) => acc + wj * xj, X + c * MONT_R);
        expect(Fr.create(got), `dot(n=${n}, constant on ${constantOnX ? 'X' : 'c'})`).toBe(Fr.mul(Fr.create(t), rInv));
        expect(got < (24n * P) / 10n).toBe(true);
      }
    });

    it('fromMont(a) = a/R mod p in [0, p) for a < 2.4p', () => {
      for (const a of [...samples(caps.multiplicand, 5n), P, 2n * P]) {
        put(A, a);
        ex.fromMont(LAYOUT.output, A);
        const view = new BigUint64Array(ex.memory.buffer, LAYOUT.output, 4);
        const got = view[0]! | (view[1]! << 64n) | (view[2]! << 128n) | (view[3]! << 192n);
        expect(got, `fromMont(${a})`).toBe(Fr.mul(Fr.create(a), rInv));
      }
    });

    it('toLimbs splits any 256-bit value exactly', () => {
      const next = random256(6n);
      const view = new BigUint64Array(ex.memory.buffer, LAYOUT.input, 4);
      for (const v of [0n, 1n, P - 1n, P, (1n << 256n) - 1n, 1n << 232n, (1n << 29n) - 1n, next(), next()]) {
        for (let k = 0; k < 4; k++) view[k] = v >> BigInt(64 * k);
        ex.toLimbs(OUT, LAYOUT.input);
        expect(element(OUT), `toLimbs(${v})`).toBe(v);
      }
    });
  });

  describe('when the modulus is out of its range', () => {
    it.each([
      ['even', R - 1n],
      ['2^254 or more', (1n << 254n) + 1n],
      ['below 2^29', 65537n],
    ])('throws "bad math" for a modulus that is %s', (_name, p) => {
      expect(() => generatePoseidonWasm(p, 1)).toThrow(/bad math/);
    });
  });
});

describe('toElementWords', () => {
  describe('when the value does not fit 261 bits', () => {
    it.each([-1n, 1n << 261n])('throws "bad math" for %s', (v) => {
      expect(() => toElementWords(v)).toThrow(/bad math/);
    });
  });
});

describe('encodeModule', () => {
  describe('when a function returns i64 and i32 constants at the LEB128 edges', () => {
    it.each([0n, 63n, 64n, -64n, -65n, 127n, 128n, (1n << 63n) - 1n, -(1n << 63n), -1n])('round-trips %s', (v) => {
      const c64 = new Code().i64(v);
      const c32 = new Code().i32(Number(BigInt.asIntN(32, v)));
      const bytes = encodeModule(
        [
          { name: 'k64', params: [], results: [I64], locals: [], code: c64, exported: true },
          { name: 'k32', params: [I32], results: [I32], locals: [I64, I64, I32], code: c32, exported: true },
        ],
        1,
      );
      expect(WebAssembly.validate(bytes)).toBe(true);
      const ex = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as { k64: () => bigint; k32: (x: number) => number };
      expect(ex.k64()).toBe(v);
      expect(ex.k32(0)).toBe(Number(BigInt.asIntN(32, v)));
    });
  });
});

describe('poseidon', () => {
  // Random inputs per width, cross-checked against the slow BigInt reference, so the count is what the suite can afford;
  // the edge-value and bound tests below cover the arithmetic's corner cases exhaustively.
  const countFor = (inputs: number) => (inputs <= 8 ? 300 : 120);

  describe('when compared with the @noble/curves reference path (poseidonReference)', () => {
    it.each(WIDTHS.map((t) => [t - 1, countFor(t - 1)]))('agrees on random inputs of width %i (%i vectors)', (inputs, count) => {
      for (const x of randomVectors(BigInt(inputs) * 7907n + 3n, count, inputs)) {
        const got = poseidon(x);
        const want = poseidonReference(x);
        if (got !== want) expect(got, `poseidon(${x.join(', ')}) = ${got}, want ${want}`).toBe(want);
      }
    }, 120_000);

    it.each(WIDTHS.map((t) => t - 1))('agrees at the edges 0, 1, r − 1 and limb boundaries, width %i', (inputs) => {
      const edges = [0n, 1n, R - 1n, R - 2n, (1n << 29n) - 1n, 1n << 29n, (1n << 232n) - 1n, 1n << 232n, (1n << 253n) - 1n];
      const vectors: bigint[][] = [
        ...[0n, 1n, R - 1n].map((v) => new Array<bigint>(inputs).fill(v)),
        ...edges.map((_, k) => Array.from({ length: inputs }, (_, i) => edges[(i + k) % edges.length]!)),
      ];
      // Every combination of 0, 1, r − 1 for up to 4 inputs.
      if (inputs <= 4) {
        for (let code = 0; code < 3 ** inputs; code++) {
          vectors.push(Array.from({ length: inputs }, (_, i) => [0n, 1n, R - 1n][Math.floor(code / 3 ** i) % 3]!));
        }
      }
      for (const x of vectors) {
        const got = poseidon(x);
        const want = poseidonReference(x);
        expect(got, `poseidon(${x.join(', ')}) = ${got}, want ${want}`).toBe(want);
      }
    });

    it('gives the circomlib vector poseidon([1, 2]) = 7853200120776062878684798364095072458815029376092732009249414926327459813530', () => {
      expect(poseidon([1n, 2n])).toBe(7853200120776062878684798364095072458815029376092732009249414926327459813530n);
    });
  });

  describe('when an input is r or more', () => {
    // The fast path reads inputs as 4 u64 words: without validation, r + 1 would hash as
    // itself (not reduced) and 2^256 + 1 as 1. Both must be rejected first.
    it.each([R, R + 1n, 2n * R, (1n << 256n) - 1n, (1n << 256n) + 1n, 1n << 300n])('rejects %s with a RangeError naming the input', (v) => {
      for (let inputs = 1; inputs <= POSEIDON_MAX_INPUTS; inputs += 5) {
        for (const at of [0, inputs - 1]) {
          const x = new Array<bigint>(inputs).fill(1n);
          x[at] = v;
          expectInputError(() => poseidon(x), `inputs[${at}]`, 'range');
          expectInputError(() => poseidonReference(x), `inputs[${at}]`, 'range');
        }
      }
    });

    it('rejects a negative input with a RangeError', () => {
      expectInputError(() => poseidon([1n, -1n]), 'inputs[1]', 'range');
    });
  });

  describe('when the number of inputs is out of 1..16', () => {
    it.each([0, 17])('rejects %i inputs with a RangeError naming "inputs"', (count) => {
      expectInputError(() => poseidon(new Array<bigint>(count).fill(1n)), 'inputs', 'range');
    });
  });
});

describe('createPoseidonFast', () => {
  describe('when two instances hash interleaved widths', () => {
    it('each agrees with poseidon, so instances share no state', () => {
      const [a, b] = [createPoseidonFast(), createPoseidonFast()];
      for (let i = 0; i < 48; i++) {
        const x = randomVectors(BigInt(i) + 500n, 1, 1 + (i % POSEIDON_MAX_INPUTS))[0]!;
        const y = x.slice().reverse();
        expect(a(x)).toBe(poseidon(x));
        expect(b(y)).toBe(poseidon(y));
        expect(a(y)).toBe(b(y));
      }
    });
  });
});
