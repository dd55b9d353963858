/**
 * Packed, growable storage for the nodes of one tree level (internal to `core/merkle`).
 *
 * Node j occupies bytes [32·j, 32·j + 32) of the level, a big-endian unsigned integer,
 * which is also the serialised form, so saving and restoring a tree copies bytes without
 * converting them. Packing costs 32 bytes per node where an array of BigInts costs about
 * 58 (a heap object per value plus the array slot), and leaves the garbage collector
 * millions fewer objects to trace.
 *
 * Storage is split into chunks of CHUNK_NODES nodes so that no single allocation grows
 * with the tree and growth never copies more than one chunk. Invariant: every chunk but
 * the last holds exactly CHUNK_NODES nodes, so node j lives in chunk ⌊j / CHUNK_NODES⌋;
 * the last chunk doubles its capacity (from MIN_CHUNK_NODES) until it reaches
 * CHUNK_NODES, so a small tree allocates little.
 * @module
 */
import { bug } from '../errors.ts';

/** Bytes per stored node: one 256-bit big-endian integer. */
export const NODE_BYTES = 32;

/** Nodes per full chunk, a power of two (128 KiB of node bytes). */
const CHUNK_BITS = 12;
const CHUNK_NODES = 1 << CHUNK_BITS;
const MIN_CHUNK_NODES = 4;

/** One level's nodes, packed. Indexes are plain numbers below 2^32. */
export class _NodeLevel {
  #chunks: Uint8Array[] = [];
  #views: DataView[] = [];
  #length = 0;
  #capacity = 0;

  /** Number of nodes stored. */
  get length(): number {
    return this.#length;
  }

  /** Bytes allocated for node storage (capacity, not length). */
  get allocatedBytes(): number {
    return this.#capacity * NODE_BYTES;
  }

  /** Node j; callers guarantee 0 ≤ j < length. */
  get(j: number): bigint {
    if (!(j >= 0 && j < this.#length)) bug('_NodeLevel.get', `index ${j} of ${this.#length}`);
    // j < 2^32, so the unsigned shift and mask address the chunk and the slot exactly.
    const v = this.#views[j >>> CHUNK_BITS]!;
    const o = (j & (CHUNK_NODES - 1)) * NODE_BYTES;
    const hi = (v.getBigUint64(o) << 64n) | v.getBigUint64(o + 8);
    const lo = (v.getBigUint64(o + 16) << 64n) | v.getBigUint64(o + 24);
    return (hi << 128n) | lo;
  }

  /** Overwrites node j; callers guarantee 0 ≤ j < length and 0 ≤ value < 2^256. */
  set(j: number, value: bigint): void {
    if (!(j >= 0 && j < this.#length)) bug('_NodeLevel.set', `index ${j} of ${this.#length}`);
    this.#write(j, value);
  }

  /** Appends a node; callers guarantee 0 ≤ value < 2^256. */
  push(value: bigint): void {
    if (this.#length === this.#capacity) this.#grow();
    this.#write(this.#length++, value);
  }

  /** Copies the `length` stored nodes, 32 bytes each, into `out` at `offset`; returns the end offset. */
  copyTo(out: Uint8Array, offset: number): number {
    let remaining = this.#length;
    for (const chunk of this.#chunks) {
      if (remaining === 0) break;
      const n = Math.min(remaining, chunk.length / NODE_BYTES);
      out.set(chunk.subarray(0, n * NODE_BYTES), offset);
      offset += n * NODE_BYTES;
      remaining -= n;
    }
    return offset;
  }

  /**
   * A level holding `count` nodes copied from `bytes` at `offset` (32 bytes each, big-endian).
   * Callers have checked that the bytes exist.
   */
  static fromBytes(bytes: Uint8Array, offset: number, count: number): _NodeLevel {
    const level = new _NodeLevel();
    for (let done = 0; done < count; ) {
      // Full chunks while more than one chunk remains; the last one sized to fit (it grows later).
      const n = count - done > CHUNK_NODES ? CHUNK_NODES : Math.max(count - done, MIN_CHUNK_NODES);
      const chunk = new Uint8Array(n * NODE_BYTES);
      const take = Math.min(n, count - done);
      chunk.set(bytes.subarray(offset + done * NODE_BYTES, offset + (done + take) * NODE_BYTES));
      level.#chunks.push(chunk);
      level.#views.push(new DataView(chunk.buffer));
      level.#capacity += n;
      done += take;
    }
    level.#length = count;
    return level;
  }

  #write(j: number, value: bigint): void {
    const v = this.#views[j >>> CHUNK_BITS]!;
    const o = (j & (CHUNK_NODES - 1)) * NODE_BYTES;
    // setBigUint64 keeps the low 64 bits of its argument, so no masks are needed.
    v.setBigUint64(o, value >> 192n);
    v.setBigUint64(o + 8, value >> 128n);
    v.setBigUint64(o + 16, value >> 64n);
    v.setBigUint64(o + 24, value);
  }

  #grow(): void {
    const last = this.#chunks.length - 1;
    const lastNodes = last < 0 ? CHUNK_NODES : this.#chunks[last]!.length / NODE_BYTES;
    if (lastNodes < CHUNK_NODES) {
      // Only the last chunk can be short; double it in place of the old one.
      const bigger = new Uint8Array(Math.min(lastNodes * 2, CHUNK_NODES) * NODE_BYTES);
      bigger.set(this.#chunks[last]!);
      this.#chunks[last] = bigger;
      this.#views[last] = new DataView(bigger.buffer);
      this.#capacity += bigger.length / NODE_BYTES - lastNodes;
    } else {
      const n = last < 0 ? MIN_CHUNK_NODES : CHUNK_NODES;
      const chunk = new Uint8Array(n * NODE_BYTES);
      this.#chunks.push(chunk);
      this.#views.push(new DataView(chunk.buffer));
      this.#capacity += n;
    }
  }
}
