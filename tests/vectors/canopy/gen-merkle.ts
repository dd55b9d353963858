// Writes tests/vectors/canopy/merkle-depth-4.json and merkle-depth-20.json: roots and
// inclusion proofs of Canopy's Poseidon Merkle tree over known leaves, shared by the
// core tests and the MerkleInclusion circuit tests.
//
// The values come from the recursive definition of the tree (tests/merkle/_reference.ts)
// hashed by circomlibjs' buildPoseidon, not from core/merkle, and the tags are derived
// here from their ASCII names; core/merkle is then checked against the file. Everything
// is deterministic, so a re-run reproduces the files byte for byte.
//
// Run: node --import tsx tests/vectors/canopy/gen-merkle.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildPoseidon } from 'circomlibjs';
import { loadReferenceNodeHash, ReferenceTree } from '../../merkle/_reference.ts';

const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

/** A domain tag: the ASCII name read as a big-endian integer. */
const tagOf = (name: string) => BigInt(`0x${Buffer.from(name, 'ascii').toString('hex')}`);

/** One vector file: which leaves, which sizes get a root, which (size, leaf) pairs get a proof. */
export interface MerkleVectorPlan {
  depth: number;
  leafCount: number;
  rootSizes: number[];
  proofs: { size: number; leafIndex: number }[];
}

export const MERKLE_VECTOR_PLANS: Readonly<Record<string, MerkleVectorPlan>> = {
  'merkle-depth-4.json': {
    depth: 4,
    leafCount: 16,
    rootSizes: Array.from({ length: 17 }, (_, s) => s),
    proofs: [
      { size: 1, leafIndex: 0 },
      { size: 11, leafIndex: 0 },
      { size: 11, leafIndex: 5 },
      { size: 11, leafIndex: 10 },
      { size: 16, leafIndex: 0 },
      { size: 16, leafIndex: 9 },
      { size: 16, leafIndex: 15 },
    ],
  },
  'merkle-depth-20.json': {
    depth: 20,
    leafCount: 37,
    rootSizes: [0, 1, 2, 3, 4, 5, 8, 16, 17, 32, 33, 36, 37],
    proofs: [
      { size: 2, leafIndex: 1 },
      { size: 37, leafIndex: 0 },
      { size: 37, leafIndex: 17 },
      { size: 37, leafIndex: 36 },
    ],
  },
};

/** The text of one vector file, as written to disk. */
export async function buildMerkleVectorFile(plan: MerkleVectorPlan): Promise<string> {
  const require = createRequire(import.meta.url);
  const { version } = JSON.parse(readFileSync(join(require.resolve('circomlibjs'), '../../package.json'), 'utf8')) as { version: string };
  const poseidon = await buildPoseidon();
  const leafTag = tagOf('canopy/member-leaf');
  const nodeTag = tagOf('canopy/merkle-node');
  const { depth } = plan;
  const tree = new ReferenceTree(depth, await loadReferenceNodeHash());
  for (let i = 0; i < plan.leafCount; i++) tree.leaves.push(poseidon.F.toObject(poseidon([leafTag, BigInt(i + 1)])));
  const bits = (i: number) => Array.from({ length: depth }, (_, k) => Math.floor(i / 2 ** k) % 2);
  const file = {
    source: `Canopy Poseidon Merkle tree by its recursive definition (tests/merkle/_reference.ts), hashed with circomlibjs ${version} buildPoseidon (wasm) = circomlib Poseidon(n); independent of core/merkle`,
    generator: 'tests/vectors/canopy/gen-merkle.ts',
    field: `BN254 scalar field, r = ${R}`,
    encoding: 'field elements as canonical decimal strings; depth, sizes, indexes and path bits as JSON numbers',
    node: 'node(left, right) = Poseidon(nodeTag, left, right); path bit k of leafIndex = 1 means the node at level k is the right child',
    nodeTagName: 'canopy/merkle-node',
    nodeTag: String(nodeTag),
    emptyLeaf: '0',
    leafRule: 'leaves[i] = Poseidon(leafTag, i + 1)',
    leafTagName: 'canopy/member-leaf',
    leafTag: String(leafTag),
    depth,
    zeroHashes: tree.zeros.map(String),
    leaves: tree.leaves.map(String),
    roots: plan.rootSizes.map((size) => ({ size, root: String(tree.root(size)) })),
    proofs: plan.proofs.map(({ size, leafIndex }) => ({
      name: `merkle_depth${depth}_size${size}_leaf${leafIndex}`,
      size,
      depth,
      leafIndex,
      leaf: String(tree.leaves[leafIndex]),
      pathIndices: bits(leafIndex),
      siblings: tree.siblings(leafIndex, size).map(String),
      root: String(tree.root(size)),
    })),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const [name, plan] of Object.entries(MERKLE_VECTOR_PLANS)) {
    writeFileSync(new URL(`./${name}`, import.meta.url), await buildMerkleVectorFile(plan));
    console.log(`wrote ${name}`);
  }
}
