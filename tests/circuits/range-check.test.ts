// Circuit tests of circuits/lib/range_check.circom: RangeCheck(n) and the *Bounded
// comparisons, at their boundaries (bound − 1 passes; bound and r − 1 fail), against
// tampered witnesses, and side by side with circomlib's unchecked LessThan to show the
// trap the *Bounded templates close.
//
// Constraints measured (circom 2.2.3, --O2): RangeCheck(n) = n; LessThanBounded(n) and
// LessEqThanBounded(n) = 3n + 1 (two n-bit range checks and LessThan's n + 1 bits).
import { beforeAll, describe, expect, it } from 'vitest';
import type { CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { calculateWitness } from '../../circuits/toolchain/witness.ts';
import {
  compileTemplate,
  expectSatisfied,
  expectUnsatisfied,
  expectWitnessFails,
  fr,
  honestWitness,
  mainSignal,
  R,
  setSignals,
  spliceSignals,
} from './_circuit-test.ts';

const FILE = 'circuits/lib/range_check.circom';
const CIRCOMLIB = 'node_modules/circomlib/circuits/comparators.circom';

describe('RangeCheck', () => {
  for (const n of [1, 8, 252]) {
    describe(`when n = ${n}`, () => {
      const bound = 1n << BigInt(n);
      let c: CompiledCircuit;
      beforeAll(async () => {
        c = await compileTemplate(FILE, 'RangeCheck', [n]);
      });

      it(`has ${n} constraints`, () => {
        expect(c.constraints, `RangeCheck(${n}).constraints`).toBe(n);
      });

      for (const [label, v] of [['0', 0n], ['1', 1n], ['2^n − 1', bound - 1n]] as const) {
        it(`accepts ${label}`, async () => {
          await honestWitness(c, { in: v });
        });
      }

      for (const [label, v] of [['2^n', bound], ['2^n + 1', bound + 1n], ['r − 1', R - 1n], ['r − 2^n', R - bound]] as const) {
        it(`does not accept ${label}`, async () => {
          await expectWitnessFails(c, { in: v });
        });
      }

      it('does not accept 2^n or r − 1 written into an honest witness', async () => {
        // The kept bit signals stay as they were; no choice of bits sums to these values.
        const w = await honestWitness(c, { in: 0n });
        await expectUnsatisfied(c, setSignals(c, w, { 'main.in': bound }));
        await expectUnsatisfied(c, setSignals(c, w, { 'main.in': R - 1n }));
      });
    });
  }

  describe('when a prover writes a non-binary bit that keeps the sum', () => {
    it('fails the bit constraint', async () => {
      const c = await compileTemplate(FILE, 'RangeCheck', [8]);
      // in = 1 = bit0 + 2·bit1 with (bit0, bit1) = (1, 0); the cheat uses (−1, 1).
      const w = await honestWitness(c, { in: 1n });
      const cheat = setSignals(c, w, { 'main.bits.out[0]': fr(-1n), 'main.bits.out[1]': 1n });
      await expectUnsatisfied(c, cheat);
      // The same write with a binary pair that also sums to 1 would pass: the test
      // changes only what the bit constraint forbids.
      await expectSatisfied(c, setSignals(c, w, { 'main.bits.out[0]': 1n, 'main.bits.out[1]': 0n }));
    });
  });

  describe('when n is outside [1, 252]', () => {
    for (const n of [0, 253, 254]) {
      it(`refuses to compile RangeCheck(${n})`, async () => {
        await expect(compileTemplate(FILE, 'RangeCheck', [n])).rejects.toMatchObject({ code: 'CIRCUIT_COMPILE_FAILED', message: expect.stringContaining('False assert reached') });
      });
    }
  });
});

type Cmp = (a: bigint, b: bigint) => boolean;
const COMPARISONS: [string, Cmp][] = [
  ['LessThanBounded', (a, b) => a < b],
  ['LessEqThanBounded', (a, b) => a <= b],
  ['GreaterThanBounded', (a, b) => a > b],
  ['GreaterEqThanBounded', (a, b) => a >= b],
];

for (const [template, want] of COMPARISONS) {
  describe(template, () => {
    for (const n of template.startsWith('Less') ? [8, 252] : [8]) {
      describe(`when n = ${n} and both operands are < 2^n`, () => {
        const max = (1n << BigInt(n)) - 1n;
        let c: CompiledCircuit;
        beforeAll(async () => {
          c = await compileTemplate(FILE, template, [n]);
        });

        it(`has 3n + 1 = ${3 * n + 1} constraints`, () => {
          expect(c.constraints, `${template}(${n}).constraints`).toBe(3 * n + 1);
        });

        const pairs: [bigint, bigint][] = [
          [0n, 0n], [0n, 1n], [1n, 0n], [max - 1n, max], [max, max - 1n], [max, max], [0n, max], [max, 0n], [100n, 101n], [101n, 100n], [7n, 7n],
        ];
        it('computes the integer comparison at every boundary', async () => {
          for (const [a, b] of pairs) {
            const w = await honestWitness(c, { in: [a, b] });
            const got = mainSignal(c, w, 'out');
            expect(got, `${template}(${n})(${a}, ${b}) = ${got}, want ${want(a, b) ? 1 : 0}`).toBe(want(a, b) ? 1n : 0n);
          }
        });

        it('does not let a prover flip the output', async () => {
          const w = await honestWitness(c, { in: [0n, max] });
          const out = mainSignal(c, w, 'out');
          await expectUnsatisfied(c, setSignals(c, w, { 'main.out': 1n - out }));
        });
      });
    }

    describe('when an operand is ≥ 2^n', () => {
      let c: CompiledCircuit;
      beforeAll(async () => {
        c = await compileTemplate(FILE, template, [8]);
      });
      // "Negative" operands (r − 1), operands just past the bound, both past it (where
      // circomlib's wrapped arithmetic still gives the integer answer), and far past it.
      const bad: [bigint, bigint][] = [
        [R - 1n, 5n], [5n, R - 1n], [256n, 255n], [255n, 256n], [256n + 1n, 256n + 5n], [R - 1n, R - 1n], [1n << 200n, 3n],
      ];
      it('fails witness generation', async () => {
        for (const [a, b] of bad) await expectWitnessFails(c, { in: [a, b] });
      });
    });
  });
}

describe('LessThanBounded', () => {
  describe('when a prover writes an operand r − 1 into a witness whose LessThan bits still hold', () => {
    it('fails the range check that circomlib LessThan lacks', async () => {
      // Honest (0, 6): LessThan decomposes 0 + 256 − 6 = 250. The cheat (r − 1, 5) gives
      // r − 1 + 256 − 5 ≡ 250 too, so LessThan's own constraints still hold and claim
      // "−1 < 5" (the circomlib test below shows LessThan alone accepts this witness).
      // Only the range check on in[0] stands in the way.
      const ours = await compileTemplate(FILE, 'LessThanBounded', [8]);
      const w = await honestWitness(ours, { in: [0n, 6n] });
      // in[1] = 5 needs the range check of an honest in[1] = 5: take it whole from one.
      const honestFive = await honestWitness(ours, { in: [0n, 5n] });
      const cheat = setSignals(ours, spliceSignals(ours, w, honestFive, 'main.range[1].'), { 'main.in[0]': R - 1n, 'main.in[1]': 5n });
      await expectUnsatisfied(ours, cheat);
    });
  });
});

describe('circomlib LessThan', () => {
  // Not used by Canopy circuits directly: these tests pin down the trap the *Bounded
  // templates exist for, so that a change in circomlib's behaviour is noticed.
  describe('when an operand is ≥ 2^n', () => {
    let lt: CompiledCircuit;
    let le: CompiledCircuit;
    beforeAll(async () => {
      lt = await compileTemplate(CIRCOMLIB, 'LessThan', [8]);
      le = await compileTemplate(CIRCOMLIB, 'LessEqThan', [8]);
    });

    it('claims r − 1 < 5 without failing', async () => {
      const w = await calculateWitness(lt, { in: [R - 1n, 5n] });
      await expectSatisfied(lt, w);
      expect(mainSignal(lt, w, 'out'), 'LessThan(8)(r − 1, 5)').toBe(1n);
    });

    it('claims r − 1 ≤ r − 1 and 257 < 261 although both exceed 8 bits', async () => {
      const w1 = await calculateWitness(le, { in: [R - 1n, R - 1n] });
      await expectSatisfied(le, w1);
      expect(mainSignal(le, w1, 'out'), 'LessEqThan(8)(r − 1, r − 1)').toBe(1n);
      const w2 = await calculateWitness(lt, { in: [257n, 261n] });
      expect(mainSignal(lt, w2, 'out'), 'LessThan(8)(257, 261)').toBe(1n);
    });

    it('accepts the hand-written witness that LessThanBounded rejects', async () => {
      const w = await calculateWitness(lt, { in: [0n, 6n] });
      await expectSatisfied(lt, setSignals(lt, w, { 'main.in[0]': R - 1n, 'main.in[1]': 5n }));
    });
  });
});
