/**
 * Minting a lot into the wallet (docs/lots.md "lot_mint", "capacity_mint"):
 *
 *     no claim              `lot_mint`: a note of the wallet's key with deforestationFree = 0
 *     deforestation-free    `capacity_mint`: spends one capacity note of the wallet (same
 *                           commodity, at least the lot's grams) and returns the rest as a
 *                           new capacity note; the lot has deforestationFree = 1
 *
 * The emissions are the supplier's declaration: from a PACT footprint
 * (core/pact/lot-emissions.ts, rounded up to a whole gram) or a total in grams.
 *
 * Which capacity note: the one named (`capacity`), else the smallest unspent capacity
 * note of the commodity (and harvest year, when given) that holds the lot, so large notes
 * stay whole for large lots. A lot larger than every single note is refused, naming the
 * capacity left: mint several lots and merge them.
 * @module
 */
import { capacityMintPublic, capacityMintPublicSignals, capacityMintWitnessInput, type CapacityMint } from '../../core/circuits/capacity-mint.ts';
import { lotMintPublicSignals, lotMintWitnessInput } from '../../core/circuits/lot-mint.ts';
import { assertBoolean, assertInteger } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { capacityCommitment } from '../../core/lots/capacity-note.ts';
import { assertUint, LOT_COMMODITY_BITS, LOT_QUANTITY_GRAMS_BITS, noteCommitment, nullifier, type LotNote } from '../../core/lots/note.ts';
import { emissionsFromPlainFigures, lotEmissionsFromFootprint, type LotEmissions } from '../../core/pact/lot-emissions.ts';
import { namePublicSignals } from '../../registry/log/circuit-signals.ts';
import type { LogEntry } from '../../registry/log/entry.ts';
import { randomFieldElement } from '../plot/owner-secret.ts';
import { commitStep, newStored, runStep, type LotCommonOptions, type LotStepResult } from './lot-step.ts';
import type { StoredCapacityNote } from './note-file.ts';
import { nameOf } from './transitions.ts';
import { short, type Wallet } from './wallet.ts';

/** Options of `mintLot`. */
export interface MintLotOptions extends LotCommonOptions {
  /** HS code as an integer (or a Canopy stage code), < 2^20. */
  commodity: bigint;
  /** Grams, in [1, 2^48). */
  quantityGrams: bigint;
  /** The lot's emissions: from a PACT footprint (parsed JSON), or a total in g CO2e. */
  emissions: { footprint: unknown } | { gramsCo2e: bigint };
  /** Mint from capacity, deforestation-free. */
  deforestationFree?: boolean;
  /** The capacity note to spend (a commitment prefix); default: chosen as the module doc says. */
  capacity?: string;
  /** Only capacity of this harvest year. */
  harvestYear?: number;
}

/** What `mintLot` returns: the step result and the emissions basis. */
export interface MintLotResult extends LotStepResult {
  emissions: LotEmissions;
}

/**
 * Mints a lot (module doc).
 * @throws {TypeError|RangeError} for a malformed option; {CanopyError} FOOTPRINT_MALFORMED /
 *   FOOTPRINT_UNSUPPORTED for a footprint that gives no emissions; INVALID_INPUT when the
 *   wallet's capacity does not hold the lot (naming what is left) or the named capacity
 *   note is not usable; ARTIFACT_MISMATCH; ENTRY_REJECTED
 * @example await mintLot({ wallet: '.canopy/wallet', registry, signer, profile: 'demo', commodity: 1000001n, quantityGrams: 500_000n, emissions: { gramsCo2e: 400_000n }, deforestationFree: true })
 */
