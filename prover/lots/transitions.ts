/**
 * Lot transitions from a wallet (docs/lots.md "lot_transition"): transfer, merge, split
 * and process, each one `lot_transition` proof and one `transition` log entry.
 *
 *     transfer  1 note  → 1 note of the same grams, to a recipient card (or bearer)
 *     merge     n notes → 1 note of their grams (n ≤ nIn of the profile)
 *     split     1 note  → 2 notes of the grams asked for (their sum ≤ the note's)
 *     process   n notes → 1 note of another commodity under a public processing rule
 *               (output grams · factorDen ≤ input grams · factorNum)
 *
 * Every output carries the least emissions the circuit accepts (`allocateEmissions`: the
 * inputs' emissions plus the added ones, shared by grams, rounded up), and is
 * deforestation-free only if every input is. Outputs go to the wallet's own key, to a
 * recipient card's owner key (`to`), or, with `bearer`, to a fresh one-time key whose
 * secret travels in the passport: the buyer then takes the note over by spending it
 * (`receivePassport`), after which the seller's copy is worthless. A passport for the
 * recipient is written encrypted to the card's X25519 key.
 *
 * What the circuit would refuse is refused before anything is proven, in words
 * (`lotTransitionViolations`), and so is a spent input (the registry's nullifier set).
 * @module
 */
import { identityConversion, lotTransitionPublic, lotTransitionPublicSignals, lotTransitionViolations, lotTransitionWitnessInput, transitionOutputs, type LotConversion, type LotSpend } from '../../core/circuits/lot-transition.ts';
import { assertArray, assertBoolean } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { noteCommitment, nullifier, ownerKey, assertUint, LOT_EMISSIONS_GRAMS_CO2E_BITS, LOT_QUANTITY_GRAMS_BITS, type LotNote } from '../../core/lots/note.ts';
import { commodityByCode, processingRuleByName, type ProcessingRule } from '../../core/lots/public-parameters.ts';
import type { LotPassport } from '../../core/passport/lot-passport.ts';
import { namePublicSignals } from '../../registry/log/circuit-signals.ts';
import type { LogEntry } from '../../registry/log/entry.ts';
import { randomFieldElement } from '../plot/owner-secret.ts';
import { commitStep, newStored, runStep, spendableLots, type LotCommonOptions, type LotStepResult, type StepContext } from './lot-step.ts';
import type { StoredLotNote, StoredNote } from './note-file.ts';
import { assertWritable, writePassportFile } from './passport-file.ts';
import type { RecipientCard } from './recipient-card.ts';
import { short } from './wallet.ts';

const CIRCUIT = 'lot_transition';

/** Where a transition sends its first output. */
export interface Recipient {
  card: RecipientCard;
  /** The passport file to write for the recipient (created, never overwritten). */
  out: string;
  /** Create the note for a fresh one-time key and put its secret in the passport. */
  bearer?: boolean;
}

/** Options shared by the four transitions. */
export interface TransitionOptions extends LotCommonOptions {
  /** The prover's own processing and transport emissions, g CO2e (default 0). */
  addedEmissionsGramsCo2e?: bigint;
}

/** Options of `transferLot`. */
export interface TransferLotOptions extends TransitionOptions {
  /** The note: a commitment prefix unique in the wallet. */
  note: string;
  to: Recipient;
}

/** Options of `mergeLots`. */
export interface MergeLotsOptions extends TransitionOptions {
  notes: string[];
  /** Send the merged note to a recipient instead of keeping it. */
  to?: Recipient;
}

/** Options of `splitLot`. */
export interface SplitLotOptions extends TransitionOptions {
  note: string;
  /** One or two amounts; one amount A splits into A and the rest. */
  quantitiesGrams: bigint[];
  /** Send the first part to a recipient; the second stays in the wallet. */
  to?: Recipient;
}

/** Options of `processLots`. */
export interface ProcessLotsOptions extends TransitionOptions {
  notes: string[];
  /** A processing rule of core/lots/public-parameters.ts, e.g. "coffee-hulling". */
  rule: string;
  /** Grams of the output commodity. */
  outputGrams: bigint;
  to?: Recipient;
}

