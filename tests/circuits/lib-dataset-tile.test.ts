// Circuit tests of circuits/lib/dataset_tile.circom: DatasetTile(tileSize) unpacks the
// tile's bytes and gives the leaf of tileLeaf (core/raster/tile-leaf.ts). Checked at
// T = 8 (64 bytes in three elements of 31, 31 and 2 bytes, so the short last element is
// covered): the leaf and pixels match the JS side, a tile past the grid reads as nodata
// with leaf 0, and a prover can neither show a byte ≥ 256 (rebalanced against its
// neighbour so the element still sums), nor move the tile to another coordinate, nor mark
// a real tile absent.
//
// Constraints measured (circom 2.2.3, --O2, every input public so the optimiser keeps
// them): DatasetTile(8) = 871 = 868 non-linear (512 byte bits, 3 absent ⇒ nodata,
// 1 present bit, 1 leaf product, 351 for the Poseidon(6) of the leaf) + 3 linear (one
// byte sum per element).
import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileMain, type CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { packBytes } from '../../core/pack-bytes.ts';
import { tileLeaf } from '../../core/raster/tile-leaf.ts';
import { expectRejectedBy } from './_tamper.ts';
import { expectSatisfied, expectUnsatisfied, expectWitnessFails, fr, honestWitness, mainArray, mainSignal, R, setSignals } from './_circuit-test.ts';

const FILE = 'circuits/lib/dataset_tile.circom';
const T = 8;
const N_BYTES = T * T;
const N_ELEMENTS = Math.ceil(N_BYTES / 31);
const CONSTRAINTS = 871;

/** Deterministic tile bytes: SHA-256 stream of a label. */
function tileBytes(label: string): Uint8Array {
  const out = new Uint8Array(N_BYTES);
  for (let i = 0; i < N_BYTES; i += 32) out.set(createHash('sha256').update(`canopy/dataset-tile-circuit/${label}/${i}`).digest().subarray(0, Math.min(32, N_BYTES - i)), i);
  return out;
}

function inputOf(tileX: number, tileY: number, bytes: Uint8Array, present = 1n): { tileX: bigint; tileY: bigint; packed: bigint[]; present: bigint } {
  return { tileX: BigInt(tileX), tileY: BigInt(tileY), packed: packBytes(bytes), present };
}

