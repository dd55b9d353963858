/**
 * JS twin of `circuits/capacity_issue.circom`, `CapacityIssue(plotsDepth)`: the issue tag,
 * the capacity note an issue creates, its public signals in order and its witness input.
 * docs/lots.md is the specification; the attestation leaf is docs/attestations.md §3
 * (`windowAttestationLeaf` in ./plot-window.ts).
 *
 * An issue opens a window attestation the prover owns (its leaf in the plots tree, the
 * owner's secret) and creates, for one harvest year,
 *
 *     capacity  CapacityNote(ownerKey(ownerSecret), commodity, harvestYear,
 *                            pixelCount · yieldCeilingGramsPerPixel, capacitySalt)
 *     issueTag  Poseidon(TAG_CAPACITY_ISSUE, attestationLeaf, harvestYear, ownerSecret)
 *
 * The registry keeps issue tags in the one nullifier set, so an attestation yields one
 * capacity note per year. Widths as the circuit checks them: harvestYear 16 bits,
 * commodity 20, yieldCeilingGramsPerPixel 32, pixelCount 24, capacityGrams 48.
 *
 * Witness input (decimal strings, keys spelled like the signals):
 *
 *     { "plotsRoot", "issueTag", "harvestYear", "commodity",
 *       "yieldCeilingGramsPerPixel", "cutoffCode", "capacityCommitment",          public
 *       "geometryHash", "datasetRoot", "blockIndex", "windowMaskHash", "pixelCount",
 *       "attestationSalt", "ownerSecret", "pathIndices": [plotsDepth],
 *       "siblings": [plotsDepth], "capacitySalt" }                                private
 *
 * Public signals, in snarkjs order (no outputs; public inputs in declaration order):
 * `CAPACITY_ISSUE_PUBLIC_SIGNALS`, the `publicSignals` of `capacity_issue` in
 * circuits/circuits.json.
 * @module
 */
import { assertInteger, typeError } from '../assert.ts';
import { hashTagged } from '../domain.ts';
import { CanopyError } from '../errors.ts';
import { assertField, fieldToString } from '../field.ts';
import { assertCapacityNote, CAPACITY_HARVEST_YEAR_BITS, capacityCommitment, type CapacityNote } from '../lots/capacity-note.ts';
import { assertUint, LOT_COMMODITY_BITS, ownerKey } from '../lots/note.ts';
import { assertMerkleDepth } from '../merkle/merkle-node.ts';
import { assertMerkleProof, pathIndices, verifyMerkleProof, type MerkleProof } from '../merkle/merkle-proof.ts';
import { windowAttestationLeaf, type WindowAttestation } from './plot-window.ts';

/** Public signals of `CapacityIssue`, in snarkjs order. */
export const CAPACITY_ISSUE_PUBLIC_SIGNALS = ['plotsRoot', 'issueTag', 'harvestYear', 'commodity', 'yieldCeilingGramsPerPixel', 'cutoffCode', 'capacityCommitment'] as const;

/** Name of one public signal of `CapacityIssue`. */
export type CapacityIssuePublicSignal = (typeof CAPACITY_ISSUE_PUBLIC_SIGNALS)[number];

/** Bits of the attestation's pixelCount the circuit accepts (`CAPACITY_PIXEL_COUNT_BITS()`). */
export const CAPACITY_PIXEL_COUNT_BITS = 24;
/** Bits of the public yield ceiling, grams per pixel (`CAPACITY_YIELD_BITS()`). */
export const CAPACITY_YIELD_BITS = 32;

/** A whole capacity issue, as the prover knows it. Plain data. */
export interface CapacityIssue {
  /** The window attestation leaf's opening; its ownerKey must be `ownerKey(ownerSecret)`. */
  attestation: WindowAttestation;
  /** The attestation owner's secret; the capacity note gets its key. */
  ownerSecret: bigint;
  /** Inclusion proof of `windowAttestationLeaf(attestation)` in the plots tree. */
  path: MerkleProof;
  /** Calendar year of the harvest, in [0, 2^16). */
  harvestYear: number;
  /** HS code as an integer, in [0, 2^20). */
  commodity: bigint;
  /** The registry's public ceiling for the commodity, grams per pixel, in [0, 2^32). */
  yieldCeilingGramsPerPixel: bigint;
  /** Salt of the new capacity note; fresh and random. */
  capacitySalt: bigint;
}

