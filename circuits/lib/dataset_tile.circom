pragma circom 2.1.9;

// DatasetTile(tileSize): one tile of a committed dataset as a window circuit reads it
// (docs/datasets.md §3; core/raster/tile-leaf.ts is the JS side).
//
//   pixels = the T² bytes packed in `packed`, little-endian, 31 per element   (UnpackByteString)
//   leaf   = present · Poseidon(TAG_DATASET_TILE(), tileX, tileY, packed[0..k))  k = ⌈T²/31⌉
//
// Inputs:  tileX, tileY            the tile's coordinates (the caller derives them from the
//                                  block position; they are hashed, not range-checked here)
//          packed[⌈T²/31⌉]         the tile's bytes as core/pack-bytes.ts packs them
//          present                 1 for a tile of the grid, 0 for a position past it
// Outputs: pixels[T²]              the bytes, row-major, each < 256
//          leaf                    the tile's leaf in the dataset tree
//
// Constraints and why:
//   - every byte is range-checked to 8 bits by UnpackByteString, so the bytes of each
//     element are unique (no wrap below r): a prover cannot show other pixel values for
//     the same committed element;
//   - present ∈ {0, 1};
//   - present = 0 ⇒ leaf = 0, the dataset tree's empty leaf for a position past the tile
//     grid, and every element equals the packing of 255 bytes (256^len − 1), so every
//     pixel of an absent tile is nodata and fails any predicate "value < bound ≤ 255".
//     Marking a real tile absent replaces its leaf (a Poseidon output, never 0 in
//     practice) by 0 and changes the block root, so the path to the dataset root fails.
// Cost for T = 16: 2048 (bytes) + 9 (absent ⇒ nodata) + 1 (present bit) + 1 (leaf
// product) + 501 (Poseidon(12) with a constant tag) = 2560 constraints.

include "circomlib/circuits/poseidon.circom";
include "domain_tags.circom";
include "pack_bytes.circom";

template DatasetTile(tileSize) {
    assert(tileSize >= 1 && tileSize <= 16);
    assert((tileSize & (tileSize - 1)) == 0);
    var nBytes = tileSize * tileSize;
    var nElements = (nBytes + 30) \ 31;

    signal input tileX;
    signal input tileY;
    signal input packed[nElements];
    signal input present;
    signal output pixels[nBytes];
    signal output leaf;

    present * (present - 1) === 0;

    component unpack = UnpackByteString(nBytes);
    for (var i = 0; i < nElements; i++) unpack.in[i] <== packed[i];
    for (var j = 0; j < nBytes; j++) pixels[j] <== unpack.out[j];

    // An absent tile reads as nodata: element i holds len bytes of 255, i.e. 256^len − 1.
    for (var i = 0; i < nElements; i++) {
        var len = nBytes - 31 * i < 31 ? nBytes - 31 * i : 31;
        (1 - present) * (packed[i] - ((1 << (8 * len)) - 1)) === 0;
    }

    component h = Poseidon(3 + nElements);
    h.inputs[0] <== TAG_DATASET_TILE();
    h.inputs[1] <== tileX;
    h.inputs[2] <== tileY;
    for (var i = 0; i < nElements; i++) h.inputs[3 + i] <== packed[i];
    leaf <== present * h.out;
}
