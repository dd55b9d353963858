pragma circom 2.1.9;

// LotOutput(): one output slot of LotTransition. An enabled slot creates a lot note; a
// disabled slot creates nothing. Mirrors the output rules of docs/lots.md.
//
// Inputs:  commodity                  from the transition (public outCommodity)
//          enabled                    1 = the slot creates a note, 0 = unused
//          ownerKey, quantityGrams, emissionsGramsCo2e, deforestationFree, salt
//                                     the new note's opening (the recipient's key)
// Output:  commitment                 enabled · the note's commitment (0 when disabled)
//
// Constraints:
//   enabled ∈ {0, 1}, deforestationFree ∈ {0, 1};
//   quantityGrams < 2^48, emissionsGramsCo2e < 2^64 (fresh values: every note in the tree
//     must be in range, since a later transition sums them);
//   enabled = 0: quantityGrams = 0 and emissionsGramsCo2e = 0. Without this a disabled
//     slot could absorb emissions (Σ out E ≥ E met by a note that is never created) or
//     hide mass; with it, a disabled slot adds nothing to any sum.
// The rules that relate outputs to inputs (mass, emissions, flags) are LotTransition's.

include "lot_note.circom";
include "range_check.circom";

template LotOutput() {
    signal input commodity;
    signal input enabled;
    signal input ownerKey;
    signal input quantityGrams;
    signal input emissionsGramsCo2e;
    signal input deforestationFree;
    signal input salt;
    signal output commitment;

    enabled * (enabled - 1) === 0;
    deforestationFree * (deforestationFree - 1) === 0;

    component quantityRange = RangeCheck(LOT_QUANTITY_BITS());
    quantityRange.in <== quantityGrams;
    component emissionsRange = RangeCheck(LOT_EMISSIONS_BITS());
    emissionsRange.in <== emissionsGramsCo2e;

    quantityGrams * (1 - enabled) === 0;
    emissionsGramsCo2e * (1 - enabled) === 0;

    component note = LotNoteCommitment();
    note.ownerKey <== ownerKey;
    note.commodity <== commodity;
    note.quantityGrams <== quantityGrams;
    note.emissionsGramsCo2e <== emissionsGramsCo2e;
    note.deforestationFree <== deforestationFree;
    note.salt <== salt;
    commitment <== enabled * note.commitment;
}
