pragma circom 2.1.9;

// Bytes ↔ field elements, little-endian, as core/pack-bytes.ts packs them. The three
// templates share one file because they are one encoding, read in both directions:
//   a byte string is split into chunks of 31 bytes (the last may be shorter);
//   chunk i holds bytes [31i, 31i + 31) and byte j of a chunk has weight 256^j.
//
// Soundness: every byte is range-checked to 8 bits, and a chunk has at most 31 bytes, so
// Σ byte_j·256^j < 256^31 = 2^248 < r. The sum cannot wrap modulo r, which makes the
// bytes of an element unique: a prover cannot swap in a byte ≥ 256 (or a "negative"
// byte r − k) and rebalance the others to hit the same element. The same bound makes
// UnpackBytes fail for any element ≥ 256^nBytes.

include "range_check.circom";

// One element → nBytes bytes, 1 ≤ nBytes ≤ 31. Fails if in ≥ 256^nBytes.
// 8·nBytes constraints + 1 linear (which --O2 folds away when `in` is itself eliminable).
template UnpackBytes(nBytes) {
    assert(nBytes >= 1 && nBytes <= 31);
    signal input in;
    signal output out[nBytes];

    component range[nBytes];
    var sum = 0;
    for (var j = 0; j < nBytes; j++) {
        // Computed outside the constraints, then pinned down by the range check and the sum.
        out[j] <-- (in >> (8 * j)) & 255;
        range[j] = RangeCheck(8);
        range[j].in <== out[j];
        sum += out[j] * (1 << (8 * j));
    }
    sum === in;
}

// nBytes bytes → one element, 1 ≤ nBytes ≤ 31. Fails if a byte is ≥ 256.
// 8·nBytes constraints + 1 linear.
template PackBytes(nBytes) {
    assert(nBytes >= 1 && nBytes <= 31);
    signal input in[nBytes];
    signal output out;

    component range[nBytes];
    var sum = 0;
    for (var j = 0; j < nBytes; j++) {
        range[j] = RangeCheck(8);
        range[j].in <== in[j];
        sum += in[j] * (1 << (8 * j));
    }
    out <== sum;
}

// ceil(nBytes / 31) elements → nBytes bytes: chunk i is unpacked into bytes [31i, 31i + 31).
// The last chunk holds nBytes − 31·(chunks − 1) bytes and must be below 256^that.
template UnpackByteString(nBytes) {
    assert(nBytes >= 1);
    var chunks = (nBytes + 30) \ 31;
    signal input in[chunks];
    signal output out[nBytes];

    component unpack[chunks];
    for (var i = 0; i < chunks; i++) {
        var len = nBytes - 31 * i < 31 ? nBytes - 31 * i : 31;
        unpack[i] = UnpackBytes(len);
        unpack[i].in <== in[i];
        for (var j = 0; j < len; j++) {
            out[31 * i + j] <== unpack[i].out[j];
        }
    }
}
