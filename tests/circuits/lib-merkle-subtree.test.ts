// Circuit tests of circuits/lib/merkle_subtree.circom: MerkleSubtreeRoot(height) gives
// the root that merkleNode of core/merkle/merkle-node.ts builds level by level over the
// same leaves (and zeroHashes[height] for an empty subtree); swapping or changing a leaf
// changes the root, and a witness cannot keep the root of other leaves.
//
// Constraints measured (circom 2.2.3, --O2, leaves public so the optimiser keeps them):
// 258 per node hash, (2^height − 1)·258: height 1 = 258, height 3 = 1806; height 0 keeps
// the one linear constraint root = leaves[0] between two public signals.
import { beforeAll, describe, expect, it } from 'vitest';
import { compileMain, type CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { hashTagged } from '../../core/domain.ts';
import { merkleNode } from '../../core/merkle/merkle-node.ts';
import { zeroHashes } from '../../core/merkle/zero-hashes.ts';
import { expectUnsatisfied, expectWitnessFails, honestWitness, mainSignal, setSignals } from './_circuit-test.ts';

const FILE = 'circuits/lib/merkle_subtree.circom';
const CONSTRAINTS_PER_NODE = 258;

/** The subtree root in JS: pair adjacent nodes with merkleNode until one is left. */
function subtreeRoot(leaves: readonly bigint[]): bigint {
  let level = leaves.slice();
  while (level.length > 1) level = Array.from({ length: level.length / 2 }, (_, j) => merkleNode(level[2 * j]!, level[2 * j + 1]!));
  return level[0]!;
}

function compile(height: number): Promise<CompiledCircuit> {
  return compileMain({ name: `lib_merkle_subtree_root_${height}`, templateFile: FILE, template: 'MerkleSubtreeRoot', params: [height], publicInputs: ['leaves'] });
}

describe('MerkleSubtreeRoot', () => {
  for (const height of [0, 1, 3]) {
    const n = 2 ** height;
    const leaves = Array.from({ length: n }, (_, i) => hashTagged('MEMBER_LEAF', [BigInt(i)]));
    describe(`when height = ${height} (${n} leaves)`, () => {
      let c: CompiledCircuit;
      beforeAll(async () => {
        c = await compile(height);
      });

      const want = height === 0 ? 1 : (n - 1) * CONSTRAINTS_PER_NODE;
      it(`has ${want} constraints`, () => {
        expect(c.constraints, `MerkleSubtreeRoot(${height}).constraints`).toBe(want);
      });

      it('computes the JS subtree root of distinct leaves', async () => {
        const w = await honestWitness(c, { leaves });
        const got = mainSignal(c, w, 'root');
        expect(got, `MerkleSubtreeRoot(${height}) root = ${got}, want ${subtreeRoot(leaves)}`).toBe(subtreeRoot(leaves));
        if (height === 0) expect(got, 'height 0 passes the leaf through').toBe(leaves[0]);
      });

      it('computes zeroHashes[height] for an empty subtree', async () => {
        const w = await honestWitness(c, { leaves: new Array<bigint>(n).fill(0n) });
        expect(mainSignal(c, w, 'root'), `root of ${n} zero leaves`).toBe(zeroHashes(height)[height]);
      });

      it('refuses an input of the wrong length', async () => {
        await expectWitnessFails(c, { leaves: [...leaves, 1n] });
        if (n > 1) await expectWitnessFails(c, { leaves: leaves.slice(1) });
      });

      if (n > 1) {
        it('changes the root when two leaves are swapped', async () => {
          const want = subtreeRoot(leaves);
          for (const [a, b] of [[0, 1], [0, n - 1], [n / 2 - 1, n / 2]] as const) {
            if (a === b) continue;
            const swapped = leaves.slice();
            [swapped[a], swapped[b]] = [swapped[b]!, swapped[a]!];
            const w = await honestWitness(c, { leaves: swapped });
            const got = mainSignal(c, w, 'root');
            expect(got, `root with leaves ${a} and ${b} swapped`).not.toBe(want);
            expect(got, `root with leaves ${a} and ${b} swapped vs JS`).toBe(subtreeRoot(swapped));
          }
        });
      }

      it('does not keep the root when a leaf or the root is rewritten in an honest witness', async () => {
        const w = await honestWitness(c, { leaves });
        if (n > 1) {
          for (const k of [0, n - 1]) await expectUnsatisfied(c, setSignals(c, w, { [`main.leaves[${k}]`]: leaves[(k + 1) % n]! }));
          // Swapping two leaves in place keeps the multiset but not the order the root binds.
          await expectUnsatisfied(c, setSignals(c, w, { 'main.leaves[0]': leaves[1]!, 'main.leaves[1]': leaves[0]! }));
        }
        await expectUnsatisfied(c, setSignals(c, w, { 'main.root': subtreeRoot(leaves.map((x) => x + 1n)) }));
      });
    });
  }

  describe('when height is outside [0, 16]', () => {
    it('refuses to compile MerkleSubtreeRoot(17)', async () => {
      await expect(compile(17)).rejects.toMatchObject({ code: 'CIRCUIT_COMPILE_FAILED', message: expect.stringContaining('False assert reached') });
    });
  });
});