/**
 * Transfers a note whole to a recipient card, writing its passport.
 * @throws {CanopyError} as `runTransition` (module doc)
 * @example await transferLot({ wallet, registry, signer, profile: 'demo', note: '1827', to: { card, out: 'lot.passport' } })
 */
export async function transferLot(options: TransferLotOptions): Promise<LotStepResult> {
  return runTransition(options, {
    verb: 'transfer',
    refs: [options.note],
    to: options.to,
    outputs: (inputs) => [{ owner: 'recipient', quantityGrams: sumGrams(inputs) }],
  });
}

/**
 * Merges notes of one commodity into one note (kept, or sent to `to`).
 * @throws {CanopyError} INVALID_INPUT for fewer than 2 notes, more than the profile's nIn,
 *   or notes of different commodities; as `runTransition`
 * @example await mergeLots({ …common, notes: ['1827', '5521'] })
 */
export async function mergeLots(options: MergeLotsOptions): Promise<LotStepResult> {
  assertArray(options.notes, 'notes', 0, 64);
  if (options.notes.length < 2) throw new CanopyError('INVALID_INPUT', `a merge takes at least 2 notes, got ${options.notes.length}`);
  return runTransition(options, {
    verb: 'merge',
    refs: options.notes,
    ...(options.to ? { to: options.to } : {}),
    outputs: (inputs) => [{ owner: options.to ? 'recipient' : 'self', quantityGrams: sumGrams(inputs) }],
  });
}

/**
 * Splits a note into two (the first optionally to a recipient).
 * @throws {CanopyError} INVALID_INPUT when the parts exceed the note's grams; as `runTransition`
 * @example await splitLot({ …common, note: '1827', quantitiesGrams: [600_000n, 400_000n] })
 */
export async function splitLot(options: SplitLotOptions): Promise<LotStepResult> {
  assertArray(options.quantitiesGrams, 'quantitiesGrams', 1, 2);
  options.quantitiesGrams.forEach((q, i) => assertUint(q, LOT_QUANTITY_GRAMS_BITS, `quantitiesGrams[${i}]`));
  return runTransition(options, {
    verb: 'split',
    refs: [options.note],
    ...(options.to ? { to: options.to } : {}),
    outputs: (inputs) => {
      const have = sumGrams(inputs);
      const want = options.quantitiesGrams.reduce((a, q) => a + q, 0n);
      if (want > have) throw new CanopyError('INVALID_INPUT', `insufficient quantity: note ${short(inputs[0]!.commitment)} holds ${have} g, the parts ask ${want} g (${options.quantitiesGrams.join(' + ')})`);
      const parts = options.quantitiesGrams.length === 1 ? [options.quantitiesGrams[0]!, have - want] : options.quantitiesGrams;
      if (parts.some((q) => q === 0n)) throw new CanopyError('INVALID_INPUT', `a split makes two parts of at least 1 g each, got ${parts.join(' + ')} g of ${have} g`);
      return parts.map((q, j) => ({ owner: j === 0 && options.to ? 'recipient' : 'self', quantityGrams: q }));
    },
  });
}

/**
 * Processes notes into another commodity under a public rule, adding the processor's
 * emissions.
 * @throws {CanopyError} PARAMETER_UNKNOWN for an unknown rule; INVALID_INPUT when the
 *   notes are not the rule's input commodity or the output exceeds the rule's yield; as `runTransition`
 * @example await processLots({ …common, notes: ['1827'], rule: 'coffee-hulling', outputGrams: 200_000n, addedEmissionsGramsCo2e: 35_000n })
 */
export async function processLots(options: ProcessLotsOptions): Promise<LotStepResult> {
  const rule = processingRuleByName(options.rule);
  assertArray(options.notes, 'notes', 1, 64);
  assertUint(options.outputGrams, LOT_QUANTITY_GRAMS_BITS, 'outputGrams');
  if (options.outputGrams === 0n) throw new CanopyError('INVALID_INPUT', 'processing needs an output of at least 1 g');
  return runTransition(options, {
    verb: 'process',
    refs: options.notes,
    rule,
    ...(options.to ? { to: options.to } : {}),
    outputs: () => [{ owner: options.to ? 'recipient' : 'self', quantityGrams: options.outputGrams }],
  });
}

