pragma circom 2.1.9;

// MerkleInclusion(depth): the root of a fixed-depth Poseidon Merkle tree, computed from
// a leaf and its authentication path. Mirrors core/merkle/ (the JS tree):
//   node(left, right) = Poseidon(TAG_MERKLE_NODE(), left, right)   (circomlib Poseidon(3))
//   pathIndices[k]    = bit k of the leaf index; 1 means the current node is the right child
//   siblings[k]       = the sibling at level k, leaf level first
//
// Inputs  (the caller decides which are public):
//   leaf, pathIndices[depth], siblings[depth]
// Output:
//   root
//
// Soundness: every pathIndices[k] is constrained to {0, 1}. Without that constraint a
// prover could pick any b and hash (node + b·(sibling − node), sibling − b·(sibling − node)),
// a pair that is neither (node, sibling) nor (sibling, node), and so reach a root for
// a leaf that is not in the tree. The left/right selection is a constrained multiplexer
// (one quadratic constraint per level); `right` is linear in `left`, so it costs nothing.
// The caller constrains the output root (e.g. `root === publicRoot`).

include "circomlib/circuits/poseidon.circom";
include "domain_tags.circom";

template MerkleInclusion(depth) {
    assert(depth >= 1);

    signal input leaf;
    signal input pathIndices[depth];
    signal input siblings[depth];
    signal output root;

    signal nodes[depth + 1];
    signal left[depth];
    signal right[depth];
    component hashers[depth];

    nodes[0] <== leaf;
    for (var k = 0; k < depth; k++) {
        // b ∈ {0, 1}
        pathIndices[k] * (pathIndices[k] - 1) === 0;
        // b = 0: (left, right) = (node, sibling); b = 1: (left, right) = (sibling, node).
        left[k] <== nodes[k] + pathIndices[k] * (siblings[k] - nodes[k]);
        right[k] <== nodes[k] + siblings[k] - left[k];

        hashers[k] = Poseidon(3);
        hashers[k].inputs[0] <== TAG_MERKLE_NODE();
        hashers[k].inputs[1] <== left[k];
        hashers[k].inputs[2] <== right[k];
        nodes[k + 1] <== hashers[k].out;
    }
    root <== nodes[depth];
}
