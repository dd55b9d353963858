/**
 * Domain separation: every Poseidon hash in Canopy takes a tag as its first input, one
 * tag per kind of object, so that no two kinds of object can ever share a preimage.
 *
 * A tag is the ASCII name read as a big-endian integer (names are ≤ 31 bytes, so every
 * tag is < 2^248 < r). The circuits get the same constants from the generated file
 * `circuits/lib/domain_tags.circom`; tests check the two agree.
 * @module
 */
import { assertArray, assertString, rangeError } from './assert.ts';
import { assertField } from './field.ts';
import { poseidon, POSEIDON_MAX_INPUTS } from './poseidon.ts';

/**
 * Reads an ASCII name of at most 31 bytes as a big-endian integer.
 * @throws {TypeError} if `name` is not a string; {RangeError} if not 1..31 of [a-z0-9/-]
 * @example tagFromName('canopy/merkle-node')
 */
export function tagFromName(name: string): bigint {
  assertString(name, 'name', 31);
  if (!/^[a-z0-9/-]{1,31}$/.test(name)) rangeError('name', 'lowercase ASCII [a-z0-9/-], 1..31 bytes', name);
  let tag = 0n;
  for (let i = 0; i < name.length; i++) tag = (tag << 8n) | BigInt(name.charCodeAt(i));
  return tag;
}

/** The tag names, one per kind of hashed object. Never reuse or rename one. */
export const DOMAIN_NAMES = {
  /** Inner node of a Poseidon Merkle tree: H(tag, left, right). */
  MERKLE_NODE: 'canopy/merkle-node',
  /** Leaf of the membership example circuit and of tests: H(tag, value). */
  MEMBER_LEAF: 'canopy/member-leaf',
  /** Dataset tile leaf: H(tag, tileX, tileY, packed pixels...). */
  DATASET_TILE: 'canopy/dataset-tile',
  /** Plot attestation leaf in the plots tree. */
  PLOT_ATTESTATION: 'canopy/plot-attestation',
  /** Lot note leaf in the lots tree. */
  LOT_NOTE: 'canopy/lot-note',
  /** Nullifier published when a note is spent: H(tag, note commitment, owner secret). */
  NULLIFIER: 'canopy/nullifier',
  /** Owner key of a note: H(tag, owner secret). Whoever knows the secret can spend. */
  OWNER_KEY: 'canopy/owner-key',
  /** Harvest capacity note in the lots tree: what a plot may still yield in one year. */
  CAPACITY_NOTE: 'canopy/capacity-note',
  /** Issuance tag that stops a plot getting two capacity notes for one harvest year. */
  CAPACITY_ISSUE: 'canopy/capacity-issue',
  /** Chaining element for hashing sequences longer than one Poseidon call. */
  SEQUENCE: 'canopy/sequence',
  /** Plot pixel mask: H(tag, col0, row0, width, height, digest of the bitset); core/geo/plot-mask.ts. */
  PLOT_MASK: 'canopy/plot-mask',
  /** Plot geometry: H(tag, byte length, digest of its canonical GeoJSON); core/geo/plot-geometry.ts. */
  PLOT_GEOMETRY: 'canopy/plot-geometry',
} as const;

export type DomainName = keyof typeof DOMAIN_NAMES;

/** Tag values, by kind. */
export const DOMAIN_TAGS: Readonly<Record<DomainName, bigint>> = Object.freeze(
  Object.fromEntries(Object.entries(DOMAIN_NAMES).map(([k, v]) => [k, tagFromName(v)])) as Record<DomainName, bigint>,
);

/**
 * Poseidon(tag, ...inputs) for one kind of object.
 * @param kind - which object is hashed; picks the tag
 * @param inputs - 1..15 field elements
 * @throws {TypeError|RangeError} if `inputs` has the wrong size or an element is not in [0, r)
 * @example hashTagged('MERKLE_NODE', [left, right])
 */
export function hashTagged(kind: DomainName, inputs: readonly bigint[]): bigint {
  if (typeof kind !== 'string' || !Object.hasOwn(DOMAIN_TAGS, kind)) rangeError('kind', `one of ${Object.keys(DOMAIN_NAMES).join(', ')}`, kind);
  assertArray(inputs, 'inputs', 1, POSEIDON_MAX_INPUTS - 1);
  for (let i = 0; i < inputs.length; i++) assertField(inputs[i], `inputs[${i}]`);
  return poseidon([DOMAIN_TAGS[kind], ...inputs]);
}
