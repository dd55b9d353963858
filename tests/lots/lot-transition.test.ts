// Tests of the pure side of core/circuits/lot-transition.ts (no circuit run): conversion
// factors, the most grams a transition may output, the proportional emissions split with
// its rounding against the prover, the output flag, the rule checker, the public signals
// and the witness input's keys against the circuit's own declarations.
// tests/circuits/lot-transition.test.ts runs the same twin against the circuit.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../circuits/toolchain/project-root.ts';
import {
  allocateEmissions,
  assertLotConversion,
  identityConversion,
  LOT_TRANSITION_MAX_INPUTS,
  LOT_TRANSITION_PUBLIC_SIGNALS,
  lotTransitionPublic,
  lotTransitionPublicSignals,
  lotTransitionViolations,
  lotTransitionWitnessInput,
  maxOutputGrams,
  outputDeforestationFree,
  transitionOutputs,
  type LotConversion,
  type LotTransition,
} from '../../core/circuits/lot-transition.ts';
import { noteCommitment, nullifier } from '../../core/lots/note.ts';
import { expectInputError, HOSTILE_INPUTS, isFieldElement, R } from '../hostile-inputs.ts';
import { ALICE, ALICE_SECRET, BOB, BOB_SECRET, COFFEE, lot, lotsTree, PALM_FRUIT, PALM_OIL, salt, spendOf } from './_fixtures.ts';

const PARAMS = { depth: 4, nIn: 2 };
const A = lot({ quantityGrams: 100_000n, emissionsGramsCo2e: 300_000n, deforestationFree: true });
const B = lot({ quantityGrams: 50_000n, emissionsGramsCo2e: 200_000n, deforestationFree: true });
const C = lot({ quantityGrams: 40_000n, emissionsGramsCo2e: 100_000n, deforestationFree: false });
const FRUIT = lot({ commodity: PALM_FRUIT, quantityGrams: 500_001n, emissionsGramsCo2e: 250_000n, deforestationFree: true });
const NOTES = [A, B, C, FRUIT];
const TREE = lotsTree(PARAMS.depth, NOTES);
const TO_OIL: LotConversion = { inCommodity: PALM_FRUIT, outCommodity: PALM_OIL, factorNum: 1n, factorDen: 5n };

function split(...grams: bigint[]): LotTransition {
  const outputs = transitionOutputs([A], 0n, identityConversion(COFFEE), grams.map((quantityGrams, j) => ({ ownerKey: j ? ALICE : BOB, quantityGrams, salt: salt() })));
  return { inputs: [spendOf(TREE, NOTES, 0, ALICE_SECRET)], outputs, addedEmissionsGramsCo2e: 0n, conversion: identityConversion(COFFEE) };
}

/** The input signals of a circuit file, in declaration order. */
function declaredInputs(file: string): string[] {
  const text = readFileSync(join(PROJECT_ROOT, file), 'utf8');
  return [...text.matchAll(/^\s*signal input (\w+)/gm)].map((m) => m[1]!);
}

describe('identityConversion', () => {
  describe('when given a commodity', () => {
    it('is the same commodity at factor 1/1', () => {
      expect(identityConversion(COFFEE)).toEqual({ inCommodity: COFFEE, outCommodity: COFFEE, factorNum: 1n, factorDen: 1n });
    });
  });

  describe('when given a commodity out of range', () => {
    it('throws RangeError naming commodity', () => expectInputError(() => identityConversion(1n << 20n), 'commodity', 'range'));
  });
});

describe('assertLotConversion', () => {
  describe('when factorDen is 0', () => {
    it('throws RangeError: the mass rule would hold for any output', () => {
      expectInputError(() => assertLotConversion({ ...TO_OIL, factorDen: 0n }, 'c'), 'c.factorDen', 'range');
    });
  });

  describe('when a factor is 2^32', () => {
    it('throws RangeError naming it; 2^32 − 1 passes', () => {
      expectInputError(() => assertLotConversion({ ...TO_OIL, factorNum: 1n << 32n }, 'c'), 'c.factorNum', 'range');
      expect(() => assertLotConversion({ ...TO_OIL, factorNum: (1n << 32n) - 1n, factorDen: (1n << 32n) - 1n }, 'c')).not.toThrow();
    });
  });
});

