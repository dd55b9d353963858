pragma circom 2.1.9;

// LotTransition(depth, nIn): spend up to nIn lot notes of the lots tree and create up to
// two (transfer, merge, split, process), keeping mass, emissions and the
// deforestation-free flag honest. docs/lots.md is the specification; the JS twin
// (witness input, public signal order, the outputs a valid transition must have) is
// core/circuits/lot-transition.ts. Configured in circuits/circuits.json.
//
// Public inputs, in this declaration order (= snarkjs order; the circuit has no outputs):
//   root                 lots-tree root the inputs are proven under
//   nullifiers[nIn]      one per slot; 0 for a disabled slot
//   outCommitments[2]    one per output slot; 0 for a disabled slot
//   inCommodity          HS code of every input
//   outCommodity         HS code of every output
//   factorNum, factorDen conversion factor: Σ out grams ≤ Σ in grams · factorNum / factorDen
// Private: per input slot (LotInput) enabled, opening, path; per output slot (LotOutput)
// enabled, opening; addedEmissionsGramsCo2e (the prover's own processing and transport).
//
// Rules (docs/lots.md, "Circuits"):
//   1. enabled inputs are in the tree with their nullifiers (LotInput); enabled nullifiers
//      are pairwise distinct; at least one input is enabled;
//   2. inputs have inCommodity, outputs outCommodity (both hashed into the commitments);
//      inCommodity = outCommodity forces factorNum = factorDen (a plain transfer cannot
//      scale mass); factorDen ≠ 0;
//   3. mass:        Σ outQ · factorDen ≤ Σ inQ · factorNum;
//   4. emissions:   E = Σ inE + addedE; Σ outE ≥ E; for every output j
//                   outE_j · Σ outQ ≥ E · outQ_j (no output below the average intensity);
//   5. deforestationFree_out_j ≤ AND of the input flags (disabled inputs count as 1);
//   6. every quantity, emission, commodity and factor is range-checked before it is
//      summed, multiplied or compared (bounds below);
//   7. disabled outputs publish 0 and carry 0 g, 0 g CO2e (LotOutput).
//
// Bounds (nIn ≤ 16, Q = 48, E = 64, F = 32 bits), so no sum or product wraps r ≈ 2^253.6:
//   Σ inQ < 16·2^48 = 2^52           Σ inQ · factorNum < 2^84       (MASS_BITS = 84)
//   Σ outQ < 2·2^48 = 2^49           Σ outQ · factorDen < 2^81
//   E = Σ inE + addedE < 17·2^64 < 2^69, Σ outE < 2^65              (TOTAL_E_BITS = 69)
//   outE_j · Σ outQ < 2^64·2^49 = 2^113, E · outQ_j < 2^69·2^48 = 2^117 (ALLOC_BITS = 117)
// Each comparison is AssertLessEqPrechecked at these widths.
//
// Constraints (measured, docs/circuits.md): nIn·(260·depth + 992) + nIn² + 1557, e.g.
// 5 625 at (4, 2), 15 941 at (10, 4) (fits the 2^14 ptau), 76 117 at (32, 8).

include "circomlib/circuits/comparators.circom";
include "lib/assert_less_eq.circom";
include "lib/lot_input.circom";
include "lib/lot_note.circom";
include "lib/lot_output.circom";
include "lib/range_check.circom";

