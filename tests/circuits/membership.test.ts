// Tests of circuits/membership.circom with its JS twin core/circuits/membership.ts:
// the twin's witness input satisfies the circuit, its public signal order is the
// circuit's (and circuits.json's), and the circuit rejects a wrong root, a wrong value,
// a wrong path and a message changed after the fact.
//
// Constraints measured (circom 2.2.3, --O2), Membership(depth) with public root, message:
//   depth 4 (test profile): 1278   depth 8: 2318   depth 16 (demo): 4398   depth 32 (production): 8558
// i.e. 260·depth + 238: MerkleInclusion(depth), then Poseidon(2) with a constant tag for
// the leaf and the message square (238 together).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileMain, type CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { PROJECT_ROOT } from '../../circuits/toolchain/project-root.ts';
import {
  MEMBERSHIP_PUBLIC_SIGNALS,
  membershipLeaf,
  membershipPublicSignals,
  membershipWitnessInput,
  type MembershipInput,
} from '../../core/circuits/membership.ts';
import { hashTagged } from '../../core/domain.ts';
import { IncrementalMerkleTree } from '../../core/merkle/incremental-merkle-tree.ts';
import { expectSatisfied, expectUnsatisfied, expectWitnessFails, fr, honestWitness, mainSignal, R, setSignals } from './_circuit-test.ts';

interface CircuitConfig {
  file: string;
  template: string;
  params: string[];
  publicInputs: string[];
  publicSignals: string[];
  profiles: Record<string, Record<string, number>>;
}
const CONFIG = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'circuits', 'circuits.json'), 'utf8')) as { circuits: Record<string, CircuitConfig> }).circuits.membership!;
const DEPTH = CONFIG.profiles.test!.depth!;
const CONSTRAINTS = (depth: number): number => 260 * depth + 238;

/** Values no export may accept where a field element is expected. */
const HOSTILE: [string, unknown, typeof TypeError | typeof RangeError][] = [
  ['-1n', -1n, RangeError],
  ['r', R, RangeError],
  ['2^256', 1n << 256n, RangeError],
  ['the number 1', 1, TypeError],
  ['the string "1"', '1', TypeError],
  ['null', null, TypeError],
  ['undefined', undefined, TypeError],
];

const VALUES = Array.from({ length: 2 ** DEPTH }, (_, i) => 1000n + BigInt(i) * 7919n);
const MESSAGE = hashTagged('SEQUENCE', [42n]); // any field element; a realistic 254-bit one

function memberTree(values: readonly bigint[] = VALUES): IncrementalMerkleTree {
  const tree = new IncrementalMerkleTree(DEPTH);
  tree.appendMany(values.map(membershipLeaf));
  return tree;
}

function compileMembership(depth: number): Promise<CompiledCircuit> {
  return compileMain({ name: `membership_${depth}`, templateFile: CONFIG.file, template: CONFIG.template, params: [depth], publicInputs: CONFIG.publicInputs });
}

describe('MEMBERSHIP_PUBLIC_SIGNALS', () => {
  describe('when compared with circuits/circuits.json', () => {
    it('equals publicSignals and publicInputs of membership (the circuit has no outputs)', () => {
      expect([...MEMBERSHIP_PUBLIC_SIGNALS]).toEqual(CONFIG.publicSignals);
      expect([...MEMBERSHIP_PUBLIC_SIGNALS]).toEqual(CONFIG.publicInputs);
    });
  });
});