export async function mintLot(options: MintLotOptions): Promise<MintLotResult> {
  assertUint(options.commodity, LOT_COMMODITY_BITS, 'commodity');
  assertUint(options.quantityGrams, LOT_QUANTITY_GRAMS_BITS, 'quantityGrams');
  if (options.quantityGrams === 0n) throw new RangeError('"quantityGrams" expected at least 1 g, got 0n');
  const free = options.deforestationFree ?? false;
  assertBoolean(free, 'deforestationFree');
  if (options.harvestYear !== undefined) assertInteger(options.harvestYear, 'harvestYear', 0, 65_535);
  if (!free && (options.capacity !== undefined || options.harvestYear !== undefined)) throw new CanopyError('INVALID_INPUT', 'a capacity note or harvest year only applies to a deforestation-free mint (--deforestation-free)');
  const e = options.emissions;
  if (typeof e !== 'object' || e === null || ('footprint' in e) === ('gramsCo2e' in e)) throw new TypeError('"emissions" expected exactly one of { footprint } and { gramsCo2e }');
  const emissions = 'footprint' in e ? lotEmissionsFromFootprint(e.footprint, options.quantityGrams) : emissionsFromPlainFigures({ gramsCo2eTotal: e.gramsCo2e }, options.quantityGrams);

  return runStep(options, async (ctx) => {
    const { wallet, session, prover, progress } = ctx;
    const lot: LotNote = { ownerKey: wallet.ownerKey, commodity: options.commodity, quantityGrams: options.quantityGrams, emissionsGramsCo2e: emissions.emissionsGramsCo2e, deforestationFree: free, salt: randomFieldElement() };
    let entry: LogEntry;
    let committed: Awaited<ReturnType<typeof commitStep>>;
    if (!free) {
      const { vkeyHash } = await prover.ensureKeys('lot_mint');
      await session.assertAccepts('lot_mint', vkeyHash);
      const commitment = noteCommitment(lot);
      progress(`proving mint of ${options.quantityGrams} g of ${nameOf(options.commodity)}, ${emissions.emissionsGramsCo2e} g CO2e (lot_mint, profile ${prover.profile})`);
      const proof = await ctx.timed('prove', () => prover.prove('lot_mint', lotMintWitnessInput(lot), lotMintPublicSignals(commitment)));
      progress(`proved mint in ${proof.seconds.toFixed(1)} s (${proof.prover})`);
      entry = { type: 'lot-mint', version: 1, body: { proof: { circuit: 'lot_mint', vkeyHash: proof.vkeyHash, proof: proof.proof, publicSignals: namePublicSignals('lot_mint', proof.publicSignals) } } };
      committed = await commitStep(ctx, [{ entry, notes: [newStored({ kind: 'lot', note: lot, commitment }, null, 'mint')] }], []);
    } else {
      const capacity = chooseCapacity(wallet, options);
      const params = prover.params('capacity_mint') as { depth: number };
      const { vkeyHash } = await prover.ensureKeys('capacity_mint');
      await session.assertAccepts('capacity_mint', vkeyHash);
      const secret = wallet.secretOf(capacity);
      await session.assertUnspent([nullifier(capacity.commitment, secret)], [`capacity note ${short(capacity.commitment)}`]);
      const [proof] = await ctx.timed('tree proofs', () => session.treeProofs('lots', [capacity.leafIndex!], [capacity.commitment]));
      const mint: CapacityMint = {
        capacity: { note: capacity.note, ownerSecret: secret, proof: proof! },
        lot: { ownerKey: lot.ownerKey, quantityGrams: lot.quantityGrams, emissionsGramsCo2e: lot.emissionsGramsCo2e, salt: lot.salt },
        remainderSalt: randomFieldElement(),
      };
      const pub = capacityMintPublic(mint);
      progress(`proving deforestation-free mint of ${options.quantityGrams} g of ${nameOf(options.commodity)} from capacity ${short(capacity.commitment)} (${capacity.note.capacityGrams} g, harvest ${capacity.note.harvestYear}; capacity_mint, profile ${prover.profile})`);
      const proved = await ctx.timed('prove', () => prover.prove('capacity_mint', capacityMintWitnessInput(mint, params.depth), capacityMintPublicSignals(pub)));
      progress(`proved mint in ${proved.seconds.toFixed(1)} s (${proved.prover})`);
      entry = { type: 'lot-mint', version: 1, body: { proof: { circuit: 'capacity_mint', vkeyHash: proved.vkeyHash, proof: proved.proof, publicSignals: namePublicSignals('capacity_mint', proved.publicSignals) } } };
      const remainder = { ...capacity.note, capacityGrams: capacity.note.capacityGrams - lot.quantityGrams, salt: mint.remainderSalt };
      const lotNote: LotNote = { ...lot, deforestationFree: true };
      if (noteCommitment(lotNote) !== pub.lotCommitment || capacityCommitment(remainder) !== pub.remainderCommitment) throw new Error('canopy: bad math in mintLot: notes differ from the capacity_mint twin');
      committed = await commitStep(
        ctx,
        [
          {
            entry,
            // The order the registry appends them: lotCommitment, then remainderCommitment.
            notes: [
              newStored({ kind: 'lot', note: lotNote, commitment: pub.lotCommitment }, null, `deforestation-free mint from capacity ${short(capacity.commitment)}`),
              newStored({ kind: 'capacity', note: remainder, commitment: pub.remainderCommitment }, capacity.ownerSecret, `capacity left after minting ${lot.quantityGrams} g`),
            ],
          },
        ],
        [capacity],
      );
    }
    return { entry, receipt: committed.receipts[0]!, entries: [entry], receipts: committed.receipts, notes: committed.notes, passports: [], seconds: ctx.seconds, emissions };
  });
}

