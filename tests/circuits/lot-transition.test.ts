// Tests of circuits/lot_transition.circom with its JS twin core/circuits/lot-transition.ts:
// valid transfers, merges, splits and processing satisfy the circuit with the twin's
// inputs and public signal order; every attack of docs/lots.md fails, both at honest
// witness generation and, what soundness means, on a witness a cheating prover writes by
// hand (tests/lots/_forge.ts), where the test also shows WHICH rule stops it.
//
// Constraints measured (circom 2.2.3, --O2), LotTransition(depth, nIn):
//   (4, 2)  test profile        5 625
//   (10, 4) demo profile       15 941  + 11 public signals + 1 = 15 953 ≤ 2^14 = 16 384
//   (32, 8) production profile 76 117  + 15 public signals (needs a ptau of power 17)
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileMain, type CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { CONFIG_PATH, loadConfig, parseConfig, publicSignalCount } from '../../circuits/toolchain/config.ts';
import { calculateWitness } from '../../circuits/toolchain/witness.ts';
import {
  allocateEmissions,
  identityConversion,
  LOT_FACTOR_BITS,
  LOT_TRANSITION_PUBLIC_SIGNALS,
  lotTransitionPublic,
  lotTransitionPublicSignals,
  lotTransitionViolations,
  lotTransitionWitnessInput,
  transitionOutputs,
  type LotConversion,
  type LotSpend,
  type LotTransition,
  type LotTransitionInput,
} from '../../core/circuits/lot-transition.ts';
import { LOT_COMMODITY_BITS, LOT_EMISSIONS_GRAMS_CO2E_BITS, LOT_QUANTITY_GRAMS_BITS, noteCommitment, nullifier, type LotNote } from '../../core/lots/note.ts';
import { compileDonors, expectOnlyRuleFails, Forge, invOrZero, modR, type Donors } from '../lots/_forge.ts';
import {
  ALICE,
  ALICE_SECRET,
  BOB,
  BOB_SECRET,
  CAROL,
  COFFEE,
  lot,
  lotsTree,
  PALM_FRUIT,
  PALM_OIL,
  raw,
  salt,
  spendOf,
  withInputSlot,
  withOutput,
} from '../lots/_fixtures.ts';
import { compileTemplate, expectSatisfied, expectUnsatisfied, expectWitnessFails, honestWitness, mainSignal, R, setSignals } from './_circuit-test.ts';

const CONFIG = loadConfig().circuits.lot_transition!;
const PARAMS = { depth: CONFIG.profiles.test!.depth!, nIn: CONFIG.profiles.test!.nIn! };
/** Measured: per input slot a Merkle path, three hashes, two range checks; the pairs; the rest. */
const constraintsOf = (depth: number, nIn: number) => nIn * (260 * depth + 992) + nIn * nIn + 1557;
const TEST_CONSTRAINTS = constraintsOf(4, 2);
// Comparison widths of the circuit (see its header): nIn ≤ 16, Q = 48, E = 64, F = 32.
const MASS_BITS = LOT_QUANTITY_GRAMS_BITS + 4 + LOT_FACTOR_BITS;
const TOTAL_E_BITS = LOT_EMISSIONS_GRAMS_CO2E_BITS + 5;
const ALLOC_BITS = TOTAL_E_BITS + LOT_QUANTITY_GRAMS_BITS;

// The lots tree every test spends from. D is A's twin (same fields, other salt), so a
// transition spending A and D has the sums of one spending A twice.
const A = lot({ quantityGrams: 100_000n, emissionsGramsCo2e: 300_000n, deforestationFree: true });
const B = lot({ quantityGrams: 50_000n, emissionsGramsCo2e: 200_000n, deforestationFree: true });
const C = lot({ quantityGrams: 40_000n, emissionsGramsCo2e: 100_000n, deforestationFree: false });
const D = { ...A, salt: salt() };
const FRUIT = lot({ commodity: PALM_FRUIT, quantityGrams: 500_000n, emissionsGramsCo2e: 250_000n, deforestationFree: true });
const HALF_MAX = 1n << BigInt(LOT_QUANTITY_GRAMS_BITS - 1);
const BIG1 = lot({ quantityGrams: HALF_MAX, emissionsGramsCo2e: 1_000_000n });
const BIG2 = lot({ quantityGrams: HALF_MAX, emissionsGramsCo2e: 1_000_000n });
const BOBS = lot({ ownerKey: BOB, quantityGrams: 70_000n, emissionsGramsCo2e: 140_000n });
const SMALL = lot({ quantityGrams: 3n, emissionsGramsCo2e: 10n });
const NOTES = [A, B, C, D, FRUIT, BIG1, BIG2, BOBS, SMALL];
const [IA, IB, IC, ID, IFRUIT, IBIG1, IBIG2, IBOBS, ISMALL] = NOTES.map((_, i) => i) as [number, number, number, number, number, number, number, number, number];
const TREE = lotsTree(PARAMS.depth, NOTES);
const spend = (i: number, secret = ALICE_SECRET): LotSpend => spendOf(TREE, NOTES, i, secret);

const TO_FRUIT_OIL: LotConversion = { inCommodity: PALM_FRUIT, outCommodity: PALM_OIL, factorNum: 1n, factorDen: 5n };

/** A transition whose outputs are the ones the rules fix for the requested owners and grams. */
function transition(spends: LotSpend[], requests: { ownerKey: bigint; quantityGrams: bigint }[], added = 0n, conversion = identityConversion(COFFEE)): LotTransition {
  const notes = spends.map((s) => s.note);
  const outputs = transitionOutputs(notes, added, conversion, requests.map((r) => ({ ...r, salt: salt() })));
  return { inputs: spends, outputs, addedEmissionsGramsCo2e: added, conversion };
}

