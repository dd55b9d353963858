// The explorer's browser module for RFC 6962 proofs (registry/explorer/static/tlog.js),
// run in Node on its WebCrypto, against the stored vectors (transparency-dev/merkle
// verify_test.go and testdata probes, golang/mod's Argon 2020 CT proofs) and against
// core/tlog on every proof of every tree up to 64 records, and on those of up to 40 records
// with any one proof hash bit-flipped.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { emptyTreeHash, type Hash, leafHash as coreLeafHash, nodeHash as coreNodeHash } from '../../core/tlog/hash.ts';
import { proveRecord } from '../../core/tlog/record-proof.ts';
import { proveTree } from '../../core/tlog/tree-proof.ts';
import { verifyConsistency as coreVerifyConsistency } from '../../core/tlog/verify-consistency.ts';
import { verifyInclusion as coreVerifyInclusion } from '../../core/tlog/verify-inclusion.ts';
import { isSafeUint } from '../hostile-inputs.ts';
import { expectRejects, hostileCases, isHash, isHashArray, proofTitle } from '../tlog/_hostile.ts';
import { flipBit, fromBase64, hex, MemoryLog } from '../tlog/_log.ts';
import { consistencyProbes, inclusionProbes, verifyTestGo } from '../tlog/_transparency-dev.ts';

/** The browser module's exports, as the page uses them. */
interface BrowserTlog {
  HASH_SIZE: number;
  MAX_TREE_SIZE: number;
  sha256(bytes: Uint8Array): Promise<Uint8Array>;
  leafHash(entry: Uint8Array): Promise<Uint8Array>;
  nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array>;
  hashEqual(a: Uint8Array, b: Uint8Array): boolean;
  inclusionProofRoot(leafIndex: number, treeSize: number, leaf: Uint8Array, proof: Uint8Array[]): Promise<Uint8Array | null>;
  verifyInclusion(leafIndex: number, treeSize: number, leaf: Uint8Array, proof: Uint8Array[], root: Uint8Array): Promise<boolean>;
  consistencyProofRoots(size1: number, size2: number, proof: Uint8Array[], root1: Uint8Array): Promise<{ root1: Uint8Array; root2: Uint8Array } | null>;
  verifyConsistency(size1: number, size2: number, proof: Uint8Array[], root1: Uint8Array, root2: Uint8Array): Promise<boolean>;
}

// The module is plain JavaScript served to browsers; loaded here exactly as it is served.
const tlog = (await import(new URL('../../registry/explorer/static/tlog.js', import.meta.url).href)) as BrowserTlog;
const go = verifyTestGo();
const N = 64;
// Every proof of 1..64 is checked; bit flips of each up to 40 records (WebCrypto's digest
// is asynchronous in Node, one thread-pool job per hash, so this bounds the test to seconds).
const N_FLIPS = 40;

/** 'throws' when the input is refused as malformed (TypeError/RangeError), else the verdict. */
async function verdict(f: () => Promise<boolean> | boolean): Promise<boolean | 'throws'> {
  try {
    return await f();
  } catch (e) {
    expect(e instanceof TypeError || e instanceof RangeError, String(e)).toBe(true);
    return 'throws';
  }
}

async function inclusionBoth(i: number, n: number, leaf: Uint8Array, proof: Uint8Array[], root: Uint8Array): Promise<boolean | 'throws'> {
  const ours = await verdict(() => tlog.verifyInclusion(i, n, leaf, proof, root));
  const core = await verdict(() => coreVerifyInclusion(i, n, leaf, proof, root));
  expect(ours, `verifyInclusion(${i}, ${n}) = ${ours}, core = ${core}`).toBe(core);
  return ours;
}

async function consistencyBoth(m: number, n: number, proof: Uint8Array[], r1: Uint8Array, r2: Uint8Array): Promise<boolean | 'throws'> {
  const ours = await verdict(() => tlog.verifyConsistency(m, n, proof, r1, r2));
  const core = await verdict(() => coreVerifyConsistency(m, n, proof, r1, r2));
  expect(ours, `verifyConsistency(${m}, ${n}) = ${ours}, core = ${core}`).toBe(core);
  return ours;
}

