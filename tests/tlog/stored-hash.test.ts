import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { leafHash } from '../../core/tlog/hash.ts';
import {
  splitStoredHashIndex,
  storedHashCount,
  storedHashes,
  storedHashesForLeafHash,
  storedHashIndex,
  TLOG_MAX_LEVEL,
  TLOG_STORED_INDEX_LIMIT,
} from '../../core/tlog/stored-hash.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';
import { expectInputError, HOSTILE_INPUTS, isSafeUint } from '../hostile-inputs.ts';
import { hex, MemoryLog, refLeafHash, refNodeHash, utf8 } from './_log.ts';

const notSafeUint = HOSTILE_INPUTS.filter((h) => !isSafeUint(h.value)).map((h) => [h.name, h.value] as const);

describe('storedHashIndex', () => {
  describe('when given the first nodes', () => {
    it('numbers them in append order (Crosby–Wallach)', () => {
      // records 0..4: (0,0) (0,1) (1,0) (0,2) (0,3) (1,1) (2,0) (0,4)
      const order: [number, number][] = [[0, 0], [0, 1], [1, 0], [0, 2], [0, 3], [1, 1], [2, 0], [0, 4]];
      order.forEach(([level, n], i) => expect(storedHashIndex(level, n), `storedHashIndex(${level}, ${n})`).toBe(i));
    });
  });

  describe('when given every (level, n) with level < 10 and n < 100', () => {
    it('is inverted by splitStoredHashIndex (as Go TestSplitStoredHashIndex)', () => {
      for (let l = 0; l < 10; l++) {
        for (let n = 0; n < 100; n++) {
          const x = storedHashIndex(l, n);
          expect(splitStoredHashIndex(x), `split(storedHashIndex(${l}, ${n}) = ${x})`).toEqual([l, n]);
        }
      }
    });
  });

  describe('when the node lies at the 2^51 bound', () => {
    it('stays a safe integer below TLOG_STORED_INDEX_LIMIT and still inverts', () => {
      const cases: [number, number][] = [[0, TLOG_MAX_SIZE - 1], [1, TLOG_MAX_SIZE / 2 - 1], [TLOG_MAX_LEVEL, 0], [20, 2 ** 31 - 1]];
      for (const [l, n] of cases) {
        const x = storedHashIndex(l, n);
        expect(Number.isSafeInteger(x) && x < TLOG_STORED_INDEX_LIMIT).toBe(true);
        expect(splitStoredHashIndex(x)).toEqual([l, n]);
      }
    });

    it('rejects a node beyond 2^51 records with a RangeError', () => {
      expectInputError(() => storedHashIndex(0, TLOG_MAX_SIZE), 'n', 'range');
      expectInputError(() => storedHashIndex(1, TLOG_MAX_SIZE / 2), 'n', 'range');
      expectInputError(() => storedHashIndex(TLOG_MAX_LEVEL + 1, 0), 'level', 'range');
    });
  });

  describe('when given hostile input', () => {
    it.each(notSafeUint)('rejects level = %s', (_n, v) => expectInputError(() => storedHashIndex(v as number, 0), 'level'));
    it.each(notSafeUint)('rejects n = %s', (_n, v) => expectInputError(() => storedHashIndex(0, v as number), 'n'));
  });
});

describe('splitStoredHashIndex', () => {
  describe('when given every index of a 1000-record tree', () => {
    it('returns a node that storedHashIndex maps back to it', () => {
      for (let x = 0; x < storedHashCount(1000); x++) {
        const [l, n] = splitStoredHashIndex(x);
        expect(storedHashIndex(l, n)).toBe(x);
      }
    });
  });

  describe('when given hostile input', () => {
    it.each(notSafeUint)('rejects %s', (_n, v) => expectInputError(() => splitStoredHashIndex(v as number), 'index'));
    it('rejects TLOG_STORED_INDEX_LIMIT', () => expectInputError(() => splitStoredHashIndex(TLOG_STORED_INDEX_LIMIT), 'index', 'range'));
  });
});

describe('storedHashCount', () => {
  describe('when a log grows from 0 to 100 records', () => {
    it('equals the number of hashes storedHashes produced', async () => {
      const log = new MemoryLog();
      expect(storedHashCount(0)).toBe(0);
      for (let i = 0; i < 100; i++) {
        await log.append(utf8(`leaf ${i}`));
        expect(storedHashCount(i + 1), `storedHashCount(${i + 1})`).toBe(log.hashes.length);
      }
    });
  });

  describe('when the size is 2^51', () => {
    it('is a safe integer just below TLOG_STORED_INDEX_LIMIT', () => {
      const c = storedHashCount(TLOG_MAX_SIZE);
      expect(Number.isSafeInteger(c) && c <= TLOG_STORED_INDEX_LIMIT && c > 2 * TLOG_MAX_SIZE - 64).toBe(true);
    });
  });

  describe('when given hostile input', () => {
    it.each(notSafeUint)('rejects %s', (_n, v) => expectInputError(() => storedHashCount(v as number), 'size'));
    it('rejects 2^51 + 1', () => expectInputError(() => storedHashCount(TLOG_MAX_SIZE + 1), 'size', 'range'));
  });
});