describe('Membership', () => {
  let c: CompiledCircuit;
  let tree: IncrementalMerkleTree;
  beforeAll(async () => {
    c = await compileMembership(DEPTH);
    tree = memberTree();
  });

  describe(`when compiled with the test profile (depth ${DEPTH})`, () => {
    it(`has 260·depth + 238 = ${CONSTRAINTS(DEPTH)} constraints, ${MEMBERSHIP_PUBLIC_SIGNALS.length} public inputs and no outputs`, () => {
      expect(c.constraints, 'constraints').toBe(CONSTRAINTS(DEPTH));
      expect(c.publicInputs, 'public inputs').toBe(MEMBERSHIP_PUBLIC_SIGNALS.length);
      expect(c.publicOutputs, 'public outputs').toBe(0);
    });

    it('puts the public signals on wires 1.. in MEMBERSHIP_PUBLIC_SIGNALS order', async () => {
      const w = await honestWitness(c, membershipWitnessInput(tree, VALUES[3]!, MESSAGE));
      const wires = MEMBERSHIP_PUBLIC_SIGNALS.map((_, i) => w[1 + i]!.toString());
      expect(wires, 'witness wires 1..2').toEqual(membershipPublicSignals(tree.root, MESSAGE));
      MEMBERSHIP_PUBLIC_SIGNALS.forEach((name, i) => expect(mainSignal(c, w, name), `main.${name}`).toBe(w[1 + i]));
    });
  });

  describe('when the value is in the tree', () => {
    const last = 2 ** DEPTH - 1;
    for (const i of [0, last >> 1, last]) {
      it(`accepts the twin's input for the value at leaf ${i}`, async () => {
        await honestWitness(c, membershipWitnessInput(tree, VALUES[i]!, MESSAGE));
      });
    }

    it('accepts the value of a partly filled tree and the message 0 and r − 1', async () => {
      const small = memberTree(VALUES.slice(0, 3));
      await honestWitness(c, membershipWitnessInput(small, VALUES[2]!, 0n));
      await honestWitness(c, membershipWitnessInput(small.proof(1), VALUES[1]!, R - 1n));
    });
  });

  describe('when the root is wrong', () => {
    it('fails witness generation and the constraints', async () => {
      const input = membershipWitnessInput(tree, VALUES[5]!, MESSAGE);
      // An earlier root of the same tree, from before the value was added, and an unrelated one.
      const earlier = memberTree(VALUES.slice(0, 5)).root;
      for (const root of [earlier, tree.root + 1n]) await expectWitnessFails(c, { ...input, root: root.toString() });
      const w = await honestWitness(c, input);
      await expectUnsatisfied(c, setSignals(c, w, { 'main.root': earlier }));
    });
  });

  describe('when the value is not the one in the tree', () => {
    it('fails witness generation and the constraints', async () => {
      const input = membershipWitnessInput(tree, VALUES[5]!, MESSAGE);
      for (const value of [VALUES[6]!, VALUES[5]! + 1n, 0n, R - 1n]) await expectWitnessFails(c, { ...input, value: value.toString() });
      const w = await honestWitness(c, input);
      await expectUnsatisfied(c, setSignals(c, w, { 'main.value': VALUES[6]! }));
    });
  });

  describe('when the path is wrong', () => {
    it('fails for a wrong sibling, a flipped bit or a non-binary bit at every level', async () => {
      const input = membershipWitnessInput(tree, VALUES[5]!, MESSAGE);
      for (let k = 0; k < DEPTH; k++) {
        const siblings = input.siblings.slice();
        siblings[k] = fr(BigInt(siblings[k]!) + 1n).toString();
        await expectWitnessFails(c, { ...input, siblings });
        for (const bit of [String(1 - Number(input.pathIndices[k])), '2', (R - 1n).toString()]) {
          const pathIndices = input.pathIndices.slice();
          pathIndices[k] = bit;
          await expectWitnessFails(c, { ...input, pathIndices });
        }
      }
    });
  });

  describe('when the message is changed after the witness was made', () => {
    it('fails the message-square constraint', async () => {
      const w = await honestWitness(c, membershipWitnessInput(tree, VALUES[5]!, MESSAGE));
      await expectUnsatisfied(c, setSignals(c, w, { 'main.message': MESSAGE + 1n }));
      // Control: with the square written to match, the witness holds again. The message
      // is the prover's to choose; what the constraint does is tie it to the proof.
      await expectSatisfied(c, setSignals(c, w, { 'main.message': MESSAGE + 1n, 'main.messageSquare': fr((MESSAGE + 1n) ** 2n) }));
    });
  });
});

describe('Membership', () => {
  // tests/vectors/canopy/merkle-depth-4.json (independent of core/merkle) holds a tree of
  // membership leaves: leaves[i] = Poseidon(TAG_MEMBER_LEAF, i + 1), so each recorded
  // proof is a membership proof of the value leafIndex + 1.
  const vectors = JSON.parse(readFileSync(join(PROJECT_ROOT, 'tests', 'vectors', 'canopy', `merkle-depth-${DEPTH}.json`), 'utf8')) as {
    leafTagName: string;
    proofs: { name: string; depth: number; leafIndex: number; leaf: string; pathIndices: number[]; siblings: string[]; root: string }[];
  };
  describe(`when run on tests/vectors/canopy/merkle-depth-${DEPTH}.json`, () => {
    let c: CompiledCircuit;
    beforeAll(async () => {
      expect(vectors.leafTagName).toBe('canopy/member-leaf');
      c = await compileMembership(DEPTH);
    });
    for (const v of vectors.proofs) {
      it(v.name, async () => {
        const value = BigInt(v.leafIndex + 1);
        expect(membershipLeaf(value).toString(), `membershipLeaf(${value})`).toBe(v.leaf);
        const proof = { depth: v.depth, leafIndex: v.leafIndex, leaf: BigInt(v.leaf), siblings: v.siblings.map(BigInt), root: BigInt(v.root) };
        const input = membershipWitnessInput(proof, value, MESSAGE);
        expect(input.pathIndices, 'pathIndices').toEqual(v.pathIndices.map(String));
        expect(input.root, 'root').toBe(v.root);
        await honestWitness(c, input);
      });
    }
  });
});

