pragma circom 2.1.9;

// LotInput(depth): one input slot of LotTransition. An enabled slot spends a lot note in
// the lots tree; a disabled slot is neutral. Mirrors the input rules of docs/lots.md.
//
// Inputs:  root, commodity            from the transition (public root, inCommodity)
//          enabled                    1 = the slot spends a note, 0 = unused
//          ownerSecret, quantityGrams, emissionsGramsCo2e, deforestationFree, salt
//                                     the note's opening (owner key derived here)
//          pathIndices[depth], siblings[depth]
//                                     its position in the lots tree
// Output:  nullifier                  enabled · Poseidon(TAG_NULLIFIER, commitment, ownerSecret)
//
// Constraints:
//   enabled ∈ {0, 1}, deforestationFree ∈ {0, 1};
//   quantityGrams < 2^48, emissionsGramsCo2e < 2^64 (also for a note already in the tree:
//     the transition sums these, and the range check is what keeps the sums from wrapping);
//   enabled = 1: MerkleInclusion(commitment) = root, where the commitment is hashed with
//     the transition's commodity, so a note of another commodity has another leaf and is
//     not found;
//   enabled = 0: quantityGrams = 0, emissionsGramsCo2e = 0, deforestationFree = 1 (neutral
//     in the sums and in the AND of the flags), nullifier = 0 (a disabled slot cannot
//     publish, and so burn, a real nullifier). Its secret, salt and path are unconstrained.

include "lot_note.circom";
include "merkle_inclusion.circom";
include "range_check.circom";

template LotInput(depth) {
    signal input root;
    signal input commodity;
    signal input enabled;
    signal input ownerSecret;
    signal input quantityGrams;
    signal input emissionsGramsCo2e;
    signal input deforestationFree;
    signal input salt;
    signal input pathIndices[depth];
    signal input siblings[depth];
    signal output nullifier;

    enabled * (enabled - 1) === 0;
    deforestationFree * (deforestationFree - 1) === 0;

    component quantityRange = RangeCheck(LOT_QUANTITY_BITS());
    quantityRange.in <== quantityGrams;
    component emissionsRange = RangeCheck(LOT_EMISSIONS_BITS());
    emissionsRange.in <== emissionsGramsCo2e;

    // A disabled slot is neutral: nothing to sum, and true for the AND of the flags.
    quantityGrams * (1 - enabled) === 0;
    emissionsGramsCo2e * (1 - enabled) === 0;
    (1 - deforestationFree) * (1 - enabled) === 0;

    component key = OwnerKey();
    key.ownerSecret <== ownerSecret;

    component note = LotNoteCommitment();
    note.ownerKey <== key.ownerKey;
    note.commodity <== commodity;
    note.quantityGrams <== quantityGrams;
    note.emissionsGramsCo2e <== emissionsGramsCo2e;
    note.deforestationFree <== deforestationFree;
    note.salt <== salt;

    component inclusion = MerkleInclusion(depth);
    inclusion.leaf <== note.commitment;
    for (var k = 0; k < depth; k++) {
        inclusion.pathIndices[k] <== pathIndices[k];
        inclusion.siblings[k] <== siblings[k];
    }
    enabled * (inclusion.root - root) === 0;

    component nf = NoteNullifier();
    nf.commitment <== note.commitment;
    nf.ownerSecret <== ownerSecret;
    nullifier <== enabled * nf.nullifier;
}