describe('DatasetTile', () => {
  let c: CompiledCircuit;
  beforeAll(async () => {
    c = await compileMain({ name: `lib_dataset_tile_${T}`, templateFile: FILE, template: 'DatasetTile', params: [T], publicInputs: ['tileX', 'tileY', 'packed', 'present'] });
  });

  it(`has ${CONSTRAINTS} constraints`, () => {
    expect(N_ELEMENTS, 'elements of an 8 × 8 tile').toBe(3);
    expect(c.constraints, `DatasetTile(${T}).constraints`).toBe(CONSTRAINTS);
  });

  describe('when the tile is present', () => {
    const samples: [string, number, number, Uint8Array][] = [
      ['pseudo-random bytes at (3, 7)', 3, 7, tileBytes('a')],
      ['all nodata at (0, 0)', 0, 0, new Uint8Array(N_BYTES).fill(255)],
      ['all zero at (65535, 1)', 65535, 1, new Uint8Array(N_BYTES)],
    ];
    for (const [label, x, y, bytes] of samples) {
      it(`gives tileLeaf and the bytes (${label})`, async () => {
        const w = await honestWitness(c, inputOf(x, y, bytes));
        const leaf = mainSignal(c, w, 'leaf');
        expect(leaf, `DatasetTile(${T}) leaf of ${label} = ${leaf}, want tileLeaf`).toBe(tileLeaf(x, y, bytes, T));
        expect(mainArray(c, w, 'pixels', N_BYTES), `pixels of ${label}`).toEqual(Array.from(bytes, BigInt));
      });
    }

    it('gives another leaf at another coordinate, and no witness keeps the leaf when a coordinate is rewritten', async () => {
      const bytes = tileBytes('a');
      const want = tileLeaf(3, 7, bytes, T);
      for (const [x, y] of [[4, 7], [3, 8], [7, 3]] as const) {
        const w = await honestWitness(c, inputOf(x, y, bytes));
        expect(mainSignal(c, w, 'leaf'), `leaf of tile (3, 7)'s bytes at (${x}, ${y})`).not.toBe(want);
        expect(mainSignal(c, w, 'leaf'), `leaf at (${x}, ${y}) vs tileLeaf`).toBe(tileLeaf(x, y, bytes, T));
      }
      const w = await honestWitness(c, inputOf(3, 7, bytes));
      await expectUnsatisfied(c, setSignals(c, w, { 'main.tileX': 4n }));
      await expectUnsatisfied(c, setSignals(c, w, { 'main.tileY': 8n }));
      await expectUnsatisfied(c, setSignals(c, w, { 'main.tileX': 7n, 'main.tileY': 3n }));
    });

    it('does not accept a byte ≥ 256 rebalanced against its neighbour', async () => {
      // pixels[0] + 256 with pixels[1] − 1 keeps Σ pixels·256^j = packed[0], so the element
      // sum and the leaf hash hold; only the 8-bit range checks of the two bytes object
      // (their honest bits no longer sum to them). Byte 1 must be ≥ 1 for b1 − 1 to be a byte.
      const bytes = tileBytes('a');
      bytes[1] = Math.max(bytes[1]!, 1);
      const w = await honestWitness(c, inputOf(3, 7, bytes));
      const cheat = { 'main.pixels[0]': BigInt(bytes[0]!) + 256n, 'main.pixels[1]': BigInt(bytes[1]!) - 1n };
      await expectRejectedBy(c, setSignals(c, w, cheat), ['main.unpack.unpack[0].range[0].', 'main.unpack.unpack[0].range[1].']);
      // Without the rebalancing the element sum objects as well.
      await expectUnsatisfied(c, setSignals(c, w, { 'main.pixels[30]': BigInt(bytes[30]!) + 256n }));
      // The other direction: pixels[0] − 256 (a field value near r, no byte) with pixels[1] + 1 keeps the sum too.
      await expectUnsatisfied(c, setSignals(c, w, { 'main.pixels[0]': fr(BigInt(bytes[0]!) - 256n), 'main.pixels[1]': BigInt(bytes[1]!) + 1n }));
    });

    it('refuses packed elements that hold more bytes than the tile', async () => {
      const input = inputOf(3, 7, tileBytes('a'));
      await expectWitnessFails(c, { ...input, packed: [1n << 248n, input.packed[1]!, input.packed[2]!] });
      await expectWitnessFails(c, { ...input, packed: [input.packed[0]!, input.packed[1]!, 1n << 16n] }); // last element holds 2 bytes
      await expectWitnessFails(c, { ...input, packed: [R - 1n, input.packed[1]!, input.packed[2]!] });
    });
  });

  describe('when the tile is absent (present = 0)', () => {
    const nodata = new Uint8Array(N_BYTES).fill(255);

    it('gives leaf 0 and nodata pixels', async () => {
      const w = await honestWitness(c, inputOf(9, 9, nodata, 0n));
      expect(mainSignal(c, w, 'leaf'), 'leaf of an absent tile').toBe(0n);
      expect(mainArray(c, w, 'pixels', N_BYTES), 'pixels of an absent tile').toEqual(new Array<bigint>(N_BYTES).fill(255n));
    });

    it('refuses an absent tile whose bytes are not all nodata', async () => {
      const almost = nodata.slice();
      almost[N_BYTES - 1] = 254;
      await expectWitnessFails(c, inputOf(9, 9, almost, 0n));
      await expectWitnessFails(c, inputOf(3, 7, tileBytes('a'), 0n));
    });

    it('does not let a prover mark a real tile absent', async () => {
      const w = await honestWitness(c, inputOf(3, 7, tileBytes('a')));
      await expectUnsatisfied(c, setSignals(c, w, { 'main.present': 0n, 'main.leaf': 0n }));
      // Control: on an all-nodata tile the same writes give an absent tile's witness.
      const n = await honestWitness(c, inputOf(3, 7, nodata));
      await expectSatisfied(c, setSignals(c, n, { 'main.present': 0n, 'main.leaf': 0n }));
    });
  });

  describe('when present is not binary', () => {
    it('fails witness generation and the bit constraint', async () => {
      await expectWitnessFails(c, inputOf(3, 7, tileBytes('a'), 2n));
      await expectWitnessFails(c, inputOf(3, 7, new Uint8Array(N_BYTES).fill(255), R - 1n));
      const w = await honestWitness(c, inputOf(3, 7, tileBytes('a')));
      await expectUnsatisfied(c, setSignals(c, w, { 'main.present': 2n, 'main.leaf': fr(2n * mainSignal(c, w, 'leaf')) }));
    });
  });
});
