pragma circom 2.1.9;

// HashChain(n): the digest of n field elements longer than one Poseidon call; the circuit
// twin of chainDigest in core/geo/_hash-chain.ts.
//
//   blocks  = the elements in blocks of 14, the last zero-padded to 14
//   s_0     = 0
//   s_{j+1} = Poseidon(TAG_SEQUENCE(), s_j, block_j[0], …, block_j[13])     Poseidon(16)
//   out     = s_⌈n/14⌉
//
// The padding means sequences differing only in trailing zeros of the last block collide:
// callers bind n in their own final hash (n is a template parameter, fixed per circuit).

include "circomlib/circuits/poseidon.circom";
include "domain_tags.circom";

function HASH_CHAIN_BLOCK() { return 14; }

template HashChain(n) {
    assert(n >= 1);
    var B = HASH_CHAIN_BLOCK();
    var blocks = (n + B - 1) \ B;
    signal input in[n];
    signal output out;

    component h[blocks];
    for (var j = 0; j < blocks; j++) {
        h[j] = Poseidon(2 + B);
        h[j].inputs[0] <== TAG_SEQUENCE();
        if (j == 0) {
            h[j].inputs[1] <== 0;
        } else {
            h[j].inputs[1] <== h[j - 1].out;
        }
        for (var i = 0; i < B; i++) {
            if (j * B + i < n) {
                h[j].inputs[2 + i] <== in[j * B + i];
            } else {
                h[j].inputs[2 + i] <== 0;
            }
        }
    }
    out <== h[blocks - 1].out;
}
