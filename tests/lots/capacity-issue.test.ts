// Tests of the pure side of core/circuits/capacity-issue.ts: the issue tag, the capacity
// note an issue creates, its public statement, the witness input's keys against the
// circuit's declarations, and the refusals (another owner's secret, a path of another
// leaf or to another root, fields out of the circuit's ranges).
// tests/circuits/capacity-issue.test.ts runs the twin against the circuit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../circuits/toolchain/project-root.ts';
import {
  CAPACITY_ISSUE_PUBLIC_SIGNALS,
  capacityIssueNote,
  capacityIssuePublic,
  capacityIssuePublicSignals,
  capacityIssueTag,
  capacityIssueWitnessInput,
  type CapacityIssue,
} from '../../core/circuits/capacity-issue.ts';
import { windowAttestationLeaf, type WindowAttestation } from '../../core/circuits/plot-window.ts';
import { hashTagged } from '../../core/domain.ts';
import { capacityCommitment } from '../../core/lots/capacity-note.ts';
import { IncrementalMerkleTree } from '../../core/merkle/incremental-merkle-tree.ts';
import { expectInputError, HOSTILE_INPUTS, isFieldElement, isSafeUint, isUintBits } from '../hostile-inputs.ts';
import { ALICE, ALICE_SECRET, BOB_SECRET, element, PALM_FRUIT } from './_fixtures.ts';

const COCOA = 180_100n;
const WINDOW: WindowAttestation = {
  geometryHash: element(70),
  datasetRoot: element(71),
  cutoffCode: 21,
  blockIndex: 6,
  windowMaskHash: element(72),
  pixelCount: 40,
  ownerKey: ALICE,
  salt: element(73),
};
const LEAF = windowAttestationLeaf(WINDOW);
const TREE = new IncrementalMerkleTree(4);
TREE.appendMany([element(74), LEAF]);
const ISSUE: CapacityIssue = {
  attestation: WINDOW,
  ownerSecret: ALICE_SECRET,
  path: TREE.proof(1),
  harvestYear: 2025,
  commodity: COCOA,
  yieldCeilingGramsPerPixel: 231_600n,
  capacitySalt: 12n,
};

describe('capacityIssueTag', () => {
  describe('when given a leaf, a year and the secret', () => {
    it('is Poseidon(TAG_CAPACITY_ISSUE, leaf, year, secret): the same for the same year, another for another year or secret', () => {
      const tag = capacityIssueTag(LEAF, 2025, ALICE_SECRET);
      expect(tag).toBe(hashTagged('CAPACITY_ISSUE', [LEAF, 2025n, ALICE_SECRET]));
      expect(capacityIssueTag(LEAF, 2025, ALICE_SECRET)).toBe(tag);
      expect(capacityIssueTag(LEAF, 2024, ALICE_SECRET)).not.toBe(tag);
      expect(capacityIssueTag(LEAF, 2025, BOB_SECRET)).not.toBe(tag);
      // The tag is not the leaf's nullifier or any other hash of the same inputs.
      expect(tag).not.toBe(hashTagged('NULLIFIER', [LEAF, ALICE_SECRET]));
    });

    it('accepts the year range edges 0 and 2^16 − 1', () => {
      expect(typeof capacityIssueTag(LEAF, 0, ALICE_SECRET)).toBe('bigint');
      expect(typeof capacityIssueTag(LEAF, 65_535, ALICE_SECRET)).toBe('bigint');
    });
  });

  describe('when given hostile input', () => {
    for (const { name, value } of HOSTILE_INPUTS) {
      it(`accepts or throws naming the argument for ${name}`, () => {
        if (!isFieldElement(value)) {
          expectInputError(() => capacityIssueTag(value as bigint, 2025, ALICE_SECRET), 'attestationLeaf');
          expectInputError(() => capacityIssueTag(LEAF, 2025, value as bigint), 'ownerSecret');
        }
        if (!(isSafeUint(value) && value < 65_536)) expectInputError(() => capacityIssueTag(LEAF, value as number, ALICE_SECRET), 'harvestYear');
      });
    }
  });
});

