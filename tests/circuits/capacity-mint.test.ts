// Tests of circuits/capacity_mint.circom with its JS twin core/circuits/capacity-mint.ts:
// minting a deforestation-free lot from harvest capacity, with the remainder returned to
// the same owner, year and commodity; minting more than the capacity, a remainder of the
// wrong size or owner, and a capacity note not in the tree all fail, at witness
// generation and on a witness a cheating prover writes by hand (tests/lots/_forge.ts).
//
// Constraints measured (circom 2.2.3, --O2), CapacityMint(depth):
//   depth 4 (test profile) 2 820   depth 10 (demo) 4 380   depth 32 (production) 10 100
// i.e. 260·depth + 1 780: the Merkle path, the owner key, the capacity, lot and remainder
// commitments, the nullifier, and four range checks (48 + 48 + 64 + 48 bits).
import { beforeAll, describe, expect, it } from 'vitest';
import { compileMain, type CompiledCircuit } from '../../circuits/toolchain/compile.ts';
import { loadConfig } from '../../circuits/toolchain/config.ts';
import {
  CAPACITY_MINT_PUBLIC_SIGNALS,
  capacityMintNotes,
  capacityMintPublic,
  capacityMintPublicSignals,
  capacityMintWitnessInput,
  type CapacityMint,
  type CapacityMintInput,
} from '../../core/circuits/capacity-mint.ts';
import { capacityCommitment, type CapacityNote } from '../../core/lots/capacity-note.ts';
import { LOT_EMISSIONS_GRAMS_CO2E_BITS, LOT_QUANTITY_GRAMS_BITS, noteCommitment, nullifier } from '../../core/lots/note.ts';
import { hashTagged } from '../../core/domain.ts';
import { IncrementalMerkleTree } from '../../core/merkle/incremental-merkle-tree.ts';
import { compileDonors, expectOnlyRuleFails, Forge, type Donors } from '../lots/_forge.ts';
import { ALICE, ALICE_SECRET, BOB, BOB_SECRET, COFFEE, lot, PALM_FRUIT, salt } from '../lots/_fixtures.ts';
import { expectWitnessFails, honestWitness, mainSignal, R } from './_circuit-test.ts';

const CONFIG = loadConfig().circuits.capacity_mint!;
const DEPTH = CONFIG.profiles.test!.depth!;
const CONSTRAINTS = (depth: number) => 260 * depth + 1780;

// Alice's plot may still yield 2.1 t of coffee in 2025; the tree also holds a lot note
// and a capacity note of Bob's, so the capacity is not alone.
const CAPACITY: CapacityNote = { ownerKey: ALICE, commodity: COFFEE, harvestYear: 2025n, capacityGrams: 2_100_000n, salt: salt() };
const BOBS: CapacityNote = { ownerKey: BOB, commodity: COFFEE, harvestYear: 2025n, capacityGrams: 900_000n, salt: salt() };
const TREE = new IncrementalMerkleTree(DEPTH);
TREE.appendMany([noteCommitment(lot()), capacityCommitment(BOBS), capacityCommitment(CAPACITY)]);
const AT = 2;

function mint(quantityGrams: bigint, capacity: CapacityNote = CAPACITY, tree = TREE, index = AT, ownerSecret = ALICE_SECRET): CapacityMint {
  return {
    capacity: { note: capacity, ownerSecret, proof: tree.proof(index) },
    lot: { ownerKey: BOB, quantityGrams, emissionsGramsCo2e: 1_500_000n, salt: salt() },
    remainderSalt: salt(),
  };
}

let c: CompiledCircuit;
let donors: Donors;

/** A cheating prover's witness for `input` (tests/lots/_forge.ts). */
async function forge(input: CapacityMintInput): Promise<bigint[]> {
  const f = new Forge();
  f.setInputs(input);
  const g = (name: string) => f.get(`main.${name}`);
  f.bits('main.capacityRange', g('capacityGrams'), LOT_QUANTITY_GRAMS_BITS);
  f.bits('main.quantityRange', g('lotQuantityGrams'), LOT_QUANTITY_GRAMS_BITS);
  f.bits('main.emissionsRange', g('lotEmissionsGramsCo2e'), LOT_EMISSIONS_GRAMS_CO2E_BITS);
  const key = (await f.graft('main.key', donors.ownerKey, { ownerSecret: g('ownerSecret') }))('ownerKey');
  const capacity = { ownerKey: key, commodity: g('commodity'), harvestYear: g('harvestYear'), capacityGrams: g('capacityGrams'), salt: g('capacitySalt') };
  const cm = (await f.graft('main.capacity', donors.capacityNote, capacity))('commitment');
  await f.graft('main.inclusion', donors.merkle, { leaf: cm, pathIndices: input.pathIndices, siblings: input.siblings });
  await f.graft('main.nf', donors.nullifier, { commitment: cm, ownerSecret: g('ownerSecret') });
  const remainder = f.set('main.remainderGrams', g('capacityGrams') - g('lotQuantityGrams'));
  f.bits('main.remainderRange', remainder, LOT_QUANTITY_GRAMS_BITS);
  const lotNote = { ownerKey: g('lotOwnerKey'), commodity: g('commodity'), quantityGrams: g('lotQuantityGrams'), emissionsGramsCo2e: g('lotEmissionsGramsCo2e'), deforestationFree: 1n, salt: g('lotSalt') };
  await f.graft('main.lot', donors.lotNote, lotNote);
  await f.graft('main.remainder', donors.capacityNote, { ...capacity, capacityGrams: remainder, salt: g('remainderSalt') });
  return f.build(c);
}

