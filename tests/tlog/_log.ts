/**
 * Test helpers for the log core: an in-memory hash storage built through `storedHashes`
 * (as the registry's storage will be), a reader that checks the core only asks for
 * increasing indexes (as Go's tlog_test.go does), and an independent RFC 6962 reference
 * computed with @noble/hashes directly, so tests do not trust the code under test.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { Hash } from '../../core/tlog/hash.ts';
import type { HashReader } from '../../core/tlog/hash-reader.ts';
import { storedHashes } from '../../core/tlog/stored-hash.ts';
import { treeHash } from '../../core/tlog/tree-hash.ts';

export const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
export const fromBase64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));

/** SHA-256(0x00 ‖ data), computed here without the core. */
export function refLeafHash(data: Uint8Array): Hash {
  return sha256(new Uint8Array([0x00, ...data]));
}

/** SHA-256(0x01 ‖ l ‖ r), computed here without the core. */
export function refNodeHash(l: Hash, r: Hash): Hash {
  return sha256(new Uint8Array([0x01, ...l, ...r]));
}

/** RFC 6962 §2.1 MTH over leaf hashes, by the definition, without the core. */
export function refRoot(leafHashes: readonly Hash[]): Hash {
  if (leafHashes.length === 0) return sha256(new Uint8Array(0));
  if (leafHashes.length === 1) return leafHashes[0]!;
  let k = 1;
  while (k * 2 < leafHashes.length) k *= 2;
  return refNodeHash(refRoot(leafHashes.slice(0, k)), refRoot(leafHashes.slice(k)));
}

/** A copy of `h` with bit `bit` of byte `byte` flipped. */
export function flipBit(h: Uint8Array, byte = 0, bit = 0): Uint8Array {
  const c = h.slice();
  c[byte]! ^= 1 << bit;
  return c;
}

/** An append-only log held in memory: stored hashes, leaf hashes and every past root. */
export class MemoryLog {
  readonly hashes: Hash[] = [];
  readonly leafHashes: Hash[] = [];
  /** roots[s] is the root at size s (roots[0] is the empty tree's). */
  readonly roots: Hash[] = [sha256(new Uint8Array(0))];
  /** Every batch of indexes the core asked for, in order. */
  readonly requests: number[][] = [];

  readonly reader: HashReader = {
    readHashes: (indexes: number[]) => {
      this.requests.push([...indexes]);
      for (let i = 1; i < indexes.length; i++) {
        if (!(indexes[i - 1]! < indexes[i]!)) throw new Error(`indexes out of order: ${indexes.join(',')}`);
      }
      return indexes.map((x) => {
        const h = this.hashes[x];
        if (h === undefined) throw new Error(`no hash at index ${x}`);
        return h;
      });
    },
  };

  get size(): number {
    return this.leafHashes.length;
  }

  /**
   * Appends one entry through `storedHashes` and records the new root (with `root` false,
   * only the final root of a batch is recorded, by `of`; intermediate roots are then unset).
   */
  async append(entry: Uint8Array, root = true): Promise<void> {
    const stored = await storedHashes(this.size, entry, this.reader);
    this.hashes.push(...stored);
    this.leafHashes.push(refLeafHash(entry));
    if (root) this.roots[this.size] = await treeHash(this.size, this.reader);
  }

  /**
   * A log of `n` entries "leaf 0", "leaf 1", … (Go's tlog_test.go uses the same entries).
   * @param everyRoot - record the root at every size (default), or only at size n
   */
  static async of(n: number, entry: (i: number) => Uint8Array = (i) => utf8(`leaf ${i}`), everyRoot = true): Promise<MemoryLog> {
    const log = new MemoryLog();
    for (let i = 0; i < n; i++) await log.append(entry(i), everyRoot);
    if (!everyRoot) log.roots[n] = await treeHash(n, log.reader);
    return log;
  }
}
