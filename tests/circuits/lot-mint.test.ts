// Tests of circuits/lot_mint.circom with its JS twin core/circuits/lot-mint.ts: a
// well-formed note mints with the twin's input and public signal; every field width of
// docs/lots.md holds at 2^bits − 1 and fails at 2^bits and r − 1; a note claiming
// deforestationFree = 1 cannot be minted this way.
//
// Constraints measured (circom 2.2.3, --O2): LotMint() = 507 (every profile; no
// parameters): Poseidon(7) with the tag and the flag constant (374), range checks of
// 20 + 48 + 64 bits (132), one equality. --O2 folds the constraint deforestationFree = 0
// into the hash: the flag is not a wire of the R1CS at all, only the constant 0.
import { beforeAll, describe, expect, it } from 'vitest';
import { compileMain, type CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { loadConfig } from '../../circuits/toolchain/config.ts';
import { LOT_MINT_PUBLIC_SIGNALS, lotMintPublicSignals, lotMintWitnessInput, type LotMintInput } from '../../core/circuits/lot-mint.ts';
import { LOT_COMMODITY_BITS, LOT_EMISSIONS_GRAMS_CO2E_BITS, LOT_QUANTITY_GRAMS_BITS, noteCommitment } from '../../core/lots/note.ts';
import { compileDonors, expectOnlyRuleFails, Forge, type Donors } from '../lots/_forge.ts';
import { BOB, lot, raw, rawCommitment } from '../lots/_fixtures.ts';
import { expectWitnessFails, honestWitness, mainSignal, R } from './_circuit-test.ts';

const CONFIG = loadConfig().circuits.lot_mint!;
const CONSTRAINTS = 507;

let c: CompiledCircuit;
let donors: Donors;

/** A cheating prover's witness for `input` (tests/lots/_forge.ts). */
async function forge(input: LotMintInput): Promise<bigint[]> {
  const f = new Forge();
  f.setInputs(input);
  const g = (name: string) => f.get(`main.${name}`);
  f.bits('main.commodityRange', g('commodity'), LOT_COMMODITY_BITS);
  f.bits('main.quantityRange', g('quantityGrams'), LOT_QUANTITY_GRAMS_BITS);
  f.bits('main.emissionsRange', g('emissionsGramsCo2e'), LOT_EMISSIONS_GRAMS_CO2E_BITS);
  const fields = ['ownerKey', 'commodity', 'quantityGrams', 'emissionsGramsCo2e', 'deforestationFree', 'salt'];
  await f.graft('main.note', donors.lotNote, Object.fromEntries(fields.map((k) => [k, g(k)])));
  return f.build(c);
}

/** The input minting raw fields `fields` over a valid note (commitment recomputed). */
function rawInput(fields: Partial<Record<'commodity' | 'quantityGrams' | 'emissionsGramsCo2e' | 'deforestationFree', bigint>>): LotMintInput {
  const note = { ...raw(lot({ ownerKey: BOB })), ...fields };
  const s = (v: bigint) => v.toString();
  return {
    outCommitment: s(rawCommitment(note)),
    ownerKey: s(note.ownerKey),
    commodity: s(note.commodity),
    quantityGrams: s(note.quantityGrams),
    emissionsGramsCo2e: s(note.emissionsGramsCo2e),
    deforestationFree: s(note.deforestationFree),
    salt: s(note.salt),
  };
}

beforeAll(async () => {
  c = await compileMain({ name: 'lot_mint', templateFile: CONFIG.file, template: CONFIG.template, params: [], publicInputs: CONFIG.publicInputs });
  donors = await compileDonors(1);
});

describe('LOT_MINT_PUBLIC_SIGNALS', () => {
  describe('when compared with circuits/circuits.json', () => {
    it('equals publicSignals and publicInputs of lot_mint', () => {
      expect([...LOT_MINT_PUBLIC_SIGNALS]).toEqual(CONFIG.publicSignals);
      expect([...LOT_MINT_PUBLIC_SIGNALS]).toEqual(CONFIG.publicInputs);
    });
  });
});

describe('lot note templates (circuits/lib/lot_note.circom, capacity_note.circom)', () => {
  describe('when compiled as mains', () => {
    it('have OwnerKey 237, LotNoteCommitment 378, NoteNullifier 258, CapacityNoteCommitment 351 constraints', () => {
      expect([donors.ownerKey, donors.lotNote, donors.nullifier, donors.capacityNote].map((d) => d.constraints)).toEqual([237, 378, 258, 351]);
    });
  });
});

describe('LotMint', () => {
  describe('when compiled', () => {
    it(`has ${CONSTRAINTS} constraints, 1 public input and no outputs`, () => {
      expect(c.constraints, 'constraints').toBe(CONSTRAINTS);
      expect(c.publicInputs, 'public inputs').toBe(1);
      expect(c.publicOutputs, 'public outputs').toBe(0);
    });
  });

  describe('when the note is well-formed', () => {
    it('accepts the twin\'s input; wire 1 is the note\'s commitment; the forged witness equals the honest one', async () => {
      const note = lot({ ownerKey: BOB, quantityGrams: 60_000_000n, emissionsGramsCo2e: 180_000_000n });
      const input = lotMintWitnessInput(note);
      const w = await honestWitness(c, input);
      expect([w[1]!.toString()]).toEqual(lotMintPublicSignals(noteCommitment(note)));
      expect(mainSignal(c, w, 'outCommitment')).toBe(noteCommitment(note));
      expect(await forge(input)).toEqual(w);
    });

    const widths = [
      ['commodity', LOT_COMMODITY_BITS],
      ['quantityGrams', LOT_QUANTITY_GRAMS_BITS],
      ['emissionsGramsCo2e', LOT_EMISSIONS_GRAMS_CO2E_BITS],
    ] as const;
    for (const [field, bits] of widths) {
      it(`accepts ${field} = 0 and 2^${bits} − 1`, async () => {
        for (const v of [0n, (1n << BigInt(bits)) - 1n]) await honestWitness(c, lotMintWitnessInput(lot({ [field]: v })));
      });
    }

    for (const [field, bits] of widths) {
      it(`overflow: ${field} = 2^${bits} or r − 1 fails its range check, at witness generation and forged`, async () => {
        const title = `note.${field}`;
        expect(() => lotMintWitnessInput(lot({ [field]: 1n << BigInt(bits) }))).toThrow(new RegExp(`"${title.replace('.', '\\.')}" expected`));
        for (const v of [1n << BigInt(bits), R - 1n]) {
          const input = rawInput({ [field]: v });
          await expectWitnessFails(c, input);
          const prefix = { commodity: 'main.commodityRange.', quantityGrams: 'main.quantityRange.', emissionsGramsCo2e: 'main.emissionsRange.' }[field];
          await expectOnlyRuleFails(c, await forge(input), [prefix]);
        }
      });
    }
  });

  describe('when the note claims deforestationFree = 1', () => {
    it('mint with deforestationFree = 1 via LotMint: the twin refuses, witness generation fails, and the forged hash breaks', async () => {
      expect(() => lotMintWitnessInput(lot({ deforestationFree: true }))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
      const input = rawInput({ deforestationFree: 1n });
      await expectWitnessFails(c, input);
      // The flag is the constant 0 inside the hash's constraints: a commitment of flag 1
      // needs Poseidon to agree with another input, so only hash constraints break.
      await expectOnlyRuleFails(c, await forge(input), ['main.note.h.', 'main.outCommitment']);
    });
  });

  describe('when the public commitment is not the note\'s', () => {
    it('fails the commitment constraint', async () => {
      const input = { ...lotMintWitnessInput(lot()), outCommitment: noteCommitment(lot()).toString() };
      await expectWitnessFails(c, input);
      await expectOnlyRuleFails(c, await forge(input), ['main.outCommitment']);
    });
  });
});
