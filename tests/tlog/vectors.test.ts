/**
 * Upstream vectors for the log core: transparency-dev/merkle (proof/verify_test.go and its
 * testdata probes) and real Certificate Transparency proofs from Google's Argon 2020 log
 * (golang/mod sumdb/tlog ct_test.go). See the README beside each vector directory.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type Hash, hashEqual, leafHash } from '../../core/tlog/hash.ts';
import { checkRecord, proveRecord } from '../../core/tlog/record-proof.ts';
import { treeHash } from '../../core/tlog/tree-hash.ts';
import { checkTree, proveTree } from '../../core/tlog/tree-proof.ts';
import { verifyConsistency } from '../../core/tlog/verify-consistency.ts';
import { verifyInclusion } from '../../core/tlog/verify-inclusion.ts';
import { flipBit, fromBase64, hex, MemoryLog } from './_log.ts';
import { consistencyProbes, inclusionProbes, verifyTestGo } from './_transparency-dev.ts';

const go = verifyTestGo();

/**
 * Verdict of both checkers on an inclusion probe: 'throws' when our input checks reject it
 * (hash of the wrong length, index outside the size), else the boolean both return.
 */
function inclusionVerdict(index: number, size: number, leaf: Uint8Array, proof: Uint8Array[], root: Uint8Array): boolean | 'throws' {
  let a: boolean | 'throws';
  let b: boolean | 'throws';
  try {
    a = verifyInclusion(index, size, leaf, proof, root);
  } catch (e) {
    expect(e).toBeInstanceOf(RangeError);
    a = 'throws';
  }
  try {
    b = checkRecord(proof, size, root, index, leaf);
  } catch (e) {
    expect(e).toBeInstanceOf(RangeError);
    b = 'throws';
  }
  expect(b).toBe(a);
  return a;
}

function consistencyVerdict(size1: number, size2: number, proof: Uint8Array[], root1: Uint8Array, root2: Uint8Array): boolean | 'throws' {
  let a: boolean | 'throws';
  let b: boolean | 'throws';
  try {
    a = verifyConsistency(size1, size2, proof, root1, root2);
  } catch (e) {
    expect(e).toBeInstanceOf(RangeError);
    a = 'throws';
  }
  try {
    b = checkTree(proof, size2, root2, size1, root1);
  } catch (e) {
    expect(e).toBeInstanceOf(RangeError);
    b = 'throws';
  }
  expect(b).toBe(a);
  return a;
}

const is32 = (h: Uint8Array) => h.length === 32;