/** The witness input of `t`, whose outputs are replaced by raw notes (commitments recomputed). */
function inputWithOutputs(t: LotTransition, outputs: LotNote[]): LotTransitionInput {
  let input = lotTransitionWitnessInput(t, PARAMS);
  outputs.forEach((n, j) => (input = withOutput(input, j, raw(n))));
  return input;
}

let c: CompiledCircuit;
let donors: Donors;

/**
 * The witness a cheating prover writes for `input` (see tests/lots/_forge.ts): every wire
 * computed from the circuit's text, hashes grafted from honest library witnesses.
 */
async function forge(input: LotTransitionInput): Promise<bigint[]> {
  const f = new Forge();
  f.setInputs(input);
  const g = (name: string) => f.get(`main.${name}`);
  const nIn = input.inEnabled.length;
  f.bits('main.inCommodityRange', g('inCommodity'), LOT_COMMODITY_BITS);
  f.bits('main.outCommodityRange', g('outCommodity'), LOT_COMMODITY_BITS);
  f.bits('main.factorNumRange', g('factorNum'), LOT_FACTOR_BITS);
  f.bits('main.factorDenRange', g('factorDen'), LOT_FACTOR_BITS);
  f.set('main.factorDenInv', invOrZero(g('factorDen')));
  const commodityDiff = modR(g('inCommodity') - g('outCommodity'));
  const commodityDiffInv = f.set('main.sameCommodity.inv', invOrZero(commodityDiff));
  f.set('main.sameCommodity.out', 1n - commodityDiff * commodityDiffInv);

  let sumInQ = 0n;
  let sumInE = 0n;
  let sumEnabled = 0n;
  let allFree = 1n;
  for (let i = 0; i < nIn; i++) {
    const slot = `main.inputs[${i}]`;
    const [en, secret, q, e, flag, s] = ['inEnabled', 'inOwnerSecret', 'inQuantityGrams', 'inEmissionsGramsCo2e', 'inDeforestationFree', 'inSalt'].map((n) => g(`${n}[${i}]`)) as [bigint, bigint, bigint, bigint, bigint, bigint];
    f.bits(`${slot}.quantityRange`, q, LOT_QUANTITY_GRAMS_BITS);
    f.bits(`${slot}.emissionsRange`, e, LOT_EMISSIONS_GRAMS_CO2E_BITS);
    const key = (await f.graft(`${slot}.key`, donors.ownerKey, { ownerSecret: secret }))('ownerKey');
    const note = { ownerKey: key, commodity: g('inCommodity'), quantityGrams: q, emissionsGramsCo2e: e, deforestationFree: flag, salt: s };
    const cm = (await f.graft(`${slot}.note`, donors.lotNote, note))('commitment');
    await f.graft(`${slot}.inclusion`, donors.merkle, { leaf: cm, pathIndices: input.inPathIndices[i]!, siblings: input.inSiblings[i]! });
    const nf = (await f.graft(`${slot}.nf`, donors.nullifier, { commitment: cm, ownerSecret: secret }))('nullifier');
    f.set(`${slot}.nullifier`, en * nf);
    sumInQ += q;
    sumInE += e;
    sumEnabled += en;
    allFree = f.set(`main.allFree[${i}]`, i === 0 ? flag : allFree * flag);
  }
  f.set('main.sumEnabledInv', invOrZero(sumEnabled));
  let p = 0;
  for (let i = 0; i < nIn; i++) {
    for (let j = i + 1; j < nIn; j++, p++) {
      const both = f.set(`main.bothEnabled[${p}]`, g(`inEnabled[${i}]`) * g(`inEnabled[${j}]`));
      f.set(`main.nullifierDiffInv[${p}]`, both === 1n ? invOrZero(g(`nullifiers[${i}]`) - g(`nullifiers[${j}]`)) : 0n);
    }
  }

  let sumOutQ = 0n;
  let sumOutE = 0n;
  for (let j = 0; j < 2; j++) {
    const slot = `main.outputs[${j}]`;
    const [en, key, q, e, flag, s] = ['outEnabled', 'outOwnerKey', 'outQuantityGrams', 'outEmissionsGramsCo2e', 'outDeforestationFree', 'outSalt'].map((n) => g(`${n}[${j}]`)) as [bigint, bigint, bigint, bigint, bigint, bigint];
    f.bits(`${slot}.quantityRange`, q, LOT_QUANTITY_GRAMS_BITS);
    f.bits(`${slot}.emissionsRange`, e, LOT_EMISSIONS_GRAMS_CO2E_BITS);
    const note = { ownerKey: key, commodity: g('outCommodity'), quantityGrams: q, emissionsGramsCo2e: e, deforestationFree: flag, salt: s };
    const cm = (await f.graft(`${slot}.note`, donors.lotNote, note))('commitment');
    f.set(`${slot}.commitment`, en * cm);
    sumOutQ += q;
    sumOutE += e;
  }

  const massIn = f.set('main.massIn', sumInQ * g('factorNum'));
  const massOut = f.set('main.massOut', sumOutQ * g('factorDen'));
  f.bits('main.mass.diff', massIn - massOut, MASS_BITS);
  const added = g('addedEmissionsGramsCo2e');
  f.bits('main.addedRange', added, LOT_EMISSIONS_GRAMS_CO2E_BITS);
  const total = f.set('main.totalEmissions', sumInE + added);
  f.bits('main.conserved.diff', sumOutE - total, TOTAL_E_BITS);
  const grams = f.set('main.sumOutQuantity', sumOutQ);
  for (let j = 0; j < 2; j++) {
    const allocated = f.set(`main.allocated[${j}]`, g(`outEmissionsGramsCo2e[${j}]`) * grams);
    const fairShare = f.set(`main.fairShare[${j}]`, total * g(`outQuantityGrams[${j}]`));
    f.bits(`main.intensity[${j}].diff`, allocated - fairShare, ALLOC_BITS);
  }
  return f.build(c);
}

