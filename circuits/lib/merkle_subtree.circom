pragma circom 2.1.9;

// MerkleSubtreeRoot(height): the root of a complete subtree from its 2^height leaves in
// order, with the node hash of MerkleInclusion and core/merkle/merkle-node.ts:
//   node(left, right) = Poseidon(TAG_MERKLE_NODE(), left, right)
// Level 0 is the leaves; node j of level l + 1 hashes nodes 2j and 2j + 1 of level l
// (core/raster/dataset-tree.ts mortonLevels). height = 0 passes the one leaf through.
// The positions are fixed by the template, so there is no selector to constrain:
// 2^height − 1 Poseidon(3) calls, 258 constraints each (the tag is a constant). An empty subtree hashes to zeroHashes[height] here as
// in the JS tree, which skips computing it only because the result is known.

include "circomlib/circuits/poseidon.circom";
include "domain_tags.circom";

template MerkleSubtreeRoot(height) {
    assert(height >= 0 && height <= 16);
    var n = 1 << height;
    signal input leaves[n];
    signal output root;

    // nodes[0 .. n) are the leaves; level l + 1 follows level l, the root is node 2n − 2.
    signal nodes[2 * n - 1];
    for (var i = 0; i < n; i++) nodes[i] <== leaves[i];
    // n − 1 hashers; height 0 declares one slot it never uses (no empty component arrays).
    component h[n > 1 ? n - 1 : 1];
    var below = 0;      // first node of the level being merged
    var above = n;      // first node of the level being written
    var width = n;
    var c = 0;
    while (width > 1) {
        for (var j = 0; j < width \ 2; j++) {
            h[c] = Poseidon(3);
            h[c].inputs[0] <== TAG_MERKLE_NODE();
            h[c].inputs[1] <== nodes[below + 2 * j];
            h[c].inputs[2] <== nodes[below + 2 * j + 1];
            nodes[above + j] <== h[c].out;
            c++;
        }
        below = above;
        above = above + width \ 2;
        width = width \ 2;
    }
    root <== nodes[2 * n - 2];
}