describe('transparency-dev/merkle proof/verify_test.go', () => {
  it('holds 8 leaves, 8 roots, 6 inclusion and 5 consistency vectors', () => {
    expect(go.leaves.length).toBe(8);
    expect(go.roots.length).toBe(8);
    expect(go.inclusionProofs.length).toBe(6);
    expect(go.consistencyProofs.length).toBe(5);
  });

  describe('inclusionProofs', () => {
    it.each(go.inclusionProofs.slice(1).map((v) => [`leaf ${v.a} of ${v.b}`, v] as const))('verifies %s and proveRecord reproduces it', async (_n, v) => {
      const leaf = leafHash(go.leaves[v.a - 1]!);
      const root = go.roots[v.b - 1]!;
      expect(inclusionVerdict(v.a - 1, v.b, leaf, v.proof, root)).toBe(true);
      const log = new MemoryLog();
      for (let i = 0; i < v.b; i++) await log.append(go.leaves[i]!);
      expect((await proveRecord(v.b, v.a - 1, log.reader)).map(hex)).toEqual(v.proof.map(hex));
    });

    it('treats {0, 0, nil} (leaf index −1 in a tree of 0) as invalid input', () => {
      expect(go.inclusionProofs[0]).toEqual({ a: 0, b: 0, proof: [] });
      expect(inclusionVerdict(-1, 0, leafHash(go.leaves[0]!), [], go.emptyTreeHash)).toBe('throws');
    });

    it.each(go.inclusionProofs.slice(1).map((v) => [`leaf ${v.a} of ${v.b}`, v] as const))(
      'rejects every corruption of %s that corruptInclusionProof makes',
      (_n, v) => {
        const [i, n, proof, root, leaf] = [v.a - 1, v.b, v.proof, go.roots[v.b - 1]!, leafHash(go.leaves[v.a - 1]!)];
        const empty = new Uint8Array(0);
        const probes: [string, number, number, Uint8Array[], Uint8Array, Uint8Array][] = [
          ['leafIndex - 1', i - 1, n, proof, root, leaf],
          ['leafIndex + 1', i + 1, n, proof, root, leaf],
          ['leafIndex ^ 2', i ^ 2, n, proof, root, leaf],
          ['treeSize * 2', i, n * 2, proof, root, leaf],
          ['treeSize / 2', i, Math.floor(n / 2), proof, root, leaf],
          ['wrong leaf', i, n, proof, root, new TextEncoder().encode('WrongLeaf')],
          ['empty root', i, n, proof, go.emptyTreeHash, leaf],
          ['random root', i, n, proof, go.someHash, leaf],
          ['trailing garbage', i, n, [...proof, empty], root, leaf],
          ['trailing root', i, n, [...proof, root], root, leaf],
          ['preceding garbage', i, n, [empty, ...proof], root, leaf],
          ['preceding root', i, n, [root, ...proof], root, leaf],
          ...proof.map((_, k) => [`modified proof[${k}] bit 3`, i, n, proof.map((h, j) => (j === k ? flipBit(h, 0, 3) : h)), root, leaf] as [string, number, number, Uint8Array[], Uint8Array, Uint8Array]),
        ];
        if (proof.length > 0) probes.push(['removed component', i, n, proof.slice(0, -1), root, leaf]);
        if (proof.length > 1) probes.push(['inserted component', i, n, [proof[0]!, go.someHash, ...proof.slice(1)], root, leaf]);
        for (const [desc, pi, pn, pp, pr, pl] of probes) {
          // Wrong-length hashes and indexes outside the size are bad input here (thrown);
          // everything else must verify to false.
          const badInput = pi < 0 || pi >= pn || !pp.every(is32) || !is32(pr) || !is32(pl);
          expect(inclusionVerdict(pi, pn, pl, pp, pr), desc).toBe(badInput ? 'throws' : false);
        }
      },
    );
  });

  describe('consistencyProofs', () => {
    it.each(go.consistencyProofs.map((v) => [`${v.a} → ${v.b}`, v] as const))('verifies %s and proveTree reproduces it', async (_n, v) => {
      expect(consistencyVerdict(v.a, v.b, v.proof, go.roots[v.a - 1]!, go.roots[v.b - 1]!)).toBe(true);
      const log = new MemoryLog();
      for (let i = 0; i < v.b; i++) await log.append(go.leaves[i]!);
      expect((await proveTree(v.b, v.a, log.reader)).map(hex)).toEqual(v.proof.map(hex));
    });

    it.each(go.consistencyProofs.filter((v) => v.proof.length > 0).map((v) => [`${v.a} → ${v.b}`, v] as const))(
      'rejects every corruption of %s that corruptConsistencyProof makes',
      (_n, v) => {
        const [m, n, proof, r1, r2] = [v.a, v.b, v.proof, go.roots[v.a - 1]!, go.roots[v.b - 1]!];
        const empty = new Uint8Array(0);
        const wrongRoot = new TextEncoder().encode('WrongRoot');
        const probes: [string, number, number, Uint8Array[], Uint8Array, Uint8Array][] = [
          ['size1 - 1', m - 1, n, proof, r1, r2],
          ['size1 + 1', m + 1, n, proof, r1, r2],
          ['size1 ^ 2', m ^ 2, n, proof, r1, r2],
          ['size2 * 2', m, n * 2, proof, r1, r2],
          ['size2 / 2', m, Math.floor(n / 2), proof, r1, r2],
          ['wrong root1', m, n, proof, wrongRoot, r2],
          ['wrong root2', m, n, proof, r1, wrongRoot],
          ['swapped roots', m, n, proof, r2, r1],
          ['empty proof', m, n, [], r1, r2],
          ['trailing garbage', m, n, [...proof, empty], r1, r2],
          ['trailing root1', m, n, [...proof, r1], r1, r2],
          ['trailing root2', m, n, [...proof, r2], r1, r2],
          ['preceding garbage', m, n, [empty, ...proof], r1, r2],
          ['preceding root1', m, n, [r1, ...proof], r1, r2],
          ['preceding root2', m, n, [r2, ...proof], r1, r2],
          ['preceding proof[0]', m, n, [proof[0]!, ...proof], r1, r2],
          ['truncated proof', m, n, proof.slice(0, -1), r1, r2],
          ...proof.map((_, k) => [`modified proof[${k}] bit 4`, m, n, proof.map((h, j) => (j === k ? flipBit(h, 0, 4) : h)), r1, r2] as [string, number, number, Uint8Array[], Uint8Array, Uint8Array]),
        ];
        for (const [desc, s1, s2, pp, a, b] of probes) {
          const badInput = s1 < 1 || s1 > s2 || !pp.every(is32) || !is32(a) || !is32(b);
          expect(consistencyVerdict(s1, s2, pp, a, b), desc).toBe(badInput ? 'throws' : false);
        }
      },
    );
  });

  describe('the roots', () => {
    it('are reproduced by treeHash over the leaves, with size 0 = sha256EmptyTreeHash', async () => {
      const log = new MemoryLog();
      expect(hex(await treeHash(0, log.reader))).toBe(hex(go.emptyTreeHash));
      for (let i = 0; i < 8; i++) {
        await log.append(go.leaves[i]!);
        expect(hex(await treeHash(i + 1, log.reader))).toBe(hex(go.roots[i]!));
      }
    });
  });
});

