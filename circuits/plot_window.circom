pragma circom 2.1.9;

// PlotWindow(k, treeDepth): one window of a plot attestation (docs/attestations.md).
// A window is the aligned block of 2^k × 2^k dataset tiles (16 × 16 pixels each) with
// Morton index `blockIndex` at level 2k of the dataset tree; the proof shows that every
// pixel the prover masks passes the predicate "committed value < cutoffCode" in the
// dataset under `datasetRoot`, and outputs the window's attestation leaf for the plots
// tree. Configured in circuits/circuits.json; the JS twin (window split, hashes, witness
// input, public signal order) is core/circuits/plot-window.ts.
//
//   tile t of the block, t in Morton order:   (dx, dy) = mortonDecode(t), k bits each
//       tileX = 2^k · blockX + dx,  tileY = 2^k · blockY + dy,
//       (blockX, blockY) = the even and odd bits of blockIndex
//       leaf_t = DatasetTile(16)(tileX, tileY, tiles[t], tilePresent[t])
//   blockRoot = MerkleSubtreeRoot(2k)(leaf_0 … leaf_{4^k − 1})
//   datasetRoot = MerkleInclusion(treeDepth − 2k)(blockRoot, bits of blockIndex, siblings)
//   window pixel (col, row), S = 16 · 2^k, row-major p = row · S + col:
//       value = byte (row mod 16) · 16 + (col mod 16) of tile mortonEncode(col \ 16, row \ 16)
//       mask[p] = 1 ⇒ value < cutoffCode                        MaskedLessThan(8)
//   pixelCount = Σ mask ≠ 0
//   windowMaskHash = WindowMaskHash(S)(mask)
//   ownerKey = Poseidon(TAG_OWNER_KEY(), ownerSecret)             OwnerKey (lot_note.circom)
//   attestationLeaf = Poseidon(TAG_PLOT_ATTESTATION(), geometryHash, datasetRoot, cutoffCode,
//                              blockIndex, windowMaskHash, pixelCount, ownerKey, salt)
//
// Public signals, in snarkjs order (the output, then public inputs in declaration order):
//   attestationLeaf – the plots-tree leaf the registry appends once the proof verifies; it
//                     commits everything private below and reveals none of it (salted).
//   datasetRoot     – the verifier must check the pixels come from a dataset it trusts
//                     (a root the registry published).
//   cutoffCode      – the predicate: the smallest committed value that fails (21 = loss in
//                     2021 or later, the EUDR cut-off 31 Dec 2020). Public so the verifier
//                     knows which cut-off was proven.
// Private inputs: tiles[4^k][9] (each tile's bytes packed 31 per element), tilePresent[4^k],
// siblings[treeDepth − 2k] (level 2k first), blockIndex, mask[S²], geometryHash,
// ownerSecret, salt.
//
// Under-constrained signals, considered one by one:
//   cutoffCode      range-checked to 8 bits: without it cutoffCode = 256 would let the
//                   nodata value 255 pass (d = 256 − 1 − 255 = 0), and the MaskedLessThan
//                   precondition (bound < 2^8) would not hold.
//   pixel bytes     range-checked in DatasetTile, so the committed elements have unique bytes.
//   tilePresent     binary, and absent ⇒ leaf 0 and all bytes 255 (DatasetTile).
//   blockIndex      decomposed into treeDepth − 2k bits (Num2Bits), which are the path bits
//                   (MerkleInclusion re-constrains them binary) and the tile coordinates;
//                   the decomposition is unique since treeDepth − 2k ≤ 32 < 253.
//   mask bits       binary (MaskedLessThan); pixelCount ≠ 0 (an inverse exists), so an
//                   empty mask, which would attest nothing, has no proof.
//   geometryHash, ownerSecret, salt
//                   free field elements, bound by the leaf hash: any value is a
//                   different leaf, which is what they are for.
//   datasetRoot     constrained equal to the computed root; cutoffCode appears in every
//                   pixel's product: neither is an unused public input.

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/poseidon.circom";
include "lib/dataset_tile.circom";
include "lib/domain_tags.circom";
include "lib/lot_note.circom";
include "lib/masked_less_than.circom";
include "lib/merkle_inclusion.circom";
include "lib/merkle_subtree.circom";
include "lib/range_check.circom";
include "lib/window_mask_hash.circom";

// Pixels per tile side; the dataset's tile size must be this.
function PLOT_WINDOW_TILE_SIZE() { return 16; }
// Bits of a committed pixel value and of cutoffCode.
function PLOT_WINDOW_VALUE_BITS() { return 8; }

// Morton index of (x, y) with `bits` bits each: x in the even bits (core/raster/morton.ts).
function mortonIndex(x, y, bits) {
    var index = 0;
    for (var i = 0; i < bits; i++) {
        index += ((x >> i) & 1) << (2 * i);
        index += ((y >> i) & 1) << (2 * i + 1);
    }
    return index;
}

