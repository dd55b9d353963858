// Circuit tests of circuits/lib/masked_less_than.circom: MaskedLessThan(n) proves
// "mask = 1 ⇒ value < bound" for operands the caller has bounded below 2^n. Checked at
// n = 8 (a pixel byte against a byte bound): every boundary of the predicate, a non-binary
// mask, and hand-written witnesses that keep the range check of d intact.
//
// Constraints measured (circom 2.2.3, --O2, every input public so the optimiser keeps
// them): MaskedLessThan(8) = 10, the n + 2 of the template's header.
import { beforeAll, describe, expect, it } from 'vitest';
import { compileMain, type CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import {
  expectSatisfied,
  expectUnsatisfied,
  expectWitnessFails,
  fr,
  honestWitness,
  mainSignal,
  R,
  setSignals,
} from './_circuit-test.ts';

const FILE = 'circuits/lib/masked_less_than.circom';
const N = 8;

describe('MaskedLessThan', () => {
  let c: CompiledCircuit;
  beforeAll(async () => {
    c = await compileMain({ name: `lib_masked_less_than_${N}`, templateFile: FILE, template: 'MaskedLessThan', params: [N], publicInputs: ['mask', 'value', 'bound'] });
  });

  it(`has n + 2 = ${N + 2} constraints`, () => {
    expect(c.constraints, `MaskedLessThan(${N}).constraints`).toBe(N + 2);
  });

  describe('when mask = 1', () => {
    const passing: [bigint, bigint][] = [[0n, 1n], [4n, 5n], [254n, 255n], [0n, 255n], [100n, 200n]];
    it(`accepts value < bound (${passing.map(([v, b]) => `${v} < ${b}`).join(', ')})`, async () => {
      for (const [value, bound] of passing) {
        const w = await honestWitness(c, { mask: 1n, value, bound });
        expect(mainSignal(c, w, 'd'), `d of (1, ${value}, ${bound})`).toBe(bound - 1n - value);
      }
    });

    const failing: [bigint, bigint][] = [[5n, 5n], [6n, 5n], [255n, 255n], [0n, 0n], [255n, 0n], [200n, 100n]];
    it(`fails witness generation for value ≥ bound (${failing.map(([v, b]) => `${v} ≥ ${b}`).join(', ')})`, async () => {
      for (const [value, bound] of failing) await expectWitnessFails(c, { mask: 1n, value, bound });
    });

    it('does not accept value = bound written into an honest witness of value = bound − 1', async () => {
      const w = await honestWitness(c, { mask: 1n, value: 4n, bound: 5n });
      // d stays 0 with its honest bits; only d = mask·(bound − 1 − value) can object.
      await expectUnsatisfied(c, setSignals(c, w, { 'main.value': 5n }));
      // With d rewritten to the field value −1 the product holds, and the range check fails instead.
      await expectUnsatisfied(c, setSignals(c, w, { 'main.value': 5n, 'main.d': fr(-1n) }));
    });
  });

  describe('when mask = 0', () => {
    it('accepts every 8-bit value against bounds 0 and 255', async () => {
      for (const bound of [0n, 255n]) {
        for (let v = 0n; v < 256n; v++) {
          const w = await honestWitness(c, { mask: 0n, value: v, bound });
          expect(mainSignal(c, w, 'd'), `d of (0, ${v}, ${bound})`).toBe(0n);
        }
      }
    });
  });

  describe('when mask is not binary', () => {
    for (const [label, mask] of [['2', 2n], ['r − 1', R - 1n]] as const) {
      it(`fails witness generation for mask = ${label}, even where the product is in range`, async () => {
        await expectWitnessFails(c, { mask, value: 0n, bound: 0n }); // d = mask·(−1)
        await expectWitnessFails(c, { mask, value: 3n, bound: 5n }); // d = 2·mask
        await expectWitnessFails(c, { mask, value: 200n, bound: 10n });
      });
    }

    it('fails only the bit constraint on a forged witness claiming 5 < 5 with mask = −1', async () => {
      // The honest witness of (1, 3, 5) has d = 1 with honest bits. The forgery writes
      // value = bound = 5 and mask = −1: mask·(bound − 1 − value) = (−1)·(−1) = 1 = d, so
      // the product and the range check hold; mask·(mask − 1) = 2 ≠ 0 does not.
      const w = await honestWitness(c, { mask: 1n, value: 3n, bound: 5n });
      expect(mainSignal(c, w, 'd'), 'd of the donor').toBe(1n);
      await expectUnsatisfied(c, setSignals(c, w, { 'main.mask': R - 1n, 'main.value': 5n }));
      // Control: the same writes with mask = 1 and value = 3 restore the honest witness.
      await expectSatisfied(c, setSignals(c, w, { 'main.mask': 1n, 'main.value': 3n }));
    });
  });

  describe('when the caller breaks the precondition value < 2^n', () => {
    it('accepts value = r − 1 against bound 5 (why the caller must bound value)', async () => {
      // d = 5 − 1 − (r − 1) ≡ 5 passes the range check: the gadget reads r − 1 as −1.
      const w = await honestWitness(c, { mask: 1n, value: R - 1n, bound: 5n });
      expect(mainSignal(c, w, 'd'), 'd of (1, r − 1, 5)').toBe(5n);
    });
  });
});
