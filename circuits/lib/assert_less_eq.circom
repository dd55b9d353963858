pragma circom 2.1.9;

// AssertLessEqPrechecked(n): constrains a ≤ b for operands the caller has ALREADY bounded
// below 2^n, in n constraints (LessEqThanBounded(n) spends 3n + 1 re-checking them).
//
// Precondition (the caller's invariant, not checked here): 0 ≤ a, b < 2^n as integers,
// e.g. because each is a product or sum of range-checked values whose bound the caller
// states next to the instance.
//
// Soundness, given the precondition and 1 ≤ n ≤ 252: the constraint is b − a ∈ [0, 2^n).
//   a ≤ b: b − a ∈ [0, 2^n), a true integer, passes.
//   a > b: b − a ∈ (−2^n, 0), which the field holds as r − (a − b) > r − 2^n ≥ 2^n
//          (r > 2^253 ≥ 2^(n+1)), so the range check fails. No wrap can rescue it.
// Without the precondition it proves nothing (a = r − 1, b = 0 passes), which is why the
// name says so.

include "range_check.circom";

template AssertLessEqPrechecked(n) {
    assert(n >= 1 && n <= 252);
    signal input a;
    signal input b;

    component diff = RangeCheck(n);
    diff.in <== b - a;
}