describe('membershipLeaf', () => {
  describe('when given a field element', () => {
    it('is Poseidon(TAG_MEMBER_LEAF, value), the leaf the circuit hashes', async () => {
      expect(membershipLeaf(5n)).toBe(hashTagged('MEMBER_LEAF', [5n]));
      // The circuit's leaf: its root for a depth-1 tree [leaf(5), 0] must be the JS one.
      const one = new IncrementalMerkleTree(1);
      one.append(membershipLeaf(5n));
      const c1 = await compileMembership(1);
      expect(c1.constraints, 'Membership(1) constraints').toBe(CONSTRAINTS(1));
      await honestWitness(c1, membershipWitnessInput(one, 5n, 0n));
    });
  });

  describe('when given hostile input', () => {
    for (const [label, v, err] of HOSTILE) {
      it(`throws ${err.name} for ${label}`, () => {
        expect(() => membershipLeaf(v as bigint)).toThrow(err);
      });
    }
  });
});

describe('membershipWitnessInput', () => {
  const tree = memberTree(VALUES.slice(0, 6));

  describe('when given a tree or a proof of the same leaf', () => {
    it('builds the same input, keys spelled like the signals', () => {
      const fromTree = membershipWitnessInput(tree, VALUES[4]!, 9n);
      const fromProof = membershipWitnessInput(tree.proof(4), VALUES[4]!, 9n);
      expect(fromProof).toEqual(fromTree);
      const want: MembershipInput = {
        root: tree.root.toString(),
        message: '9',
        value: VALUES[4]!.toString(),
        pathIndices: ['0', '0', '1', '0'].slice(0, DEPTH),
        siblings: tree.proof(4).siblings.map(String),
      };
      expect(fromTree).toEqual(want);
    });
  });

  describe('when the value is not in the tree', () => {
    it('throws NOT_FOUND', () => {
      expect(() => membershipWitnessInput(tree, 1n, 0n)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    });
  });

  describe('when the proof does not fit the value', () => {
    it('throws INVALID_INPUT for a proof of another leaf', () => {
      expect(() => membershipWitnessInput(tree.proof(3), VALUES[4]!, 0n)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    });

    it('throws INVALID_INPUT for a proof that does not reach its root', () => {
      const p = tree.proof(4);
      expect(() => membershipWitnessInput({ ...p, root: fr(p.root + 1n) }, VALUES[4]!, 0n)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    });

    it('throws TypeError for something that is neither a tree nor a proof', () => {
      expect(() => membershipWitnessInput({} as never, VALUES[4]!, 0n)).toThrow(TypeError);
    });
  });

  describe('when given hostile input', () => {
    for (const [label, v, err] of HOSTILE) {
      it(`throws ${err.name} for value ${label}`, () => {
        expect(() => membershipWitnessInput(tree, v as bigint, 0n)).toThrow(err);
      });
      it(`throws ${err.name} for message ${label}`, () => {
        expect(() => membershipWitnessInput(tree, VALUES[0]!, v as bigint)).toThrow(err);
      });
    }
  });
});

describe('membershipPublicSignals', () => {
  describe('when given field elements', () => {
    it('lists root, message as decimal strings', () => {
      expect(membershipPublicSignals(12n, 0n)).toEqual(['12', '0']);
      expect(membershipPublicSignals(R - 1n, 5n)).toEqual([(R - 1n).toString(), '5']);
    });
  });

  describe('when given hostile input', () => {
    for (const [label, v, err] of HOSTILE) {
      it(`throws ${err.name} for root or message ${label}`, () => {
        expect(() => membershipPublicSignals(v as bigint, 0n)).toThrow(err);
        expect(() => membershipPublicSignals(0n, v as bigint)).toThrow(err);
      });
    }
  });
});