describe('maxOutputGrams', () => {
  describe('when the factor is 1/5', () => {
    it('rounds down: 500 001 g of fruit allow 100 000 g of oil', () => {
      expect(maxOutputGrams([FRUIT], TO_OIL)).toBe(100_000n);
    });
  });

  describe('when the conversion is the identity', () => {
    it('is the sum of the inputs', () => {
      expect(maxOutputGrams([A, B, C], identityConversion(COFFEE))).toBe(190_000n);
      expect(maxOutputGrams([], identityConversion(COFFEE))).toBe(0n);
    });
  });
});

describe('allocateEmissions', () => {
  describe('when the split is exact', () => {
    it('gives each output its share: 300 kg CO2e over 60 kg / 40 kg → 180 / 120', () => {
      expect(allocateEmissions([A], 0n, [60_000n, 40_000n])).toEqual([180_000n, 120_000n]);
    });

    it('adds the prover\'s emissions to the inputs\'', () => {
      expect(allocateEmissions([A, B], 10_000n, [155_000n])).toEqual([510_000n]);
    });
  });

  describe('when shares are fractional', () => {
    it('rounds every share up, against the prover: 10 g over 1 g / 2 g → 4 / 7', () => {
      expect(allocateEmissions([lot({ quantityGrams: 3n, emissionsGramsCo2e: 10n })], 0n, [1n, 2n])).toEqual([4n, 7n]);
    });

    it('returns the least shares the circuit accepts, for random splits (200 cases)', () => {
      let seed = 12345;
      const next = (n: bigint) => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return BigInt(seed) % n;
      };
      for (let k = 0; k < 200; k++) {
        const e = next(1_000_000n);
        const q = [next(1000n), next(1000n)];
        const grams = q[0]! + q[1]!;
        const shares = allocateEmissions([lot({ quantityGrams: 1n, emissionsGramsCo2e: e })], 0n, q);
        expect(shares[0]! + shares[1]!, `Σ shares of ${e} over ${q}`).toBeGreaterThanOrEqual(e);
        shares.forEach((s, j) => {
          if (grams === 0n) return;
          // The circuit's check, and that one gram less fails it (minimal).
          expect(s * grams >= e * q[j]!, `share ${j} = ${s} of ${e} over ${q}`).toBe(true);
          if (s > 0n) expect((s - 1n) * grams >= e * q[j]!, `share ${j} − 1 still passes for ${e} over ${q}`).toBe(false);
        });
      }
    });
  });

  describe('when every output has 0 g', () => {
    it('puts all emissions on the first output, so none are dropped', () => {
      expect(allocateEmissions([A], 5n, [0n, 0n])).toEqual([300_005n, 0n]);
    });
  });

  describe('when there is no output', () => {
    it('returns [] for zero emissions and throws INVALID_INPUT otherwise', () => {
      expect(allocateEmissions([lot({ emissionsGramsCo2e: 0n })], 0n, [])).toEqual([]);
      expect(() => allocateEmissions([A], 0n, [])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    });
  });

  describe('when a share does not fit 64 bits', () => {
    it('throws OUT_OF_RANGE', () => {
      const max = (1n << 64n) - 1n;
      expect(() => allocateEmissions([lot({ emissionsGramsCo2e: max })], 1n, [1n])).toThrow(expect.objectContaining({ code: 'OUT_OF_RANGE' }));
      expect(allocateEmissions([lot({ emissionsGramsCo2e: max })], 0n, [1n])).toEqual([max]);
    });
  });

  describe('when given hostile input', () => {
    for (const { name, value } of HOSTILE_INPUTS.filter((h) => !(typeof h.value === 'bigint' && h.value >= 0n && h.value < 1n << 64n))) {
      it(`throws naming addedEmissionsGramsCo2e for ${name}`, () => expectInputError(() => allocateEmissions([A], value as bigint, [1n]), 'addedEmissionsGramsCo2e'));
    }
    it('throws naming a bad output quantity or a third output', () => {
      expectInputError(() => allocateEmissions([A], 0n, [1n << 48n]), 'outputQuantities[0]', 'range');
      expectInputError(() => allocateEmissions([A], 0n, [1n, 1n, 1n]), 'outputQuantities', 'range');
      expectInputError(() => allocateEmissions([{ ...A, quantityGrams: -1n }], 0n, [1n]), 'inputs[0].quantityGrams', 'range');
    });
  });
});