/** The public statement of a capacity issue. */
export type CapacityIssuePublic = Record<CapacityIssuePublicSignal, bigint>;

/** Witness input of `CapacityIssue(plotsDepth)`; keys spelled like its signals. */
export type CapacityIssueInput = {
  plotsRoot: string;
  issueTag: string;
  harvestYear: string;
  commodity: string;
  yieldCeilingGramsPerPixel: string;
  cutoffCode: string;
  capacityCommitment: string;
  geometryHash: string;
  datasetRoot: string;
  blockIndex: string;
  windowMaskHash: string;
  pixelCount: string;
  attestationSalt: string;
  ownerSecret: string;
  pathIndices: string[];
  siblings: string[];
  capacitySalt: string;
};

/**
 * The issue tag of an attestation for one harvest year:
 * Poseidon(TAG_CAPACITY_ISSUE, attestationLeaf, harvestYear, ownerSecret). The same
 * attestation and year always give the same tag, so the registry refuses a second issue;
 * without the secret it cannot be linked to the (public) leaf.
 * @throws {TypeError|RangeError} if an argument is not a field element or the year is not in [0, 2^16)
 * @example capacityIssueTag(windowAttestationLeaf(attestation), 2025, secret)
 */
export function capacityIssueTag(attestationLeaf: bigint, harvestYear: number, ownerSecret: bigint): bigint {
  assertField(attestationLeaf, 'attestationLeaf');
  assertHarvestYear(harvestYear, 'harvestYear');
  assertField(ownerSecret, 'ownerSecret');
  return hashTagged('CAPACITY_ISSUE', [attestationLeaf, BigInt(harvestYear), ownerSecret]);
}

/**
 * The capacity note an issue creates: the attestation owner's key, the commodity and
 * year, pixelCount × yieldCeilingGramsPerPixel grams, the capacity salt.
 * @throws {TypeError|RangeError} if the issue is malformed, naming the field
 * @throws {CanopyError} INVALID_INPUT if the secret does not open the attestation's owner key
 * @example capacityIssueNote({ attestation, ownerSecret, path: plots.proof(3), harvestYear: 2025, commodity: 90111n, yieldCeilingGramsPerPixel: 210_000n, capacitySalt })
 */
export function capacityIssueNote(issue: CapacityIssue): CapacityNote {
  assertIssue(issue, 'issue');
  const key = ownerKey(issue.ownerSecret);
  if (key !== issue.attestation.ownerKey) {
    throw new CanopyError('INVALID_INPUT', `issue.ownerSecret does not open the attestation's ownerKey ${issue.attestation.ownerKey}: only its owner may issue capacity`);
  }
  // pixelCount ≤ 2^16 (a window of PlotWindow) and the ceiling < 2^32, so the product is
  // below 2^48 and fits the note; assertCapacityNote states that invariant.
  const capacityGrams = BigInt(issue.attestation.pixelCount) * issue.yieldCeilingGramsPerPixel;
  const note: CapacityNote = { ownerKey: key, commodity: issue.commodity, harvestYear: BigInt(issue.harvestYear), capacityGrams, salt: issue.capacitySalt };
  assertCapacityNote(note, 'capacity note');
  return note;
}

/**
 * The public statement of a valid capacity issue.
 * @throws {TypeError|RangeError} if the issue is malformed, naming the field
 * @throws {CanopyError} INVALID_INPUT if the secret does not open the attestation's owner
 *   key, or the path is not of the attestation's leaf or does not reach its root
 * @example capacityIssuePublicSignals(capacityIssuePublic(issue))
 */
export function capacityIssuePublic(issue: CapacityIssue): CapacityIssuePublic {
  const note = capacityIssueNote(issue);
  const leaf = windowAttestationLeaf(issue.attestation);
  if (issue.path.leaf !== leaf) throw new CanopyError('INVALID_INPUT', `issue.path is for leaf ${issue.path.leaf}, not the attestation's leaf ${leaf}`);
  if (!verifyMerkleProof(issue.path)) throw new CanopyError('INVALID_INPUT', `issue.path does not reach its root ${issue.path.root}`);
  return {
    plotsRoot: issue.path.root,
    issueTag: capacityIssueTag(leaf, issue.harvestYear, issue.ownerSecret),
    harvestYear: BigInt(issue.harvestYear),
    commodity: issue.commodity,
    yieldCeilingGramsPerPixel: issue.yieldCeilingGramsPerPixel,
    cutoffCode: BigInt(issue.attestation.cutoffCode),
    capacityCommitment: capacityCommitment(note),
  };
}

