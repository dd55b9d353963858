/**
 * An independent reference for dataset tests, written from docs/datasets.md and sharing
 * no code with core/raster or prover/dataset:
 * - Poseidon from circomlibjs (not core/poseidon.ts), tags derived here from their ASCII
 *   names (not core/domain.ts);
 * - the layer rule, tile cutting, byte packing and Morton order written out naively;
 * - the root computed over the full tree, every one of the 4^(depth/2) leaves present
 *   (empty leaves as 0) and every node hashed: no empty-subtree shortcut, no blocks.
 * @module
 */
import { buildPoseidon } from 'circomlibjs';

const tag = (name: string) => BigInt(`0x${Buffer.from(name, 'ascii').toString('hex')}`);
export const NODE_TAG = tag('canopy/merkle-node');
export const TILE_TAG = tag('canopy/dataset-tile');

/** Poseidon of circomlibjs over field elements. */
export type Hash = (inputs: bigint[]) => bigint;

let cached: Promise<Hash> | undefined;

/** Loads circomlibjs' Poseidon once. */
export function loadReferenceHash(): Promise<Hash> {
  cached ??= buildPoseidon().then((p) => (inputs: bigint[]) => p.F.toObject(p(inputs)) as bigint);
  return cached;
}

/** "loss year where treecover2000 > t, else 0; 255 where either is 255". */
export function referenceLayer(lossYear: Uint8Array, treeCover: Uint8Array, threshold: number): Uint8Array {
  return lossYear.map((l, i) => (l === 255 || treeCover[i] === 255 ? 255 : treeCover[i]! > threshold ? l : 0));
}

/** Σ b[31i + j] · 256^j per element, by BigInt arithmetic. */
export function referencePack(bytes: Uint8Array): bigint[] {
  const out: bigint[] = [];
  for (let i = 0; i * 31 < bytes.length; i++) {
    let e = 0n;
    for (let j = 0; j < 31 && 31 * i + j < bytes.length; j++) e += BigInt(bytes[31 * i + j]!) * 256n ** BigInt(j);
    out.push(e);
  }
  return out;
}

/** Bit-by-bit interleave, x in the even bits. */
export function referenceMorton(x: number, y: number): number {
  let index = 0;
  for (let bit = 0; bit < 16; bit++) index += (((x >> bit) & 1) * 2 ** (2 * bit)) + (((y >> bit) & 1) * 2 ** (2 * bit + 1));
  return index;
}

/** The T × T pixels of tile (tx, ty) of a width × height layer, 255 outside. */
export function referenceTile(layer: Uint8Array, width: number, height: number, tx: number, ty: number, t: number): Uint8Array {
  const out = new Uint8Array(t * t);
  for (let dy = 0; dy < t; dy++) {
    for (let dx = 0; dx < t; dx++) {
      const c = tx * t + dx;
      const r = ty * t + dy;
      out[dy * t + dx] = c < width && r < height ? layer[r * width + c]! : 255;
    }
  }
  return out;
}

/** Root of the full tree over leaves by Morton index (missing = 0), every node hashed. */
export function referenceTreeRoot(hash: Hash, leavesByIndex: Map<number, bigint>, depth: number): bigint {
  let level: bigint[] = Array.from({ length: 2 ** depth }, (_, i) => leavesByIndex.get(i) ?? 0n);
  while (level.length > 1) {
    const next: bigint[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hash([NODE_TAG, level[i]!, level[i + 1]!]));
    level = next;
  }
  return level[0]!;
}

/** Tree depth: the smallest even 2k with 2^k ≥ max(tilesX, tilesY), at least 2. */
export function referenceDepth(tilesX: number, tilesY: number): number {
  let k = 1;
  while (2 ** k < Math.max(tilesX, tilesY)) k++;
  return 2 * k;
}

/** The dataset root of a layer, from scratch. */
export function referenceDatasetRoot(hash: Hash, layer: Uint8Array, width: number, height: number, t: number): bigint {
  const tilesX = Math.ceil(width / t);
  const tilesY = Math.ceil(height / t);
  const leaves = new Map<number, bigint>();
  for (let ty = 0; ty < tilesY; ty++) {
    for (let tx = 0; tx < tilesX; tx++) {
      const bytes = referenceTile(layer, width, height, tx, ty, t);
      leaves.set(referenceMorton(tx, ty), hash([TILE_TAG, BigInt(tx), BigInt(ty), ...referencePack(bytes)]));
    }
  }
  return referenceTreeRoot(hash, leaves, referenceDepth(tilesX, tilesY));
}

/** Deterministic pseudo-random bytes (xorshift32), so failures reproduce. */
export function randomBytes(length: number, seed: number): Uint8Array {
  let s = seed >>> 0 || 1;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = s & 0xff;
  }
  return out;
}

/** A plausible Hansen pair: loss years 0..23 (mostly 0), covers 0..100, a few nodata pixels. */
export function syntheticHansen(width: number, height: number, seed: number, nodata = 0.01): { lossYear: Uint8Array; treeCover: Uint8Array } {
  const r = randomBytes(3 * width * height, seed);
  const n = width * height;
  const lossYear = new Uint8Array(n);
  const treeCover = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    lossYear[i] = r[3 * i]! < 64 ? r[3 * i + 1]! % 24 : 0;
    treeCover[i] = r[3 * i + 2]! % 101;
    if (r[3 * i + 1]! / 255 < nodata / 2) lossYear[i] = 255;
    else if (r[3 * i + 1]! / 255 > 1 - nodata / 2) treeCover[i] = 255;
  }
  return { lossYear, treeCover };
}
