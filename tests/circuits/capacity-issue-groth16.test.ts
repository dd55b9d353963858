// A real Groth16 proof of circuits/capacity_issue.circom at the test profile (plotsDepth 4),
// proven from the witness input of its JS twin core/circuits/capacity-issue.ts.
//
// Keys: the test profile's capacity_issue keys live in a setup folder of their own,
// circuits/build/test-keys/test (tests/_keys.ts), made once by `runSetup` (phase 2 of a 2 477-
// constraint circuit on the bundled 2^14 powers of tau) and only re-hashed on later runs.
// They are NOT FOR PRODUCTION. tests/circuits/capacity-issue.test.ts checks the
// constraints themselves; this file checks that the keys prove and verify what the twin
// says, and that a proof does not carry over to another year, tag or commitment.
import { TEST_PROFILE_KEYS } from '../_keys.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { readManifest } from '../../circuits/toolchain/manifest.ts';
import { loadVerificationKey, proveGroth16, verifyGroth16, type ProofWithSignals, type VerificationKey } from '../../circuits/toolchain/prove.ts';
import { runSetup } from '../../circuits/toolchain/setup.ts';
import {
  CAPACITY_ISSUE_PUBLIC_SIGNALS,
  capacityIssuePublic,
  capacityIssuePublicSignals,
  capacityIssueWitnessInput,
  type CapacityIssue,
} from '../../core/circuits/capacity-issue.ts';
import { windowAttestationLeaf, type WindowAttestation } from '../../core/circuits/plot-window.ts';
import { EUDR_CUTOFF_CODE, yieldCeiling } from '../../core/lots/public-parameters.ts';
import { IncrementalMerkleTree } from '../../core/merkle/incremental-merkle-tree.ts';
import { ALICE, ALICE_SECRET, element, salt } from '../lots/_fixtures.ts';

const KEYS = TEST_PROFILE_KEYS;
const PROFILE = 'test';
const DEPTH = 4;
const COCOA = 180_100n;

const WINDOW: WindowAttestation = {
  geometryHash: element(60),
  datasetRoot: element(61),
  cutoffCode: EUDR_CUTOFF_CODE,
  blockIndex: 3,
  windowMaskHash: element(62),
  pixelCount: 200,
  ownerKey: ALICE,
  salt: salt(),
};
const PLOTS = new IncrementalMerkleTree(DEPTH);
PLOTS.appendMany([element(63), element(64), windowAttestationLeaf(WINDOW)]);
const ISSUE: CapacityIssue = {
  attestation: WINDOW,
  ownerSecret: ALICE_SECRET,
  path: PLOTS.proof(2),
  harvestYear: 2025,
  commodity: COCOA,
  yieldCeilingGramsPerPixel: yieldCeiling(COCOA)!.gramsPerPixel,
  capacitySalt: salt(),
};

let proven: ProofWithSignals;
let vkey: VerificationKey;
let setupSeconds: number;
let proveSeconds: number;

beforeAll(async () => {
  let t = performance.now();
  await runSetup({ profile: PROFILE, circuits: ['capacity_issue'], outDir: KEYS });
  setupSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  proven = await proveGroth16('capacity_issue', PROFILE, capacityIssueWitnessInput(ISSUE, DEPTH), KEYS);
  proveSeconds = (performance.now() - t) / 1000;
  vkey = await loadVerificationKey('capacity_issue', PROFILE, KEYS);
});

describe('proveGroth16', () => {
  describe('when Alice issues 200 px of cocoa for 2025 with the test-profile keys', () => {
    it("proves the twin's public signals, in CAPACITY_ISSUE_PUBLIC_SIGNALS order", () => {
      console.info(`capacity_issue test keys: setup ${setupSeconds.toFixed(1)} s (cached after the first run), prove ${proveSeconds.toFixed(1)} s`);
      expect(proven.publicSignals).toEqual(capacityIssuePublicSignals(capacityIssuePublic(ISSUE)));
      expect(proven.publicSignals).toHaveLength(CAPACITY_ISSUE_PUBLIC_SIGNALS.length);
      expect(vkey.nPublic).toBe(7);
      expect(readManifest(KEYS).circuits.capacity_issue!.constraints.total).toBe(260 * DEPTH + 1437);
    });

    it('refuses to prove an issue by another secret (WITNESS_FAILED)', async () => {
      const input = { ...capacityIssueWitnessInput(ISSUE, DEPTH), ownerSecret: element(65).toString() };
      await expect(proveGroth16('capacity_issue', PROFILE, input, KEYS)).rejects.toMatchObject({ code: 'WITNESS_FAILED' });
    });
  });
});

describe('verifyGroth16', () => {
  describe('when given the proof and its public signals', () => {
    it('accepts it', async () => {
      expect(await verifyGroth16(vkey, proven.publicSignals, proven.proof)).toBe(true);
    });
  });

  describe('when one public signal is changed', () => {
    it('refuses the proof for 2026, for another issue tag, another capacity commitment or another cut-off', async () => {
      const at = (name: (typeof CAPACITY_ISSUE_PUBLIC_SIGNALS)[number]) => CAPACITY_ISSUE_PUBLIC_SIGNALS.indexOf(name);
      const other = capacityIssuePublic({ ...ISSUE, harvestYear: 2026, capacitySalt: salt() });
      const changes: [number, string][] = [
        [at('harvestYear'), '2026'],
        [at('issueTag'), other.issueTag.toString()],
        [at('capacityCommitment'), other.capacityCommitment.toString()],
        [at('cutoffCode'), '20'],
      ];
      for (const [i, value] of changes) {
        const signals = proven.publicSignals.slice();
        signals[i] = value;
        expect(await verifyGroth16(vkey, signals, proven.proof), CAPACITY_ISSUE_PUBLIC_SIGNALS[i]).toBe(false);
      }
    });
  });
});
