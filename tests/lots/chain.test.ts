// The whole supply chain through the library entry points of prover/lots, with real
// Groth16 proofs (test profile: lots and plots trees of depth 4, lot_transition with 2
// input slots) and a real registry (SQLite store, proof verification in a worker thread):
//
//   farm A ─ plot attestation → capacity → deforestation-free mint ─ transfer ──────┐
//   farm B ─ plot attestation → capacity → deforestation-free mint ─ bearer transfer ┤
//   cooperative: receive A, receive B (takes the bearer note over), merge → exporter ─┘
//   exporter: receive, process (coffee-hulling, + transport emissions) → importer
//   importer: receive, split
//
// Proofs: 2 plot_window, 2 capacity_issue, 2 capacity_mint, 6 lot_transition. Each step
// runs in its own `it`, in order; a later step uses the wallets the earlier ones left.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noteCommitment, type LotNote } from '../../core/lots/note.ts';
import { yieldCeiling } from '../../core/lots/public-parameters.ts';
import { merkleProofFromJson, verifyMerkleProof } from '../../core/merkle/merkle-proof.ts';
import { checkPassport } from '../../core/passport/check-passport.ts';
import { randomFieldElement, writeOwnerSecret, readOwnerSecret } from '../../prover/plot/owner-secret.ts';
import { createWallet, issueCapacity, mergeLots, mintLot, processLots, receivePassport, splitLot, transferLot, Wallet, type LotCommonOptions, type LotStepResult, type StoredLotNote } from '../../prover/lots/index.ts';
import { formatNoteFile } from '../../prover/lots/note-file.ts';
import { parseRecipientCard } from '../../prover/lots/recipient-card.ts';
import { ApiError } from '../../registry/api/api-error.ts';
import { verifyCheckpointNote } from '../../registry/client.ts';
import { REGISTRY_KEY } from '../registry/_fixtures.ts';
import { attestPlot, cleanDataset, ensureLotKeys, LOT_KEYS, PROFILE, registerDataset, startLotsRegistry, type AttestedPlot, type LotParty, type LotsRegistry } from './_lots-registry.ts';

const CHERRIES = 1_000_001n;
const GREEN = 90111n;
const YEAR = new Date().getUTCFullYear();

let tmp: string;
let lots: LotsRegistry;
const parties: Record<string, LotParty> = {};
const wallets: Record<string, string> = {};
const plots: Record<string, AttestedPlot> = {};
const progress: string[] = [];
const t0 = performance.now();

function common(name: string): LotCommonOptions {
  return { wallet: wallets[name]!, registry: lots.url, signer: parties[name]!, profile: PROFILE, keysDir: LOT_KEYS, onProgress: (l) => progress.push(`${name}: ${l}`) };
}
const card = (name: string) => parseRecipientCard(readFileSync(join(wallets[name]!, 'card.json'), 'utf8'));
const file = (name: string) => join(tmp, name);
const unspentLots = async (name: string) => (await Wallet.open(wallets[name]!)).notes().filter((n): n is StoredLotNote => n.kind === 'lot' && n.status === 'unspent');
const ref = (n: { commitment: bigint }) => n.commitment.toString().slice(0, 20);
const lotOf = (r: LotStepResult) => r.notes.find((n): n is StoredLotNote => n.kind === 'lot' && n.status === 'unspent')!;

/** outE_j · Σ outQ ≥ E · outQ_j for every output, and Σ outE ≥ E (docs/lots.md rule 4). */
function expectNoGreenwashing(inputs: readonly LotNote[], added: bigint, outputs: readonly LotNote[]): void {
  const e = inputs.reduce((a, n) => a + n.emissionsGramsCo2e, 0n) + added;
  const q = outputs.reduce((a, n) => a + n.quantityGrams, 0n);
  expect(outputs.reduce((a, n) => a + n.emissionsGramsCo2e, 0n) >= e, 'Σ out emissions ≥ E').toBe(true);
  for (const o of outputs) expect(o.emissionsGramsCo2e * q >= e * o.quantityGrams, `output of ${o.quantityGrams} g: ${o.emissionsGramsCo2e} g CO2e, below the average ${e}/${q}`).toBe(true);
}

