pragma circom 2.1.9;

// LotMint(): a well-formed lot note with no deforestation claim (deforestationFree = 0).
// docs/lots.md is the specification; the JS twin is core/circuits/lot-mint.ts.
//
// Public input (the only public signal): outCommitment, the new lots-tree leaf. The
// registry appends it; nothing else about the lot is revealed.
// Private: the note's opening ownerKey, commodity, quantityGrams, emissionsGramsCo2e,
// deforestationFree, salt.
//
// Constraints: deforestationFree = 0 (a deforestation-free lot comes only from capacity,
// CapacityMint); commodity < 2^20, quantityGrams < 2^48, emissionsGramsCo2e < 2^64, so
// the note can be summed by later transitions without wrapping; outCommitment is the
// commitment of exactly this opening. The quantity and carbon figures themselves are the
// accredited supplier's declaration: binding (committed), not true by proof.

include "lib/lot_note.circom";
include "lib/range_check.circom";

template LotMint() {
    // Public input.
    signal input outCommitment;
    // Private inputs.
    signal input ownerKey;
    signal input commodity;
    signal input quantityGrams;
    signal input emissionsGramsCo2e;
    signal input deforestationFree;
    signal input salt;

    deforestationFree === 0;

    component commodityRange = RangeCheck(LOT_COMMODITY_BITS());
    commodityRange.in <== commodity;
    component quantityRange = RangeCheck(LOT_QUANTITY_BITS());
    quantityRange.in <== quantityGrams;
    component emissionsRange = RangeCheck(LOT_EMISSIONS_BITS());
    emissionsRange.in <== emissionsGramsCo2e;

    component note = LotNoteCommitment();
    note.ownerKey <== ownerKey;
    note.commodity <== commodity;
    note.quantityGrams <== quantityGrams;
    note.emissionsGramsCo2e <== emissionsGramsCo2e;
    note.deforestationFree <== deforestationFree;
    note.salt <== salt;
    outCommitment === note.commitment;
}