/** What a transition makes, before any proof. */
interface TransitionPlan {
  verb: 'transfer' | 'merge' | 'split' | 'process' | 'take over';
  refs: readonly string[];
  rule?: ProcessingRule;
  to?: Recipient;
  outputs: (inputs: readonly StoredLotNote[]) => { owner: 'self' | 'recipient'; quantityGrams: bigint }[];
}

/**
 * Runs one transition: resolve and check the inputs, build the outputs, refuse early what
 * the circuit or the registry would refuse, prove, submit, write the passport.
 * @throws {CanopyError} NOT_FOUND / INVALID_INPUT for notes (unknown, ambiguous, spent,
 *   pending, another owner's, a capacity note, named twice, more than nIn, mixed
 *   commodities); INVALID_INPUT for an existing --out file or a rule broken (listed);
 *   ARTIFACT_MISMATCH when the registry does not accept the local keys; ENTRY_REJECTED
 *   when the registry refuses the entry
 */
async function runTransition(options: TransitionOptions, plan: TransitionPlan): Promise<LotStepResult> {
  const added = options.addedEmissionsGramsCo2e ?? 0n;
  assertUint(added, LOT_EMISSIONS_GRAMS_CO2E_BITS, 'addedEmissionsGramsCo2e');
  if (plan.to?.bearer !== undefined) assertBoolean(plan.to.bearer, 'to.bearer');
  return runStep(options, async (ctx) => {
    const { wallet, session, prover, progress } = ctx;
    const inputs = spendableLots(wallet, plan.refs) as StoredLotNote[];
    const params = prover.params(CIRCUIT) as { depth: number; nIn: number };
    if (inputs.length > params.nIn) {
      throw new CanopyError('INVALID_INPUT', `a ${plan.verb} of ${inputs.length} notes needs ${inputs.length} input slots; lot_transition of profile ${prover.profile} has ${params.nIn}: ${plan.verb} in rounds of ${params.nIn}`);
    }
    const conversion = conversionOf(inputs, plan.rule);
    const requested = plan.outputs(inputs);
    if (requested.some((o) => o.owner === 'recipient') && plan.to === undefined) throw new Error('canopy: bad math in runTransition: a recipient output without a recipient');
    if (plan.to) assertWritable(plan.to.out);
    const maxOut = (sumGrams(inputs) * conversion.factorNum) / conversion.factorDen;
    const outGrams = requested.reduce((a, o) => a + o.quantityGrams, 0n);
    if (outGrams > maxOut) {
      throw new CanopyError(
        'INVALID_INPUT',
        plan.rule
          ? `insufficient quantity: ${plan.rule.name} turns ${sumGrams(inputs)} g of input into at most ${maxOut} g (${conversion.factorNum}/${conversion.factorDen}), not ${outGrams} g`
          : `insufficient quantity: the notes hold ${sumGrams(inputs)} g, the outputs ask ${outGrams} g`,
      );
    }
    if (outGrams < maxOut && plan.verb !== 'process') progress(`note: ${maxOut - outGrams} g of the ${sumGrams(inputs)} g are carried by no output (a loss); the outputs carry all the emissions`);

    // The outputs: owner keys, salts, and a one-time secret for a bearer output.
    const bearerSecret = plan.to?.bearer ? randomFieldElement() : null;
    const ownerFor = (o: { owner: 'self' | 'recipient' }): bigint => (o.owner === 'self' ? wallet.ownerKey : bearerSecret !== null ? ownerKey(bearerSecret) : plan.to!.card.ownerKey);
    const notes = transitionOutputs(
      inputs.map((n) => n.note),
      added,
      conversion,
      requested.map((o) => ({ ownerKey: ownerFor(o), quantityGrams: o.quantityGrams, salt: randomFieldElement() })),
    );
    const { vkeyHash } = await prover.ensureKeys(CIRCUIT);
    await session.assertAccepts(CIRCUIT, vkeyHash);

    // The registry's state: nothing spent, every input in the published lots tree.
    const secrets = inputs.map((n) => wallet.secretOf(n));
    await session.assertUnspent(
      inputs.map((n, i) => nullifier(n.commitment, secrets[i]!)),
      inputs.map((n) => `note ${short(n.commitment)}`),
    );
    const proofs = await ctx.timed('tree proofs', () => session.treeProofs('lots', inputs.map((n) => n.leafIndex!), inputs.map((n) => n.commitment)));
    const spends: LotSpend[] = inputs.map((n, i) => ({ note: n.note, ownerSecret: secrets[i]!, proof: proofs[i]! }));
    const transition = { inputs: spends, outputs: notes, addedEmissionsGramsCo2e: added, conversion };
    const broken = lotTransitionViolations(transition, params);
    if (broken.length > 0) throw new CanopyError('INVALID_INPUT', `the ${plan.verb} breaks ${broken.length} rule(s) of docs/lots.md: ${broken.join('; ')}`);

    progress(`proving ${plan.verb} (${CIRCUIT}, profile ${prover.profile}: ${inputs.length} → ${notes.length})`);
    const proof = await ctx.timed('prove', () => prover.prove(CIRCUIT, lotTransitionWitnessInput(transition, params), lotTransitionPublicSignals(lotTransitionPublic(transition, params))));
    progress(`proved ${plan.verb} in ${proof.seconds.toFixed(1)} s (${proof.prover})`);
    const entry: LogEntry = {
      type: 'transition',
      version: 1,
      body: { proof: { circuit: CIRCUIT, vkeyHash: proof.vkeyHash, proof: proof.proof, publicSignals: namePublicSignals(CIRCUIT, proof.publicSignals) } },
    };

    const stored = notes.map((note, j) => {
      const toRecipient = requested[j]!.owner === 'recipient';
      const memo = memoOf(plan, inputs.length, toRecipient, note);
      return newStored({ kind: 'lot', note, commitment: noteCommitment(note) }, toRecipient && bearerSecret !== null ? bearerSecret : null, memo, toRecipient && bearerSecret !== null);
    });
    const committed = await commitStep(ctx, [{ entry, notes: stored }], inputs);
    const passports = [];
    if (plan.to) {
      const j = requested.findIndex((o) => o.owner === 'recipient');
      const out = committed.notes[j]! as StoredLotNote;
      passports.push(writePassportFile(plan.to.out, passportOf(out, bearerSecret), plan.to.card));
      progress(`wrote ${bearerSecret !== null ? 'bearer ' : ''}passport ${plan.to.out} (encrypted to the recipient card)`);
    }
    return { entry, receipt: committed.receipts[0]!, entries: [entry], receipts: committed.receipts, notes: committed.notes, passports, seconds: ctx.seconds };
  });
}