async function expectRejected(input: CapacityMintInput, rule: readonly string[]): Promise<void> {
  await expectWitnessFails(c, input);
  await expectOnlyRuleFails(c, await forge(input), rule);
}

beforeAll(async () => {
  c = await compileMain({ name: `capacity_mint_${DEPTH}`, templateFile: CONFIG.file, template: CONFIG.template, params: [DEPTH], publicInputs: CONFIG.publicInputs });
  donors = await compileDonors(DEPTH);
});

describe('CAPACITY_MINT_PUBLIC_SIGNALS', () => {
  describe('when compared with circuits/circuits.json', () => {
    it('equals publicSignals and publicInputs of capacity_mint', () => {
      expect([...CAPACITY_MINT_PUBLIC_SIGNALS]).toEqual(CONFIG.publicSignals);
      expect([...CAPACITY_MINT_PUBLIC_SIGNALS]).toEqual(CONFIG.publicInputs);
    });
  });
});

describe('CapacityMint', () => {
  describe(`when compiled with the test profile (depth ${DEPTH})`, () => {
    it(`has 260·depth + 1780 = ${CONSTRAINTS(DEPTH)} constraints, 4 public inputs and no outputs`, () => {
      expect(c.constraints, 'constraints').toBe(CONSTRAINTS(DEPTH));
      expect(c.publicInputs, 'public inputs').toBe(4);
      expect(c.publicOutputs, 'public outputs').toBe(0);
    });

    it('puts the public signals on wires 1..4 in CAPACITY_MINT_PUBLIC_SIGNALS order', async () => {
      const m = mint(500_000n);
      const w = await honestWitness(c, capacityMintWitnessInput(m, DEPTH));
      expect(w.slice(1, 5).map(String)).toEqual(capacityMintPublicSignals(capacityMintPublic(m)));
      CAPACITY_MINT_PUBLIC_SIGNALS.forEach((name, i) => expect(mainSignal(c, w, name), `main.${name}`).toBe(w[1 + i]));
    });
  });

  describe('when the lot fits the capacity', () => {
    it('mints 500 kg from 2.1 t, returning 1.6 t to Alice; the forged witness equals the honest one', async () => {
      const m = mint(500_000n);
      const { lot: minted, remainder } = capacityMintNotes(CAPACITY, m.lot, m.remainderSalt);
      expect(minted).toMatchObject({ ownerKey: BOB, commodity: COFFEE, quantityGrams: 500_000n, deforestationFree: true });
      expect(remainder).toEqual({ ...CAPACITY, capacityGrams: 1_600_000n, salt: m.remainderSalt });
      const pub = capacityMintPublic(m);
      expect(pub.lotCommitment).toBe(noteCommitment(minted));
      expect(pub.remainderCommitment).toBe(capacityCommitment(remainder));
      expect(pub.capacityNullifier).toBe(nullifier(capacityCommitment(CAPACITY), ALICE_SECRET));
      const input = capacityMintWitnessInput(m, DEPTH);
      const w = await honestWitness(c, input);
      expect(await forge(input)).toEqual(w);
    });

    it('mints exactly the capacity, leaving a remainder of 0 g', async () => {
      const m = mint(CAPACITY.capacityGrams);
      expect(capacityMintNotes(CAPACITY, m.lot, m.remainderSalt).remainder.capacityGrams).toBe(0n);
      await honestWitness(c, capacityMintWitnessInput(m, DEPTH));
    });

    it('spends Bob\'s capacity with Bob\'s secret', async () => {
      await honestWitness(c, capacityMintWitnessInput(mint(900_000n, BOBS, TREE, 1, BOB_SECRET), DEPTH));
    });
  });

  describe('when the lot exceeds the capacity', () => {
    it('mint more than the capacity: capacity + 1 g fails only the remainder range check (r − 1 g left)', async () => {
      const m = mint(CAPACITY.capacityGrams);
      const q = CAPACITY.capacityGrams + 1n;
      expect(() => capacityMintNotes(CAPACITY, { ...m.lot, quantityGrams: q }, m.remainderSalt)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
      // The prover publishes the lot of capacity + 1 g and the remainder the arithmetic
      // gives modulo r, capacity − (capacity + 1) = r − 1: every hash agrees.
      const input = capacityMintWitnessInput(m, DEPTH);
      input.lotQuantityGrams = q.toString();
      input.lotCommitment = noteCommitment({ ...m.lot, quantityGrams: q, commodity: COFFEE, deforestationFree: true }).toString();
      input.remainderCommitment = hashTagged('CAPACITY_NOTE', [ALICE, COFFEE, 2025n, R - 1n, m.remainderSalt]).toString();
      await expectRejected(input, ['main.remainderRange.']);
    });
  });

  describe('when the remainder is not the capacity left', () => {
    const cases: [string, (r: CapacityNote) => CapacityNote][] = [
      ['a remainder of capacity − quantity + 1 g', (r) => ({ ...r, capacityGrams: r.capacityGrams + 1n })],
      ['a remainder of capacity − quantity − 1 g', (r) => ({ ...r, capacityGrams: r.capacityGrams - 1n })],
      ['a different owner on the remainder', (r) => ({ ...r, ownerKey: BOB })],
      ['a different harvest year on the remainder', (r) => ({ ...r, harvestYear: 2026n })],
      ['a different commodity on the remainder', (r) => ({ ...r, commodity: PALM_FRUIT })],
    ];
    for (const [name, change] of cases) {
      it(`${name} fails the remainder commitment constraint`, async () => {
        const m = mint(500_000n);
        const { remainder } = capacityMintNotes(CAPACITY, m.lot, m.remainderSalt);
        const input = { ...capacityMintWitnessInput(m, DEPTH), remainderCommitment: capacityCommitment(change(remainder)).toString() };
        await expectRejected(input, ['main.remainderCommitment']);
      });
    }
  });

  describe('when the lot is not the one the capacity allows', () => {
    it('a lot of another commodity than the capacity fails the lot commitment constraint', async () => {
      const m = mint(500_000n);
      const { lot: minted } = capacityMintNotes(CAPACITY, m.lot, m.remainderSalt);
      const input = { ...capacityMintWitnessInput(m, DEPTH), lotCommitment: noteCommitment({ ...minted, commodity: PALM_FRUIT }).toString() };
      await expectRejected(input, ['main.lotCommitment']);
    });

    it('a lot committing 1 g more than the capacity was charged fails the lot commitment constraint', async () => {
      const m = mint(500_000n);
      const { lot: minted } = capacityMintNotes(CAPACITY, m.lot, m.remainderSalt);
      const input = { ...capacityMintWitnessInput(m, DEPTH), lotCommitment: noteCommitment({ ...minted, quantityGrams: 500_001n }).toString() };
      await expectRejected(input, ['main.lotCommitment']);
    });
  });

  describe('when the capacity note is not the prover\'s to spend', () => {
    it('a capacity note not in the tree fails the root constraint', async () => {
      const fake: CapacityNote = { ...CAPACITY, capacityGrams: 100_000_000n, salt: salt() };
      const other = new IncrementalMerkleTree(DEPTH);
      other.appendMany([capacityCommitment(fake)]);
      const input = { ...capacityMintWitnessInput(mint(500_000n, fake, other, 0), DEPTH), root: TREE.root.toString() };
      await expectRejected(input, ['main.inclusion.hashers[' + (DEPTH - 1) + '].', 'main.root']);
    });

    it('Alice\'s capacity spent with Bob\'s secret: its owner key makes another leaf, not in the tree', async () => {
      expect(() => capacityMintPublic(mint(500_000n, CAPACITY, TREE, AT, BOB_SECRET))).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
      const input = { ...capacityMintWitnessInput(mint(500_000n), DEPTH), ownerSecret: BOB_SECRET.toString() };
      input.capacityNullifier = nullifier(capacityCommitment({ ...CAPACITY, ownerKey: BOB }), BOB_SECRET).toString();
      input.remainderCommitment = capacityCommitment({ ...CAPACITY, ownerKey: BOB, capacityGrams: 1_600_000n, salt: BigInt(input.remainderSalt) }).toString();
      await expectRejected(input, ['main.inclusion.hashers[' + (DEPTH - 1) + '].', 'main.root']);
    });

    it('spend twice: the capacity nullifier is the same in every mint, and a fresh one fails its constraint', async () => {
      const first = capacityMintPublic(mint(500_000n));
      expect(capacityMintPublic(mint(700_000n)).capacityNullifier).toBe(first.capacityNullifier);
      const input = { ...capacityMintWitnessInput(mint(500_000n), DEPTH), capacityNullifier: nullifier(capacityCommitment(CAPACITY), BOB_SECRET).toString() };
      await expectRejected(input, ['main.capacityNullifier']);
    });
  });
});