function chooseCapacity(wallet: Wallet, options: MintLotOptions): StoredCapacityNote {
  const q = options.quantityGrams;
  const what = `${nameOf(options.commodity)}${options.harvestYear !== undefined ? `, harvest ${options.harvestYear}` : ''}`;
  if (options.capacity !== undefined) {
    const n = wallet.find(options.capacity);
    const name = `note ${short(n.commitment)}`;
    if (n.kind !== 'capacity') throw new CanopyError('INVALID_INPUT', `${name} is a lot note, not a capacity note`);
    if (n.status !== 'unspent') throw new CanopyError('INVALID_INPUT', `capacity ${name} is ${n.status}`);
    if (n.note.commodity !== options.commodity) throw new CanopyError('INVALID_INPUT', `capacity ${name} is for ${nameOf(n.note.commodity)}, not ${nameOf(options.commodity)}`);
    if (options.harvestYear !== undefined && n.note.harvestYear !== BigInt(options.harvestYear)) throw new CanopyError('INVALID_INPUT', `capacity ${name} is of harvest ${n.note.harvestYear}, not ${options.harvestYear}`);
    if (n.note.capacityGrams < q) throw new CanopyError('INVALID_INPUT', `not enough capacity: ${name} has ${n.note.capacityGrams} g left, the lot is ${q} g`);
    return n;
  }
  const usable = wallet
    .notes()
    .filter((n): n is StoredCapacityNote => n.kind === 'capacity' && n.status === 'unspent' && n.note.commodity === options.commodity && (options.harvestYear === undefined || n.note.harvestYear === BigInt(options.harvestYear)));
  const fitting = usable.filter((n) => n.note.capacityGrams >= q).sort((a, b) => (a.note.capacityGrams < b.note.capacityGrams ? -1 : a.note.capacityGrams > b.note.capacityGrams ? 1 : 0));
  if (fitting.length > 0) return fitting[0]!;
  if (usable.length === 0) throw new CanopyError('INVALID_INPUT', `not enough capacity: the wallet holds no capacity for ${what}; issue some with \`canopy lot capacity\``);
  const total = usable.reduce((a, n) => a + n.note.capacityGrams, 0n);
  const largest = usable.reduce((a, n) => (n.note.capacityGrams > a ? n.note.capacityGrams : a), 0n);
  throw new CanopyError(
    'INVALID_INPUT',
    `not enough capacity: a deforestation-free lot of ${q} g of ${what} must come from one capacity note; the wallet has ${total} g left in ${usable.length} ${usable.length === 1 ? 'note' : 'notes'}, the largest holding ${largest} g (mint smaller lots and merge them)`,
  );
}
