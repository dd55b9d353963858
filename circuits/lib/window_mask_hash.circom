pragma circom 2.1.9;

// WindowMaskHash(side): the hash of a window's pixel mask, side × side bits row-major;
// the circuit twin of windowMaskHash in core/circuits/plot-window.ts.
//
//   e_i  = Σ_{j < 248} mask[248·i + j] · 2^j            n = ⌈side² / 248⌉ elements
//          (bit i of the window is bit i mod 8 of byte ⌊i/8⌋ packed 31 bytes per element,
//           the layout of core/geo/plot-mask.ts and core/pack-bytes.ts)
//   hash = Poseidon(TAG_PLOT_MASK(), side, e_0, …, e_{n−1})          n ≤ 14
//        = Poseidon(TAG_PLOT_MASK(), side, HashChain(n)(e))          n > 14
//
// Precondition: every mask bit is constrained to {0, 1} by the caller (MaskedLessThan
// does it). Then each e_i < 2^248 < r is the unique packing of its bits: two masks
// cannot share elements. `side` fixes n and which branch is taken, so the two forms never
// meet on one window size; it is hashed so the hash also binds the window size (and with
// it the block level a window's index refers to). The chain's zero padding is harmless
// for the same reason: n is fixed by side.
// Cost: the e_i are linear (no constraint); one Poseidon(n + 2), or ⌈n/14⌉ Poseidon(16)
// and one Poseidon(3): 291 constraints at side 16, 375 at 32, 1431 at 64.

include "circomlib/circuits/poseidon.circom";
include "domain_tags.circom";
include "hash_chain.circom";

function WINDOW_MASK_BITS_PER_ELEMENT() { return 248; }
function WINDOW_MASK_DIRECT_MAX() { return 14; }

template WindowMaskHash(side) {
    assert(side >= 1);
    var nBits = side * side;
    var W = WINDOW_MASK_BITS_PER_ELEMENT();
    var n = (nBits + W - 1) \ W;
    signal input mask[nBits];
    signal output hash;

    signal elements[n];
    for (var i = 0; i < n; i++) {
        var e = 0;
        for (var j = 0; j < W && W * i + j < nBits; j++) e += mask[W * i + j] * (1 << j);
        elements[i] <== e;
    }

    if (n <= WINDOW_MASK_DIRECT_MAX()) {
        component h = Poseidon(n + 2);
        h.inputs[0] <== TAG_PLOT_MASK();
        h.inputs[1] <== side;
        for (var i = 0; i < n; i++) h.inputs[2 + i] <== elements[i];
        hash <== h.out;
    } else {
        component chain = HashChain(n);
        for (var i = 0; i < n; i++) chain.in[i] <== elements[i];
        component h = Poseidon(3);
        h.inputs[0] <== TAG_PLOT_MASK();
        h.inputs[1] <== side;
        h.inputs[2] <== chain.out;
        hash <== h.out;
    }
}
