pragma circom 2.1.9;

// Membership(depth): the prover knows a value whose leaf is in the Poseidon Merkle tree
// of the given depth under a public root, and binds the proof to a public message.
// Reveals neither the value nor its position. Configured in circuits/circuits.json; the
// JS twin (witness input, public signal order) is core/circuits/membership.ts.
//
//   leaf = Poseidon(TAG_MEMBER_LEAF(), value)          (circomlib Poseidon(2))
//   root = MerkleInclusion(depth)(leaf, pathIndices, siblings)
//
// Public signals, in snarkjs order (no outputs; public inputs in declaration order):
//   root    – the tree the verifier accepts; it must be public so the verifier can check
//             it is a root it trusts (e.g. one the registry published).
//   message – what the proof is about (a request, a challenge, a recipient). Public so
//             the verifier can see it; bound below so a proof for one message cannot be
//             replayed for another.
// Private inputs: value, pathIndices[depth] (bits of the leaf index, each constrained
// binary in MerkleInclusion), siblings[depth].

include "circomlib/circuits/poseidon.circom";
include "lib/domain_tags.circom";
include "lib/merkle_inclusion.circom";

template Membership(depth) {
    // Public inputs. Declared first and in this order: circom numbers public inputs by
    // declaration, and MEMBERSHIP_PUBLIC_SIGNALS relies on it.
    signal input root;
    signal input message;
    // Private inputs.
    signal input value;
    signal input pathIndices[depth];
    signal input siblings[depth];

    component leaf = Poseidon(2);
    leaf.inputs[0] <== TAG_MEMBER_LEAF();
    leaf.inputs[1] <== value;

    component inclusion = MerkleInclusion(depth);
    inclusion.leaf <== leaf.out;
    for (var k = 0; k < depth; k++) {
        inclusion.pathIndices[k] <== pathIndices[k];
        inclusion.siblings[k] <== siblings[k];
    }
    root === inclusion.root;

    // `message` appears in no other constraint. A public input that no constraint
    // mentions is bound to the proof only by details of the proving backend (snarkjs's
    // Groth16 setup happens to add an input·0 row per public input; other backends and
    // optimisers need not), so a proof could verify for any message. One quadratic
    // constraint puts it in the constraint system everywhere (Semaphore's pattern).
    signal messageSquare <== message * message;
}
