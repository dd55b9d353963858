pragma circom 2.1.9;

// MaskedLessThan(n): if mask = 1 then value < bound. A pixel predicate in n + 2
// constraints, for operands the caller has ALREADY bounded below 2^n.
//
//   mask ∈ {0, 1}
//   d = mask · (bound − 1 − value)        one quadratic constraint
//   d < 2^n                               RangeCheck(n): n constraints
//
// Precondition (the caller's invariant, not checked here): 0 ≤ value < 2^n and
// 0 ≤ bound < 2^n as integers (e.g. value is a byte from UnpackBytes, bound a public input
// range-checked once by the caller). Then, for 1 ≤ n ≤ 251:
//   mask = 0: d = 0, which passes: an unmasked pixel may hold anything.
//   mask = 1, value < bound: d = bound − 1 − value ∈ [0, 2^n − 1), passes.
//   mask = 1, value ≥ bound: d = −(value − bound + 1) ∈ [−2^n, −1], which the field holds as
//          r − (value − bound + 1) ≥ r − 2^n > 2^n (r > 2^253), so the range check fails.
// Without the precondition it proves nothing (value = r − 1 reads as "−1 < bound").
// Compared with LessThanBounded(n) (3n + 1 constraints, plus a mask product) this re-checks
// neither operand: per pixel of a window that is the difference between 10 and 26.

include "range_check.circom";

template MaskedLessThan(n) {
    assert(n >= 1 && n <= 251);
    signal input mask;
    signal input value;
    signal input bound;

    mask * (mask - 1) === 0;
    signal d <== mask * (bound - 1 - value);
    component range = RangeCheck(n);
    range.in <== d;
}