// x (even = 0) or y (even = 1) coordinate of Morton index t, `bits` bits each.
function mortonCoord(t, bits, odd) {
    var c = 0;
    for (var i = 0; i < bits; i++) c += ((t >> (2 * i + odd)) & 1) << i;
    return c;
}

template PlotWindow(k, treeDepth) {
    assert(k >= 0 && k <= 4);
    assert(treeDepth % 2 == 0 && treeDepth <= 32);
    assert(treeDepth > 2 * k);
    var T = PLOT_WINDOW_TILE_SIZE();
    var TILE_ELEMENTS = (T * T + 30) \ 31;
    var SIDE_TILES = 1 << k;
    var N_TILES = SIDE_TILES * SIDE_TILES;
    var SIDE = T * SIDE_TILES;
    var N_PIXELS = SIDE * SIDE;
    var LEVELS = treeDepth - 2 * k;

    // Public inputs. Declared first and in this order: circom numbers public inputs by
    // declaration, and PLOT_WINDOW_PUBLIC_SIGNALS relies on it.
    signal input datasetRoot;
    signal input cutoffCode;
    // Public output.
    signal output attestationLeaf;
    // Private inputs.
    signal input tiles[N_TILES][TILE_ELEMENTS];
    signal input tilePresent[N_TILES];
    signal input siblings[LEVELS];
    signal input blockIndex;
    signal input mask[N_PIXELS];
    signal input geometryHash;
    signal input ownerSecret;
    signal input salt;

    component cutoffRange = RangeCheck(PLOT_WINDOW_VALUE_BITS());
    cutoffRange.in <== cutoffCode;

    // The block's position: its index bits are the path above level 2k, and its even and
    // odd bits the block's column and row.
    component indexBits = Num2Bits(LEVELS);
    indexBits.in <== blockIndex;
    var blockX = 0;
    var blockY = 0;
    for (var i = 0; 2 * i < LEVELS; i++) {
        blockX += indexBits.out[2 * i] * (1 << i);
        blockY += indexBits.out[2 * i + 1] * (1 << i);
    }

    // The tiles, in Morton order inside the block, and the block's subtree root.
    component tile[N_TILES];
    component block = MerkleSubtreeRoot(2 * k);
    for (var t = 0; t < N_TILES; t++) {
        tile[t] = DatasetTile(T);
        tile[t].tileX <== blockX * SIDE_TILES + mortonCoord(t, k, 0);
        tile[t].tileY <== blockY * SIDE_TILES + mortonCoord(t, k, 1);
        for (var i = 0; i < TILE_ELEMENTS; i++) tile[t].packed[i] <== tiles[t][i];
        tile[t].present <== tilePresent[t];
        block.leaves[t] <== tile[t].leaf;
    }

    // From the block up to the dataset root.
    component path = MerkleInclusion(LEVELS);
    path.leaf <== block.root;
    for (var l = 0; l < LEVELS; l++) {
        path.pathIndices[l] <== indexBits.out[l];
        path.siblings[l] <== siblings[l];
    }
    datasetRoot === path.root;

    // Every masked pixel passes; bytes < 2^8 (DatasetTile) and cutoffCode < 2^8 (above)
    // are MaskedLessThan's precondition.
    component pixel[N_PIXELS];
    var count = 0;
    for (var row = 0; row < SIDE; row++) {
        for (var col = 0; col < SIDE; col++) {
            var p = row * SIDE + col;
            var t = mortonIndex(col \ T, row \ T, k);
            pixel[p] = MaskedLessThan(PLOT_WINDOW_VALUE_BITS());
            pixel[p].mask <== mask[p];
            pixel[p].value <== tile[t].pixels[(row % T) * T + (col % T)];
            pixel[p].bound <== cutoffCode;
            count += mask[p];
        }
    }

    // At least one pixel: pixelCount ≤ S² < r, so it is the true count and ≠ 0 means > 0.
    signal pixelCount <== count;
    signal pixelCountInverse <-- pixelCount != 0 ? 1 / pixelCount : 0;
    pixelCount * pixelCountInverse === 1;

    component maskHash = WindowMaskHash(SIDE);
    for (var p = 0; p < N_PIXELS; p++) maskHash.mask[p] <== mask[p];

    component owner = OwnerKey();
    owner.ownerSecret <== ownerSecret;

    component leaf = Poseidon(9);
    leaf.inputs[0] <== TAG_PLOT_ATTESTATION();
    leaf.inputs[1] <== geometryHash;
    leaf.inputs[2] <== datasetRoot;
    leaf.inputs[3] <== cutoffCode;
    leaf.inputs[4] <== blockIndex;
    leaf.inputs[5] <== maskHash.hash;
    leaf.inputs[6] <== pixelCount;
    leaf.inputs[7] <== owner.ownerKey;
    leaf.inputs[8] <== salt;
    attestationLeaf <== leaf.out;
}