/**
 * Takes over a bearer note held in the wallet: spends it into a note of the wallet's own
 * key, so that no other holder of the passport can spend it. Used by `receivePassport`.
 * @throws as the transitions
 * @example const { entry, result } = await takeOver(ctx, bearerNote)
 */
export async function takeOver(ctx: StepContext, held: StoredLotNote): Promise<{ entry: LogEntry; result: Awaited<ReturnType<typeof commitStep>> }> {
  const { wallet, session, prover, progress } = ctx;
  const params = prover.params(CIRCUIT) as { depth: number; nIn: number };
  const conversion = identityConversion(held.note.commodity);
  const [note] = transitionOutputs([held.note], 0n, conversion, [{ ownerKey: wallet.ownerKey, quantityGrams: held.note.quantityGrams, salt: randomFieldElement() }]);
  const { vkeyHash } = await prover.ensureKeys(CIRCUIT);
  await session.assertAccepts(CIRCUIT, vkeyHash);
  const secret = wallet.secretOf(held);
  const [proof] = await ctx.timed('tree proofs', () => session.treeProofs('lots', [held.leafIndex!], [held.commitment]));
  const transition = { inputs: [{ note: held.note, ownerSecret: secret, proof: proof! }], outputs: [note!], addedEmissionsGramsCo2e: 0n, conversion };
  const broken = lotTransitionViolations(transition, params);
  if (broken.length > 0) throw new CanopyError('INVALID_INPUT', `taking the note over breaks ${broken.length} rule(s): ${broken.join('; ')}`);
  progress(`proving the take-over (${CIRCUIT}, profile ${prover.profile}: 1 → 1 to this wallet's key)`);
  const proved = await ctx.timed('prove', () => prover.prove(CIRCUIT, lotTransitionWitnessInput(transition, params), lotTransitionPublicSignals(lotTransitionPublic(transition, params))));
  progress(`proved the take-over in ${proved.seconds.toFixed(1)} s (${proved.prover})`);
  const entry: LogEntry = {
    type: 'transition',
    version: 1,
    body: { proof: { circuit: CIRCUIT, vkeyHash: proved.vkeyHash, proof: proved.proof, publicSignals: namePublicSignals(CIRCUIT, proved.publicSignals) } },
  };
  const stored = newStored({ kind: 'lot', note: note!, commitment: noteCommitment(note!) }, null, `taken over from bearer note ${short(held.commitment)}`);
  return { entry, result: await commitStep(ctx, [{ entry, notes: [stored] }], [held]) };
}

