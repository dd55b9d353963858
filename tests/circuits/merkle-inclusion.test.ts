// Circuit tests of circuits/lib/merkle_inclusion.circom against the JS tree in
// core/merkle/: same root for every depth and leaf position tried, and no way to reach
// the root with a wrong sibling, a flipped path bit or a non-binary path "bit".
//
// Constraints measured (circom 2.2.3, --O2), MerkleInclusion(depth) as a main:
//   depth 1: 260   depth 2: 520   depth 4: 1040   depth 8: 2080
// i.e. 260 per level: circomlib Poseidon(3) with a constant first input (the tag), the
// bit constraint and the multiplexer.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { PROJECT_ROOT } from '../../circuits/toolchain/project-root.ts';
import { hashTagged } from '../../core/domain.ts';
import { IncrementalMerkleTree } from '../../core/merkle/incremental-merkle-tree.ts';
import { pathIndices, type MerkleProof } from '../../core/merkle/merkle-proof.ts';
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
} from './_circuit-test.ts';

const FILE = 'circuits/lib/merkle_inclusion.circom';
const VECTORS_DIR = join(PROJECT_ROOT, 'tests', 'vectors', 'canopy');
const VECTOR_FILES = readdirSync(VECTORS_DIR).filter((f) => /^merkle-.*\.json$/.test(f));
const CONSTRAINTS_PER_LEVEL = 260;

/** The circuit input for a proof: keys spelled like MerkleInclusion's signals. */
function inputOf(proof: MerkleProof): { leaf: bigint; pathIndices: bigint[]; siblings: bigint[] } {
  return { leaf: proof.leaf, pathIndices: pathIndices(proof.leafIndex, proof.depth).map(BigInt), siblings: proof.siblings };
}

/** A full tree of depth d with distinct leaves Poseidon(TAG_MEMBER_LEAF, i). */
function fullTree(depth: number): IncrementalMerkleTree {
  const tree = new IncrementalMerkleTree(depth);
  tree.appendMany(Array.from({ length: 2 ** depth }, (_, i) => hashTagged('MEMBER_LEAF', [BigInt(i)])));
  return tree;
}