describe('capacityIssueNote', () => {
  describe('when the issue is valid', () => {
    it("is the owner's key, commodity and year, and pixelCount × ceiling grams", () => {
      expect(capacityIssueNote(ISSUE)).toEqual({ ownerKey: ALICE, commodity: COCOA, harvestYear: 2025n, capacityGrams: 40n * 231_600n, salt: 12n });
    });

    it('fits 48 bits at the largest window (2^16 px) and ceiling (2^32 − 1 g)', () => {
      const issue = { ...ISSUE, attestation: { ...WINDOW, pixelCount: 65_536 }, yieldCeilingGramsPerPixel: 2n ** 32n - 1n };
      expect(capacityIssueNote(issue).capacityGrams).toBe(2n ** 48n - 2n ** 16n);
    });
  });

  describe("when the secret is not the attestation owner's", () => {
    it('throws INVALID_INPUT', () => {
      expect(() => capacityIssueNote({ ...ISSUE, ownerSecret: BOB_SECRET })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT', message: expect.stringMatching(/only its owner may issue capacity/) }));
    });
  });

  describe('when a field is outside the circuit\'s range', () => {
    it('throws naming it: commodity 2^20, ceiling 2^32, year 2^16, salt r, a pixel count of 0', () => {
      expectInputError(() => capacityIssueNote({ ...ISSUE, commodity: 2n ** 20n }), 'issue.commodity', 'range');
      expectInputError(() => capacityIssueNote({ ...ISSUE, yieldCeilingGramsPerPixel: 2n ** 32n }), 'issue.yieldCeilingGramsPerPixel', 'range');
      expectInputError(() => capacityIssueNote({ ...ISSUE, harvestYear: 65_536 }), 'issue.harvestYear', 'range');
      expectInputError(() => capacityIssueNote({ ...ISSUE, capacitySalt: 2n ** 254n }), 'issue.capacitySalt', 'range');
      expectInputError(() => capacityIssueNote({ ...ISSUE, attestation: { ...WINDOW, pixelCount: 0 } }), 'pixelCount', 'range');
    });
  });

  describe('when given hostile input', () => {
    for (const { name, value } of HOSTILE_INPUTS) {
      it(`accepts or throws naming the field for ${name}`, () => {
        if (!isUintBits(value, 20)) expectInputError(() => capacityIssueNote({ ...ISSUE, commodity: value as bigint }), 'issue.commodity');
        if (!isUintBits(value, 32)) expectInputError(() => capacityIssueNote({ ...ISSUE, yieldCeilingGramsPerPixel: value as bigint }), 'issue.yieldCeilingGramsPerPixel');
        if (!isFieldElement(value)) expectInputError(() => capacityIssueNote({ ...ISSUE, ownerSecret: value as bigint }), 'issue.ownerSecret');
        if (!(isSafeUint(value) && value < 65_536)) expectInputError(() => capacityIssueNote({ ...ISSUE, harvestYear: value as number }), 'issue.harvestYear');
        if (typeof value !== 'object' || value === null) expectInputError(() => capacityIssueNote(value as CapacityIssue), 'issue', 'type');
      });
    }
  });
});

describe('capacityIssuePublic', () => {
  describe('when the issue is valid', () => {
    it('is the plots root, the tag, the year, commodity, ceiling and cut-off, and the capacity commitment', () => {
      expect(capacityIssuePublic(ISSUE)).toEqual({
        plotsRoot: TREE.root,
        issueTag: capacityIssueTag(LEAF, 2025, ALICE_SECRET),
        harvestYear: 2025n,
        commodity: COCOA,
        yieldCeilingGramsPerPixel: 231_600n,
        cutoffCode: 21n,
        capacityCommitment: capacityCommitment({ ownerKey: ALICE, commodity: COCOA, harvestYear: 2025n, capacityGrams: 9_264_000n, salt: 12n }),
      });
    });

    it('gives the same tag for another commodity of the same window and year: one issue per year, not per commodity', () => {
      const palm = capacityIssuePublic({ ...ISSUE, commodity: PALM_FRUIT, yieldCeilingGramsPerPixel: 3_088_000n });
      expect(palm.issueTag).toBe(capacityIssuePublic(ISSUE).issueTag);
      expect(palm.capacityCommitment).not.toBe(capacityIssuePublic(ISSUE).capacityCommitment);
    });
  });

  describe('when the attestation is not the prover\'s to issue', () => {
    it('throws INVALID_INPUT for another secret, a path of another leaf, or a path missing its root', () => {
      const bad: CapacityIssue[] = [
        { ...ISSUE, ownerSecret: BOB_SECRET },
        { ...ISSUE, attestation: { ...WINDOW, pixelCount: 41 } },
        { ...ISSUE, path: TREE.proof(0) },
        { ...ISSUE, path: { ...TREE.proof(1), root: 1n } },
      ];
      for (const issue of bad) expect(() => capacityIssuePublic(issue)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    });
  });
});

describe('capacityIssuePublicSignals', () => {
  describe('when given a statement', () => {
    it('lists plotsRoot, issueTag, harvestYear, commodity, yieldCeilingGramsPerPixel, cutoffCode, capacityCommitment', () => {
      expect(CAPACITY_ISSUE_PUBLIC_SIGNALS).toEqual(['plotsRoot', 'issueTag', 'harvestYear', 'commodity', 'yieldCeilingGramsPerPixel', 'cutoffCode', 'capacityCommitment']);
      const pub = { plotsRoot: 1n, issueTag: 2n, harvestYear: 3n, commodity: 4n, yieldCeilingGramsPerPixel: 5n, cutoffCode: 6n, capacityCommitment: 7n };
      expect(capacityIssuePublicSignals(pub)).toEqual(['1', '2', '3', '4', '5', '6', '7']);
    });
  });

  describe('when a value is not a field element', () => {
    it('throws naming it', () => {
      const pub = { plotsRoot: 1n, issueTag: -2n, harvestYear: 3n, commodity: 4n, yieldCeilingGramsPerPixel: 5n, cutoffCode: 6n, capacityCommitment: 7n };
      expectInputError(() => capacityIssuePublicSignals(pub), 'pub.issueTag', 'range');
    });
  });
});

describe('capacityIssueWitnessInput', () => {
  describe('when the issue is valid', () => {
    it('spells its keys like the input signals of circuits/capacity_issue.circom, in order', () => {
      const text = readFileSync(join(PROJECT_ROOT, 'circuits/capacity_issue.circom'), 'utf8');
      const input = capacityIssueWitnessInput(ISSUE, 4);
      expect(Object.keys(input)).toEqual([...text.matchAll(/^\s*signal input (\w+)/gm)].map((m) => m[1]));
      expect(Object.keys(input).slice(0, 7)).toEqual([...CAPACITY_ISSUE_PUBLIC_SIGNALS]);
      expect([input.pixelCount, input.blockIndex, input.cutoffCode, input.attestationSalt]).toEqual(['40', '6', '21', element(73).toString()]);
      expect(input.pathIndices).toEqual(['1', '0', '0', '0']);
      expect(input.siblings).toEqual(TREE.proof(1).siblings.map(String));
    });
  });

  describe('when the path has another depth than the circuit', () => {
    it('throws RangeError', () => {
      expectInputError(() => capacityIssueWitnessInput(ISSUE, 5), 'issue.path.depth', 'range');
    });
  });
});