describe('transparency-dev/merkle testdata probes', () => {
  describe('inclusion/*/happy-path.json', () => {
    it.each(inclusionProbes().map((p) => [p.file, p] as const))('%s verifies', (_f, p) => {
      expect(p.wantErr).toBe(false);
      expect(inclusionVerdict(p.leafIdx, p.treeSize, p.leafHash, p.proof, p.root)).toBe(true);
    });
  });

  describe('consistency/*/happy-path.json', () => {
    it.each(consistencyProbes().map((p) => [p.file, p] as const))('%s verifies', (_f, p) => {
      expect(p.wantErr).toBe(false);
      expect(consistencyVerdict(p.size1, p.size2, p.proof, p.root1, p.root2)).toBe(true);
    });
  });

  it('agree with verify_test.go on the roots they name', () => {
    const byHex = new Set(go.roots.map(hex));
    for (const p of inclusionProbes()) expect(byHex.has(hex(p.root))).toBe(true);
    for (const p of consistencyProbes()) expect(byHex.has(hex(p.root1)) && byHex.has(hex(p.root2))).toBe(true);
  });
});

describe('Certificate Transparency: Google Argon 2020 (golang/mod sumdb/tlog testdata)', () => {
  const dir = new URL('../vectors/golang-mod/sumdb/tlog/testdata/argon2020/', import.meta.url);
  const read = (f: string) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Record<string, unknown>;
  const sth = read('sth.json') as { tree_size: number; sha256_root_hash: string };
  const entry = fromBase64((read('entries.json') as { entries: { leaf_input: string }[] }).entries[0]!.leaf_input);
  const audit = (read('proof.json') as { leaf_index: number; audit_path: string[] }).audit_path.map(fromBase64);
  const consistency = (read('consistency.json') as { consistency: string[] }).consistency.map(fromBase64);
  const root: Hash = fromBase64(sth.sha256_root_hash);
  // The old root ct_test.go hard-codes for get-sth-consistency?first=3654490.
  const oldRoot: Hash = fromBase64('AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ=');

  it('verifies the audit path of entry 10000 in the tree of 961984013', () => {
    expect(sth.tree_size).toBe(961984013);
    expect(inclusionVerdict(10000, sth.tree_size, leafHash(entry), audit, root)).toBe(true);
  });

  it('verifies the consistency proof from 3654490 to 961984013', () => {
    expect(consistencyVerdict(3654490, sth.tree_size, consistency, oldRoot, root)).toBe(true);
  });

  it('rejects either proof with any hash bit-flipped, or at a neighbouring index or size', () => {
    for (let k = 0; k < audit.length; k++) {
      expect(inclusionVerdict(10000, sth.tree_size, leafHash(entry), audit.map((h, j) => (j === k ? flipBit(h, k % 32, k % 8) : h)), root)).toBe(false);
    }
    for (let k = 0; k < consistency.length; k++) {
      expect(consistencyVerdict(3654490, sth.tree_size, consistency.map((h, j) => (j === k ? flipBit(h, k % 32, k % 8) : h)), oldRoot, root)).toBe(false);
    }
    expect(inclusionVerdict(10001, sth.tree_size, leafHash(entry), audit, root)).toBe(false);
    expect(consistencyVerdict(3654491, sth.tree_size, consistency, oldRoot, root)).toBe(false);
    expect(hashEqual(leafHash(entry.subarray(1)), leafHash(entry))).toBe(false);
  });
});