describe('MerkleInclusion', () => {
  for (const depth of [1, 2, 4, 8]) {
    describe(`when depth = ${depth}`, () => {
      let c: CompiledCircuit;
      let tree: IncrementalMerkleTree;
      beforeAll(async () => {
        c = await compileTemplate(FILE, 'MerkleInclusion', [depth]);
        tree = fullTree(depth);
      });

      it(`has ${CONSTRAINTS_PER_LEVEL}·depth constraints`, () => {
        expect(c.constraints, `MerkleInclusion(${depth}).constraints`).toBe(CONSTRAINTS_PER_LEVEL * depth);
      });

      const last = 2 ** depth - 1;
      const positions = [...new Set([0, 1, last >> 1, (last >> 1) + 1, last])];
      it(`computes the JS root for leaves ${positions.join(', ')} (first, middle, last)`, async () => {
        for (const i of positions) {
          const w = await honestWitness(c, inputOf(tree.proof(i)));
          const got = mainSignal(c, w, 'root');
          expect(got, `MerkleInclusion(${depth}) root of leaf ${i} = ${got}, want ${tree.root}`).toBe(tree.root);
        }
      });

      it('computes the JS root of a partly filled tree (empty siblings are zero hashes)', async () => {
        const sparse = new IncrementalMerkleTree(depth);
        sparse.appendMany([11n, 22n, 33n].slice(0, Math.min(3, 2 ** depth)));
        for (let i = 0; i < sparse.size; i++) {
          const w = await honestWitness(c, inputOf(sparse.proof(i)));
          expect(mainSignal(c, w, 'root'), `root of leaf ${i} in a tree of ${sparse.size}`).toBe(sparse.root);
        }
      });

      it('does not reach the root with a wrong sibling at any level', async () => {
        const i = last >> 1;
        const honest = inputOf(tree.proof(i));
        const w = await honestWitness(c, honest);
        for (let k = 0; k < depth; k++) {
          const siblings = honest.siblings.slice();
          siblings[k] = fr(siblings[k]! + 1n);
          const bad = await honestWitness(c, { ...honest, siblings });
          expect(mainSignal(c, bad, 'root'), `root with siblings[${k}] + 1`).not.toBe(tree.root);
          // A prover who writes the wrong sibling into the honest witness keeps the root but breaks a constraint.
          await expectUnsatisfied(c, setSignals(c, w, { [`main.siblings[${k}]`]: siblings[k]! }));
        }
      });

      it('does not reach the root with a flipped path bit at any level', async () => {
        const i = last >> 1;
        const honest = inputOf(tree.proof(i));
        const w = await honestWitness(c, honest);
        for (let k = 0; k < depth; k++) {
          const bits = honest.pathIndices.slice();
          bits[k] = 1n - bits[k]!;
          const bad = await honestWitness(c, { ...honest, pathIndices: bits });
          expect(mainSignal(c, bad, 'root'), `root with bit ${k} flipped`).not.toBe(tree.root);
          await expectUnsatisfied(c, setSignals(c, w, { [`main.pathIndices[${k}]`]: bits[k]! }));
        }
      });

      it('does not reach the root from another leaf', async () => {
        const w = await honestWitness(c, inputOf(tree.proof(0)));
        await expectUnsatisfied(c, setSignals(c, w, { 'main.leaf': tree.leaf(1) }));
      });

      for (const [label, b] of [['2', 2n], ['r − 1', R - 1n]] as const) {
        describe(`when a path index is ${label}`, () => {
          it('fails witness generation at every level', async () => {
            const honest = inputOf(tree.proof(0));
            for (let k = 0; k < depth; k++) {
              const bits = honest.pathIndices.slice();
              bits[k] = b;
              await expectWitnessFails(c, { ...honest, pathIndices: bits });
            }
          });

          it('fails the bit constraint in a witness whose hashes all match', async () => {
            // With path "bit" b at level 0 the multiplexer hashes
            //   left' = L + b·(S − L),  right' = S − b·(S − L),
            // a pair that is neither (L, S) nor (S, L). Take an honest witness for leaf
            // left', sibling right', bit 0 — its hashes are exactly those of the forgery —
            // and write L, S and b back in: only b·(b − 1) = 0 can object.
            const proof = tree.proof(0);
            const [L, S] = [proof.leaf, proof.siblings[0]!];
            const left = fr(L + b * (S - L));
            const right = fr(S - b * (S - L));
            const honest = inputOf(proof);
            const donor = await honestWitness(c, { ...honest, leaf: left, siblings: [right, ...honest.siblings.slice(1)] });
            const forged = setSignals(c, donor, { 'main.leaf': L, 'main.siblings[0]': S, 'main.pathIndices[0]': b });
            expect(mainSignal(c, forged, 'left[0]'), 'multiplexer output kept from the donor').toBe(left);
            await expectUnsatisfied(c, forged);
            // Control: the same writes with b = 0 give back an honest witness for L (its root).
            const control = setSignals(c, await honestWitness(c, { ...honest, leaf: L }), { 'main.leaf': L, 'main.siblings[0]': S, 'main.pathIndices[0]': 0n });
            await expectSatisfied(c, control);
          });
        });
      }
    });
  }

  describe('when depth is 0', () => {
    it('refuses to compile MerkleInclusion(0)', async () => {
      await expect(compileTemplate(FILE, 'MerkleInclusion', [0])).rejects.toMatchObject({ code: 'CIRCUIT_COMPILE_FAILED', message: expect.stringContaining('False assert reached') });
    });
  });

  // Frozen vectors from an implementation independent of core/merkle (circomlibjs
  // Poseidon over the recursive tree definition; see tests/vectors/canopy/gen-merkle.ts).
  it('has frozen vectors of depth ≤ 8 to run', () => {
    const depths = VECTOR_FILES.map((f) => (JSON.parse(readFileSync(join(VECTORS_DIR, f), 'utf8')) as MerkleVectors).depth);
    expect(depths.filter((d) => d <= 8).length, `depths of ${VECTOR_FILES.join(', ')}`).toBeGreaterThan(0);
  });
  for (const file of VECTOR_FILES) {
    const vectors = JSON.parse(readFileSync(join(VECTORS_DIR, file), 'utf8')) as MerkleVectors;
    if (vectors.depth > 8) continue; // compile cost; the depth-≤ 8 files cover the circuit
    describe(`when run on tests/vectors/canopy/${file}`, () => {
      let c: CompiledCircuit;
      beforeAll(async () => {
        c = await compileTemplate(FILE, 'MerkleInclusion', [vectors.depth]);
      });
      for (const v of vectors.proofs) {
        it(v.name, async () => {
          const w = await honestWitness(c, { leaf: v.leaf, pathIndices: v.pathIndices, siblings: v.siblings });
          const got = mainSignal(c, w, 'root');
          expect(got.toString(), `MerkleInclusion(${v.depth}) root of ${v.name} = ${got}, want ${v.root}`).toBe(v.root);
        });
      }
    });
  }
});

/** The part of tests/vectors/canopy/merkle-*.json these tests read. */
interface MerkleVectors {
  depth: number;
  proofs: { name: string; depth: number; leafIndex: number; leaf: string; pathIndices: number[]; siblings: string[]; root: string }[];
}
