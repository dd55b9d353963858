import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Hash } from '../../core/tlog/hash.ts';
import { checkTree, proveTree } from '../../core/tlog/tree-proof.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';
import { verifyConsistency } from '../../core/tlog/verify-consistency.ts';
import { isSafeUint } from '../hostile-inputs.ts';
import { expectRejects, hostileCases, isHash, isHashArray, proofTitle } from './_hostile.ts';
import { flipBit, MemoryLog, refNodeHash as refNode } from './_log.ts';

const N = 100;
let log: MemoryLog;
/** proofs[t][n]: the proof that the tree of size t extends the tree of size n. */
const proofs: Hash[][][] = [];

beforeAll(async () => {
  log = await MemoryLog.of(N);
  for (let t = 1; t <= N; t++) {
    proofs[t] = [];
    for (let n = 1; n <= t; n++) proofs[t]![n] = await proveTree(t, n, log.reader);
  }
});

/** Both checkers on one probe; they must agree. 'throws' = both reject the sizes as malformed. */
const disagreements: string[] = [];
function bothCheck(proof: Hash[], size: number, root: Hash, oldSize: number, oldRoot: Hash): boolean | 'throws' {
  const run = (f: () => boolean): boolean | 'throws' => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      return 'throws';
    }
  };
  const a = run(() => checkTree(proof, size, root, oldSize, oldRoot));
  const b = run(() => verifyConsistency(oldSize, size, proof, oldRoot, root));
  if (a !== b) disagreements.push(`sizes ${oldSize} → ${size}: checkTree = ${a}, verifyConsistency = ${b}`);
  return a;
}

afterEach(() => {
  expect(disagreements.splice(0)).toEqual([]);
});

describe('proveTree', () => {
  describe('when given every pair of sizes 1 ≤ n ≤ t ≤ 100', () => {
    it('returns a proof that checkTree and verifyConsistency accept', () => {
      const rejected: string[] = [];
      for (let t = 1; t <= N; t++) {
        for (let n = 1; n <= t; n++) {
          if (bothCheck(proofs[t]![n]!, t, log.roots[t]!, n, log.roots[n]!) !== true) rejected.push(`${n} → ${t}`);
        }
      }
      expect(rejected).toEqual([]);
    });

    it('returns the empty proof exactly when n = t, and at most 2·log2(t) hashes', () => {
      for (let t = 1; t <= N; t++) {
        for (let n = 1; n <= t; n++) {
          const len = proofs[t]![n]!.length;
          expect(len === 0, `proveTree(${t}, ${n}) has ${len} hashes`).toBe(n === t);
          expect(len).toBeLessThanOrEqual(2 * Math.ceil(Math.log2(t)));
        }
      }
    });

    it('reads storage at most once', async () => {
      log.requests.length = 0;
      await proveTree(9, 9, log.reader);
      expect(log.requests.length).toBe(0);
      await proveTree(99, 37, log.reader);
      expect(log.requests.length).toBe(1);
    });
  });

  describe('when given hostile input', () => {
    const cases = hostileCases([5, 1, { readHashes: () => [] }], [
      { index: 0, accepts: (v) => isSafeUint(v) && v >= 1, title: 'size' },
      { index: 1, accepts: (v) => isSafeUint(v) && v >= 1 && v <= 5, title: 'oldSize' },
      { index: 2, accepts: () => false, title: 'reader' },
    ]);
    it.each(cases)('rejects %s', async (_l, args, title) => {
      await expectRejects(() => proveTree(...(args as [number, number, never])), title);
    });
    it('rejects an old size of 0 or above the new size', async () => {
      await expectRejects(() => proveTree(5, 0, log.reader), 'oldSize');
      await expectRejects(() => proveTree(5, 6, log.reader), 'oldSize');
      await expectRejects(() => proveTree(TLOG_MAX_SIZE + 1, 1, log.reader), 'size');
    });
  });
});

