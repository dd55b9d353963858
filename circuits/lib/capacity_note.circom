pragma circom 2.1.9;

// CapacityNoteCommitment(): the harvest capacity note of docs/lots.md, a leaf of the lots
// tree; core/lots/capacity-note.ts is the JS side.
//
//   capacity = Poseidon(TAG_CAPACITY_NOTE(), ownerKey, commodity, harvestYear,
//                       capacityGrams, salt)                                    Poseidon(6)
//
// Its owner key and nullifier are those of a lot note (OwnerKey, NoteNullifier in
// lot_note.circom); the distinct tag keeps a capacity note from ever opening as a lot note
// and back. Hashes only: callers range-check.

include "circomlib/circuits/poseidon.circom";
include "domain_tags.circom";

// Calendar year of the harvest, < 2^16.
function CAPACITY_HARVEST_YEAR_BITS() { return 16; }

template CapacityNoteCommitment() {
    signal input ownerKey;
    signal input commodity;
    signal input harvestYear;
    signal input capacityGrams;
    signal input salt;
    signal output commitment;

    component h = Poseidon(6);
    h.inputs[0] <== TAG_CAPACITY_NOTE();
    h.inputs[1] <== ownerKey;
    h.inputs[2] <== commodity;
    h.inputs[3] <== harvestYear;
    h.inputs[4] <== capacityGrams;
    h.inputs[5] <== salt;
    commitment <== h.out;
}