describe('storedHashes', () => {
  describe('when appending records 0..7', () => {
    it('returns the leaf hash and the roots of the subtrees each record completes', async () => {
      const log = new MemoryLog();
      const l = (i: number) => refLeafHash(utf8(`leaf ${i}`));
      const counts: number[] = [];
      for (let i = 0; i < 8; i++) {
        const before = log.hashes.length;
        await log.append(utf8(`leaf ${i}`));
        counts.push(log.hashes.length - before);
      }
      expect(counts).toEqual([1, 2, 1, 3, 1, 2, 1, 4]);
      // Record 3 completes [2,4) and [0,4): stored at indexes 3, 4, 5, 6.
      const n01 = refNodeHash(l(0), l(1));
      const n23 = refNodeHash(l(2), l(3));
      expect(log.hashes.slice(3, 7).map(hex)).toEqual([l(2), l(3), n23, refNodeHash(n01, n23)].map(hex));
    });

    it('reads only earlier hashes, in increasing order, in one call of trailingOnes(n) indexes', async () => {
      const log = new MemoryLog();
      for (let n = 0; n < 64; n++) {
        const calls: number[][] = [];
        const counting = { readHashes: (ix: number[]) => (calls.push(ix), log.reader.readHashes(ix)) };
        const hashes = await storedHashes(n, utf8(`leaf ${n}`), counting);
        let ones = 0;
        for (let x = n; x % 2 === 1; x = (x - 1) / 2) ones++;
        expect(calls.length, `calls for record ${n}`).toBe(ones === 0 ? 0 : 1);
        if (ones > 0) {
          expect(calls[0]!.length).toBe(ones);
          expect(Math.max(...calls[0]!)).toBeLessThan(storedHashIndex(0, n));
        }
        expect(hashes.length).toBe(1 + ones);
        log.hashes.push(...hashes);
      }
    });
  });

  describe('when given a record hash', () => {
    it('storedHashesForLeafHash(n, leafHash(e)) equals storedHashes(n, e)', async () => {
      const log = await MemoryLog.of(7);
      const a = await storedHashes(7, utf8('x'), log.reader);
      const b = await storedHashesForLeafHash(7, leafHash(utf8('x')), log.reader);
      expect(a.map(hex)).toEqual(b.map(hex));
    });
  });

  describe('when the reader breaks its contract', () => {
    it('throws READER_CONTRACT for a wrong count', async () => {
      const log = await MemoryLog.of(3);
      const short = { readHashes: (ix: number[]) => log.reader.readHashes(ix.slice(1)) };
      await expect(storedHashes(3, utf8('x'), short)).rejects.toMatchObject({ code: 'READER_CONTRACT' });
    });

    it('passes on what the reader throws', async () => {
      const failing = { readHashes: async () => Promise.reject(new Error('disk on fire')) };
      await expect(storedHashes(1, utf8('x'), failing)).rejects.toThrow('disk on fire');
      // Record 0 reads nothing, so a failing reader is never called.
      await expect(storedHashes(0, utf8('x'), failing)).resolves.toHaveLength(1);
    });
  });

  describe('when given hostile input', () => {
    const reader = { readHashes: () => [] };
    it.each(notSafeUint)('rejects n = %s', async (_n, v) => {
      await expect(storedHashesForLeafHash(v as number, leafHash(utf8('x')), reader)).rejects.toThrow(/^"n" expected/);
    });
    it('rejects n = 2^51 (the log is full)', async () => {
      await expect(storedHashes(TLOG_MAX_SIZE, utf8('x'), reader)).rejects.toBeInstanceOf(RangeError);
    });
    it.each(HOSTILE_INPUTS.filter((h) => !(h.value instanceof Uint8Array)).map((h) => [h.name, h.value] as const))(
      'rejects entry = %s',
      async (_n, v) => {
        await expect(storedHashes(0, v as Uint8Array, reader)).rejects.toThrow(/^"entry" expected/);
      },
    );
    it.each(HOSTILE_INPUTS.map((h) => [h.name, h.value] as const))('rejects reader = %s', async (_n, v) => {
      await expect(storedHashes(0, utf8('x'), v as never)).rejects.toThrow(/^"reader" expected/);
    });
  });

  it('does not use CanopyError for bad input', async () => {
    const err = await storedHashes(-1, utf8('x'), { readHashes: () => [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RangeError);
    expect(err).not.toBeInstanceOf(CanopyError);
  });
});