describe('leafHash / nodeHash / sha256', () => {
  describe('when given the RFC 6962 vectors of transparency-dev rfc6962_test.go', () => {
    it('hashes the empty string, the empty leaf, a leaf and a node as core/tlog does', async () => {
      expect(hex(await tlog.sha256(new Uint8Array(0)))).toBe(hex(emptyTreeHash()));
      expect(hex(await tlog.sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      expect(hex(await tlog.leafHash(new Uint8Array(0)))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
      const l = new TextEncoder().encode('L123456');
      const r = new TextEncoder().encode('R123456');
      expect(hex(await tlog.leafHash(l))).toBe(hex(coreLeafHash(l)));
      const a = coreLeafHash(l);
      const b = coreLeafHash(r);
      expect(hex(await tlog.nodeHash(a, b))).toBe(hex(coreNodeHash(a, b)));
      expect(hex(await tlog.nodeHash(a, b))).not.toBe(hex(await tlog.nodeHash(b, a)));
    });
  });
  describe('when given hostile input', () => {
    it('throws TypeError or RangeError naming the argument', async () => {
      await expectRejects(() => tlog.leafHash('abc' as unknown as Uint8Array), 'entry');
      await expectRejects(() => tlog.nodeHash(new Uint8Array(31), new Uint8Array(32)), 'left');
      await expectRejects(() => tlog.nodeHash(new Uint8Array(32), [] as unknown as Uint8Array), 'right');
      expect(() => tlog.hashEqual(new Uint8Array(32), new Uint8Array(33))).toThrow(RangeError);
    });
  });
});

describe('verifyInclusion', () => {
  describe('when given transparency-dev/merkle proof/verify_test.go inclusionProofs', () => {
    it.each(go.inclusionProofs.slice(1).map((v) => [`leaf ${v.a} of ${v.b}`, v] as const))('verifies %s', async (_n, v) => {
      expect(await inclusionBoth(v.a - 1, v.b, coreLeafHash(go.leaves[v.a - 1]!), v.proof, go.roots[v.b - 1]!)).toBe(true);
    });
    it.each(go.inclusionProofs.slice(1).map((v) => [`leaf ${v.a} of ${v.b}`, v] as const))('rejects every corruption of %s that corruptInclusionProof makes', async (_n, v) => {
      const [i, n, proof, root, leaf] = [v.a - 1, v.b, v.proof, go.roots[v.b - 1]!, coreLeafHash(go.leaves[v.a - 1]!)];
      const probes: [string, number, number, Uint8Array[], Uint8Array, Uint8Array][] = [
        ['leafIndex - 1', i - 1, n, proof, root, leaf],
        ['leafIndex + 1', i + 1, n, proof, root, leaf],
        ['leafIndex ^ 2', i ^ 2, n, proof, root, leaf],
        ['treeSize * 2', i, n * 2, proof, root, leaf],
        ['treeSize / 2', i, Math.floor(n / 2), proof, root, leaf],
        ['wrong leaf', i, n, proof, root, coreLeafHash(new TextEncoder().encode('WrongLeaf'))],
        ['empty root', i, n, proof, go.emptyTreeHash, leaf],
        ['random root', i, n, proof, go.someHash, leaf],
        ['trailing root', i, n, [...proof, root], root, leaf],
        ['preceding root', i, n, [root, ...proof], root, leaf],
        ['trailing garbage', i, n, [...proof, new Uint8Array(0)], root, leaf],
        ...proof.map((_, k) => [`proof[${k}] bit 3`, i, n, proof.map((x, j) => (j === k ? flipBit(x, 0, 3) : x)), root, leaf] as [string, number, number, Uint8Array[], Uint8Array, Uint8Array]),
      ];
      if (proof.length > 0) probes.push(['removed component', i, n, proof.slice(0, -1), root, leaf]);
      for (const [desc, pi, pn, pp, pr, pl] of probes) {
        const bad = pi < 0 || pi >= pn || !pp.every((x) => x.length === 32);
        expect([desc, await inclusionBoth(pi, pn, pl, pp, pr)]).toEqual([desc, bad ? 'throws' : false]);
      }
    });
  });

  describe('when given the transparency-dev testdata inclusion probes', () => {
    it.each(inclusionProbes().map((p) => [p.file, p] as const))('%s verifies', async (_f, p) => {
      expect(await inclusionBoth(p.leafIdx, p.treeSize, p.leafHash, p.proof, p.root)).toBe(true);
    });
  });

  describe('when given the Argon 2020 audit path (golang/mod sumdb/tlog testdata)', () => {
    const dir = new URL('../vectors/golang-mod/sumdb/tlog/testdata/argon2020/', import.meta.url);
    const read = (f: string) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')) as Record<string, unknown>;
    const sth = read('sth.json') as { tree_size: number; sha256_root_hash: string };
    const entry = fromBase64((read('entries.json') as { entries: { leaf_input: string }[] }).entries[0]!.leaf_input);
    const audit = (read('proof.json') as { audit_path: string[] }).audit_path.map(fromBase64);
    const root = fromBase64(sth.sha256_root_hash);
    it('verifies entry 10000 in the tree of 961984013, and computes its root', async () => {
      const leaf = await tlog.leafHash(entry);
      expect(await tlog.verifyInclusion(10000, sth.tree_size, leaf, audit, root)).toBe(true);
      expect(hex((await tlog.inclusionProofRoot(10000, sth.tree_size, leaf, audit))!)).toBe(hex(root));
    });
    it('rejects the path with any hash bit-flipped, or at index 10001', async () => {
      const leaf = await tlog.leafHash(entry);
      for (let k = 0; k < audit.length; k++) expect(await tlog.verifyInclusion(10000, sth.tree_size, leaf, audit.map((x, j) => (j === k ? flipBit(x, k % 32, k % 8) : x)), root)).toBe(false);
      expect(await tlog.verifyInclusion(10001, sth.tree_size, leaf, audit, root)).toBe(false);
    });
  });

  describe(`when given every proof of every tree of 1..${N} records`, () => {
    let log: MemoryLog;
    beforeAll(async () => {
      log = await MemoryLog.of(N);
    });
    it('verifies each, and inclusionProofRoot gives the tree root', async () => {
      for (let n = 1; n <= N; n++) {
        for (let i = 0; i < n; i++) {
          const proof = await proveRecord(n, i, log.reader);
          expect(await inclusionBoth(i, n, log.leafHashes[i]!, proof, log.roots[n]!)).toBe(true);
          expect(hex((await tlog.inclusionProofRoot(i, n, log.leafHashes[i]!, proof))!)).toBe(hex(log.roots[n]!));
        }
      }
    });
    it(`rejects each (n ≤ ${N_FLIPS}) with any one proof hash bit-flipped, the wrong leaf, a neighbouring index or a shorter path`, async () => {
      for (let n = 1; n <= N_FLIPS; n++) {
        for (let i = 0; i < n; i++) {
          const proof = await proveRecord(n, i, log.reader);
          const [leaf, root] = [log.leafHashes[i]!, log.roots[n]!];
          for (let k = 0; k < proof.length; k++) {
            expect(await inclusionBoth(i, n, leaf, proof.map((x, j) => (j === k ? flipBit(x, (i + k) % 32, k % 8) : x)), root)).toBe(false);
          }
          expect(await inclusionBoth(i, n, log.leafHashes[(i + 1) % n]!, proof, root)).toBe(n === 1);
          if (i + 1 < n) expect(await inclusionBoth(i + 1, n, leaf, proof, root)).toBe(false);
          if (proof.length > 0) {
            expect(await inclusionBoth(i, n, leaf, proof.slice(1), root)).toBe(false);
            expect(await tlog.inclusionProofRoot(i, n, leaf, [...proof, leaf])).toBeNull();
          }
        }
      }
    });
  });

  describe('when given hostile input', () => {
    const h = new Uint8Array(32);
    const cases = hostileCases([0, 1, h, [], h], [
      { index: 0, accepts: (v) => v === 0, title: 'leafIndex' },
      { index: 1, accepts: (v) => isSafeUint(v) && v >= 1 && v <= 2 ** 51, title: 'treeSize' },
      { index: 2, accepts: isHash, title: 'leafHash' },
      { index: 3, accepts: isHashArray, title: proofTitle },
      { index: 4, accepts: isHash, title: 'root' },
    ]);
    it.each(cases)('rejects %s', async (_l, args, title) => {
      await expectRejects(() => tlog.verifyInclusion(...(args as Parameters<BrowserTlog['verifyInclusion']>)), title);
    });
    it('rejects a proof of 129 hashes and a tree beyond 2^51', async () => {
      await expectRejects(() => tlog.verifyInclusion(0, 1, h, Array.from({ length: 129 }, () => h), h), 'proof');
      await expectRejects(() => tlog.verifyInclusion(0, 2 ** 51 + 1, h, [], h), 'treeSize');
    });
  });
});

describe('verifyConsistency', () => {
  describe('when given transparency-dev/merkle proof/verify_test.go consistencyProofs', () => {
    it.each(go.consistencyProofs.map((v) => [`${v.a} → ${v.b}`, v] as const))('verifies %s', async (_n, v) => {
      expect(await consistencyBoth(v.a, v.b, v.proof, go.roots[v.a - 1]!, go.roots[v.b - 1]!)).toBe(true);
    });
    it.each(go.consistencyProofs.filter((v) => v.proof.length > 0).map((v) => [`${v.a} → ${v.b}`, v] as const))('rejects every corruption of %s that corruptConsistencyProof makes', async (_n, v) => {
      const [m, n, proof, r1, r2] = [v.a, v.b, v.proof, go.roots[v.a - 1]!, go.roots[v.b - 1]!];
      const probes: [string, number, number, Uint8Array[], Uint8Array, Uint8Array][] = [
        ['size1 - 1', m - 1, n, proof, r1, r2],
        ['size1 + 1', m + 1, n, proof, r1, r2],
        ['size1 ^ 2', m ^ 2, n, proof, r1, r2],
        ['size2 * 2', m, n * 2, proof, r1, r2],
        ['size2 / 2', m, Math.floor(n / 2), proof, r1, r2],
        ['swapped roots', m, n, proof, r2, r1],
        ['empty proof', m, n, [], r1, r2],
        ['trailing root1', m, n, [...proof, r1], r1, r2],
        ['preceding root2', m, n, [r2, ...proof], r1, r2],
        ['truncated proof', m, n, proof.slice(0, -1), r1, r2],
        ...proof.map((_, k) => [`proof[${k}] bit 4`, m, n, proof.map((x, j) => (j === k ? flipBit(x, 0, 4) : x)), r1, r2] as [string, number, number, Uint8Array[], Uint8Array, Uint8Array]),
      ];
      for (const [desc, s1, s2, pp, a, b] of probes) {
        const bad = s1 < 1 || s1 > s2;
        expect([desc, await consistencyBoth(s1, s2, pp, a, b)]).toEqual([desc, bad ? 'throws' : false]);
      }
    });
  });

  describe('when given the transparency-dev testdata consistency probes', () => {
    it.each(consistencyProbes().map((p) => [p.file, p] as const))('%s verifies', async (_f, p) => {
      expect(await consistencyBoth(p.size1, p.size2, p.proof, p.root1, p.root2)).toBe(true);
    });
  });

  describe('when given the Argon 2020 consistency proof 3654490 → 961984013', () => {
    const dir = new URL('../vectors/golang-mod/sumdb/tlog/testdata/argon2020/', import.meta.url);
    const sth = JSON.parse(readFileSync(new URL('sth.json', dir), 'utf8')) as { tree_size: number; sha256_root_hash: string };
    const proof = (JSON.parse(readFileSync(new URL('consistency.json', dir), 'utf8')) as { consistency: string[] }).consistency.map(fromBase64);
    const root = fromBase64(sth.sha256_root_hash);
    // The old root ct_test.go hard-codes.
    const oldRoot = fromBase64('AuIZ5V6sDUj1vn3Y1K85oOaQ7y+FJJKtyRTl1edIKBQ=');
    it('verifies it, and rejects it with any hash bit-flipped', async () => {
      expect(await tlog.verifyConsistency(3654490, sth.tree_size, proof, oldRoot, root)).toBe(true);
      for (let k = 0; k < proof.length; k++) expect(await tlog.verifyConsistency(3654490, sth.tree_size, proof.map((x, j) => (j === k ? flipBit(x, k % 32, k % 8) : x)), oldRoot, root)).toBe(false);
      expect(await tlog.verifyConsistency(3654491, sth.tree_size, proof, oldRoot, root)).toBe(false);
    });
  });

  describe(`when given every pair of sizes 1 ≤ m ≤ n ≤ ${N}`, () => {
    let log: MemoryLog;
    beforeAll(async () => {
      log = await MemoryLog.of(N);
    });
    it('verifies each proof, and consistencyProofRoots recomputes both roots', async () => {
      for (let n = 1; n <= N; n++) {
        for (let m = 1; m <= n; m++) {
          const proof = await proveTree(n, m, log.reader);
          expect(await consistencyBoth(m, n, proof, log.roots[m]!, log.roots[n]!)).toBe(true);
          const roots = await tlog.consistencyProofRoots(m, n, proof, log.roots[m]!);
          expect([hex(roots!.root1), hex(roots!.root2)]).toEqual([hex(log.roots[m]!), hex(log.roots[n]!)]);
        }
      }
    });
    it(`rejects each (n ≤ ${N_FLIPS}) with any one hash bit-flipped, or against the roots of neighbouring sizes`, async () => {
      for (let n = 2; n <= N_FLIPS; n++) {
        for (let m = 1; m < n; m++) {
          const proof: Hash[] = await proveTree(n, m, log.reader);
          const [r1, r2] = [log.roots[m]!, log.roots[n]!];
          for (let k = 0; k < proof.length; k++) {
            expect(await consistencyBoth(m, n, proof.map((x, j) => (j === k ? flipBit(x, (m + k) % 32, (n + k) % 8) : x)), r1, r2)).toBe(false);
          }
          expect(await consistencyBoth(m, n, proof, log.roots[m - 1 || 1]!, r2)).toBe(m === 1);
          expect(await consistencyBoth(m, n, proof, r1, log.roots[n - 1]!)).toBe(false);
        }
      }
    });
    it('accepts size1 = size2 only with the empty proof and equal roots', async () => {
      const [r5, r6] = [log.roots[5]!, log.roots[6]!];
      expect(await consistencyBoth(5, 5, [], r5, r5)).toBe(true);
      expect(await consistencyBoth(5, 5, [], r5, r6)).toBe(false);
      expect(await consistencyBoth(5, 5, [r5], r5, r5)).toBe(false);
    });
  });

  describe('when given hostile input', () => {
    const h = new Uint8Array(32);
    const cases = hostileCases([1, 1, [], h, h], [
      { index: 0, accepts: (v) => v === 1, title: 'size1' },
      { index: 1, accepts: (v) => isSafeUint(v) && v >= 1 && v <= 2 ** 51, title: 'size2' },
      { index: 2, accepts: isHashArray, title: proofTitle },
      { index: 3, accepts: isHash, title: 'root1' },
      { index: 4, accepts: isHash, title: 'root2' },
    ]);
    it.each(cases)('rejects %s', async (_l, args, title) => {
      await expectRejects(() => tlog.verifyConsistency(...(args as Parameters<BrowserTlog['verifyConsistency']>)), title);
    });
    it('rejects size1 = 0: nothing is proven about the empty tree', async () => {
      await expectRejects(() => tlog.verifyConsistency(0, 5, [h], h, h), 'size1');
    });
  });
});