/**
 * The public signals a `CapacityIssue` proof is verified against, in snarkjs order.
 * @returns seven decimal strings, one per entry of CAPACITY_ISSUE_PUBLIC_SIGNALS
 * @throws {TypeError|RangeError} if a value is not a field element in [0, r)
 * @example capacityIssuePublicSignals(capacityIssuePublic(issue))
 */
export function capacityIssuePublicSignals(pub: CapacityIssuePublic): string[] {
  if (typeof pub !== 'object' || pub === null) typeError('pub', 'CapacityIssuePublic object', pub);
  return CAPACITY_ISSUE_PUBLIC_SIGNALS.map((name) => fieldToString(pub[name], `pub.${name}`));
}

/**
 * Builds the witness input of `CapacityIssue(plotsDepth)` for a valid issue.
 * @param plotsDepth - the circuit's plots-tree depth; the path must have it
 * @throws {TypeError|RangeError} if the issue is malformed or its path has another depth
 * @throws {CanopyError} INVALID_INPUT as `capacityIssuePublic`
 * @example capacityIssueWitnessInput({ attestation, ownerSecret, path: plots.proof(3), harvestYear: 2025, commodity: 90111n, yieldCeilingGramsPerPixel: 210_000n, capacitySalt }, 4)
 */
export function capacityIssueWitnessInput(issue: CapacityIssue, plotsDepth: number): CapacityIssueInput {
  assertMerkleDepth(plotsDepth, 'plotsDepth');
  const pub = capacityIssuePublic(issue);
  const { attestation: a, path } = issue;
  if (path.depth !== plotsDepth) throw new RangeError(`"issue.path.depth" expected the circuit's depth ${plotsDepth}, got ${path.depth}`);
  const s = (v: bigint | number) => v.toString(10);
  return {
    plotsRoot: s(pub.plotsRoot),
    issueTag: s(pub.issueTag),
    harvestYear: s(pub.harvestYear),
    commodity: s(pub.commodity),
    yieldCeilingGramsPerPixel: s(pub.yieldCeilingGramsPerPixel),
    cutoffCode: s(pub.cutoffCode),
    capacityCommitment: s(pub.capacityCommitment),
    geometryHash: s(a.geometryHash),
    datasetRoot: s(a.datasetRoot),
    blockIndex: s(a.blockIndex),
    windowMaskHash: s(a.windowMaskHash),
    pixelCount: s(a.pixelCount),
    attestationSalt: s(a.salt),
    ownerSecret: s(issue.ownerSecret),
    pathIndices: pathIndices(path.leafIndex, plotsDepth).map(String),
    siblings: path.siblings.map(s),
    capacitySalt: s(issue.capacitySalt),
  };
}

function assertHarvestYear(value: unknown, title: string): asserts value is number {
  assertInteger(value, title, 0, 2 ** CAPACITY_HARVEST_YEAR_BITS - 1);
}

function assertIssue(issue: unknown, title: string): asserts issue is CapacityIssue {
  if (typeof issue !== 'object' || issue === null || Array.isArray(issue)) typeError(title, 'CapacityIssue object', issue);
  const i = issue as Record<string, unknown>;
  // windowAttestationLeaf checks every field of the attestation (pixelCount ≤ 2^16 among
  // them, within the circuit's 24 bits).
  if (typeof i.attestation !== 'object' || i.attestation === null) typeError(`${title}.attestation`, 'WindowAttestation object', i.attestation);
  windowAttestationLeaf(i.attestation as WindowAttestation);
  assertField(i.ownerSecret, `${title}.ownerSecret`);
  assertMerkleProof(i.path, `${title}.path`);
  assertHarvestYear(i.harvestYear, `${title}.harvestYear`);
  assertUint(i.commodity, LOT_COMMODITY_BITS, `${title}.commodity`);
  assertUint(i.yieldCeilingGramsPerPixel, CAPACITY_YIELD_BITS, `${title}.yieldCeilingGramsPerPixel`);
  assertField(i.capacitySalt, `${title}.capacitySalt`);
}