template LotTransition(depth, nIn) {
    assert(depth >= 1);
    assert(nIn >= 1 && nIn <= LOT_MAX_INPUTS());
    var nOut = 2;
    var Q = LOT_QUANTITY_BITS();
    var E = LOT_EMISSIONS_BITS();
    var F = LOT_FACTOR_BITS();
    var MASS_BITS = Q + 4 + F;
    var TOTAL_E_BITS = E + 5;
    var ALLOC_BITS = TOTAL_E_BITS + Q;

    // Public inputs. Declared first and in this order: circom numbers public inputs by
    // declaration, and LOT_TRANSITION_PUBLIC_SIGNALS relies on it.
    signal input root;
    signal input nullifiers[nIn];
    signal input outCommitments[nOut];
    signal input inCommodity;
    signal input outCommodity;
    signal input factorNum;
    signal input factorDen;
    // Private inputs: input slots.
    signal input inEnabled[nIn];
    signal input inOwnerSecret[nIn];
    signal input inQuantityGrams[nIn];
    signal input inEmissionsGramsCo2e[nIn];
    signal input inDeforestationFree[nIn];
    signal input inSalt[nIn];
    signal input inPathIndices[nIn][depth];
    signal input inSiblings[nIn][depth];
    // Private inputs: output slots.
    signal input outEnabled[nOut];
    signal input outOwnerKey[nOut];
    signal input outQuantityGrams[nOut];
    signal input outEmissionsGramsCo2e[nOut];
    signal input outDeforestationFree[nOut];
    signal input outSalt[nOut];
    // Private input: the prover's own emissions.
    signal input addedEmissionsGramsCo2e;

    // Rules 2 and 6 on the public parameters.
    component inCommodityRange = RangeCheck(LOT_COMMODITY_BITS());
    inCommodityRange.in <== inCommodity;
    component outCommodityRange = RangeCheck(LOT_COMMODITY_BITS());
    outCommodityRange.in <== outCommodity;
    component factorNumRange = RangeCheck(F);
    factorNumRange.in <== factorNum;
    component factorDenRange = RangeCheck(F);
    factorDenRange.in <== factorDen;
    // factorDen ≠ 0: with 0, Σ outQ · 0 ≤ anything, and mass would be unbounded.
    signal factorDenInv <-- factorDen != 0 ? 1 / factorDen : 0;
    factorDen * factorDenInv === 1;
    // Same commodity ⇒ factor 1: only a change of commodity (a processing rule the
    // verifier looks up) may scale mass.
    component sameCommodity = IsZero();
    sameCommodity.in <== inCommodity - outCommodity;
    sameCommodity.out * (factorNum - factorDen) === 0;

    // Rules 1, 2, 6 per input slot; sums and the AND of the flags.
    component inputs[nIn];
    var sumInQ = 0;
    var sumInE = 0;
    var sumEnabled = 0;
    signal allFree[nIn];
    for (var i = 0; i < nIn; i++) {
        inputs[i] = LotInput(depth);
        inputs[i].root <== root;
        inputs[i].commodity <== inCommodity;
        inputs[i].enabled <== inEnabled[i];
        inputs[i].ownerSecret <== inOwnerSecret[i];
        inputs[i].quantityGrams <== inQuantityGrams[i];
        inputs[i].emissionsGramsCo2e <== inEmissionsGramsCo2e[i];
        inputs[i].deforestationFree <== inDeforestationFree[i];
        inputs[i].salt <== inSalt[i];
        for (var k = 0; k < depth; k++) {
            inputs[i].pathIndices[k] <== inPathIndices[i][k];
            inputs[i].siblings[k] <== inSiblings[i][k];
        }
        nullifiers[i] === inputs[i].nullifier;

        sumInQ += inQuantityGrams[i];
        sumInE += inEmissionsGramsCo2e[i];
        sumEnabled += inEnabled[i];
        // Flags are binary (LotInput), so the running product is their AND.
        if (i == 0) {
            allFree[i] <== inDeforestationFree[i];
        } else {
            allFree[i] <== allFree[i - 1] * inDeforestationFree[i];
        }
    }

    // Rule 1: at least one input (Σ enabled ∈ [0, nIn] is 0 only if none is enabled).
    signal sumEnabledInv <-- sumEnabled != 0 ? 1 / sumEnabled : 0;
    sumEnabled * sumEnabledInv === 1;

    // Rule 1: one note cannot fill two slots. (N_i − N_j) · inv = e_i · e_j: with both
    // enabled the difference needs an inverse, so it is non-zero; otherwise inv = 0 holds.
    var nPairs = nIn * (nIn - 1) \ 2;
    signal bothEnabled[nPairs];
    signal nullifierDiffInv[nPairs];
    var p = 0;
    for (var i = 0; i < nIn; i++) {
        for (var j = i + 1; j < nIn; j++) {
            bothEnabled[p] <== inEnabled[i] * inEnabled[j];
            // Witness only: with both enabled the inverse must exist; otherwise 0 satisfies.
            nullifierDiffInv[p] <-- bothEnabled[p] == 1 && nullifiers[i] != nullifiers[j] ? 1 / (nullifiers[i] - nullifiers[j]) : 0;
            (nullifiers[i] - nullifiers[j]) * nullifierDiffInv[p] === bothEnabled[p];
            p++;
        }
    }

    // Rules 2, 6, 7 per output slot.
    component outputs[nOut];
    var sumOutQ = 0;
    var sumOutE = 0;
    for (var j = 0; j < nOut; j++) {
        outputs[j] = LotOutput();
        outputs[j].commodity <== outCommodity;
        outputs[j].enabled <== outEnabled[j];
        outputs[j].ownerKey <== outOwnerKey[j];
        outputs[j].quantityGrams <== outQuantityGrams[j];
        outputs[j].emissionsGramsCo2e <== outEmissionsGramsCo2e[j];
        outputs[j].deforestationFree <== outDeforestationFree[j];
        outputs[j].salt <== outSalt[j];
        outCommitments[j] === outputs[j].commitment;

        sumOutQ += outQuantityGrams[j];
        sumOutE += outEmissionsGramsCo2e[j];
        // Rule 5: a flag may only be 1 if every input's is (both binary).
        outDeforestationFree[j] * (1 - allFree[nIn - 1]) === 0;
    }

    // Rule 3: Σ outQ · factorDen ≤ Σ inQ · factorNum, both < 2^MASS_BITS.
    signal massIn <== sumInQ * factorNum;
    signal massOut <== sumOutQ * factorDen;
    component mass = AssertLessEqPrechecked(MASS_BITS);
    mass.a <== massOut;
    mass.b <== massIn;

    // Rule 4: E = Σ inE + addedE, then nothing dropped and no output below average.
    component addedRange = RangeCheck(E);
    addedRange.in <== addedEmissionsGramsCo2e;
    signal totalEmissions <== sumInE + addedEmissionsGramsCo2e;
    component conserved = AssertLessEqPrechecked(TOTAL_E_BITS);
    conserved.a <== totalEmissions;
    conserved.b <== sumOutE;

    signal sumOutQuantity <== sumOutQ;
    signal allocated[nOut];
    signal fairShare[nOut];
    component intensity[nOut];
    for (var j = 0; j < nOut; j++) {
        // outE_j / outQ_j ≥ E / Σ outQ, cross-multiplied; both sides < 2^ALLOC_BITS.
        allocated[j] <== outEmissionsGramsCo2e[j] * sumOutQuantity;
        fairShare[j] <== totalEmissions * outQuantityGrams[j];
        intensity[j] = AssertLessEqPrechecked(ALLOC_BITS);
        intensity[j].a <== fairShare[j];
        intensity[j].b <== allocated[j];
    }
}
