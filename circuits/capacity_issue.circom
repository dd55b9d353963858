pragma circom 2.1.9;

// CapacityIssue(plotsDepth): issue a plot's harvest capacity for one year as a capacity
// note, from a window attestation the prover owns in the plots tree.
// docs/lots.md is the specification (the attestation leaf: docs/attestations.md §3); the
// JS twin is core/circuits/capacity-issue.ts.
//
//   ownerKey        = Poseidon(TAG_OWNER_KEY(), ownerSecret)                  OwnerKey
//   attestationLeaf = Poseidon(TAG_PLOT_ATTESTATION(), geometryHash, datasetRoot, cutoffCode,
//                              blockIndex, windowMaskHash, pixelCount, ownerKey,
//                              attestationSalt)                               Poseidon(9)
//   plotsRoot       = MerkleInclusion(plotsDepth)(attestationLeaf, pathIndices, siblings)
//   issueTag        = Poseidon(TAG_CAPACITY_ISSUE(), attestationLeaf, harvestYear,
//                              ownerSecret)                                   Poseidon(4)
//   capacityGrams   = pixelCount · yieldCeilingGramsPerPixel
//   capacityCommitment = CapacityNote(ownerKey, commodity, harvestYear, capacityGrams,
//                                     capacitySalt)
//
// Public inputs, in this declaration order (= snarkjs order; no outputs):
//   plotsRoot                  the plots tree the attestation is proven in; the verifier
//                              accepts only a root the registry published
//   issueTag                   recorded in the nullifier set: one issue per (attestation, year)
//   harvestYear                the verifier accepts only the current or the previous year
//   commodity                  the verifier looks up its yield ceiling
//   yieldCeilingGramsPerPixel  the verifier checks it is that commodity's ceiling
//   cutoffCode                 the verifier checks it is the EUDR cut-off or earlier
//   capacityCommitment         the capacity note the registry appends to the lots tree
// Private: the attestation leaf's opening (geometryHash, datasetRoot, blockIndex,
// windowMaskHash, pixelCount, attestationSalt), ownerSecret, the leaf's path in the plots
// tree, and the capacity note's salt.
//
// Under-constrained signals, considered one by one:
//   ownerSecret      the owner key is derived from it here, never taken as an input, and
//                    hashed into the leaf: only the holder of the attestation's secret
//                    opens a leaf that is in the tree. The capacity note gets the same
//                    key, so only that holder can later spend it.
//   pixelCount       range-checked to 24 bits BEFORE it is multiplied: with
//                    yieldCeilingGramsPerPixel < 2^32 the product is < 2^56 < r and
//                    cannot wrap. Unchecked, pixelCount = C · y⁻¹ mod r (a field element
//                    of ~254 bits) would make the product exactly C for any C < 2^48, and
//                    the capacity's own range check would pass. A leaf made by PlotWindow
//                    has pixelCount ≤ S² ≤ 2^16; the check does not rely on that.
//   yieldCeilingGramsPerPixel  range-checked to 32 bits, for the same reason.
//   capacityGrams    the product, range-checked to 48 bits (a capacity note's width, so
//                    every lot drawn from it fits a lot note). Leaves of PlotWindow give
//                    at most 2^16 · (2^32 − 1) < 2^48, so the check refuses only a leaf
//                    PlotWindow did not make.
//   harvestYear      range-checked to 16 bits: capacity notes are not range-checked again
//                    when spent (CapacityMint copies the year verbatim).
//   commodity        range-checked to 20 bits, for the same reason.
//   cutoffCode, geometryHash, datasetRoot, blockIndex, windowMaskHash, attestationSalt
//                    bound by the leaf hash: any other value is another leaf, not in the
//                    tree. cutoffCode is not range-checked here: the leaf fixes it to the
//                    value PlotWindow range-checked to 8 bits, and the verifier compares
//                    the public value with the cut-off it accepts.
//   pathIndices      binary (MerkleInclusion); siblings are hashed up to plotsRoot.
//   issueTag         hashes the leaf, the year and the secret: the same attestation and
//                    year always give the same tag (the registry refuses the second), a
//                    year gives a tag of its own, and without the secret no one holding
//                    the public leaves can tell which attestation a tag belongs to.
//   capacitySalt     free, bound by the commitment: hides the capacity.

