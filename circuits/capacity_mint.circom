pragma circom 2.1.9;

// CapacityMint(depth): mint a deforestation-free lot by spending harvest capacity, and
// return the rest as a new capacity note of the same owner, year and commodity.
// docs/lots.md is the specification; the JS twin is core/circuits/capacity-mint.ts.
//
// Public inputs, in this declaration order (= snarkjs order; no outputs):
//   root                 lots-tree root the capacity note is proven under
//   capacityNullifier    nullifier of the spent capacity note (same set as lot nullifiers)
//   lotCommitment        the new lot note, deforestationFree = 1
//   remainderCommitment  the new capacity note holding capacityGrams − lotQuantityGrams
// Private: the capacity note's opening (ownerSecret, commodity, harvestYear,
// capacityGrams, capacitySalt) and path; the lot's ownerKey, quantity, emissions, salt;
// the remainder's salt.
//
// Constraints:
//   the capacity note, hashed from its opening, is in the tree under root, and its
//     nullifier is capacityNullifier (so it is spent at most once);
//   capacityGrams, lotQuantityGrams < 2^48, lotEmissionsGramsCo2e < 2^64;
//   remainder = capacityGrams − lotQuantityGrams < 2^48: with both operands < 2^48 this
//     is exactly lotQuantityGrams ≤ capacityGrams (a negative remainder is r − x ≥ 2^48);
//   lotCommitment = LotNote(lotOwnerKey, commodity, lotQuantityGrams,
//     lotEmissionsGramsCo2e, 1, lotSalt): the capacity's commodity, flag 1;
//   remainderCommitment = CapacityNote(ownerKey of ownerSecret, commodity, harvestYear,
//     remainder, remainderSalt): same owner, commodity and year, never chosen freely.
// The lot may go to any owner key (the minter's own or a buyer's).

include "lib/capacity_note.circom";
include "lib/lot_note.circom";
include "lib/merkle_inclusion.circom";
include "lib/range_check.circom";

template CapacityMint(depth) {
    assert(depth >= 1);

    // Public inputs. Declared first and in this order: CAPACITY_MINT_PUBLIC_SIGNALS relies on it.
    signal input root;
    signal input capacityNullifier;
    signal input lotCommitment;
    signal input remainderCommitment;
    // Private inputs: the capacity note spent.
    signal input ownerSecret;
    signal input commodity;
    signal input harvestYear;
    signal input capacityGrams;
    signal input capacitySalt;
    signal input pathIndices[depth];
    signal input siblings[depth];
    // Private inputs: the lot minted and the remainder's salt.
    signal input lotOwnerKey;
    signal input lotQuantityGrams;
    signal input lotEmissionsGramsCo2e;
    signal input lotSalt;
    signal input remainderSalt;

    component capacityRange = RangeCheck(LOT_QUANTITY_BITS());
    capacityRange.in <== capacityGrams;
    component quantityRange = RangeCheck(LOT_QUANTITY_BITS());
    quantityRange.in <== lotQuantityGrams;
    component emissionsRange = RangeCheck(LOT_EMISSIONS_BITS());
    emissionsRange.in <== lotEmissionsGramsCo2e;

    component key = OwnerKey();
    key.ownerSecret <== ownerSecret;

    component capacity = CapacityNoteCommitment();
    capacity.ownerKey <== key.ownerKey;
    capacity.commodity <== commodity;
    capacity.harvestYear <== harvestYear;
    capacity.capacityGrams <== capacityGrams;
    capacity.salt <== capacitySalt;

    component inclusion = MerkleInclusion(depth);
    inclusion.leaf <== capacity.commitment;
    for (var k = 0; k < depth; k++) {
        inclusion.pathIndices[k] <== pathIndices[k];
        inclusion.siblings[k] <== siblings[k];
    }
    root === inclusion.root;

    component nf = NoteNullifier();
    nf.commitment <== capacity.commitment;
    nf.ownerSecret <== ownerSecret;
    capacityNullifier === nf.nullifier;

    // quantity ≤ capacity, and the remainder is a valid capacity of its own.
    signal remainderGrams <== capacityGrams - lotQuantityGrams;
    component remainderRange = RangeCheck(LOT_QUANTITY_BITS());
    remainderRange.in <== remainderGrams;

    component lot = LotNoteCommitment();
    lot.ownerKey <== lotOwnerKey;
    lot.commodity <== commodity;
    lot.quantityGrams <== lotQuantityGrams;
    lot.emissionsGramsCo2e <== lotEmissionsGramsCo2e;
    lot.deforestationFree <== 1;
    lot.salt <== lotSalt;
    lotCommitment === lot.commitment;

    component remainder = CapacityNoteCommitment();
    remainder.ownerKey <== key.ownerKey;
    remainder.commodity <== commodity;
    remainder.harvestYear <== harvestYear;
    remainder.capacityGrams <== remainderGrams;
    remainder.salt <== remainderSalt;
    remainderCommitment === remainder.commitment;
}
