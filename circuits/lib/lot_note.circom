pragma circom 2.1.9;

// The lot note of docs/lots.md as the circuits hash it; core/lots/note.ts is the JS side.
//
//   ownerKey   = Poseidon(TAG_OWNER_KEY(), ownerSecret)                          Poseidon(2)
//   commitment = Poseidon(TAG_LOT_NOTE(), ownerKey, commodity, quantityGrams,
//                         emissionsGramsCo2e, deforestationFree, salt)           Poseidon(7)
//   nullifier  = Poseidon(TAG_NULLIFIER(), commitment, ownerSecret)              Poseidon(3)
//
// Three templates in one file (against the one-template-per-file rule) because they are
// one object: the note's key, commitment and nullifier are defined together and change
// together. `NoteNullifier` also serves capacity notes (capacity_note.circom), whose
// nullifiers live in the same set.
//
// The field widths below are the ranges of docs/lots.md, equal to the constants of
// core/lots/note.ts (the tests check both sides at 2^bits − 1 and 2^bits). These
// templates only hash: they bind whatever field elements they are given. Range checks are
// the caller's, who knows which fields arrive fresh (outputs, mints) and which come from
// a note already in the tree.

include "circomlib/circuits/poseidon.circom";
include "domain_tags.circom";

// HS code as an integer: six digits < 10^6 < 2^20.
function LOT_COMMODITY_BITS() { return 20; }
// Grams: < 2^48 g ≈ 281,000 t per note.
function LOT_QUANTITY_BITS() { return 48; }
// Grams CO2e of the whole lot.
function LOT_EMISSIONS_BITS() { return 64; }
// Numerator and denominator of a public conversion factor (e.g. 1/5).
function LOT_FACTOR_BITS() { return 32; }
// Most input slots of one transition; keeps every sum in LotTransition far below r.
function LOT_MAX_INPUTS() { return 16; }

// ownerKey = Poseidon(TAG_OWNER_KEY, ownerSecret): who may spend.
template OwnerKey() {
    signal input ownerSecret;
    signal output ownerKey;

    component h = Poseidon(2);
    h.inputs[0] <== TAG_OWNER_KEY();
    h.inputs[1] <== ownerSecret;
    ownerKey <== h.out;
}

// commitment = Poseidon(TAG_LOT_NOTE, ownerKey, commodity, quantityGrams,
//                       emissionsGramsCo2e, deforestationFree, salt): the lots-tree leaf.
template LotNoteCommitment() {
    signal input ownerKey;
    signal input commodity;
    signal input quantityGrams;
    signal input emissionsGramsCo2e;
    signal input deforestationFree;
    signal input salt;
    signal output commitment;

    component h = Poseidon(7);
    h.inputs[0] <== TAG_LOT_NOTE();
    h.inputs[1] <== ownerKey;
    h.inputs[2] <== commodity;
    h.inputs[3] <== quantityGrams;
    h.inputs[4] <== emissionsGramsCo2e;
    h.inputs[5] <== deforestationFree;
    h.inputs[6] <== salt;
    commitment <== h.out;
}

// nullifier = Poseidon(TAG_NULLIFIER, commitment, ownerSecret). The leaf position is not
// hashed: a commitment appended twice still has one nullifier, so it backs one spend.
template NoteNullifier() {
    signal input commitment;
    signal input ownerSecret;
    signal output nullifier;

    component h = Poseidon(3);
    h.inputs[0] <== TAG_NULLIFIER();
    h.inputs[1] <== commitment;
    h.inputs[2] <== ownerSecret;
    nullifier <== h.out;
}