include "circomlib/circuits/poseidon.circom";
include "lib/capacity_note.circom";
include "lib/domain_tags.circom";
include "lib/lot_note.circom";
include "lib/merkle_inclusion.circom";
include "lib/range_check.circom";

// Bits of an attestation's pixelCount: PlotWindow has at most 256² = 2^16 pixels a window.
function CAPACITY_PIXEL_COUNT_BITS() { return 24; }
// Bits of the public yield ceiling, grams per pixel.
function CAPACITY_YIELD_BITS() { return 32; }

template CapacityIssue(plotsDepth) {
    assert(plotsDepth >= 1 && plotsDepth <= 32);

    // Public inputs. Declared first and in this order: CAPACITY_ISSUE_PUBLIC_SIGNALS relies on it.
    signal input plotsRoot;
    signal input issueTag;
    signal input harvestYear;
    signal input commodity;
    signal input yieldCeilingGramsPerPixel;
    signal input cutoffCode;
    signal input capacityCommitment;
    // Private inputs: the attestation leaf's opening, its owner's secret and its path.
    signal input geometryHash;
    signal input datasetRoot;
    signal input blockIndex;
    signal input windowMaskHash;
    signal input pixelCount;
    signal input attestationSalt;
    signal input ownerSecret;
    signal input pathIndices[plotsDepth];
    signal input siblings[plotsDepth];
    // Private input: the capacity note's salt.
    signal input capacitySalt;

    component yearRange = RangeCheck(CAPACITY_HARVEST_YEAR_BITS());
    yearRange.in <== harvestYear;
    component commodityRange = RangeCheck(LOT_COMMODITY_BITS());
    commodityRange.in <== commodity;
    component yieldRange = RangeCheck(CAPACITY_YIELD_BITS());
    yieldRange.in <== yieldCeilingGramsPerPixel;
    component pixelRange = RangeCheck(CAPACITY_PIXEL_COUNT_BITS());
    pixelRange.in <== pixelCount;

    component key = OwnerKey();
    key.ownerSecret <== ownerSecret;

    // The attestation leaf of docs/attestations.md §3, with the key derived above.
    component leaf = Poseidon(9);
    leaf.inputs[0] <== TAG_PLOT_ATTESTATION();
    leaf.inputs[1] <== geometryHash;
    leaf.inputs[2] <== datasetRoot;
    leaf.inputs[3] <== cutoffCode;
    leaf.inputs[4] <== blockIndex;
    leaf.inputs[5] <== windowMaskHash;
    leaf.inputs[6] <== pixelCount;
    leaf.inputs[7] <== key.ownerKey;
    leaf.inputs[8] <== attestationSalt;

    component inclusion = MerkleInclusion(plotsDepth);
    inclusion.leaf <== leaf.out;
    for (var k = 0; k < plotsDepth; k++) {
        inclusion.pathIndices[k] <== pathIndices[k];
        inclusion.siblings[k] <== siblings[k];
    }
    plotsRoot === inclusion.root;

    // One issue per (attestation, year).
    component tag = Poseidon(4);
    tag.inputs[0] <== TAG_CAPACITY_ISSUE();
    tag.inputs[1] <== leaf.out;
    tag.inputs[2] <== harvestYear;
    tag.inputs[3] <== ownerSecret;
    issueTag === tag.out;

    // pixelCount < 2^24 and yield < 2^32 (above), so the product is < 2^56 < r: the
    // integer product, which must then fit a capacity note.
    signal capacityGrams <== pixelCount * yieldCeilingGramsPerPixel;
    component capacityRange = RangeCheck(LOT_QUANTITY_BITS());
    capacityRange.in <== capacityGrams;

    component capacity = CapacityNoteCommitment();
    capacity.ownerKey <== key.ownerKey;
    capacity.commodity <== commodity;
    capacity.harvestYear <== harvestYear;
    capacity.capacityGrams <== capacityGrams;
    capacity.salt <== capacitySalt;
    capacityCommitment === capacity.commitment;
}
