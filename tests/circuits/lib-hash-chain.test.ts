// Circuit tests of circuits/lib/hash_chain.circom: HashChain(n) gives chainDigest of
// core/geo/_hash-chain.ts for one full block (n = 14) and for two blocks with a
// zero-padded tail (n = 20); changing any element changes the digest, a witness cannot
// keep the digest of other elements, and an input of the wrong length is refused.
//
// Constraints measured (circom 2.2.3, --O2, `in` public so the optimiser keeps it):
// HashChain(14) = 603 (one Poseidon(16) call), HashChain(20) = 1185 (two calls; each call
// costs less than 603 where more of its inputs are constants: the tag, s_0 = 0, padding).
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileMain, type CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { CHAIN_BLOCK, chainDigest } from '../../core/geo/_hash-chain.ts';
import { expectUnsatisfied, expectWitnessFails, fr, honestWitness, mainSignal, R, setSignals } from './_circuit-test.ts';

const FILE = 'circuits/lib/hash_chain.circom';
const CONSTRAINTS: Record<number, number> = { 14: 603, 20: 1185 };

/** Deterministic field elements: SHA-256 of a label, reduced mod r. */
function elements(label: string, n: number): bigint[] {
  return Array.from({ length: n }, (_, i) => BigInt(`0x${createHash('sha256').update(`canopy/hash-chain-circuit/${label}/${i}`).digest('hex')}`) % R);
}

describe('HashChain', () => {
  for (const n of [CHAIN_BLOCK, CHAIN_BLOCK + 6]) {
    const blocks = Math.ceil(n / CHAIN_BLOCK);
    describe(`when n = ${n} (${blocks} block${blocks > 1 ? 's' : ''})`, () => {
      let c: CompiledCircuit;
      beforeAll(async () => {
        c = await compileMain({ name: `lib_hash_chain_${n}`, templateFile: FILE, template: 'HashChain', params: [n], publicInputs: ['in'] });
      });

      it(`has ${CONSTRAINTS[n]} constraints`, () => {
        expect(c.constraints, `HashChain(${n}).constraints`).toBe(CONSTRAINTS[n]);
      });

      const samples: [string, bigint[]][] = [
        ['zeros', new Array<bigint>(n).fill(0n)],
        ['r − 1 everywhere', new Array<bigint>(n).fill(R - 1n)],
        ['pseudo-random', elements(`n${n}`, n)],
      ];
      for (const [label, xs] of samples) {
        it(`computes chainDigest (${label})`, async () => {
          const w = await honestWitness(c, { in: xs });
          const got = mainSignal(c, w, 'out');
          expect(got, `HashChain(${n}) of ${label} = ${got}, want chainDigest`).toBe(chainDigest(xs));
        });
      }

      it('changes the digest when any one element changes', async () => {
        const xs = elements(`n${n}`, n);
        const want = chainDigest(xs);
        for (let k = 0; k < n; k++) {
          const ys = xs.slice();
          ys[k] = fr(ys[k]! + 1n);
          const w = await honestWitness(c, { in: ys });
          const got = mainSignal(c, w, 'out');
          expect(got, `HashChain(${n}) with in[${k}] + 1`).not.toBe(want);
          expect(got, `HashChain(${n}) with in[${k}] + 1 vs chainDigest`).toBe(chainDigest(ys));
        }
      });

      it('does not keep the digest when an element is rewritten in an honest witness', async () => {
        const xs = elements(`n${n}`, n);
        const w = await honestWitness(c, { in: xs });
        for (const k of [0, CHAIN_BLOCK - 1, n - 1]) await expectUnsatisfied(c, setSignals(c, w, { [`main.in[${k}]`]: fr(xs[k]! + 1n) }));
        await expectUnsatisfied(c, setSignals(c, w, { 'main.out': chainDigest(elements('other', n)) }));
      });

      for (const m of [n - 1, n + 1]) {
        it(`refuses ${m} elements (wrong length)`, async () => {
          await expectWitnessFails(c, { in: elements(`n${n}`, m) });
        });
      }
    });
  }

  describe('when two sequences differ only in trailing zeros of the last block', () => {
    it('gives them one digest, which is why callers bind n', async () => {
      const c = await compileMain({ name: `lib_hash_chain_${CHAIN_BLOCK + 6}`, templateFile: FILE, template: 'HashChain', params: [CHAIN_BLOCK + 6], publicInputs: ['in'] });
      const xs = [...elements('tail', CHAIN_BLOCK + 5), 0n];
      const w = await honestWitness(c, { in: xs });
      expect(mainSignal(c, w, 'out'), 'HashChain(20) of 19 elements + 0 vs chainDigest of the 19').toBe(chainDigest(xs.slice(0, -1)));
    });
  });
});