describe('outputDeforestationFree', () => {
  describe('when every input is deforestation-free', () => {
    it('is true', () => expect(outputDeforestationFree([A, B])).toBe(true));
  });
  describe('when one input is not', () => {
    it('is false', () => expect(outputDeforestationFree([A, C])).toBe(false));
  });
});

describe('transitionOutputs', () => {
  describe('when the request fits', () => {
    it('fixes commodity, emissions and flag: fruit → oil at 1/5 with 40 kg CO2e added', () => {
      const [oil] = transitionOutputs([FRUIT], 40_000n, TO_OIL, [{ ownerKey: BOB, quantityGrams: 100_000n, salt: 7n }]);
      expect(oil).toEqual({ ownerKey: BOB, commodity: PALM_OIL, quantityGrams: 100_000n, emissionsGramsCo2e: 290_000n, deforestationFree: true, salt: 7n });
    });
  });

  describe('when the request holds more mass than allowed', () => {
    it('throws INVALID_INPUT at 100 000 g + 1 g of oil', () => {
      expect(() => transitionOutputs([FRUIT], 0n, TO_OIL, [{ ownerKey: BOB, quantityGrams: 100_001n, salt: 7n }])).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    });
  });

  describe('when an input is of another commodity', () => {
    it('throws INVALID_INPUT naming it', () => {
      expect(() => transitionOutputs([A], 0n, TO_OIL, [])).toThrow(/inputs\[0\] has commodity 90111, want inCommodity 120710/);
    });
  });
});

