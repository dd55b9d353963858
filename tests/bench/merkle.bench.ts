/**
 * Incremental Merkle tree throughput and memory, single thread: `appendMany` of 100,000
 * leaves into a depth-32 tree, then proofs, past roots and the binary form.
 *
 * Method: leaves are cheap deterministic field elements made before timing. The append
 * rate is leaves over wall time of one `appendMany`; node hashes are counted from the
 * definition (every node above the leaves that covers a new leaf, about one per leaf),
 * so hashes/s is comparable with the Poseidon benchmark. Proof figures are means over
 * `proofs` evenly spread leaves; every proof is verified, so a wrong tree fails the run.
 * Memory is heap plus ArrayBuffer bytes gained while the tree was built, after a forced
 * garbage collection when node runs with --expose-gc (reported), per leaf, beside the
 * exact bytes the tree allocated for its nodes. A warm-up tree is built first so that
 * one-time costs (Poseidon constants, zero hashes, compilation) stay out of the figures.
 *
 * Run alone: node --expose-gc --import tsx tests/bench/merkle.bench.ts [leaves]
 * @module
 */
import { pathToFileURL } from 'node:url';
import { IncrementalMerkleTree } from '../../core/merkle/incremental-merkle-tree.ts';
import { verifyMerkleProof } from '../../core/merkle/merkle-proof.ts';
import { testLeaves } from '../merkle/_reference.ts';
import { machineInfo } from './_machine.ts';

/** Options of `benchMerkle`; the defaults are the published configuration. */
export interface BenchMerkleOptions {
  /** Leaves appended, at most 100,000 here (default 100,000). */
  leaves?: number;
  /** Tree depth (default 32). */
  depth?: number;
  /** Proofs generated and verified (default 200). */
  proofs?: number;
}

const round = (x: number, digits = 0) => Number(x.toFixed(digits));

function memoryInUse(): number {
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function seconds(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * Appends `leaves` leaves with one appendMany and reports rates and memory.
 * @returns machine description, configuration and figures
 * @throws {RangeError} if leaves is outside [1, 100000]; {Error} if a proof fails to verify
 * @example const { leavesPerSec } = await benchMerkle();
 */
export async function benchMerkle(options: BenchMerkleOptions = {}): Promise<Record<string, unknown>> {
  const { leaves: n = 100_000, depth = 32, proofs = 200 } = options;
  if (!Number.isSafeInteger(n) || n < 1 || n > 100_000) throw new RangeError(`"leaves" expected integer in [1, 100000], got ${n}`);
  const leaves = testLeaves(n, 42n);
  // Warm-up outside the measurement: Poseidon's constants, the zero hashes, JIT.
  new IncrementalMerkleTree(depth).appendMany(leaves.slice(0, 64));
  const before = memoryInUse();
  const tree = new IncrementalMerkleTree(depth);
  const appendSeconds = seconds(() => tree.appendMany(leaves));
  const after = memoryInUse();
  let nodeHashes = 0;
  for (let k = 1; k <= depth; k++) nodeHashes += Math.ceil(n / 2 ** k);

  const indexes = Array.from({ length: Math.min(proofs, n) }, (_, i) => Math.floor((i * n) / Math.min(proofs, n)));
  const made = indexes.map(() => tree.proof(0));
  const proofSeconds = seconds(() => indexes.forEach((i, j) => (made[j] = tree.proof(i))));
  let ok = true;
  const verifySeconds = seconds(() => made.forEach((p) => (ok &&= verifyMerkleProof(p))));
  if (!ok) throw new Error('benchMerkle: a proof failed to verify');
  const pastSizes = indexes.map((i) => i + 1);
  const pastProofSeconds = seconds(() => pastSizes.forEach((s) => tree.proof(s - 1, s)));

  let bytes: Uint8Array = new Uint8Array(0);
  const serializeSeconds = seconds(() => (bytes = tree.serialize()));
  let restored: IncrementalMerkleTree | undefined;
  const deserializeSeconds = seconds(() => (restored = IncrementalMerkleTree.deserialize(bytes)));
  if (restored?.root !== tree.root) throw new Error('benchMerkle: restored root differs');

  return {
    machine: machineInfo(),
    config: { leaves: n, depth, proofs: indexes.length, gcExposed: typeof (globalThis as { gc?: unknown }).gc === 'function' },
    appendManySeconds: round(appendSeconds, 3),
    leavesPerSec: round(n / appendSeconds),
    nodeHashes,
    nodeHashesPerSec: round(nodeHashes / appendSeconds),
    msPerProof: round((proofSeconds * 1000) / indexes.length, 4),
    msPerVerify: round((verifySeconds * 1000) / indexes.length, 3),
    msPerPastProof: round((pastProofSeconds * 1000) / indexes.length, 3),
    heapBytesPerLeaf: round((after - before) / n, 1),
    allocatedBytesPerLeaf: round(tree.allocatedBytes / n, 1),
    serializedBytesPerLeaf: round(bytes.length / n, 1),
    serializeMs: round(serializeSeconds * 1000, 1),
    deserializeMs: round(deserializeSeconds * 1000, 1),
    caveat: 'figures from a shared machine running other work; the load average above says how busy it was',
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const leaves = process.argv[2] === undefined ? undefined : Number(process.argv[2]);
  console.log(JSON.stringify(await benchMerkle({ leaves }), null, 2));
}
