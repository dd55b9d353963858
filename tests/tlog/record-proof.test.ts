import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Hash } from '../../core/tlog/hash.ts';
import { checkRecord, proveRecord } from '../../core/tlog/record-proof.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';
import { verifyInclusion } from '../../core/tlog/verify-inclusion.ts';
import { isSafeUint } from '../hostile-inputs.ts';
import { expectRejects, hostileCases, isHash, isHashArray, proofTitle } from './_hostile.ts';
import { flipBit, MemoryLog, refNodeHash as refNode } from './_log.ts';

const N = 100;
let log: MemoryLog;
/** proofs[s][i]: the proof of record i in the tree of size s. */
const proofs: Hash[][][] = [];

beforeAll(async () => {
  log = await MemoryLog.of(N);
  for (let s = 1; s <= N; s++) {
    proofs[s] = [];
    for (let i = 0; i < s; i++) proofs[s]![i] = await proveRecord(s, i, log.reader);
  }
});

/**
 * Runs both checkers on one probe and requires them to agree. Returns the common verdict,
 * or 'throws' if both reject the input as malformed (a RangeError: index outside the size).
 * Disagreements are collected in `disagreements` rather than asserted one by one, which
 * keeps the exhaustive loops fast; each test checks the list is empty.
 */
const disagreements: string[] = [];
function bothCheck(proof: Hash[], size: number, root: Hash, index: number, leaf: Hash): boolean | 'throws' {
  const run = (f: () => boolean): boolean | 'throws' => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      return 'throws';
    }
  };
  const a = run(() => checkRecord(proof, size, root, index, leaf));
  const b = run(() => verifyInclusion(index, size, leaf, proof, root));
  if (a !== b) disagreements.push(`size ${size} index ${index}: checkRecord = ${a}, verifyInclusion = ${b}`);
  return a;
}

afterEach(() => {
  expect(disagreements.splice(0)).toEqual([]);
});

describe('proveRecord', () => {
  describe('when given every record of every tree of size 1..100', () => {
    it('returns a proof that checkRecord and verifyInclusion accept', () => {
      for (let s = 1; s <= N; s++) {
        for (let i = 0; i < s; i++) {
          expect(bothCheck(proofs[s]![i]!, s, log.roots[s]!, i, log.leafHashes[i]!), `checkRecord(size ${s}, record ${i})`).toBe(true);
        }
      }
    });

    it('returns at most ceil(log2(size)) hashes, none for a single record', () => {
      for (let s = 1; s <= N; s++) {
        for (let i = 0; i < s; i++) expect(proofs[s]![i]!.length).toBeLessThanOrEqual(Math.ceil(Math.log2(s)));
      }
      expect(proofs[1]![0]).toEqual([]);
    });

    it('reads storage once, and not at all for a single record', async () => {
      log.requests.length = 0;
      await proveRecord(1, 0, log.reader);
      expect(log.requests.length).toBe(0);
      await proveRecord(77, 40, log.reader);
      expect(log.requests.length).toBe(1);
    });
  });

  describe('when given hostile input', () => {
    const cases = hostileCases([5, 0, { readHashes: () => [] }], [
      { index: 0, accepts: (v) => isSafeUint(v) && v >= 1, title: 'size' },
      { index: 1, accepts: (v) => isSafeUint(v) && v < 5, title: 'index' },
      { index: 2, accepts: () => false, title: 'reader' },
    ]);
    it.each(cases)('rejects %s', async (_l, args, title) => {
      await expectRejects(() => proveRecord(...(args as [number, number, never])), title);
    });
    it('rejects index = size and size = 0', async () => {
      await expectRejects(() => proveRecord(5, 5, log.reader), 'index');
      await expectRejects(() => proveRecord(0, 0, log.reader), 'size');
      await expectRejects(() => proveRecord(TLOG_MAX_SIZE + 1, 0, log.reader), 'size');
    });
  });
});