describe('lotTransitionViolations', () => {
  describe('when the transition keeps every rule', () => {
    it('returns []', () => expect(lotTransitionViolations(split(60_000n, 40_000n), PARAMS)).toEqual([]));
  });

  describe('when rules are broken', () => {
    const cases: [string, (t: LotTransition) => LotTransition, RegExp][] = [
      ['no input', (t) => ({ ...t, inputs: [] }), /^spends: a transition needs at least one input/],
      ['the same note twice', (t) => ({ ...t, inputs: [t.inputs[0]!, t.inputs[0]!] }), /^spends: inputs\[0\] and inputs\[1\] are the same note/],
      ['another owner\'s secret', (t) => ({ ...t, inputs: [{ ...t.inputs[0]!, ownerSecret: BOB_SECRET }] }), /^spends: inputs\[0\]\.ownerSecret does not open/],
      ['a proof of another leaf', (t) => ({ ...t, inputs: [{ ...t.inputs[0]!, proof: TREE.proof(1) }] }), /^spends: inputs\[0\]\.proof is for leaf/],
      ['a proof that misses its root', (t) => ({ ...t, inputs: [{ ...t.inputs[0]!, proof: { ...TREE.proof(0), root: 5n } }] }), /^spends: inputs\[0\]\.proof does not reach its root 5/],
      ['proofs under two roots', (t) => ({ ...t, inputs: [t.inputs[0]!, spendOf(lotsTree(4, [B]), [B], 0, ALICE_SECRET)] }), /^spends: inputs\[1\]\.proof\.root/],
      ['a factor without a change of commodity', (t) => ({ ...t, conversion: { ...t.conversion, factorNum: 2n } }), /^commodity: factor 2\/1 without a change of commodity/],
      ['an output of another commodity', (t) => ({ ...t, outputs: [{ ...t.outputs[0]!, commodity: PALM_OIL }] }), /^commodity: outputs\[0\] has 151110/],
      ['1 g of mass created', (t) => ({ ...t, outputs: [{ ...t.outputs[0]!, quantityGrams: 60_001n, emissionsGramsCo2e: 180_003n }, t.outputs[1]!] }), /^mass: Σ out grams · factorDen = 100001 > Σ in grams · factorNum = 100000$/],
      ['1 g CO2e dropped', (t) => ({ ...t, outputs: [{ ...t.outputs[0]!, emissionsGramsCo2e: 179_999n }, t.outputs[1]!] }), /^emissions: outputs carry 299999 g CO2e/],
      ['1 g CO2e moved between outputs', (t) => ({ ...t, outputs: [{ ...t.outputs[0]!, emissionsGramsCo2e: 179_999n }, { ...t.outputs[1]!, emissionsGramsCo2e: 120_001n }] }), /^emissions: outputs\[0\] carries 179999/],
      ['a deforestation-free output from a mixed input', (t) => ({ ...t, inputs: [spendOf(TREE, NOTES, 2, ALICE_SECRET)], outputs: [{ ...t.outputs[0]!, quantityGrams: 40_000n, emissionsGramsCo2e: 100_000n }] }), /^deforestation-free: outputs\[0\] claims it/],
    ];
    for (const [name, change, message] of cases) {
      it(`lists ${name}`, () => {
        const broken = lotTransitionViolations(change(split(60_000n, 40_000n)), PARAMS);
        expect(broken.some((m) => message.test(m)), `lotTransitionViolations = ${JSON.stringify(broken)}, want one matching ${message}`).toBe(true);
      });
    }
  });

  describe('when the transition does not fit the circuit', () => {
    it('throws RangeError for more inputs than nIn, a third output, or a proof of another depth', () => {
      const t = split(60_000n, 40_000n);
      expectInputError(() => lotTransitionViolations({ ...t, inputs: [t.inputs[0]!, t.inputs[0]!, t.inputs[0]!] }, PARAMS), 'transition.inputs', 'range');
      expectInputError(() => lotTransitionViolations({ ...t, outputs: [...t.outputs, t.outputs[0]!] }, PARAMS), 'transition.outputs', 'range');
      expectInputError(() => lotTransitionViolations(t, { depth: 5, nIn: 2 }), 'transition.inputs[0].proof.depth', 'range');
      expectInputError(() => lotTransitionViolations(t, { depth: 4, nIn: LOT_TRANSITION_MAX_INPUTS + 1 }), 'params.nIn', 'range');
    });
  });
});

describe('lotTransitionPublic', () => {
  describe('when the transition is valid', () => {
    it('pads nullifiers to nIn and commitments to 2 with 0', () => {
      const t = split(100_000n);
      const pub = lotTransitionPublic(t, PARAMS);
      expect(pub).toEqual({
        root: TREE.root,
        nullifiers: [nullifier(noteCommitment(A), ALICE_SECRET), 0n],
        outCommitments: [noteCommitment(t.outputs[0]!), 0n],
        inCommodity: COFFEE,
        outCommodity: COFFEE,
        factorNum: 1n,
        factorDen: 1n,
      });
    });
  });

  describe('when the transition breaks a rule', () => {
    it('throws INVALID_INPUT listing it', () => {
      const t = split(60_000n, 40_000n);
      expect(() => lotTransitionPublic({ ...t, addedEmissionsGramsCo2e: 1n }, PARAMS)).toThrow(/rule\(s\) of docs\/lots\.md: emissions: outputs carry 300000 g CO2e, less than the 300001 g/);
    });
  });
});