/** The attack fails three ways: the twin lists it, honest witness generation refuses it, and the forged witness breaks only `rule`. */
async function expectRejected(input: LotTransitionInput, rule: readonly string[]): Promise<void> {
  await expectWitnessFails(c, input);
  await expectOnlyRuleFails(c, await forge(input), rule);
}

beforeAll(async () => {
  c = await compileMain({ name: `lot_transition_${PARAMS.depth}_${PARAMS.nIn}`, templateFile: CONFIG.file, template: CONFIG.template, params: [PARAMS.depth, PARAMS.nIn], publicInputs: CONFIG.publicInputs });
  donors = await compileDonors(PARAMS.depth);
});

describe('LOT_TRANSITION_PUBLIC_SIGNALS', () => {
  describe('when compared with circuits/circuits.json', () => {
    it('equals publicSignals of lot_transition, and its names are the publicInputs (no outputs)', () => {
      expect([...LOT_TRANSITION_PUBLIC_SIGNALS]).toEqual(CONFIG.publicSignals);
      expect(LOT_TRANSITION_PUBLIC_SIGNALS.map((s) => s.replace(/\[.*$/, ''))).toEqual(CONFIG.publicInputs);
    });

    it('counts 1 + nIn + 2 + 4 signals in every profile (publicSignalCount, what canopy setup checks)', () => {
      for (const [profile, params] of Object.entries(CONFIG.profiles)) expect(publicSignalCount(CONFIG, profile), profile).toBe(1 + params.nIn! + 2 + 4);
    });

    it('would be rejected if an array were sized by a parameter the circuit does not have', () => {
      const json = JSON.parse(readFileSync(CONFIG_PATH, 'utf8')) as { circuits: Record<string, { publicSignals: string[] }> };
      json.circuits.lot_transition!.publicSignals[1] = 'nullifiers[nOut]';
      expect(() => parseConfig(json, 'circuits.json')).toThrow(/publicSignals\[1\] sizes an array by "nOut", which is not in params/);
    });
  });
});

describe('LotTransition', () => {
  describe(`when compiled with the test profile (depth ${PARAMS.depth}, nIn ${PARAMS.nIn})`, () => {
    it(`has nIn·(260·depth + 992) + nIn² + 1557 = ${TEST_CONSTRAINTS} constraints, 1 + nIn + 2 + 4 public inputs and no outputs`, () => {
      expect(c.constraints, 'constraints').toBe(TEST_CONSTRAINTS);
      expect(TEST_CONSTRAINTS).toBe(5625);
      // Measured once by compiling (not in the tests, which keep to small parameters):
      // demo (10, 4) and production (32, 8). The demo must fit the bundled 2^14 ptau.
      expect([constraintsOf(10, 4), constraintsOf(32, 8)]).toEqual([15_941, 76_117]);
      expect(constraintsOf(10, 4) + (1 + 4 + 2 + 4) + 1).toBeLessThanOrEqual(2 ** 14);
      expect(c.publicInputs, 'public inputs').toBe(publicSignalCount(CONFIG, 'test'));
      expect(c.publicOutputs, 'public outputs').toBe(0);
    });

    it('puts the public signals on wires 1.. in LOT_TRANSITION_PUBLIC_SIGNALS order', async () => {
      const t = transition([spend(IA), spend(IB)], [{ ownerKey: BOB, quantityGrams: 120_000n }, { ownerKey: ALICE, quantityGrams: 30_000n }]);
      const w = await honestWitness(c, lotTransitionWitnessInput(t, PARAMS));
      const signals = lotTransitionPublicSignals(lotTransitionPublic(t, PARAMS));
      expect(signals).toHaveLength(1 + PARAMS.nIn + 2 + 4);
      expect(w.slice(1, 1 + signals.length).map(String), 'witness wires 1..').toEqual(signals);
      const names = ['root', ...Array.from({ length: PARAMS.nIn }, (_, i) => `nullifiers[${i}]`), 'outCommitments[0]', 'outCommitments[1]', 'inCommodity', 'outCommodity', 'factorNum', 'factorDen'];
      names.forEach((name, i) => expect(mainSignal(c, w, name), `main.${name}`).toBe(w[1 + i]));
    });
  });

  describe('when the transition is valid', () => {
    const cases: [string, () => LotTransition][] = [
      ['transfer 1 → 1 to a new owner key', () => transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: A.quantityGrams }])],
      ['merge 2 → 1', () => transition([spend(IA), spend(IB)], [{ ownerKey: ALICE, quantityGrams: 150_000n }])],
      ['split 1 → 2', () => transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: 60_000n }, { ownerKey: ALICE, quantityGrams: 40_000n }])],
      ['process palm fruit into crude palm oil at factor 1/5, with the mill\'s own emissions', () => transition([spend(IFRUIT)], [{ ownerKey: CAROL, quantityGrams: 100_000n }], 40_000n, TO_FRUIT_OIL)],
      ['split with rounding: 3 g into 1 g + 2 g', () => transition([spend(ISMALL)], [{ ownerKey: BOB, quantityGrams: 1n }, { ownerKey: ALICE, quantityGrams: 2n }])],
      ['spend Bob\'s note with Bob\'s secret', () => transition([spendOf(TREE, NOTES, IBOBS, BOB_SECRET)], [{ ownerKey: ALICE, quantityGrams: 70_000n }])],
      ['drop mass (a loss), emissions kept by the rest', () => transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: 90_000n }])],
    ];
    for (const [name, make] of cases) {
      it(`accepts ${name}; the forged witness equals the honest one`, async () => {
        const t = make();
        expect(lotTransitionViolations(t, PARAMS), 'lotTransitionViolations').toEqual([]);
        const input = lotTransitionWitnessInput(t, PARAMS);
        const w = await honestWitness(c, input);
        expect(await forge(input), 'forge(valid input) = honest witness').toEqual(w);
        const outs = lotTransitionPublic(t, PARAMS).outCommitments;
        expect(outs.slice(0, t.outputs.length), 'outCommitments').toEqual(t.outputs.map(noteCommitment));
      });
    }

    it('keeps the numbers of processing: 500 kg fruit → 100 kg oil carrying 250 + 40 kg CO2e, deforestation-free', () => {
      const t = cases[3]![1]();
      expect(t.outputs).toEqual([expect.objectContaining({ commodity: PALM_OIL, quantityGrams: 100_000n, emissionsGramsCo2e: 290_000n, deforestationFree: true })]);
    });
  });

  describe('when a note is spent twice', () => {
    it('spend twice: the same note in two slots of one transition fails the distinct-nullifier constraint', async () => {
      // A and its twin D have the same grams, emissions and flag: every sum of (A, A)
      // equals that of the valid (A, D), so only the duplicate can fail.
      const valid = transition([spend(IA), spend(ID)], [{ ownerKey: BOB, quantityGrams: 200_000n }]);
      expect(lotTransitionViolations({ ...valid, inputs: [spend(IA), spend(IA)] }, PARAMS).join()).toMatch(/same note/);
      let input = lotTransitionWitnessInput(valid, PARAMS);
      input = withInputSlot(input, 1, { note: raw(A), ownerSecret: ALICE_SECRET, tree: TREE, leafIndex: IA, enabled: 1n });
      input.nullifiers[1] = input.nullifiers[0]!;
      await expectRejected(input, ['main.nullifierDiffInv[0]']);
    });

    it('spend twice: across transitions the nullifier is the same, so the registry refuses the second', async () => {
      const first = transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: A.quantityGrams }]);
      const second = transition([spend(IA)], [{ ownerKey: CAROL, quantityGrams: A.quantityGrams }]);
      const n1 = lotTransitionPublic(first, PARAMS).nullifiers[0]!;
      expect(lotTransitionPublic(second, PARAMS).nullifiers[0]).toBe(n1);
      expect(n1).toBe(nullifier(noteCommitment(A), ALICE_SECRET));
      const w1 = await honestWitness(c, lotTransitionWitnessInput(first, PARAMS));
      const w2 = await honestWitness(c, lotTransitionWitnessInput(second, PARAMS));
      expect(mainSignal(c, w2, 'nullifiers[0]')).toBe(mainSignal(c, w1, 'nullifiers[0]'));
    });

    it('spend twice: a fresh nullifier for a spent note (another secret) fails the nullifier constraint', async () => {
      const input = lotTransitionWitnessInput(transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: A.quantityGrams }]), PARAMS);
      input.nullifiers[0] = nullifier(noteCommitment(A), BOB_SECRET).toString();
      await expectRejected(input, ['main.nullifiers[0]']);
    });
  });

  describe('when a note is not in the tree', () => {
    it('spend a note not in the tree: its path reaches another root and fails the root constraint', async () => {
      // The prover's note X sits in a tree of its own making; the proof claims the real root.
      const x = lot({ quantityGrams: 1_000_000n, emissionsGramsCo2e: 1n });
      const fake = lotsTree(PARAMS.depth, [...NOTES, x]);
      const t = transition([spendOf(fake, [...NOTES, x], NOTES.length, ALICE_SECRET)], [{ ownerKey: BOB, quantityGrams: x.quantityGrams }]);
      const input = { ...lotTransitionWitnessInput(t, PARAMS), root: TREE.root.toString() };
      await expectRejected(input, ['main.inputs[0].inclusion.root']);
    });
  });

  describe('when the opening is wrong', () => {
    const valid = () => lotTransitionWitnessInput(transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: A.quantityGrams }]), PARAMS);

    it('spend with a wrong salt: the commitment is not in the tree', async () => {
      const input = valid();
      input.inSalt[0] = (A.salt + 1n).toString();
      // The prover publishes the nullifier its (wrong) opening yields.
      input.nullifiers[0] = nullifier(noteCommitment({ ...A, salt: A.salt + 1n }), ALICE_SECRET).toString();
      await expectRejected(input, ['main.inputs[0].inclusion.root']);
    });

    it('spend with a wrong ownerSecret: its owner key makes another commitment, not in the tree', async () => {
      const input = valid();
      input.inOwnerSecret[0] = BOB_SECRET.toString();
      input.nullifiers[0] = nullifier(noteCommitment({ ...A, ownerKey: BOB }), BOB_SECRET).toString();
      await expectRejected(input, ['main.inputs[0].inclusion.root']);
      expect(lotTransitionViolations({ ...transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: 1n }]), inputs: [spend(IA, BOB_SECRET)] }, PARAMS).join()).toMatch(/ownerSecret does not open/);
    });
  });

  describe('when outputs hold more mass than the inputs allow', () => {
    const split = (extra: bigint) => {
      const t = transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: 60_000n }, { ownerKey: ALICE, quantityGrams: 40_000n }]);
      const q = [60_000n, 40_000n + extra];
      const e = allocateEmissions([A], 0n, q);
      const outputs = t.outputs.map((n, j) => ({ ...n, quantityGrams: q[j]!, emissionsGramsCo2e: e[j]! }));
      return { t: { ...t, outputs }, input: inputWithOutputs(t, outputs) };
    };

    it('create mass: Σ out = Σ in passes', async () => {
      const { t, input } = split(0n);
      expect(lotTransitionViolations(t, PARAMS)).toEqual([]);
      await honestWitness(c, input);
    });

    it('create mass: Σ out = Σ in + 1 g fails the mass constraint', async () => {
      const { t, input } = split(1n);
      expect(lotTransitionViolations(t, PARAMS).join()).toMatch(/^mass:/);
      await expectRejected(input, ['main.mass.']);
    });

    it('create mass: processing 500 kg fruit at 1/5 into 100 kg oil passes, 100 kg + 1 g fails', async () => {
      const t = transition([spend(IFRUIT)], [{ ownerKey: CAROL, quantityGrams: 100_000n }], 0n, TO_FRUIT_OIL);
      await honestWitness(c, lotTransitionWitnessInput(t, PARAMS));
      const over = { ...t.outputs[0]!, quantityGrams: 100_001n, emissionsGramsCo2e: 250_000n };
      expect(lotTransitionViolations({ ...t, outputs: [over] }, PARAMS).join()).toMatch(/^mass:/);
      await expectRejected(inputWithOutputs(t, [over]), ['main.mass.']);
    });
  });

  describe('when emissions are dropped', () => {
    it('drop emissions: Σ out E = E passes, E − 1 g fails (conservation and the short output\'s intensity)', async () => {
      const t = transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: 60_000n }, { ownerKey: ALICE, quantityGrams: 40_000n }]);
      expect(t.outputs.map((n) => n.emissionsGramsCo2e)).toEqual([180_000n, 120_000n]);
      await honestWitness(c, lotTransitionWitnessInput(t, PARAMS));
      const short = [t.outputs[0]!, { ...t.outputs[1]!, emissionsGramsCo2e: 119_999n }];
      expect(lotTransitionViolations({ ...t, outputs: short }, PARAMS).join()).toMatch(/^emissions:/);
      await expectRejected(inputWithOutputs(t, short), ['main.conserved.', 'main.intensity[1].']);
    });

    it('drop emissions: with every output at 0 g, only the conservation constraint stops E − 1 g', async () => {
      const t = transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: 0n }]);
      expect(t.outputs[0]!.emissionsGramsCo2e).toBe(A.emissionsGramsCo2e);
      await honestWitness(c, lotTransitionWitnessInput(t, PARAMS));
      const short = [{ ...t.outputs[0]!, emissionsGramsCo2e: A.emissionsGramsCo2e - 1n }];
      expect(lotTransitionViolations({ ...t, outputs: short }, PARAMS).join()).toMatch(/^emissions: outputs carry/);
      await expectRejected(inputWithOutputs(t, short), ['main.conserved.']);
    });

    it('drop emissions: the prover\'s added emissions count too (E = Σ in + added)', async () => {
      const t = transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: A.quantityGrams }], 5_000n);
      expect(t.outputs[0]!.emissionsGramsCo2e).toBe(305_000n);
      await honestWitness(c, lotTransitionWitnessInput(t, PARAMS));
      const short = [{ ...t.outputs[0]!, emissionsGramsCo2e: 304_999n }];
      await expectRejected(inputWithOutputs(t, short), ['main.conserved.', 'main.intensity[0].']);
    });
  });

  describe('when emissions are moved between outputs', () => {
    it('move emissions from one output to the other: 1 g below average intensity fails that output\'s constraint', async () => {
      const t = transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: 60_000n }, { ownerKey: ALICE, quantityGrams: 40_000n }]);
      const moved = [{ ...t.outputs[0]!, emissionsGramsCo2e: 180_001n }, { ...t.outputs[1]!, emissionsGramsCo2e: 119_999n }];
      expect(lotTransitionViolations({ ...t, outputs: moved }, PARAMS).join()).toMatch(/outputs\[1\] carries 119999/);
      await expectRejected(inputWithOutputs(t, moved), ['main.intensity[1].']);
    });

    it('move emissions from one output to the other: with rounding, 4 + 7 passes while 3 + 7 and 4 + 6 fail', async () => {
      // 3 g carrying 10 g CO2e split 1 g / 2 g: shares 3.33… and 6.67…, rounded up to 4 and 7.
      expect(allocateEmissions([SMALL], 0n, [1n, 2n])).toEqual([4n, 7n]);
      const small = transition([spend(ISMALL)], [{ ownerKey: BOB, quantityGrams: 1n }, { ownerKey: ALICE, quantityGrams: 2n }]);
      await honestWitness(c, lotTransitionWitnessInput(small, PARAMS));
      for (const [e0, e1, rule] of [[3n, 7n, 'main.intensity[0].'], [4n, 6n, 'main.intensity[1].']] as const) {
        const outs = [{ ...small.outputs[0]!, emissionsGramsCo2e: e0 }, { ...small.outputs[1]!, emissionsGramsCo2e: e1 }];
        expect(lotTransitionViolations({ ...small, outputs: outs }, PARAMS).join()).toMatch(/below the average/);
        await expectRejected(inputWithOutputs(small, outs), [rule]);
      }
    });
  });

  describe('when a non-deforestation-free input is mixed in', () => {
    it('mix a non-deforestation-free input into a deforestation-free output: fails the flag constraint', async () => {
      const t = transition([spend(IA), spend(IC)], [{ ownerKey: BOB, quantityGrams: 140_000n }]);
      expect(t.outputs[0]!.deforestationFree).toBe(false);
      await honestWitness(c, lotTransitionWitnessInput(t, PARAMS));
      const claimed = [{ ...t.outputs[0]!, deforestationFree: true }];
      expect(lotTransitionViolations({ ...t, outputs: claimed }, PARAMS).join()).toMatch(/^deforestation-free:/);
      await expectRejected(inputWithOutputs(t, claimed), ['main.outDeforestationFree[0]']);
    });

    it('keeps the flag of two deforestation-free inputs', () => {
      expect(transition([spend(IA), spend(IB)], [{ ownerKey: BOB, quantityGrams: 1n }]).outputs[0]!.deforestationFree).toBe(true);
    });
  });

  describe('when a value wraps around the field', () => {
    it('overflow: an output of r − 1 g beside one of Σ in + 1 g (sums equal mod r) fails only that range check', async () => {
      const t = transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: 60_000n }, { ownerKey: ALICE, quantityGrams: 40_000n }]);
      // Σ out ≡ 100 001 + (r − 1) ≡ 100 000 (mod r). Output 0 takes the emissions its
      // 100 001 g need against Σ out = 100 000; output 1 carries none, and E · (r − 1) ≡ −E
      // makes its intensity check pass modulo r.
      const out0 = { ...raw(t.outputs[0]!), quantityGrams: 100_001n, emissionsGramsCo2e: (300_000n * 100_001n + 99_999n) / 100_000n };
      const out1 = { ...raw(t.outputs[1]!), quantityGrams: R - 1n, emissionsGramsCo2e: 0n };
      const input = withOutput(withOutput(lotTransitionWitnessInput(t, PARAMS), 0, out0), 1, out1);
      await expectRejected(input, ['main.outputs[1].quantityRange.']);
    });

    it('overflow: an output of 2^48 g from two inputs of 2^47 g fails its range check; 2^48 − 1 g passes', async () => {
      const t = transition([spend(IBIG1), spend(IBIG2)], [{ ownerKey: BOB, quantityGrams: 2n * HALF_MAX - 1n }]);
      await honestWitness(c, lotTransitionWitnessInput(t, PARAMS));
      const over = { ...raw(t.outputs[0]!), quantityGrams: 2n * HALF_MAX };
      await expectRejected(withOutput(lotTransitionWitnessInput(t, PARAMS), 0, over), ['main.outputs[0].quantityRange.']);
    });

    it('overflow: negative added emissions r − x (outputs carry Σ in − x) fail only the added range check', async () => {
      const x = 100_000n;
      const t = transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: A.quantityGrams }]);
      const input = withOutput(lotTransitionWitnessInput(t, PARAMS), 0, { ...raw(t.outputs[0]!), emissionsGramsCo2e: A.emissionsGramsCo2e - x });
      input.addedEmissionsGramsCo2e = (R - x).toString();
      await expectRejected(input, ['main.addedRange.']);
    });

    it('overflow: a negative output emission r − x (the other output + x, Σ equal mod r) fails its range and intensity checks', async () => {
      const x = 50_000n;
      const t = transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: 60_000n }, { ownerKey: ALICE, quantityGrams: 40_000n }]);
      const out0 = { ...raw(t.outputs[0]!), emissionsGramsCo2e: 300_000n + x };
      const out1 = { ...raw(t.outputs[1]!), emissionsGramsCo2e: R - x };
      const input = withOutput(withOutput(lotTransitionWitnessInput(t, PARAMS), 0, out0), 1, out1);
      await expectRejected(input, ['main.outputs[1].emissionsRange.', 'main.intensity[1].']);
    });

    it('overflow: the witness writer and the twin refuse r − 1 g before any proof', async () => {
      const t = transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: A.quantityGrams }]);
      expect(() => lotTransitionWitnessInput({ ...t, outputs: [{ ...t.outputs[0]!, quantityGrams: R - 1n }] }, PARAMS)).toThrow(RangeError);
      expect(() => lotTransitionWitnessInput({ ...t, addedEmissionsGramsCo2e: R - 1n }, PARAMS)).toThrow(RangeError);
    });
  });

  describe('when a disabled slot is reused', () => {
    const single = () => transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: A.quantityGrams }]);

    it('reuse a disabled slot: a disabled input with 50 kg (and the output +50 kg) fails the neutral-slot constraint', async () => {
      const t = single();
      const input = withOutput(lotTransitionWitnessInput(t, PARAMS), 0, { ...raw(t.outputs[0]!), quantityGrams: A.quantityGrams + 50_000n });
      input.inQuantityGrams[1] = '50000';
      await expectRejected(input, ['main.inEnabled[1]']);
    });

    it('reuse a disabled slot: a disabled slot publishing the real nullifier of a note it opens fails', async () => {
      const t = single();
      let input = lotTransitionWitnessInput(t, PARAMS);
      input = withInputSlot(input, 1, { note: raw(B), ownerSecret: ALICE_SECRET, tree: TREE, leafIndex: IB, enabled: 0n });
      input.nullifiers[1] = nullifier(noteCommitment(B), ALICE_SECRET).toString();
      // The slot keeps B's owner, salt and flag 1 but 0 g and 0 g CO2e, as a disabled slot
      // must: only the nullifier constraint is left to stop it.
      input.inQuantityGrams[1] = '0';
      input.inEmissionsGramsCo2e[1] = '0';
      await expectRejected(input, ['main.nullifiers[1]']);
    });

    it('reuse a disabled slot: writing a real nullifier into an honest witness fails (setSignal)', async () => {
      const w = await honestWitness(c, lotTransitionWitnessInput(single(), PARAMS));
      const burned = nullifier(noteCommitment(B), ALICE_SECRET);
      await expectUnsatisfied(c, setSignals(c, w, { 'main.nullifiers[1]': burned }));
    });

    it('reuse a disabled slot: a disabled output hiding half the emissions fails its zero constraint', async () => {
      // Output 0 keeps 50 kg at the average intensity; the phantom output 1 would take the
      // other 50 kg and 150 kg CO2e out of existence.
      const t = single();
      let input = withOutput(lotTransitionWitnessInput(t, PARAMS), 0, { ...raw(t.outputs[0]!), quantityGrams: 50_000n, emissionsGramsCo2e: 150_000n });
      input = withOutput(input, 1, { ...raw(t.outputs[0]!), quantityGrams: 50_000n, emissionsGramsCo2e: 150_000n, salt: 7n });
      input.outEnabled[1] = '0';
      input.outCommitments[1] = '0';
      await expectRejected(input, ['main.outEnabled[1]']);
    });

    it('reuse a disabled slot: a disabled output absorbing all emissions when every output holds 0 g fails its zero constraint', async () => {
      // With Σ out grams = 0 no intensity check binds, so only the disabled output's
      // "0 g CO2e" keeps the emissions on a note that exists.
      const t = transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: 0n }]);
      let input = withOutput(lotTransitionWitnessInput(t, PARAMS), 0, { ...raw(t.outputs[0]!), emissionsGramsCo2e: 0n });
      input = withOutput(input, 1, { ...raw(t.outputs[0]!), emissionsGramsCo2e: A.emissionsGramsCo2e, salt: 7n });
      input.outEnabled[1] = '0';
      input.outCommitments[1] = '0';
      await expectRejected(input, ['main.outEnabled[1]']);
    });

    it('spends nothing: every input slot disabled fails the at-least-one-input constraint', async () => {
      let input = lotTransitionWitnessInput(single(), PARAMS);
      input = withInputSlot(input, 0, { note: { ...raw(A), quantityGrams: 0n, emissionsGramsCo2e: 0n, deforestationFree: 1n }, ownerSecret: 0n, tree: TREE, leafIndex: 0, enabled: 0n });
      input.nullifiers[0] = '0';
      input = withOutput(input, 0, { ...raw(lot({ ownerKey: BOB })), quantityGrams: 0n, emissionsGramsCo2e: 0n, deforestationFree: 1n });
      await expectRejected(input, ['main.sumEnabledInv']);
      expect(lotTransitionViolations({ inputs: [], outputs: [], addedEmissionsGramsCo2e: 0n, conversion: identityConversion(COFFEE) }, PARAMS)).toEqual(['spends: a transition needs at least one input']);
    });
  });

  describe('when the commodity is wrong', () => {
    it('wrong commodity: an input of another commodity has another leaf and fails the root constraint', async () => {
      // FRUIT spent as if it were coffee, into coffee: the prover's opening is FRUIT's, with
      // commodity 090111, and it publishes the matching nullifier.
      const t = transition([spend(IFRUIT)], [{ ownerKey: BOB, quantityGrams: 100_000n }], 0n, TO_FRUIT_OIL);
      const input = lotTransitionWitnessInput(t, PARAMS);
      const asCoffee = { ...FRUIT, commodity: COFFEE };
      expect(lotTransitionViolations({ ...t, conversion: identityConversion(COFFEE), outputs: [] }, PARAMS).join()).toMatch(/commodity: inputs\[0\] has 120710/);
      const patched = withOutput({ ...input, inCommodity: COFFEE.toString(), outCommodity: COFFEE.toString(), factorNum: '1', factorDen: '1' }, 0, {
        ...raw(t.outputs[0]!),
        commodity: COFFEE,
        emissionsGramsCo2e: 250_000n,
      });
      patched.nullifiers[0] = nullifier(noteCommitment(asCoffee), ALICE_SECRET).toString();
      await expectRejected(patched, ['main.inputs[0].inclusion.root']);
    });

    it('wrong commodity: an output of another commodity than outCommodity fails its commitment constraint', async () => {
      const t = transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: A.quantityGrams }]);
      const other = [{ ...t.outputs[0]!, commodity: PALM_OIL }];
      expect(lotTransitionViolations({ ...t, outputs: other }, PARAMS).join()).toMatch(/commodity: outputs\[0\] has 151110/);
      await expectRejected(inputWithOutputs(t, other), ['main.outCommitments[0]']);
    });
  });

  describe('when the conversion factor is wrong', () => {
    it('wrong conversion factor: a plain transfer at 2/1 doubling the mass fails the same-commodity constraint', async () => {
      const t = transition([spend(IA)], [{ ownerKey: BOB, quantityGrams: A.quantityGrams }]);
      const doubled = [{ ...t.outputs[0]!, quantityGrams: 2n * A.quantityGrams, emissionsGramsCo2e: A.emissionsGramsCo2e }];
      const conversion = { ...identityConversion(COFFEE), factorNum: 2n };
      expect(lotTransitionViolations({ ...t, outputs: doubled, conversion }, PARAMS).join()).toMatch(/without a change of commodity/);
      const input = { ...inputWithOutputs(t, doubled), factorNum: '2' };
      await expectRejected(input, ['main.sameCommodity.']);
    });

    it('wrong conversion factor: oil computed at 1/4 against the public 1/5 fails the mass constraint', async () => {
      const t = transition([spend(IFRUIT)], [{ ownerKey: CAROL, quantityGrams: 100_000n }], 0n, TO_FRUIT_OIL);
      const quarter = [{ ...t.outputs[0]!, quantityGrams: 125_000n }];
      await expectRejected(inputWithOutputs(t, quarter), ['main.mass.']);
      // The same witness with the public factor rewritten to 1/4 would pass: the factor is
      // what the verifier must check against its table of processing rules.
      await honestWitness(c, { ...inputWithOutputs(t, quarter), factorDen: '4' });
    });

    it('wrong conversion factor: factorDen = 0 fails its inverse constraint', async () => {
      const t = transition([spend(IFRUIT)], [{ ownerKey: CAROL, quantityGrams: 100_000n }], 0n, TO_FRUIT_OIL);
      const input = { ...lotTransitionWitnessInput(t, PARAMS), factorDen: '0' };
      await expectRejected(input, ['main.factorDenInv']);
    });
  });

  describe('when compared with the twin on random transitions', () => {
    it('accepts exactly the transitions lotTransitionViolations finds no fault in (48 cases)', async () => {
      let seed = 0x2545f491;
      const rand = (n: number) => {
        seed ^= seed << 13;
        seed ^= seed >>> 17;
        seed ^= seed << 5;
        return (seed >>> 0) % n;
      };
      const pool = [IA, IB, IC, ID];
      let accepted = 0;
      for (let k = 0; k < 48; k++) {
        const nInputs = 1 + rand(2);
        const picked = [pool[rand(4)]!];
        if (nInputs === 2) picked.push(pool.filter((i) => i !== picked[0])[rand(3)]!);
        const spends = picked.map((i) => spend(i));
        const total = spends.reduce((a, s) => a + s.note.quantityGrams, 0n);
        const q0 = BigInt(rand(Number(total) + 1));
        const requests = rand(2) === 0 ? [{ ownerKey: BOB, quantityGrams: q0 }] : [{ ownerKey: BOB, quantityGrams: q0 }, { ownerKey: ALICE, quantityGrams: total - q0 }];
        const added = BigInt(rand(3) * 1000);
        const base = transition(spends, requests, added);
        // One small mutation: a gram or a gram CO2e either way, a flag flip, or none.
        const outputs = base.outputs.map((n) => ({ ...n }));
        const j = rand(outputs.length);
        const d = BigInt(rand(3) - 1);
        switch (rand(4)) {
          case 0: outputs[j]!.quantityGrams = outputs[j]!.quantityGrams + d < 0n ? 0n : outputs[j]!.quantityGrams + d; break;
          case 1: outputs[j]!.emissionsGramsCo2e = outputs[j]!.emissionsGramsCo2e + d < 0n ? 0n : outputs[j]!.emissionsGramsCo2e + d; break;
          case 2: outputs[j]!.deforestationFree = !outputs[j]!.deforestationFree; break;
          default: break;
        }
        const mutated = { ...base, outputs };
        const valid = lotTransitionViolations(mutated, PARAMS).length === 0;
        const ok = await calculateWitness(c, inputWithOutputs(base, outputs)).then(
          () => true,
          () => false,
        );
        expect(ok, `case ${k}: circuit accepts = ${ok}, twin says valid = ${valid} (${lotTransitionViolations(mutated, PARAMS).join('; ')})`).toBe(valid);
        if (ok) accepted++;
      }
      // Both outcomes occur, so the comparison says something.
      expect(accepted).toBeGreaterThan(5);
      expect(accepted).toBeLessThan(43);
    });
  });

  describe('when compiled with depth 1 and a single input slot', () => {
    it('has nIn·(260·depth + 992) + nIn² + 1557 = 2810 constraints and transfers a note', async () => {
      const c1 = await compileMain({ name: 'lot_transition_1_1', templateFile: CONFIG.file, template: CONFIG.template, params: [1, 1], publicInputs: CONFIG.publicInputs });
      expect(c1.constraints, 'LotTransition(1, 1).constraints').toBe(constraintsOf(1, 1));
      const tree = lotsTree(1, [A]);
      const t = transition([spendOf(tree, [A], 0, ALICE_SECRET)], [{ ownerKey: BOB, quantityGrams: A.quantityGrams }]);
      await honestWitness(c1, lotTransitionWitnessInput(t, { depth: 1, nIn: 1 }));
    });
  });

  describe('when nIn is outside [1, 16]', () => {
    for (const nIn of [0, 17]) {
      it(`refuses to compile LotTransition(1, ${nIn})`, async () => {
        await expect(compileMain({ name: `lot_transition_1_${nIn}`, templateFile: CONFIG.file, template: CONFIG.template, params: [1, nIn], publicInputs: CONFIG.publicInputs })).rejects.toMatchObject({
          code: 'CIRCUIT_COMPILE_FAILED',
        });
      });
    }
  });
});

