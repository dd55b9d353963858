import { describe, expect, it } from 'vitest';
import { emptyTreeHash, type Hash } from '../../core/tlog/hash.ts';
import { readHashesChecked } from '../../core/tlog/hash-reader.ts';
import { merkleTreeHash, treeHash } from '../../core/tlog/tree-hash.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';
import { expectInputError, HOSTILE_INPUTS, isSafeUint } from '../hostile-inputs.ts';
import { hex, MemoryLog, refRoot, utf8 } from './_log.ts';
import { verifyTestGo } from './_transparency-dev.ts';

describe('treeHash', () => {
  describe('when given the transparency-dev 8-entry test set', () => {
    it('reproduces the roots of sizes 0..8 of verify_test.go', async () => {
      const { leaves, roots, emptyTreeHash: empty } = verifyTestGo();
      const log = new MemoryLog();
      expect(hex(await treeHash(0, log.reader))).toBe(hex(empty));
      for (let i = 0; i < 8; i++) {
        await log.append(leaves[i]!);
        expect(hex(await treeHash(i + 1, log.reader)), `treeHash(${i + 1})`).toBe(hex(roots[i]!));
      }
    });
  });

  describe('when a log grows from 1 to 100 records', () => {
    it('equals the RFC 6962 definition at every size, past sizes included', async () => {
      const log = await MemoryLog.of(100);
      for (let s = 0; s <= 100; s++) {
        expect(hex(await treeHash(s, log.reader)), `treeHash(${s})`).toBe(hex(refRoot(log.leafHashes.slice(0, s))));
      }
    });

    it('makes one read of at most log2(size) + 1 hashes', async () => {
      const log = await MemoryLog.of(100);
      for (let s = 1; s <= 100; s++) {
        log.requests.length = 0;
        await treeHash(s, log.reader);
        expect(log.requests.length).toBe(1);
        expect(log.requests[0]!.length).toBeLessThanOrEqual(Math.floor(Math.log2(s)) + 1);
      }
    });
  });

  describe('when the size is 0', () => {
    it('is SHA-256("") without reading', async () => {
      const never = { readHashes: (): Hash[] => { throw new Error('read') } };
      expect(hex(await treeHash(0, never))).toBe(hex(emptyTreeHash()));
    });
  });

  describe('when the reader breaks its contract', () => {
    it('throws READER_CONTRACT for too few, too many, or malformed hashes', async () => {
      const log = await MemoryLog.of(7);
      const variants = {
        short: (ix: number[]) => (log.reader.readHashes(ix) as Hash[]).slice(1),
        long: (ix: number[]) => [...(log.reader.readHashes(ix) as Hash[]), new Uint8Array(32)],
        shortHash: (ix: number[]) => (log.reader.readHashes(ix) as Hash[]).map((h) => h.subarray(1)),
        string: (ix: number[]) => ix.map(() => 'AA'),
        notArray: () => ({ length: 3 }),
      };
      for (const [name, readHashes] of Object.entries(variants)) {
        await expect(treeHash(7, { readHashes } as never), name).rejects.toMatchObject({ code: 'READER_CONTRACT' });
      }
    });
  });

  describe('when the reader returns shared buffers', () => {
    it('does not alias them in its result', async () => {
      const log = await MemoryLog.of(1);
      const h = await treeHash(1, log.reader);
      h[0]! ^= 0xff;
      expect(hex(log.hashes[0]!)).toBe(hex(log.leafHashes[0]!));
    });
  });

  describe('when given hostile input', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !isSafeUint(h.value)).map((h) => [h.name, h.value] as const))('rejects size = %s', async (_n, v) => {
      await expect(treeHash(v as number, { readHashes: () => [] })).rejects.toThrow(/^"size" expected/);
    });
    it('rejects 2^51 + 1', async () => {
      await expect(treeHash(TLOG_MAX_SIZE + 1, { readHashes: () => [] })).rejects.toBeInstanceOf(RangeError);
    });
    it.each(HOSTILE_INPUTS.map((h) => [h.name, h.value] as const))('rejects reader = %s', async (_n, v) => {
      await expect(treeHash(1, v as never)).rejects.toThrow(/^"reader" expected/);
    });
  });
});

describe('readHashesChecked', () => {
  describe('when the reader keeps its contract', () => {
    it('returns copies of the hashes, without calling the reader for no indexes', async () => {
      let calls = 0;
      const h = new Uint8Array(32).fill(9);
      const reader = { readHashes: (ix: number[]) => (calls++, ix.map(() => h)) };
      expect(await readHashesChecked(reader, [])).toEqual([]);
      expect(calls).toBe(0);
      const [a] = await readHashesChecked(reader, [4]);
      expect(a).not.toBe(h);
      expect(hex(a!)).toBe(hex(h));
    });
  });

  describe('when given hostile input', () => {
    it.each(HOSTILE_INPUTS.map((h) => [h.name, h.value] as const))('rejects reader = %s', async (_n, v) => {
      await expect(readHashesChecked(v as never, [0])).rejects.toThrow(/^"reader" expected/);
    });
    it.each(HOSTILE_INPUTS.filter((h) => !Array.isArray(h.value)).map((h) => [h.name, h.value] as const))('rejects indexes = %s', async (_n, v) => {
      await expect(readHashesChecked({ readHashes: () => [] }, v as never)).rejects.toThrow(/^"indexes" expected/);
    });
  });

  describe('when the reader mutates the request', () => {
    it('still checks the count against the original indexes', async () => {
      const reader = { readHashes: (ix: number[]) => (ix.push(1), ix.map(() => new Uint8Array(32))) };
      await expect(readHashesChecked(reader, [0])).rejects.toMatchObject({ code: 'READER_CONTRACT' });
    });
  });
});

describe('merkleTreeHash', () => {
  describe('when given entries', () => {
    it('matches the reference definition and treeHash for 0..40 entries', async () => {
      const log = await MemoryLog.of(40);
      const entries = Array.from({ length: 40 }, (_, i) => utf8(`leaf ${i}`));
      for (let s = 0; s <= 40; s++) {
        const m = merkleTreeHash(entries.slice(0, s));
        expect(hex(m)).toBe(hex(refRoot(log.leafHashes.slice(0, s))));
        expect(hex(m)).toBe(hex(await treeHash(s, log.reader)));
      }
    });
  });

  describe('when given hostile input', () => {
    it.each(HOSTILE_INPUTS.filter((h) => !Array.isArray(h.value)).map((h) => [h.name, h.value] as const))('rejects %s', (_n, v) => {
      expectInputError(() => merkleTreeHash(v as Uint8Array[]), 'entries', 'type');
    });
    it('rejects an array holding a non-Uint8Array', () => {
      expectInputError(() => merkleTreeHash([utf8('a'), 'b' as never]), 'entries[1]', 'type');
    });
  });
});