describe('checkRecord', () => {
  describe('when a proof hash has a bit flipped', () => {
    it('returns false, for every hash of every proof (as Go TestTree)', () => {
      const accepted: string[] = [];
      for (let s = 1; s <= N; s++) {
        for (let i = 0; i < s; i++) {
          const p = proofs[s]![i]!;
          for (let k = 0; k < p.length; k++) {
            // One bit per hash, at a position that moves with (size, record, hash).
            for (const [byte, bit] of [[(s * 7 + i + k) % 32, (s + i + k) % 8]] as const) {
              const bad = p.map((h, j) => (j === k ? flipBit(h, byte, bit) : h));
              if (bothCheck(bad, s, log.roots[s]!, i, log.leafHashes[i]!) !== false) accepted.push(`size ${s} record ${i} hash ${k}`);
            }
          }
        }
      }
      expect(accepted).toEqual([]);
    });
  });

  describe('when the proof is shortened, lengthened or reordered', () => {
    it('returns false', () => {
      const accepted: string[] = [];
      for (let s = 1; s <= N; s++) {
        for (let i = 0; i < s; i++) {
          const p = proofs[s]![i]!;
          const root = log.roots[s]!;
          const leaf = log.leafHashes[i]!;
          const variants: Hash[][] = [[...p, root], [root, ...p], [...p, leaf]];
          if (p.length > 0) variants.push(p.slice(0, -1), p.slice(1));
          if (p.length > 1) variants.push([...p].reverse(), [p[0]!, log.roots[1]!, ...p.slice(1)]);
          for (const v of variants) if (bothCheck(v, s, root, i, leaf) !== false) accepted.push(`size ${s} record ${i}`);
        }
      }
      expect(accepted).toEqual([]);
    });
  });

  describe('when the leaf, root, index or size is wrong', () => {
    it('returns false, or rejects an index outside the size', () => {
      const wrong: string[] = [];
      for (let s = 1; s <= N; s++) {
        for (let i = 0; i < s; i++) {
          const p = proofs[s]![i]!;
          const root = log.roots[s]!;
          const leaf = log.leafHashes[i]!;
          const expectVerdict = (v: boolean | 'throws', want: boolean | 'throws', what: string) => {
            if (v !== want) wrong.push(`size ${s} record ${i} ${what}: ${v}`);
          };
          expectVerdict(bothCheck(p, s, root, i, flipBit(leaf)), false, 'wrong leaf');
          expectVerdict(bothCheck(p, s, flipBit(root, 31, 7), i, leaf), false, 'wrong root');
          expectVerdict(bothCheck(p, s, log.roots[0]!, i, leaf), false, 'empty root');
          for (const j of [i - 1, i + 1, i ^ 2]) {
            if (j >= 0 && j !== i) expectVerdict(bothCheck(p, s, root, j, leaf), j < s ? false : 'throws', `index ${j}`);
          }
          // A proof binds the root, not the size (the size comes signed with the root), so a
          // wrong size can still verify when the path has the same shape. It must fail when
          // the shape differs, and both checkers must agree either way.
          for (const t of [s - 1, s + 1, s * 2, Math.floor(s / 2)]) {
            if (t === s || t < 1) continue;
            const verdict = bothCheck(p, t, root, i, leaf);
            if (i >= t) expectVerdict(verdict, 'throws', `size ${t}`);
            else if (t <= N && proofs[t]![i]!.length !== p.length) expectVerdict(verdict, false, `size ${t}`);
          }
        }
      }
      expect(wrong).toEqual([]);
    });
  });

  describe('when given hostile input', () => {
    const h = new Uint8Array(32);
    const cases = hostileCases([[], 1, h, 0, h], [
      { index: 0, accepts: isHashArray, title: proofTitle },
      { index: 1, accepts: (v) => isSafeUint(v) && v >= 1, title: 'size' },
      { index: 2, accepts: isHash, title: 'root' },
      { index: 3, accepts: (v) => v === 0, title: 'index' },
      { index: 4, accepts: isHash, title: 'leaf' },
    ]);
    it.each(cases)('rejects %s', async (_l, args, title) => {
      await expectRejects(() => checkRecord(...(args as Parameters<typeof checkRecord>)), title);
    });
    it('rejects a proof of 129 hashes before hashing anything', async () => {
      await expectRejects(() => checkRecord(Array.from({ length: 129 }, () => h), 1, h, 0, h), 'proof');
    });
  });
});

describe('verifyInclusion', () => {
  describe('when given hostile input', () => {
    const h = new Uint8Array(32);
    const cases = hostileCases([0, 1, h, [], h], [
      { index: 0, accepts: (v) => v === 0, title: 'leafIndex' },
      { index: 1, accepts: (v) => isSafeUint(v) && v >= 1, title: 'treeSize' },
      { index: 2, accepts: isHash, title: 'leafHash' },
      { index: 3, accepts: isHashArray, title: proofTitle },
      { index: 4, accepts: isHash, title: 'root' },
    ]);
    it.each(cases)('rejects %s', async (_l, args, title) => {
      await expectRejects(() => verifyInclusion(...(args as Parameters<typeof verifyInclusion>)), title);
    });
  });

  describe('when the tree is near 2^51 records', () => {
    it('verifies a proof built by hand for the last record of a huge tree', () => {
      // Tree of 2^51 records; the last record's path is 51 left siblings. Any hashes will
      // do: the check is the shift arithmetic on indexes above 2^32.
      const size = TLOG_MAX_SIZE;
      const siblings = Array.from({ length: 51 }, (_, k) => flipBit(new Uint8Array(32), k % 32, k % 8));
      const leaf = new Uint8Array(32).fill(1);
      let root: Hash = leaf;
      for (const sib of siblings) root = refNode(sib, root);
      expect(bothCheck(siblings, size, root, size - 1, leaf)).toBe(true);
      expect(bothCheck(siblings, size, root, size - 2, leaf)).toBe(false);
      expect(bothCheck(siblings.slice(1), size, root, size - 1, leaf)).toBe(false);
    });
  });
});