describe('lotTransitionWitnessInput', () => {
  describe('when the witness is checked after it was made', () => {
    it('a forged witness of a valid statement passes the constraints', async () => {
      const t = transition([spend(IA), spend(IB)], [{ ownerKey: BOB, quantityGrams: 150_000n }]);
      await expectSatisfied(c, await forge(lotTransitionWitnessInput(t, PARAMS)));
    });
  });
});

describe('AssertLessEqPrechecked', () => {
  describe('when n = 8 and both operands are below 2^8, as the precondition demands', () => {
    it('accepts a ≤ b at the boundaries and fails a = b + 1 (witness and tampered)', async () => {
      const c8 = await compileTemplate('circuits/lib/assert_less_eq.circom', 'AssertLessEqPrechecked', [8]);
      expect(c8.constraints, 'AssertLessEqPrechecked(8).constraints').toBe(8);
      for (const [a, b] of [[0n, 0n], [0n, 255n], [255n, 255n], [17n, 18n]] as const) await honestWitness(c8, { a, b });
      for (const [a, b] of [[1n, 0n], [255n, 0n], [19n, 18n]] as const) await expectWitnessFails(c8, { a, b });
      const w = await honestWitness(c8, { a: 18n, b: 18n });
      await expectUnsatisfied(c8, setSignals(c8, w, { 'main.a': 19n }));
    });

    it('proves nothing without the precondition: a = r − 1 ("−1") ≤ b = 0 passes, which is why callers range-check first', async () => {
      const c8 = await compileTemplate('circuits/lib/assert_less_eq.circom', 'AssertLessEqPrechecked', [8]);
      await honestWitness(c8, { a: R - 1n, b: 0n });
    });
  });
});