describe('lotTransitionPublicSignals', () => {
  describe('when given a statement', () => {
    it('lists root, nullifiers, outCommitments, inCommodity, outCommodity, factorNum, factorDen in that order', () => {
      const pub = { root: 1n, nullifiers: [2n, 3n, 4n], outCommitments: [5n, 6n], inCommodity: 7n, outCommodity: 8n, factorNum: 9n, factorDen: 10n };
      expect(lotTransitionPublicSignals(pub)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
      expect(LOT_TRANSITION_PUBLIC_SIGNALS).toEqual(['root', 'nullifiers[nIn]', 'outCommitments[2]', 'inCommodity', 'outCommodity', 'factorNum', 'factorDen']);
    });
  });

  describe('when given hostile values', () => {
    const pub = { root: 1n, nullifiers: [2n], outCommitments: [5n, 6n], inCommodity: 7n, outCommodity: 8n, factorNum: 9n, factorDen: 10n };
    for (const { name, value } of HOSTILE_INPUTS.filter((h) => !isFieldElement(h.value))) {
      it(`throws naming the signal for ${name}`, () => {
        expectInputError(() => lotTransitionPublicSignals({ ...pub, root: value as bigint }), 'pub.root');
        expectInputError(() => lotTransitionPublicSignals({ ...pub, nullifiers: [2n, value as bigint] }), 'pub.nullifiers[1]');
        expectInputError(() => lotTransitionPublicSignals({ ...pub, factorDen: value as bigint }), 'pub.factorDen');
      });
    }
    it('throws RangeError for one output commitment or r', () => {
      expectInputError(() => lotTransitionPublicSignals({ ...pub, outCommitments: [5n] }), 'pub.outCommitments', 'range');
      expectInputError(() => lotTransitionPublicSignals({ ...pub, outCommitments: [5n, R] }), 'pub.outCommitments[1]', 'range');
    });
  });
});

describe('lotTransitionWitnessInput', () => {
  describe('when the transition is valid', () => {
    it('spells its keys like the input signals of circuits/lot_transition.circom, in declaration order', () => {
      expect(Object.keys(lotTransitionWitnessInput(split(60_000n, 40_000n), PARAMS))).toEqual(declaredInputs('circuits/lot_transition.circom'));
    });

    it('fills enabled slots first and makes disabled ones neutral (flag 1 in, all 0 out)', () => {
      const t = split(100_000n);
      const input = lotTransitionWitnessInput(t, PARAMS);
      expect(input.inEnabled).toEqual(['1', '0']);
      expect(input.inQuantityGrams).toEqual(['100000', '0']);
      expect(input.inDeforestationFree).toEqual(['1', '1']);
      expect(input.inPathIndices).toEqual([['0', '0', '0', '0'], ['0', '0', '0', '0']]);
      expect(input.inSiblings[1]).toEqual(['0', '0', '0', '0']);
      expect(input.nullifiers[1]).toBe('0');
      expect(input.outEnabled).toEqual(['1', '0']);
      expect([input.outOwnerKey[1], input.outQuantityGrams[1], input.outEmissionsGramsCo2e[1], input.outDeforestationFree[1], input.outSalt[1], input.outCommitments[1]]).toEqual(['0', '0', '0', '0', '0', '0']);
      expect(input.outOwnerKey[0]).toBe(BOB.toString());
      expect(input.inSiblings[0]).toEqual(TREE.proof(0).siblings.map(String));
    });
  });

  describe('when the transition breaks a rule', () => {
    it('throws INVALID_INPUT instead of a witness that cannot satisfy the circuit', () => {
      const t = split(60_000n, 40_000n);
      expect(() => lotTransitionWitnessInput({ ...t, inputs: [spendOf(TREE, NOTES, 2, ALICE_SECRET)] }, PARAMS)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    });
  });
});
