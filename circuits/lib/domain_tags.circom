pragma circom 2.1.9;

// Domain tags: the first input of every Poseidon hash in Canopy, one per kind of object.
// Generated from core/domain.ts by scripts/gen-domain-tags.ts; do not edit.
// Every tag is < 2^248 < r, so it is a canonical field element.

// "canopy/merkle-node" read as a big-endian integer.
function TAG_MERKLE_NODE() { return 8657270490541314248404258271144401917928549; }

// "canopy/member-leaf" read as a big-endian integer.
function TAG_MEMBER_LEAF() { return 8657270490541314248404165386949655808794982; }

// "canopy/dataset-tile" read as a big-endian integer.
function TAG_DATASET_TILE() { return 2216261245578576444801298586512408702465174629; }

// "canopy/plot-attestation" read as a big-endian integer.
function TAG_PLOT_ATTESTATION() { return 9518769569152210444665277933882980084571709860557188974; }

// "canopy/lot-note" read as a big-endian integer.
function TAG_LOT_NOTE() { return 516013532313186779453908714225890405; }

// "canopy/nullifier" read as a big-endian integer.
function TAG_NULLIFIER() { return 132099464272175815577524282001266926962; }

// "canopy/owner-key" read as a big-endian integer.
function TAG_OWNER_KEY() { return 132099464272175815596115696554122896761; }

// "canopy/capacity-note" read as a big-endian integer.
function TAG_CAPACITY_NOTE() { return 567362878868115569789899439634774240175665935461; }

// "canopy/capacity-issue" read as a big-endian integer.
function TAG_CAPACITY_ISSUE() { return 145244896990237585866214256546502205484949071689061; }

// "canopy/sequence" read as a big-endian integer.
function TAG_SEQUENCE() { return 516013532313186779955494133275976549; }

// "canopy/plot-mask" read as a big-endian integer.
function TAG_PLOT_MASK() { return 132099464272175815613770104765786714987; }

// "canopy/plot-geometry" read as a big-endian integer.
function TAG_PLOT_GEOMETRY() { return 567362878868115570823268767231116456528362893945; }
