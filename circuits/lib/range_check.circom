pragma circom 2.1.9;

// Range checks and comparisons of bounded unsigned integers. The five templates share
// one file (against the one-template-per-file rule) because they are one gadget: the
// comparisons are a range check on each operand plus circomlib's LessThan.
//
// Field bound: r ≈ 2^253.6. Num2Bits(n) proves in = Σ b_i·2^i with binary b_i; for
// n ≤ 253 that sum is < 2^253 < r, so it cannot wrap and `in < 2^n` follows. For n ≥ 254
// two bit strings can name the same field element (x and x + r both fit), so the check
// aliases. These templates refuse n > 252 at compile time: 252 leaves room for the
// n + 1 bits the comparisons decompose, and equals MAX_UINT_BITS in core/field.ts.
//
// Why not circomlib's LessThan directly: LessThan(n) decomposes in[0] + 2^n − in[1] into
// n + 1 bits and reads the top bit. It assumes both operands are < 2^n and does NOT check
// it. With in[0] = r − 1 ("−1") and in[1] = 5 it outputs 1, and a prover who may choose
// operands ≥ 2^n can make it say whatever the wrapped arithmetic says. The *Bounded
// templates below range-check both operands first, so their output is the true integer
// comparison and any operand ≥ 2^n makes the witness unsatisfiable.

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

// in < 2^n, 1 ≤ n ≤ 252. n constraints.
template RangeCheck(n) {
    assert(n >= 1 && n <= 252);
    signal input in;

    component bits = Num2Bits(n);
    bits.in <== in;
}

// out = (in[0] < in[1]); fails unless both operands are < 2^n.
template LessThanBounded(n) {
    assert(n >= 1 && n <= 252);
    signal input in[2];
    signal output out;

    component range[2];
    for (var i = 0; i < 2; i++) {
        range[i] = RangeCheck(n);
        range[i].in <== in[i];
    }
    component lt = LessThan(n);
    lt.in[0] <== in[0];
    lt.in[1] <== in[1];
    out <== lt.out;
}

// out = (in[0] ≤ in[1]); fails unless both operands are < 2^n.
template LessEqThanBounded(n) {
    assert(n >= 1 && n <= 252);
    signal input in[2];
    signal output out;

    component range[2];
    for (var i = 0; i < 2; i++) {
        range[i] = RangeCheck(n);
        range[i].in <== in[i];
    }
    // a ≤ b ⇔ a < b + 1. With a, b < 2^n, b + 1 ≤ 2^n and a + 2^n − (b + 1) lies in
    // [0, 2^(n+1)), the n + 1 bits LessThan(n) decomposes, so no wrap.
    component lt = LessThan(n);
    lt.in[0] <== in[0];
    lt.in[1] <== in[1] + 1;
    out <== lt.out;
}

// out = (in[0] > in[1]); fails unless both operands are < 2^n.
template GreaterThanBounded(n) {
    signal input in[2];
    signal output out;

    component lt = LessThanBounded(n);
    lt.in[0] <== in[1];
    lt.in[1] <== in[0];
    out <== lt.out;
}

// out = (in[0] ≥ in[1]); fails unless both operands are < 2^n.
template GreaterEqThanBounded(n) {
    signal input in[2];
    signal output out;

    component le = LessEqThanBounded(n);
    le.in[0] <== in[1];
    le.in[1] <== in[0];
    out <== le.out;
}