/**
 * The passport of a stored lot note; `secret` makes it a bearer passport.
 * @throws {CanopyError} INVALID_INPUT if the note is not yet acknowledged by the registry
 * @example passportOf(stored, null)
 */
export function passportOf(n: StoredLotNote, secret: bigint | null): LotPassport {
  if (n.leafIndex === null || n.registry === null) throw new CanopyError('INVALID_INPUT', `note ${short(n.commitment)} is ${n.status}: a passport needs its place in the registry`);
  return { note: n.note, ownerSecret: secret, leafIndex: n.leafIndex, registry: { origin: n.registry.origin, sequence: n.registry.sequence } };
}

function conversionOf(inputs: readonly StoredLotNote[], rule: ProcessingRule | undefined): LotConversion {
  const commodities = [...new Set(inputs.map((n) => n.note.commodity))];
  if (commodities.length > 1) {
    throw new CanopyError('INVALID_INPUT', `the notes are of different commodities (${inputs.map((n) => `${short(n.commitment)}: ${nameOf(n.note.commodity)}`).join(', ')}); a transition takes one commodity`);
  }
  const commodity = commodities[0]!;
  if (rule === undefined) return identityConversion(commodity);
  if (rule.inCommodity !== commodity) {
    throw new CanopyError('INVALID_INPUT', `rule ${rule.name} takes ${nameOf(rule.inCommodity)} and makes ${nameOf(rule.outCommodity)}; the notes are ${nameOf(commodity)}`);
  }
  return { inCommodity: rule.inCommodity, outCommodity: rule.outCommodity, factorNum: rule.factorNum, factorDen: rule.factorDen };
}

function memoOf(plan: TransitionPlan, inputs: number, toRecipient: boolean, note: LotNote): string {
  const what = plan.verb === 'process' ? `${plan.rule!.name} of ${inputs} ${inputs === 1 ? 'note' : 'notes'}` : plan.verb === 'merge' ? `merge of ${inputs} notes` : plan.verb;
  if (!toRecipient) return what;
  return plan.to?.bearer ? `${what}, bearer passport ${plan.to.out}` : `${what}, sent to owner key ${short(note.ownerKey)}`;
}

/**
 * "90111 (green coffee …)" for a known commodity code, else the code.
 * @throws never
 * @example nameOf(90111n)
 */
export function nameOf(code: bigint): string {
  const c = commodityByCode(code);
  return c === null ? code.toString() : `${code} (${c.name})`;
}

function sumGrams(notes: readonly StoredNote[]): bigint {
  return notes.reduce((a, n) => a + (n.kind === 'lot' ? n.note.quantityGrams : 0n), 0n);
}
