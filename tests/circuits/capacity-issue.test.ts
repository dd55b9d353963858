// Tests of circuits/capacity_issue.circom with its JS twin core/circuits/capacity-issue.ts:
// issuing a plot window's harvest capacity for one year from its attestation leaf in the
// plots tree. A valid issue satisfies every constraint with the twin's public signals;
// every attack of docs/lots.md (a leaf not in the tree, another owner's secret, an
// inflated pixel count or yield, an overflowing or field-wrapped capacity, a year past 16
// bits, a reused or mismatched issue tag, another cut-off) fails twice: honest witness
// generation refuses it, and a witness a cheating prover writes by hand
// (tests/lots/_forge.ts) breaks at least one constraint, every broken constraint lying in
// the rule the test names.
//
// Constraints measured (circom 2.2.3, --O2), CapacityIssue(plotsDepth):
//   plotsDepth 4 (test profile) 2 477   10 (demo) 4 037   32 (production) 9 757
// i.e. 260·plotsDepth + 1 437: the Merkle path, the owner key, the attestation leaf
// (Poseidon(9)), the issue tag (Poseidon(4)), the capacity commitment, the product and
// range checks of 16 + 20 + 32 + 24 + 48 bits.
import { beforeAll, describe, expect, it } from 'vitest';
import { compileMain, type CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { loadConfig } from '../../circuits/toolchain/config.ts';
import { BUNDLED_PTAU_POWER, ptauPowerFor } from '../../circuits/toolchain/ptau.ts';
import { mainSpec } from '../../circuits/toolchain/setup.ts';
import {
  CAPACITY_ISSUE_PUBLIC_SIGNALS,
  CAPACITY_PIXEL_COUNT_BITS,
  CAPACITY_YIELD_BITS,
  capacityIssueNote,
  capacityIssuePublic,
  capacityIssuePublicSignals,
  capacityIssueTag,
  capacityIssueWitnessInput,
  type CapacityIssue,
  type CapacityIssueInput,
} from '../../core/circuits/capacity-issue.ts';
import { windowAttestationLeaf, type WindowAttestation } from '../../core/circuits/plot-window.ts';
import { DOMAIN_TAGS, hashTagged } from '../../core/domain.ts';
import { CAPACITY_GRAMS_BITS, CAPACITY_HARVEST_YEAR_BITS, capacityCommitment } from '../../core/lots/capacity-note.ts';
import { LOT_COMMODITY_BITS, ownerKey } from '../../core/lots/note.ts';
import { EUDR_CUTOFF_CODE, yieldCeiling } from '../../core/lots/public-parameters.ts';
import { IncrementalMerkleTree } from '../../core/merkle/incremental-merkle-tree.ts';
import { compileDonors, expectOnlyRuleFails, Forge, invOrZero, modR, type Donors } from '../lots/_forge.ts';
import { ALICE, ALICE_SECRET, BOB, BOB_SECRET, element, PALM_FRUIT, salt } from '../lots/_fixtures.ts';
import { compileTemplate, expectWitnessFails, honestWitness, mainSignal, R } from './_circuit-test.ts';

const CONFIG = loadConfig().circuits.capacity_issue!;
const DEPTH = CONFIG.profiles.test!.plotsDepth!;
const CONSTRAINTS = (plotsDepth: number) => 260 * plotsDepth + 1437;
const ROOT_RULE = [`main.inclusion.hashers[${DEPTH - 1}].`, 'main.plotsRoot'];

/** Cocoa beans: 231 600 g per pixel. */
const COCOA = 180_100n;
const CEILING = yieldCeiling(COCOA)!.gramsPerPixel;

// Alice's window of 129 pixels at the EUDR cut-off, beside a window of Bob's in the plots tree.
const ALICE_WINDOW: WindowAttestation = {
  geometryHash: element(50),
  datasetRoot: element(51),
  cutoffCode: EUDR_CUTOFF_CODE,
  blockIndex: 9,
  windowMaskHash: element(52),
  pixelCount: 129,
  ownerKey: ALICE,
  salt: salt(),
};
const BOB_WINDOW: WindowAttestation = { ...ALICE_WINDOW, geometryHash: element(53), blockIndex: 12, pixelCount: 256, ownerKey: BOB, salt: salt() };
const PLOTS = new IncrementalMerkleTree(DEPTH);
PLOTS.appendMany([windowAttestationLeaf(BOB_WINDOW), windowAttestationLeaf(ALICE_WINDOW)]);
const AT = 1;

function issue(fields: Partial<CapacityIssue> = {}): CapacityIssue {
  return { attestation: ALICE_WINDOW, ownerSecret: ALICE_SECRET, path: PLOTS.proof(AT), harvestYear: 2025, commodity: COCOA, yieldCeilingGramsPerPixel: CEILING, capacitySalt: salt(), ...fields };
}

/** Fields of a statement a cheating prover picks freely; each is reduced mod r where hashed. */
interface RawIssue {
  pixelCount: bigint;
  yieldCeilingGramsPerPixel: bigint;
  harvestYear: bigint;
  commodity: bigint;
}

/**
 * The witness input of a statement no twin would accept (fields out of range), with every
 * hash recomputed to match and the attestation leaf put in a plots tree of its own: the
 * plots tree holding a leaf PlotWindow did not make is the worst case, so the range
 * checks are the only thing left to stop it.
 */
function rawInput(raw: RawIssue): CapacityIssueInput {
  const a = ALICE_WINDOW;
  const pixelCount = modR(raw.pixelCount);
  const leaf = hashTagged('PLOT_ATTESTATION', [a.geometryHash, a.datasetRoot, BigInt(a.cutoffCode), BigInt(a.blockIndex), a.windowMaskHash, pixelCount, ALICE, a.salt]);
  const tree = new IncrementalMerkleTree(DEPTH);
  tree.appendMany([windowAttestationLeaf(BOB_WINDOW), leaf]);
  const { siblings } = tree.proof(AT);
  const [year, commodity, yieldPerPixel] = [raw.harvestYear, raw.commodity, raw.yieldCeilingGramsPerPixel].map(modR) as [bigint, bigint, bigint];
  const capacitySalt = salt();
  const capacityGrams = modR(pixelCount * yieldPerPixel);
  const s = (v: bigint) => v.toString();
  return {
    plotsRoot: s(tree.root),
    issueTag: s(hashTagged('CAPACITY_ISSUE', [leaf, year, ALICE_SECRET])),
    harvestYear: s(year),
    commodity: s(commodity),
    yieldCeilingGramsPerPixel: s(yieldPerPixel),
    cutoffCode: s(BigInt(a.cutoffCode)),
    capacityCommitment: s(hashTagged('CAPACITY_NOTE', [ALICE, commodity, year, capacityGrams, capacitySalt])),
    geometryHash: s(a.geometryHash),
    datasetRoot: s(a.datasetRoot),
    blockIndex: s(BigInt(a.blockIndex)),
    windowMaskHash: s(a.windowMaskHash),
    pixelCount: s(pixelCount),
    attestationSalt: s(a.salt),
    ownerSecret: s(ALICE_SECRET),
    pathIndices: ['1', ...Array<string>(DEPTH - 1).fill('0')],
    siblings: siblings.map(s),
    capacitySalt: s(capacitySalt),
  };
}

const VALID_RAW: RawIssue = { pixelCount: 129n, yieldCeilingGramsPerPixel: CEILING, harvestYear: 2025n, commodity: COCOA };

let c: CompiledCircuit;
let donors: Donors & { leaf: CompiledCircuit; tag: CompiledCircuit };

/** A cheating prover's witness for `input` (tests/lots/_forge.ts). */
async function forge(input: CapacityIssueInput): Promise<bigint[]> {
  const f = new Forge();
  f.setInputs(input);
  const g = (name: string) => f.get(`main.${name}`);
  f.bits('main.yearRange', g('harvestYear'), CAPACITY_HARVEST_YEAR_BITS);
  f.bits('main.commodityRange', g('commodity'), LOT_COMMODITY_BITS);
  f.bits('main.yieldRange', g('yieldCeilingGramsPerPixel'), CAPACITY_YIELD_BITS);
  f.bits('main.pixelRange', g('pixelCount'), CAPACITY_PIXEL_COUNT_BITS);
  const key = (await f.graft('main.key', donors.ownerKey, { ownerSecret: g('ownerSecret') }))('ownerKey');
  const leafInputs = [DOMAIN_TAGS.PLOT_ATTESTATION, g('geometryHash'), g('datasetRoot'), g('cutoffCode'), g('blockIndex'), g('windowMaskHash'), g('pixelCount'), key, g('attestationSalt')];
  const leaf = (await f.graft('main.leaf', donors.leaf, { inputs: leafInputs }))('out');
  await f.graft('main.inclusion', donors.merkle, { leaf, pathIndices: input.pathIndices, siblings: input.siblings });
  await f.graft('main.tag', donors.tag, { inputs: [DOMAIN_TAGS.CAPACITY_ISSUE, leaf, g('harvestYear'), g('ownerSecret')] });
  const capacityGrams = f.set('main.capacityGrams', g('pixelCount') * g('yieldCeilingGramsPerPixel'));
  f.bits('main.capacityRange', capacityGrams, CAPACITY_GRAMS_BITS);
  const capacity = { ownerKey: key, commodity: g('commodity'), harvestYear: g('harvestYear'), capacityGrams, salt: g('capacitySalt') };
  await f.graft('main.capacity', donors.capacityNote, capacity);
  return f.build(c);
}

async function expectRejected(input: CapacityIssueInput, rule: readonly string[]): Promise<void> {
  await expectWitnessFails(c, input);
  await expectOnlyRuleFails(c, await forge(input), rule);
}

/** Asserts that a statement holds both honestly and forged, wire for wire. */
async function expectAccepted(input: CapacityIssueInput): Promise<bigint[]> {
  const w = await honestWitness(c, input);
  expect(await forge(input)).toEqual(w);
  return w;
}

beforeAll(async () => {
  // Compiled as setup compiles it (mainSpec), so the build is shared with the keys.
  c = await compileMain(mainSpec(CONFIG, 'test'));
  donors = {
    ...(await compileDonors(DEPTH)),
    leaf: await compileTemplate('node_modules/circomlib/circuits/poseidon.circom', 'Poseidon', [9]),
    tag: await compileTemplate('node_modules/circomlib/circuits/poseidon.circom', 'Poseidon', [4]),
  };
});

describe('CAPACITY_ISSUE_PUBLIC_SIGNALS', () => {
  describe('when compared with circuits/circuits.json', () => {
    it('equals publicSignals and publicInputs of capacity_issue', () => {
      expect([...CAPACITY_ISSUE_PUBLIC_SIGNALS]).toEqual(CONFIG.publicSignals);
      expect([...CAPACITY_ISSUE_PUBLIC_SIGNALS]).toEqual(CONFIG.publicInputs);
      expect(CONFIG.params).toEqual(['plotsDepth']);
      expect([CONFIG.profiles.test, CONFIG.profiles.demo, CONFIG.profiles.production]).toEqual([{ plotsDepth: 4 }, { plotsDepth: 10 }, { plotsDepth: 32 }]);
    });
  });
});

describe('CapacityIssue', () => {
  describe(`when compiled with the test profile (plotsDepth ${DEPTH})`, () => {
    it(`has 260·plotsDepth + 1437 = ${CONSTRAINTS(DEPTH)} constraints, 7 public inputs and no outputs, and fits the bundled 2^14 powers of tau`, () => {
      expect(c.constraints, 'constraints').toBe(CONSTRAINTS(DEPTH));
      expect([c.publicInputs, c.publicOutputs]).toEqual([7, 0]);
      expect(ptauPowerFor(c.constraints, 7)).toBeLessThanOrEqual(BUNDLED_PTAU_POWER);
    });

    it('has 4037 constraints with the demo profile (plotsDepth 10) and 9757 with production (plotsDepth 32)', async () => {
      const demo = await compileMain(mainSpec(CONFIG, 'demo'));
      const production = await compileMain(mainSpec(CONFIG, 'production'));
      expect([demo.constraints, production.constraints]).toEqual([CONSTRAINTS(10), CONSTRAINTS(32)]);
      expect([demo.constraints, production.constraints]).toEqual([4037, 9757]);
      expect(ptauPowerFor(demo.constraints, 7)).toBeLessThanOrEqual(BUNDLED_PTAU_POWER);
    });

    it('puts the public signals on wires 1..7 in CAPACITY_ISSUE_PUBLIC_SIGNALS order', async () => {
      const i = issue();
      const w = await honestWitness(c, capacityIssueWitnessInput(i, DEPTH));
      expect(w.slice(1, 8).map(String)).toEqual(capacityIssuePublicSignals(capacityIssuePublic(i)));
      CAPACITY_ISSUE_PUBLIC_SIGNALS.forEach((name, k) => expect(mainSignal(c, w, name), `main.${name}`).toBe(w[1 + k]));
    });
  });

  describe('when the owner issues a year of capacity from an attestation in the tree', () => {
    it("issues Alice 129 px × 231 600 g = 29.8764 t of cocoa for 2025 with the twin's public signals; the forged witness equals the honest one", async () => {
      const i = issue();
      const note = capacityIssueNote(i);
      expect(note).toEqual({ ownerKey: ALICE, commodity: COCOA, harvestYear: 2025n, capacityGrams: 29_876_400n, salt: i.capacitySalt });
      const pub = capacityIssuePublic(i);
      expect(pub).toEqual({
        plotsRoot: PLOTS.root,
        issueTag: capacityIssueTag(windowAttestationLeaf(ALICE_WINDOW), 2025, ALICE_SECRET),
        harvestYear: 2025n,
        commodity: COCOA,
        yieldCeilingGramsPerPixel: CEILING,
        cutoffCode: 21n,
        capacityCommitment: capacityCommitment(note),
      });
      const w = await expectAccepted(capacityIssueWitnessInput(i, DEPTH));
      expect(mainSignal(c, w, 'capacityGrams')).toBe(29_876_400n);
    });

    it("issues Bob's window with Bob's secret, and palm fruit from Alice's", async () => {
      await expectAccepted(capacityIssueWitnessInput(issue({ attestation: BOB_WINDOW, ownerSecret: BOB_SECRET, path: PLOTS.proof(0) }), DEPTH));
      await expectAccepted(capacityIssueWitnessInput(issue({ commodity: PALM_FRUIT, yieldCeilingGramsPerPixel: yieldCeiling(PALM_FRUIT)!.gramsPerPixel }), DEPTH));
    });

    it('accepts the raw builder on valid fields and at every range edge (2^17 px × (2^31 − 1) g < 2^48, year 2^16 − 1, commodity 2^20 − 1)', async () => {
      await expectAccepted(rawInput(VALID_RAW));
      await expectAccepted(rawInput({ pixelCount: 1n << 17n, yieldCeilingGramsPerPixel: (1n << 31n) - 1n, harvestYear: (1n << 16n) - 1n, commodity: (1n << 20n) - 1n }));
      await expectAccepted(rawInput({ ...VALID_RAW, pixelCount: (1n << 24n) - 1n, yieldCeilingGramsPerPixel: (1n << 24n) - 1n }));
    });
  });

  describe('when the attestation is not in the plots tree', () => {
    it('a window not in the tree (same fields, 256 px) fails the root constraint', async () => {
      const fake: WindowAttestation = { ...ALICE_WINDOW, pixelCount: 256 };
      const other = new IncrementalMerkleTree(DEPTH);
      other.appendMany([windowAttestationLeaf(BOB_WINDOW), windowAttestationLeaf(fake)]);
      const input = { ...capacityIssueWitnessInput(issue({ attestation: fake, path: other.proof(AT) }), DEPTH), plotsRoot: PLOTS.root.toString() };
      await expectRejected(input, ROOT_RULE);
    });

    it('a wrong sibling, or the right leaf claimed at another index, fails the root constraint', async () => {
      const input = capacityIssueWitnessInput(issue(), DEPTH);
      await expectRejected({ ...input, siblings: input.siblings.map((s, k) => (k === 2 ? element(99).toString() : s)) }, ROOT_RULE);
      await expectRejected({ ...input, pathIndices: input.pathIndices.map(() => '0') }, ROOT_RULE);
    });

    it("a plots root of another tree (Alice's window alone) fails the root constraint", async () => {
      const alone = new IncrementalMerkleTree(DEPTH);
      alone.append(windowAttestationLeaf(ALICE_WINDOW));
      await expectRejected({ ...capacityIssueWitnessInput(issue(), DEPTH), plotsRoot: alone.root.toString() }, ROOT_RULE);
    });
  });

  describe('when someone other than the attestation owner issues', () => {
    it("Alice's attestation with Bob's secret: the derived owner key makes another leaf, not in the tree", async () => {
      expect(() => capacityIssuePublic(issue({ ownerSecret: BOB_SECRET }))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
      // Bob recomputes everything public for his own key: tag and capacity note.
      const input = { ...capacityIssueWitnessInput(issue(), DEPTH), ownerSecret: BOB_SECRET.toString() };
      const bobsLeaf = windowAttestationLeaf({ ...ALICE_WINDOW, ownerKey: BOB });
      input.issueTag = capacityIssueTag(bobsLeaf, 2025, BOB_SECRET).toString();
      input.capacityCommitment = capacityCommitment({ ownerKey: BOB, commodity: COCOA, harvestYear: 2025n, capacityGrams: 29_876_400n, salt: BigInt(input.capacitySalt) }).toString();
      await expectRejected(input, ROOT_RULE);
    });

    it("Alice's capacity note issued to Bob's key fails the capacity commitment: the key is derived, never chosen", async () => {
      const input = capacityIssueWitnessInput(issue(), DEPTH);
      input.capacityCommitment = capacityCommitment({ ...capacityIssueNote(issue({ capacitySalt: BigInt(input.capacitySalt) })), ownerKey: BOB }).toString();
      await expectRejected(input, ['main.capacityCommitment']);
    });
  });

  describe('when the capacity is inflated', () => {
    it('a pixelCount of 130 opened from the 129-pixel leaf fails the root constraint', async () => {
      const input = capacityIssueWitnessInput(issue(), DEPTH);
      input.pixelCount = '130';
      // The cheater recomputes the tag from the leaf it claims, so only the root is left.
      input.issueTag = capacityIssueTag(windowAttestationLeaf({ ...ALICE_WINDOW, pixelCount: 130 }), 2025, ALICE_SECRET).toString();
      input.capacityCommitment = capacityCommitment({ ...capacityIssueNote(issue({ capacitySalt: BigInt(input.capacitySalt) })), capacityGrams: 130n * CEILING }).toString();
      await expectRejected(input, ROOT_RULE);
    });

    it('a capacity of 130 px (or 1 g more) against the 129-pixel leaf fails the capacity commitment', async () => {
      const input = capacityIssueWitnessInput(issue(), DEPTH);
      const note = capacityIssueNote(issue({ capacitySalt: BigInt(input.capacitySalt) }));
      for (const capacityGrams of [130n * CEILING, note.capacityGrams + 1n]) {
        await expectRejected({ ...input, capacityCommitment: capacityCommitment({ ...note, capacityGrams }).toString() }, ['main.capacityCommitment']);
      }
    });
  });

  describe("when the yield ceiling does not match the capacity", () => {
    it('a capacity at twice the public ceiling fails the capacity commitment', async () => {
      const input = capacityIssueWitnessInput(issue(), DEPTH);
      const note = capacityIssueNote(issue({ capacitySalt: BigInt(input.capacitySalt) }));
      await expectRejected({ ...input, capacityCommitment: capacityCommitment({ ...note, capacityGrams: 129n * 2n * CEILING }).toString() }, ['main.capacityCommitment']);
    });

    it('a public ceiling of twice the one the capacity used fails the capacity commitment', async () => {
      const input = capacityIssueWitnessInput(issue(), DEPTH);
      await expectRejected({ ...input, yieldCeilingGramsPerPixel: (2n * CEILING).toString() }, ['main.capacityCommitment']);
    });
  });

  describe('when the capacity overflows 48 bits', () => {
    it('2^17 px × 2^31 g = 2^48 g fails only the capacity range check (2^17 × (2^31 − 1) passes above)', async () => {
      await expectRejected(rawInput({ ...VALID_RAW, pixelCount: 1n << 17n, yieldCeilingGramsPerPixel: 1n << 31n }), ['main.capacityRange.']);
    });

    it('2^24 − 1 px × 2^32 − 1 g (< 2^56) fails only the capacity range check', async () => {
      await expectRejected(rawInput({ ...VALID_RAW, pixelCount: (1n << 24n) - 1n, yieldCeilingGramsPerPixel: (1n << 32n) - 1n }), ['main.capacityRange.']);
    });
  });

  describe('when the product wraps around the field', () => {
    it('pixelCount = r − 1 (capacity r − ceiling) fails the pixel count and capacity range checks', async () => {
      const input = rawInput({ ...VALID_RAW, pixelCount: R - 1n });
      expect(BigInt(input.pixelCount)).toBe(R - 1n);
      await expectRejected(input, ['main.pixelRange.', 'main.capacityRange.']);
    });

    it('pixelCount = C · ceiling⁻¹ mod r, whose product wraps to exactly C = 2^47 g, fails only the pixel count range check', async () => {
      const target = 1n << 47n;
      const pixelCount = modR(target * invOrZero(CEILING));
      expect(modR(pixelCount * CEILING)).toBe(target);
      await expectRejected(rawInput({ ...VALID_RAW, pixelCount }), ['main.pixelRange.']);
    });

    it('a ceiling of C · 129⁻¹ mod r, wrapping to C = 2^47 g, fails only the yield range check', async () => {
      const yieldCeilingGramsPerPixel = modR((1n << 47n) * invOrZero(129n));
      await expectRejected(rawInput({ ...VALID_RAW, yieldCeilingGramsPerPixel }), ['main.yieldRange.']);
    });
  });

  describe('when a public field is out of range', () => {
    it('harvestYear 2^16 fails only the year range check, and r − 1 too', async () => {
      expect(() => capacityIssueTag(windowAttestationLeaf(ALICE_WINDOW), 2 ** 16, ALICE_SECRET)).toThrow(RangeError);
      await expectRejected(rawInput({ ...VALID_RAW, harvestYear: 1n << 16n }), ['main.yearRange.']);
      await expectRejected(rawInput({ ...VALID_RAW, harvestYear: R - 1n }), ['main.yearRange.']);
    });

    it('commodity 2^20 fails only the commodity range check', async () => {
      await expectRejected(rawInput({ ...VALID_RAW, commodity: 1n << 20n }), ['main.commodityRange.']);
    });
  });

  describe('when the issue tag does not bind the attestation and year', () => {
    it('gives one tag per (attestation, year): the same for another commodity, salt or call, another for another year or window', () => {
      const tag = capacityIssuePublic(issue()).issueTag;
      expect(capacityIssuePublic(issue({ commodity: PALM_FRUIT, yieldCeilingGramsPerPixel: yieldCeiling(PALM_FRUIT)!.gramsPerPixel })).issueTag).toBe(tag);
      expect(capacityIssuePublic(issue({ harvestYear: 2026 })).issueTag).not.toBe(tag);
      expect(capacityIssuePublic(issue({ attestation: BOB_WINDOW, ownerSecret: BOB_SECRET, path: PLOTS.proof(0) })).issueTag).not.toBe(tag);
      expect(tag).toBe(hashTagged('CAPACITY_ISSUE', [windowAttestationLeaf(ALICE_WINDOW), 2025n, ALICE_SECRET]));
    });

    it("reissue for 2026 under 2025's tag fails the issue tag constraint; with 2026's own tag it holds", async () => {
      const tag2025 = capacityIssuePublic(issue()).issueTag;
      const input2026 = capacityIssueWitnessInput(issue({ harvestYear: 2026 }), DEPTH);
      await expectAccepted(input2026);
      await expectRejected({ ...input2026, issueTag: tag2025.toString() }, ['main.issueTag']);
    });

    it('a fresh tag, or the tag made with another secret, fails the issue tag constraint', async () => {
      const input = capacityIssueWitnessInput(issue(), DEPTH);
      await expectRejected({ ...input, issueTag: element(77).toString() }, ['main.issueTag']);
      await expectRejected({ ...input, issueTag: capacityIssueTag(windowAttestationLeaf(ALICE_WINDOW), 2025, BOB_SECRET).toString() }, ['main.issueTag']);
    });
  });

  describe('when the cut-off code is not the attestation\'s', () => {
    it('cutoffCode 20 or 22 against a leaf attested at 21 fails the root constraint', async () => {
      const input = capacityIssueWitnessInput(issue(), DEPTH);
      for (const cutoffCode of [20, 22]) {
        // The cheater recomputes the tag from the leaf it claims, so only the root is left.
        const claimed = windowAttestationLeaf({ ...ALICE_WINDOW, cutoffCode });
        await expectRejected({ ...input, cutoffCode: String(cutoffCode), issueTag: capacityIssueTag(claimed, 2025, ALICE_SECRET).toString() }, ROOT_RULE);
      }
    });
  });

  describe('when the attestation leaf is hashed', () => {
    it("is windowAttestationLeaf of the opening with ownerKey(ownerSecret): the twin's leaf, and another secret's is another leaf", async () => {
      const w = await honestWitness(c, capacityIssueWitnessInput(issue(), DEPTH));
      expect(mainSignal(c, w, 'inclusion.leaf')).toBe(windowAttestationLeaf(ALICE_WINDOW));
      expect(windowAttestationLeaf({ ...ALICE_WINDOW, ownerKey: ownerKey(BOB_SECRET) })).not.toBe(windowAttestationLeaf(ALICE_WINDOW));
    });
  });
});