beforeAll(async () => {
  await ensureLotKeys();
  tmp = mkdtempSync(join(tmpdir(), 'canopy-lot-chain-'));
  lots = await startLotsRegistry(tmp);
  for (const name of ['farm-a', 'farm-b', 'coop', 'exporter', 'importer']) {
    parties[name] = await lots.party(name);
    wallets[name] = join(tmp, `${name}.wallet`);
    await createWallet(wallets[name]!);
  }
  const publisher = await lots.party('publisher', 'publisher');
  const ds = cleanDataset();
  await registerDataset(lots.reg, ds, publisher);
  // Farm A proves its plot with the wallet's own secret; farm B with a secret of its own.
  const secretA = (await readOwnerSecret(join(wallets['farm-a']!, 'owner-secret'))).secret;
  plots.a = await attestPlot(tmp, 'farm-a', ds, { x: 0, y: 0 }, 40, secretA, 'farm-a.wallet/owner-secret');
  const secretB = randomFieldElement();
  await writeOwnerSecret(file('farm-b.owner-secret'), secretB);
  plots.b = await attestPlot(tmp, 'farm-b', ds, { x: 1, y: 0 }, 30, secretB, 'farm-b.owner-secret');
}, 1_800_000);

afterAll(async () => {
  console.log(`lot chain: ${((performance.now() - t0) / 1000).toFixed(1)} s in all\n${progress.filter((l) => /proved|accepted|covers/.test(l)).join('\n')}`);
  await lots?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('issueCapacity', () => {
  describe('when each farm issues this year\'s capacity from its attested plot', () => {
    it('submits the plot attestation first, and stores one capacity note of pixels × ceiling', async () => {
      const ceiling = yieldCeiling(CHERRIES)!.gramsPerPixel;
      const a = await issueCapacity({ ...common('farm-a'), openingFile: plots.a!.openingFile, plotProofFile: plots.a!.proofFile, commodity: CHERRIES, harvestYear: YEAR });
      const b = await issueCapacity({ ...common('farm-b'), openingFile: plots.b!.openingFile, plotProofFile: plots.b!.proofFile, commodity: CHERRIES, harvestYear: YEAR });
      for (const [r, px, ownSecret] of [[a, 40n, false], [b, 30n, true]] as const) {
        expect(r.entry?.type).toBe('capacity-issue');
        expect(r.notes).toHaveLength(1);
        const n = r.notes[0]!;
        expect(n.kind === 'capacity' && [n.status, n.note.capacityGrams, n.note.harvestYear, n.note.commodity]).toEqual(['unspent', px * ceiling, BigInt(YEAR), CHERRIES]);
        expect(n.ownerSecret !== null, 'the capacity note keeps its own secret when it is not the wallet\'s').toBe(ownSecret);
        expect(n.leafIndex).toBe(r.receipt!.lotsLeafIndexes[0]);
      }
    });

    it('does not issue the same window twice for a year (its issue tag is spent)', async () => {
      await expect(issueCapacity({ ...common('farm-a'), openingFile: plots.a!.openingFile, commodity: CHERRIES, harvestYear: YEAR })).rejects.toThrow(/capacity of window 1 for harvest .* already spent/);
    });
  });
});

describe('mintLot', () => {
  describe('when a farm mints deforestation-free cherries from its capacity', () => {
    it('spends the capacity note and keeps the rest as a new one', async () => {
      const before = (await Wallet.open(wallets['farm-a']!)).notes().find((n) => n.kind === 'capacity')!;
      const a = await mintLot({ ...common('farm-a'), commodity: CHERRIES, quantityGrams: 2_000_000n, emissions: { gramsCo2e: 1_200_000n }, deforestationFree: true });
      const b = await mintLot({ ...common('farm-b'), commodity: CHERRIES, quantityGrams: 1_500_000n, emissions: { gramsCo2e: 1_050_000n }, deforestationFree: true });
      expect(a.entry?.body).toMatchObject({ proof: { circuit: 'capacity_mint' } });
      const lotA = lotOf(a);
      expect([lotA.note.quantityGrams, lotA.note.emissionsGramsCo2e, lotA.note.deforestationFree]).toEqual([2_000_000n, 1_200_000n, true]);
      expect(lotOf(b).note.deforestationFree).toBe(true);
      const rest = a.notes.find((n) => n.kind === 'capacity' && n.status === 'unspent')!;
      expect(rest.kind === 'capacity' && rest.note.capacityGrams).toBe((before.kind === 'capacity' ? before.note.capacityGrams : 0n) - 2_000_000n);
      expect(a.notes.find((n) => n.commitment === before.commitment)?.status).toBe('spent');
      expect(a.receipt!.lotsLeafIndexes).toEqual([lotA.leafIndex, rest.leafIndex]);
    });

    it('refuses a lot larger than the capacity left, naming it, with no proof and no change', async () => {
      const w = await Wallet.open(wallets['farm-a']!);
      const left = w.notes().find((n) => n.kind === 'capacity' && n.status === 'unspent')!;
      const files = w.notes().map(formatNoteFile).join('');
      await expect(mintLot({ ...common('farm-a'), commodity: CHERRIES, quantityGrams: 100_000_000n, emissions: { gramsCo2e: 1n }, deforestationFree: true })).rejects.toThrow(
        new RegExp(`not enough capacity: .* the wallet has ${left.kind === 'capacity' ? left.note.capacityGrams : -1} g left in 1 note`),
      );
      expect(w.notes().map(formatNoteFile).join('')).toBe(files);
    });
  });
});

describe('transferLot and receivePassport', () => {
  describe('when farm A transfers to the cooperative\'s card', () => {
    it('creates the note for the cooperative\'s key and an encrypted passport it receives', async () => {
      const [lot] = await unspentLots('farm-a');
      const r = await transferLot({ ...common('farm-a'), note: ref(lot!), to: { card: card('coop'), out: file('a.passport') } });
      expect(r.passports).toEqual([{ file: file('a.passport'), commitment: r.notes[0]!.commitment.toString(), bearer: false, encrypted: true }]);
      expect(r.notes[0]!.note.ownerKey).toBe(card('coop').ownerKey);
      expect(r.notes.find((n) => n.commitment === lot!.commitment)?.status).toBe('spent');
      const got = await receivePassport({ ...common('coop'), file: file('a.passport') });
      expect([got.tookOver, got.entry, got.held.commitment, got.held.status]).toEqual([false, null, r.notes[0]!.commitment, 'unspent']);
    });
  });

  describe('when farm B hands over a bearer passport', () => {
    it('lets the cooperative take the note over, after which the farm\'s copy cannot be spent', async () => {
      const [lot] = await unspentLots('farm-b');
      const r = await transferLot({ ...common('farm-b'), note: ref(lot!), to: { card: card('coop'), out: file('b.passport'), bearer: true } });
      expect(r.passports[0]).toMatchObject({ bearer: true, encrypted: true });
      const copy = r.notes.find((n) => n.status === 'unspent')!;
      expect([copy.bearerCopy, copy.ownerSecret !== null]).toEqual([true, true]);
      const got = await receivePassport({ ...common('coop'), file: file('b.passport') });
      expect(got.tookOver).toBe(true);
      expect(got.held.note.ownerKey).toBe(card('coop').ownerKey);
      expect([got.held.note.quantityGrams, got.held.note.emissionsGramsCo2e, got.held.note.deforestationFree]).toEqual([1_500_000n, 1_050_000n, true]);
      await expect(transferLot({ ...common('farm-b'), note: ref(copy), to: { card: card('exporter'), out: file('stolen.passport') } })).rejects.toThrow(/already spent in the registry/);
      await expect(receivePassport({ ...common('exporter'), file: file('b.passport') })).rejects.toMatchObject({ code: 'PASSPORT_UNDECRYPTABLE' });
    });
  });
});

describe('mergeLots, processLots, splitLot', () => {
  let merged: StoredLotNote;
  let green: StoredLotNote;

  describe('when the cooperative merges the two lots and sends them to the exporter', () => {
    it('carries the sum of grams and emissions plus its transport, still deforestation-free', async () => {
      const inputs = await unspentLots('coop');
      expect(inputs).toHaveLength(2);
      const r = await mergeLots({ ...common('coop'), notes: inputs.map(ref), to: { card: card('exporter'), out: file('merged.passport') }, addedEmissionsGramsCo2e: 50_000n });
      merged = r.notes.find((n): n is StoredLotNote => n.kind === 'lot' && n.note.ownerKey === card('exporter').ownerKey)!;
      expect([merged.note.quantityGrams, merged.note.emissionsGramsCo2e, merged.note.deforestationFree]).toEqual([3_500_000n, 2_300_000n, true]);
      expectNoGreenwashing(inputs.map((n) => n.note), 50_000n, [merged.note]);
      await receivePassport({ ...common('exporter'), file: file('merged.passport') });
    });
  });

  describe('when the exporter hulls the cherries into green coffee for the importer', () => {
    it('applies coffee-hulling (at most 1/5) and adds its emissions', async () => {
      await expect(processLots({ ...common('exporter'), notes: [ref(merged)], rule: 'coffee-hulling', outputGrams: 700_001n, addedEmissionsGramsCo2e: 1n })).rejects.toThrow(/at most 700000 g/);
      const r = await processLots({ ...common('exporter'), notes: [ref(merged)], rule: 'coffee-hulling', outputGrams: 700_000n, addedEmissionsGramsCo2e: 300_000n, to: { card: card('importer'), out: file('green.passport') } });
      expect(r.entry?.body).toMatchObject({ proof: { publicSignals: { inCommodity: '1000001', outCommodity: '90111', factorNum: '1', factorDen: '5' } } });
      const got = await receivePassport({ ...common('importer'), file: file('green.passport') });
      green = got.held;
      expect([green.note.commodity, green.note.quantityGrams, green.note.emissionsGramsCo2e, green.note.deforestationFree]).toEqual([GREEN, 700_000n, 2_600_000n, true]);
    });
  });

  describe('when the importer splits the green coffee', () => {
    it('allocates the emissions by grams, rounded up, no part below the average intensity', async () => {
      const r = await splitLot({ ...common('importer'), note: ref(green), quantitiesGrams: [400_000n, 299_999n] });
      const parts = r.notes.filter((n): n is StoredLotNote => n.kind === 'lot' && n.status === 'unspent');
      expect(parts.map((p) => [p.note.quantityGrams, p.note.emissionsGramsCo2e, p.note.deforestationFree])).toEqual([
        [400_000n, 1_485_717n, true], // ⌈2,600,000 · 400,000 / 699,999⌉
        [299_999n, 1_114_284n, true], // the two round up to 2,600,001 g
      ]);
      expectNoGreenwashing([green.note], 0n, parts.map((p) => p.note));
    });
  });
});

describe('the registry', () => {
  describe('when an entry that spent a note is submitted again', () => {
    it('refuses it with NULLIFIER_SPENT and appends nothing', async () => {
      const importer = await Wallet.open(wallets.importer!);
      const split = importer.notes().find((n) => n.status === 'spent')!;
      const entry = (await lots.reg.client.entry(split.spentBy!)).entry;
      const size = (await lots.reg.client.health()).size;
      const e = await lots.reg.client.submit([entry], parties.importer!).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ApiError);
      expect([(e as ApiError).status, (e as ApiError).code]).toEqual([409, 'NULLIFIER_SPENT']);
      expect((await lots.reg.client.health()).size).toBe(size);
    });
  });

  describe('when the importer checks its lots against a signed checkpoint', () => {
    it('finds every unspent note at its leaf under the signed lots root', async () => {
      const { checkpoint } = verifyCheckpointNote(await lots.reg.client.checkpointNote(), REGISTRY_KEY.verifierKey);
      for (const n of await unspentLots('importer')) {
        const proof = merkleProofFromJson(await lots.reg.client.treeProof('lots', n.leafIndex!, checkpoint.size));
        expect([proof.leaf, proof.root, verifyMerkleProof(proof)]).toEqual([noteCommitment(n.note), checkpoint.canopyRoots!.lots, true]);
        expect(checkPassport({ note: n.note, ownerSecret: null, leafIndex: n.leafIndex!, registry: n.registry! }, proof.leaf)).toBe(true);
      }
      expect((await lots.reg.client.roots()).lots.leaves).toBe(13);
    });
  });
});