describe('checkTree', () => {
  describe('when a proof hash has a bit flipped', () => {
    it('returns false, for every hash of every proof (as Go TestTree)', () => {
      const accepted: string[] = [];
      for (let t = 1; t <= N; t++) {
        for (let n = 1; n < t; n++) {
          const p = proofs[t]![n]!;
          for (let k = 0; k < p.length; k++) {
            // One bit per hash, at a position that moves with (sizes, hash).
            for (const [byte, bit] of [[(t * 5 + n + k) % 32, (t + n + k) % 8]] as const) {
              const bad = p.map((h, j) => (j === k ? flipBit(h, byte, bit) : h));
              if (bothCheck(bad, t, log.roots[t]!, n, log.roots[n]!) !== false) accepted.push(`${n} → ${t} hash ${k}`);
            }
          }
        }
      }
      expect(accepted).toEqual([]);
    });
  });

  describe('when the proof is shortened, lengthened or padded', () => {
    it('returns false', () => {
      const accepted: string[] = [];
      for (let t = 1; t <= N; t++) {
        for (let n = 1; n <= t; n++) {
          const p = proofs[t]![n]!;
          const [root, oldRoot] = [log.roots[t]!, log.roots[n]!];
          const variants: Hash[][] = [[...p, root], [...p, oldRoot], [oldRoot, ...p], [root, ...p]];
          if (p.length > 0) variants.push([], p.slice(0, -1), p.slice(1), [p[0]!, ...p]);
          for (const v of variants) if (bothCheck(v, t, root, n, oldRoot) !== false) accepted.push(`${n} → ${t}`);
        }
      }
      expect(accepted).toEqual([]);
    });
  });

  describe('when a root is wrong or the roots are swapped', () => {
    it('returns false', () => {
      const accepted: string[] = [];
      for (let t = 1; t <= N; t++) {
        for (let n = 1; n <= t; n++) {
          const p = proofs[t]![n]!;
          const [root, oldRoot] = [log.roots[t]!, log.roots[n]!];
          const probes: [Hash, Hash][] = [[flipBit(root, 5, 3), oldRoot], [root, flipBit(oldRoot, 30, 1)], [log.roots[0]!, oldRoot]];
          if (n !== t) probes.push([oldRoot, root]);
          for (const [r, o] of probes) if (bothCheck(p, t, r, n, o) !== false) accepted.push(`${n} → ${t}`);
        }
      }
      expect(accepted).toEqual([]);
    });
  });

  describe('when a size is wrong', () => {
    it('returns false where the proof has another shape, and rejects impossible sizes', () => {
      const wrong: string[] = [];
      for (let t = 1; t <= N; t++) {
        for (let n = 1; n < t; n++) {
          const p = proofs[t]![n]!;
          const [root, oldRoot] = [log.roots[t]!, log.roots[n]!];
          for (const [tt, nn] of [[t, n - 1], [t, n + 1], [t, n ^ 2], [t * 2, n], [Math.floor(t / 2), n], [t + 1, n], [t - 1, n]] as const) {
            if (tt === t && nn === n) continue;
            const verdict = bothCheck(p, tt, root, nn, oldRoot);
            if (nn < 1 || tt < 1 || nn > tt) {
              if (verdict !== 'throws') wrong.push(`${nn} → ${tt} accepted as input`);
            } else if (tt <= N && proofs[tt]![nn]!.length !== p.length && verdict !== false) {
              wrong.push(`${nn} → ${tt} verified with the proof of ${n} → ${t}`);
            }
          }
        }
      }
      expect(wrong).toEqual([]);
    });
  });

  describe('when the sizes are equal', () => {
    it('accepts only the empty proof with equal roots', () => {
      const [r3, r4] = [log.roots[3]!, log.roots[4]!];
      expect(bothCheck([], 3, r3, 3, r3)).toBe(true);
      expect(bothCheck([], 3, r4, 3, r3)).toBe(false);
      expect(bothCheck([r3], 3, r3, 3, r3)).toBe(false);
    });
  });

  describe('when given hostile input', () => {
    const h = new Uint8Array(32);
    const cases = hostileCases([[], 1, h, 1, h], [
      { index: 0, accepts: isHashArray, title: proofTitle },
      { index: 1, accepts: (v) => isSafeUint(v) && v >= 1, title: 'size' },
      { index: 2, accepts: isHash, title: 'root' },
      { index: 3, accepts: (v) => v === 1, title: 'oldSize' },
      { index: 4, accepts: isHash, title: 'oldRoot' },
    ]);
    it.each(cases)('rejects %s', async (_l, args, title) => {
      await expectRejects(() => checkTree(...(args as Parameters<typeof checkTree>)), title);
    });
  });
});

describe('verifyConsistency', () => {
  describe('when given hostile input', () => {
    const h = new Uint8Array(32);
    const cases = hostileCases([1, 1, [], h, h], [
      { index: 0, accepts: (v) => v === 1, title: 'size1' },
      { index: 1, accepts: (v) => isSafeUint(v) && v >= 1, title: 'size2' },
      { index: 2, accepts: isHashArray, title: proofTitle },
      { index: 3, accepts: isHash, title: 'root1' },
      { index: 4, accepts: isHash, title: 'root2' },
    ]);
    it.each(cases)('rejects %s', async (_l, args, title) => {
      await expectRejects(() => verifyConsistency(...(args as Parameters<typeof verifyConsistency>)), title);
    });
  });

  describe('when the first size is 2^51 − 1, just below a power of two', () => {
    it('verifies a hand-built proof (2^51 − 1) → 2^51, which needs 2^51 − 1 not to count as a power of two', () => {
      // In the perfect tree of 2^51 records the old tree's edge runs down the right spine:
      // proof = [leaf n−2, leaf n−1, S1, …, S50] with S_l the left sibling at level l.
      // A Math.log2 power-of-two test rounds log2(2^51 − 1) to 51 and would fail this.
      const h = (k: number) => flipBit(new Uint8Array(32).fill(k & 0xff), k % 32, k % 8);
      const [x, y] = [h(1), h(2)];
      const siblings = Array.from({ length: 50 }, (_, l) => h(l + 3));
      let oldRoot: Hash = x;
      let newRoot: Hash = refNode(x, y);
      for (const sib of siblings) {
        oldRoot = refNode(sib, oldRoot);
        newRoot = refNode(sib, newRoot);
      }
      const proof = [x, y, ...siblings];
      expect(bothCheck(proof, TLOG_MAX_SIZE, newRoot, TLOG_MAX_SIZE - 1, oldRoot)).toBe(true);
      expect(bothCheck(proof, TLOG_MAX_SIZE, newRoot, TLOG_MAX_SIZE - 1, flipBit(oldRoot))).toBe(false);
    });
  });
});
