/**
 * `canopy lot …`: the supplier side of lots (docs/lots-cli.md). A wallet folder holds the
 * owner secret, the passport key and the notes; every step proves with the profile's
 * Groth16 keys, submits to a registry and records the result in the wallet.
 *
 *     canopy lot keygen [--wallet DIR]
 *     canopy lot capacity OPENING --commodity C --harvest-year Y [--owner-secret-file F] [--plot-proof FILE]   + registry flags
 *     canopy lot mint --commodity C --quantity-grams Q (--footprint PACT.json | --emissions-grams-co2e E)
 *                     [--deforestation-free [--capacity NOTE] [--harvest-year Y]]                              + registry flags
 *     canopy lot transfer NOTE --to CARD --out FILE [--bearer]                                                 + transition flags
 *     canopy lot merge NOTE… [--to CARD --out FILE]                                                            + transition flags
 *     canopy lot split NOTE --quantities-grams A[,B] [--to CARD --out FILE]                                    + transition flags
 *     canopy lot process NOTE… --rule NAME --output-grams Q --added-emissions-grams-co2e E [--to CARD --out FILE] + registry flags
 *     canopy lot receive PASSPORT                                                                              + registry flags
 *     canopy lot list [--all] | show NOTE | passport NOTE --out FILE [--to CARD [--bearer]]   [--wallet DIR] [--json]
 *
 *     registry flags    --wallet DIR --registry URL --key PARTY_KEY_FILE [--profile P] [--keys DIR]
 *                       [--prover PATH] [--registry-key VKEY] [--json]
 *     transition flags  registry flags and [--added-emissions-grams-co2e E]
 *
 * Each command maps its flags to the options of one library entry point
 * (prover/lots/index.ts); the `…FromFlags` functions are exported for tests.
 * @module
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { CanopyError } from '../../../core/errors.ts';
import { commodityByCode, PROCESSING_RULES } from '../../../core/lots/public-parameters.ts';
import { readSignerKeyFile, readVerifierKeyArg } from '../../../registry/api/key-files.ts';
import {
  createWallet,
  DEFAULT_WALLET_DIR,
  exportPassport,
  issueCapacity,
  mergeLots,
  mintLot,
  parseRecipientCard,
  processLots,
  receivePassport,
  splitLot,
  transferLot,
  Wallet,
  type IssueCapacityOptions,
  type LotCommonOptions,
  type LotStepResult,
  type MintLotOptions,
  type Recipient,
  type StoredNote,
} from '../../lots/index.ts';
import { DEFAULT_PLOT_PROFILE } from '../../plot/prove.ts';
import { printJson, type CliIo } from '../io.ts';
import { progressPrinter } from './_progress.ts';
import { apiCall } from './registry.ts';

/** Flags every registry-touching lot command takes, as commander delivers them. */
export interface LotRegistryFlags {
  wallet: string;
  registry: string;
  key: string;
  profile: string;
  keys?: string;
  prover?: string;
  registryKey?: string;
  json?: boolean;
}

/** Flags of the transitions that may send a note on. */
export interface LotSendFlags extends LotRegistryFlags {
  to?: string;
  out?: string;
  bearer?: boolean;
  addedEmissionsGramsCo2e?: bigint;
}

const MAX_GRAMS = 1n << 48n;
const MAX_EMISSIONS = 1n << 64n;

function integerFlag(what: string, limit: bigint, min = 0n) {
  return (value: string): bigint => {
    if (!/^(0|[1-9][0-9]{0,24})$/.test(value) || BigInt(value) < min || BigInt(value) >= limit) {
      throw new InvalidArgumentError(`expected ${what}: a whole number from ${min} to ${limit - 1n}, got ${JSON.stringify(value)}`);
    }
    return BigInt(value);
  };
}

/**
 * Parses --quantity-grams / --output-grams: grams, 1 ≤ g < 2^48.
 * @throws {InvalidArgumentError} otherwise
 * @example parseGrams('18000000') // 18000000n
 */
export const parseGrams = integerFlag('grams', MAX_GRAMS, 1n);

/**
 * Parses --emissions-grams-co2e / --added-emissions-grams-co2e: g CO2e, 0 ≤ e < 2^64.
 * @throws {InvalidArgumentError} otherwise
 * @example parseEmissions('81000000') // 81000000n
 */
export const parseEmissions = integerFlag('grams CO2e', MAX_EMISSIONS);

/**
 * Parses --commodity: an HS code as an integer (090111 → 90111, leading zeros allowed) or
 * a Canopy stage code, < 2^20.
 * @throws {InvalidArgumentError} otherwise
 * @example parseCommodity('090111') // 90111n
 */
export function parseCommodity(value: string): bigint {
  if (!/^[0-9]{1,7}$/.test(value) || BigInt(value) >= 1n << 20n) throw new InvalidArgumentError(`expected a commodity code (HS code as digits, e.g. 090111, or 1000001 for fresh coffee cherries), got ${JSON.stringify(value)}`);
  return BigInt(value);
}

/**
 * Parses --harvest-year: four digits.
 * @throws {InvalidArgumentError} otherwise
 * @example parseHarvestYear('2026') // 2026
 */
export function parseHarvestYear(value: string): number {
  if (!/^[12][0-9]{3}$/.test(value)) throw new InvalidArgumentError(`expected a four-digit year, got ${JSON.stringify(value)}`);
  return Number(value);
}

/**
 * Parses --quantities-grams: one or two amounts in grams, comma-separated.
 * @throws {InvalidArgumentError} otherwise
 * @example parseQuantities('600000,400000') // [600000n, 400000n]
 */
export function parseQuantities(value: string): bigint[] {
  const parts = value.split(',');
  if (parts.length < 1 || parts.length > 2) throw new InvalidArgumentError(`expected A or A,B in grams, got ${JSON.stringify(value)}`);
  return parts.map((p) => parseGrams(p));
}

/**
 * Maps the registry flags to the common options of the library.
 * @throws {CanopyError} NOT_FOUND / KEY_MALFORMED for the party key file or the registry key
 * @example lotCommonFromFlags({ wallet: 'w', registry: 'http://127.0.0.1:8080', key: 'coop.key', profile: 'demo' })
 */
export function lotCommonFromFlags(flags: LotRegistryFlags): LotCommonOptions {
  const party = readSignerKeyFile(flags.key);
  return {
    wallet: flags.wallet,
    registry: flags.registry,
    signer: { keyId: party.name, signerKey: party.signerKey },
    profile: flags.profile,
    ...(flags.keys !== undefined ? { keysDir: flags.keys } : {}),
    ...(flags.prover !== undefined ? { nativeProver: flags.prover } : {}),
    ...(flags.registryKey !== undefined ? { registryVkey: readVerifierKeyArg(flags.registryKey) } : {}),
  };
}

/**
 * The recipient of --to CARD --out FILE [--bearer], or undefined without --to.
 * @throws {CanopyError} INVALID_INPUT for --out or --bearer without --to, or --to without --out; NOT_FOUND / INVALID_INPUT for the card
 * @example recipientFromFlags({ to: 'buyer.card.json', out: 'lot.passport' })
 */
export function recipientFromFlags(flags: { to?: string; out?: string; bearer?: boolean }, required = false): Recipient | undefined {
  if (flags.to === undefined) {
    if (required) throw new CanopyError('INVALID_INPUT', '--to CARD is required: the recipient card of the buyer');
    if (flags.out !== undefined || flags.bearer) throw new CanopyError('INVALID_INPUT', '--out and --bearer go with --to CARD');
    return undefined;
  }
  if (flags.out === undefined) throw new CanopyError('INVALID_INPUT', '--to CARD needs --out FILE for the passport written for the recipient');
  return { card: readCard(flags.to), out: flags.out, ...(flags.bearer ? { bearer: true } : {}) };
}

function readCard(file: string): Recipient['card'] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new CanopyError('NOT_FOUND', `no recipient card ${file}`, { cause: e });
  }
  return parseRecipientCard(text, file);
}

/**
 * Maps `canopy lot mint` flags to `mintLot` options.
 * @throws {CanopyError} INVALID_INPUT unless exactly one of --footprint and --emissions-grams-co2e;
 *   FOOTPRINT_MALFORMED for a footprint file that is not JSON
 * @example mintFromFlags({ …registry, commodity: 90111n, quantityGrams: 1000n, emissionsGramsCo2e: 4500n })
 */
export function mintFromFlags(flags: LotRegistryFlags & { commodity: bigint; quantityGrams: bigint; footprint?: string; emissionsGramsCo2e?: bigint; deforestationFree?: boolean; capacity?: string; harvestYear?: number }): MintLotOptions {
  if ((flags.footprint === undefined) === (flags.emissionsGramsCo2e === undefined)) throw new CanopyError('INVALID_INPUT', 'give exactly one of --footprint PACT.json and --emissions-grams-co2e E');
  if (!flags.deforestationFree && (flags.capacity !== undefined || flags.harvestYear !== undefined)) throw new CanopyError('INVALID_INPUT', '--capacity and --harvest-year go with --deforestation-free');
  let emissions: MintLotOptions['emissions'];
  if (flags.footprint !== undefined) {
    let text: string;
    try {
      text = readFileSync(flags.footprint, 'utf8');
    } catch (e) {
      throw new CanopyError('NOT_FOUND', `no footprint file ${flags.footprint}`, { cause: e });
    }
    try {
      emissions = { footprint: JSON.parse(text) as unknown };
    } catch (e) {
      throw new CanopyError('FOOTPRINT_MALFORMED', `${flags.footprint} is not JSON`, { cause: e });
    }
  } else emissions = { gramsCo2e: flags.emissionsGramsCo2e! };
  return {
    ...lotCommonFromFlags(flags),
    commodity: flags.commodity,
    quantityGrams: flags.quantityGrams,
    emissions,
    ...(flags.deforestationFree ? { deforestationFree: true } : {}),
    ...(flags.capacity !== undefined ? { capacity: flags.capacity } : {}),
    ...(flags.harvestYear !== undefined ? { harvestYear: flags.harvestYear } : {}),
  };
}

/**
 * Maps `canopy lot capacity` flags to `issueCapacity` options.
 * @throws {CanopyError} NOT_FOUND / KEY_MALFORMED for the party key file
 * @example capacityFromFlags('farm.proof.opening.json', { …registry, commodity: 1000001n, harvestYear: 2026 })
 */
export function capacityFromFlags(opening: string, flags: LotRegistryFlags & { commodity: bigint; harvestYear: number; ownerSecretFile?: string; plotProof?: string }): IssueCapacityOptions {
  return {
    ...lotCommonFromFlags(flags),
    openingFile: opening,
    commodity: flags.commodity,
    harvestYear: flags.harvestYear,
    ...(flags.ownerSecretFile !== undefined ? { ownerSecretFile: flags.ownerSecretFile } : {}),
    ...(flags.plotProof !== undefined ? { plotProofFile: flags.plotProof } : {}),
  };
}

/** A note as `list`, `show` and `--json` print it: decimal strings, no secret. */
export interface NoteSummary {
  commitment: string;
  kind: 'lot' | 'capacity';
  status: string;
  commodity: string;
  commodityName: string | null;
  quantityGrams?: string;
  emissionsGramsCo2e?: string;
  gramsCo2ePerKg?: string | null;
  deforestationFree?: boolean;
  harvestYear?: string;
  capacityGrams?: string;
  ownerKey: string;
  leafIndex: number | null;
  sequence: number | null;
  spentBy: number | null;
  bearerCopy: boolean;
  memo: string;
  createdAt: string;
}

/**
 * The printable form of a stored note; `status` says "sent" for a note of another owner
 * the wallet keeps only to re-issue its passport.
 * @throws never
 * @example noteSummary(stored, wallet.ownerKey).status // 'unspent'
 */
export function noteSummary(n: StoredNote, walletKey: bigint): NoteSummary {
  const sent = n.ownerSecret === null && n.note.ownerKey !== walletKey && n.status !== 'pending';
  const base = {
    commitment: n.commitment.toString(),
    kind: n.kind,
    status: sent && n.status === 'unspent' ? 'sent' : n.status,
    commodity: n.note.commodity.toString(),
    commodityName: commodityByCode(n.note.commodity)?.name ?? null,
  };
  const tail = {
    ownerKey: n.note.ownerKey.toString(),
    leafIndex: n.leafIndex,
    sequence: n.registry?.sequence ?? null,
    spentBy: n.spentBy,
    bearerCopy: n.bearerCopy,
    memo: n.memo,
    createdAt: n.createdAt,
  };
  if (n.kind === 'capacity') return { ...base, harvestYear: n.note.harvestYear.toString(), capacityGrams: n.note.capacityGrams.toString(), ...tail };
  const q = n.note.quantityGrams;
  return {
    ...base,
    quantityGrams: q.toString(),
    emissionsGramsCo2e: n.note.emissionsGramsCo2e.toString(),
    // g CO2e per kg, rounded up like the allocation (never understates).
    gramsCo2ePerKg: q === 0n ? null : ((n.note.emissionsGramsCo2e * 1000n + q - 1n) / q).toString(),
    deforestationFree: n.note.deforestationFree,
    ...tail,
  };
}

function stepJson(r: LotStepResult, walletKey: bigint): Record<string, unknown> {
  return {
    sequences: r.receipts.map((x) => x.sequence),
    receipts: r.receipts,
    notes: r.notes.map((n) => noteSummary(n, walletKey)),
    passports: r.passports,
    seconds: r.seconds,
  };
}

function noteLine(s: NoteSummary): string {
  const id = `${s.commitment.slice(0, 12)}…`;
  if (s.kind === 'capacity') return `${id}  capacity  ${s.status.padEnd(8)} ${s.capacityGrams!.padStart(12)} g of ${s.commodity} (${s.commodityName ?? '?'}), harvest ${s.harvestYear}${s.leafIndex !== null ? `, leaf ${s.leafIndex}` : ''}  ${s.memo}`;
  return (
    `${id}  lot       ${s.status.padEnd(8)} ${s.quantityGrams!.padStart(12)} g of ${s.commodity} (${s.commodityName ?? '?'}), ${s.emissionsGramsCo2e} g CO2e` +
    ` (${s.gramsCo2ePerKg ?? '-'} g/kg)${s.deforestationFree ? ', deforestation-free' : ''}${s.leafIndex !== null ? `, leaf ${s.leafIndex}` : ''}${s.bearerCopy ? ', bearer copy handed over' : ''}  ${s.memo}`
  );
}

function report(io: CliIo, json: boolean | undefined, verb: string, r: LotStepResult, walletKey: bigint): void {
  if (json) {
    printJson(io, stepJson(r, walletKey));
    return;
  }
  const seqs = r.receipts.map((x) => x.sequence);
  io.out(`${verb}${seqs.length ? ` (registry entry ${seqs.join(', ')})` : ''}\n`);
  for (const n of r.notes) io.out(`  ${noteLine(noteSummary(n, walletKey))}\n`);
  for (const p of r.passports) io.out(`  passport ${p.file} (${p.encrypted ? 'encrypted to the recipient card' : 'plain'}${p.bearer ? ', bearer: carries the spending secret' : ''})\n`);
}

const REGISTRY_HELP = `
Registry flags: --registry URL of the registry, --key FILE the party's request key (a
note signer key from \`canopy registry keygen\`, registered as a supplier). Keys of the
circuits come from --keys DIR (default circuits/build/<profile>); a circuit without keys
is set up first (minutes). --prover PATH proves with a native rapidsnark binary
(PATH zkey wtns proof.json public.json) and falls back to snarkjs when PATH is not an
executable file. Progress, with timings, goes to stderr; --json prints the result on
stdout. A refused step leaves the wallet unchanged.
`;

/**
 * Registers `canopy lot` and its subcommands.
 * @example registerLot(program, processIo);
 */
export function registerLot(program: Command, io: CliIo): void {
  const lot = program
    .command('lot')
    .description('Hold, mint and hand on lots: a wallet of notes, each step proven with Groth16 and recorded by a registry.')
    .addHelpText('after', '\nSee docs/lots-cli.md. NOTE arguments are the first digits of a note\'s commitment, unique in the wallet (`canopy lot list`).\n');
  const progress = (line: string) => io.err(`${line}\n`);
  const registryFlags = (c: Command, json = true): Command => {
    c.option('--wallet <dir>', 'wallet folder', DEFAULT_WALLET_DIR)
      .requiredOption('--registry <url>', 'registry base URL')
      .requiredOption('--key <file>', "the party's request key file (registered supplier)")
      .option('--profile <name>', 'circuit profile of the keys: test, demo or production', DEFAULT_PLOT_PROFILE)
      .option('--keys <dir>', 'setup folder with the keys (default circuits/build/<profile>)')
      .option('--prover <path>', 'native rapidsnark prover binary (default: snarkjs)')
      .option('--registry-key <vkey>', "the registry's verifier key (or a file): open checkpoints with it");
    if (json) c.option('--json', 'print the result as JSON on stdout');
    return c.addHelpText('after', REGISTRY_HELP);
  };
  const sendFlags = (c: Command): Command =>
    registryFlags(c)
      .option('--added-emissions-grams-co2e <g>', 'your own processing and transport emissions, g CO2e', parseEmissions)
      .option('--to <card>', "the recipient's card (its owner key and passport key)")
      .option('--out <file>', 'passport file written for the recipient (with --to)');
  const withIo = <T extends LotCommonOptions>(common: T): T => ({ ...common, onProgress: progress, onSetupProgress: progressPrinter(io) });
  const keyOf = async (wallet: string) => (await Wallet.open(wallet)).ownerKey;

  lot
    .command('keygen')
    .description("Make a wallet: an owner secret, a passport key pair, and the public recipient card buyers hand to sellers.")
    .option('--wallet <dir>', 'wallet folder to create', DEFAULT_WALLET_DIR)
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText('after', '\nExample:\n  canopy lot keygen --wallet coop.wallet\n  # hand coop.wallet/card.json to your sellers; keep the rest of the folder private\n')
    .action(async (flags: { wallet: string; json?: boolean }) => {
      const w = await createWallet(flags.wallet);
      if (flags.json) printJson(io, { wallet: w.dir, ownerKey: w.ownerKey, cardFile: w.cardFile });
      else io.out(`created wallet ${flags.wallet}\n  owner key  ${w.ownerKey}\n  card       ${w.cardFile} (public: give it to sellers)\n`);
    });

  registryFlags(
    lot
      .command('capacity')
      .description("Issue a plot's harvest capacity for a year: one capacity note per window, from its attestations in the registry.")
      .argument('<opening>', 'the opening file `canopy plot prove` wrote (FILE.opening.json)')
      .requiredOption('--commodity <code>', 'what the plot grows (needs a yield ceiling, e.g. 1000001 fresh coffee cherries)', parseCommodity)
      .requiredOption('--harvest-year <year>', 'this year or the last', parseHarvestYear)
      .option('--owner-secret-file <file>', "the plot owner's secret (default: the file the opening names)")
      .option('--plot-proof <file>', "submit the plot's proof file first when the registry lacks its attestation"),
  )
    .addHelpText('after', '\nExample:\n  canopy lot capacity farm.proof.opening.json --commodity 1000001 --harvest-year 2026 \\\n    --plot-proof farm.proof.json --wallet farm.wallet --registry http://127.0.0.1:8080 --key farm.key\n')
    .action(async (opening: string, flags: LotRegistryFlags & { commodity: bigint; harvestYear: number; ownerSecretFile?: string; plotProof?: string }) => {
      const r = await apiCall(() => issueCapacity(withIo(capacityFromFlags(opening, flags))));
      report(io, flags.json, `issued capacity for ${r.notes.length} ${r.notes.length === 1 ? 'window' : 'windows'}`, r, await keyOf(flags.wallet));
    });

  registryFlags(
    lot
      .command('mint')
      .description('Mint a lot into the wallet: with no claim (lot_mint), or deforestation-free from capacity (capacity_mint).')
      .requiredOption('--commodity <code>', 'HS code as digits (090111) or a Canopy stage code (1000001)', parseCommodity)
      .requiredOption('--quantity-grams <g>', 'mass of the lot, grams', parseGrams)
      .option('--footprint <file>', 'PACT product footprint (v2.x or v3.0 JSON) the emissions follow from')
      .option('--emissions-grams-co2e <g>', "the lot's total emissions, g CO2e", parseEmissions)
      .option('--deforestation-free', 'mint from a capacity note of the wallet')
      .option('--capacity <note>', 'the capacity note to spend (default: the smallest that holds the lot)')
      .option('--harvest-year <year>', 'only capacity of this harvest', parseHarvestYear),
  )
    .addHelpText('after', '\nExamples:\n  canopy lot mint --commodity 090111 --quantity-grams 18000000 --footprint green-coffee.json --wallet w --registry URL --key k\n  canopy lot mint --commodity 1000001 --quantity-grams 500000 --emissions-grams-co2e 400000 --deforestation-free --wallet w --registry URL --key k\n')
    .action(async (flags: Parameters<typeof mintFromFlags>[0]) => {
      const r = await apiCall(() => mintLot(withIo(mintFromFlags(flags))));
      report(io, flags.json, `minted ${flags.deforestationFree ? 'a deforestation-free lot' : 'a lot'} (${r.emissions.emissionsGramsCo2e} g CO2e, ${r.emissions.basis.kind})`, r, await keyOf(flags.wallet));
    });

  sendFlags(lot.command('transfer').description("Transfer a note whole to a recipient card and write the recipient's passport.").argument('<note>', 'the note (commitment prefix)'))
    .option('--bearer', 'create the note for a one-time key whose secret travels in the passport (the buyer takes it over)')
    .addHelpText('after', '\nExample:\n  canopy lot transfer 182744 --to coop.card.json --out lot-1.passport --wallet farm.wallet --registry URL --key farm.key\n')
    .action(async (note: string, flags: LotSendFlags) => {
      const to = recipientFromFlags(flags, true)!;
      const r = await apiCall(() => transferLot({ ...withIo(lotCommonFromFlags(flags)), note, to, ...added(flags) }));
      report(io, flags.json, `transferred note ${note}…`, r, await keyOf(flags.wallet));
    });

  sendFlags(lot.command('merge').description('Merge notes of one commodity into one (kept, or sent with --to).').argument('<notes...>', 'the notes (commitment prefixes)'))
    .addHelpText('after', '\nExample:\n  canopy lot merge 182744 550192 --wallet coop.wallet --registry URL --key coop.key\n')
    .action(async (notes: string[], flags: LotSendFlags) => {
      const to = recipientFromFlags(flags);
      const r = await apiCall(() => mergeLots({ ...withIo(lotCommonFromFlags(flags)), notes, ...(to ? { to } : {}), ...added(flags) }));
      report(io, flags.json, `merged ${notes.length} notes`, r, await keyOf(flags.wallet));
    });

  sendFlags(lot.command('split').description('Split a note into two (the first part optionally sent with --to).').argument('<note>', 'the note (commitment prefix)'))
    .requiredOption('--quantities-grams <a,b>', 'grams of the parts: A (A and the rest) or A,B', parseQuantities)
    .addHelpText('after', '\nExample:\n  canopy lot split 182744 --quantities-grams 6000000,4000000 --to roaster.card.json --out part.passport --wallet w --registry URL --key k\n')
    .action(async (note: string, flags: LotSendFlags & { quantitiesGrams: bigint[] }) => {
      const to = recipientFromFlags(flags);
      const r = await apiCall(() => splitLot({ ...withIo(lotCommonFromFlags(flags)), note, quantitiesGrams: flags.quantitiesGrams, ...(to ? { to } : {}), ...added(flags) }));
      report(io, flags.json, `split note ${note}…`, r, await keyOf(flags.wallet));
    });

  registryFlags(lot.command('process').description('Process notes into another commodity under a public rule, adding your emissions.').argument('<notes...>', 'the notes (commitment prefixes)'))
    .requiredOption('--rule <name>', `processing rule: ${PROCESSING_RULES.map((r) => r.name).join(', ')}`)
    .requiredOption('--output-grams <g>', 'grams of the output commodity', parseGrams)
    .requiredOption('--added-emissions-grams-co2e <g>', 'your processing and transport emissions, g CO2e', parseEmissions)
    .option('--to <card>', "the recipient's card")
    .option('--out <file>', 'passport file written for the recipient (with --to)')
    .addHelpText('after', `\nRules:\n${PROCESSING_RULES.map((r) => `  ${r.name.padEnd(22)} ${r.inCommodity} → ${r.outCommodity} at most ${r.factorNum}/${r.factorDen}: ${r.basis}`).join('\n')}\n\nExample:\n  canopy lot process 182744 --rule coffee-hulling --output-grams 3600000 --added-emissions-grams-co2e 250000 --to importer.card.json --out green.passport --wallet w --registry URL --key k\n`)
    .action(async (notes: string[], flags: LotSendFlags & { rule: string; outputGrams: bigint }) => {
      const to = recipientFromFlags(flags);
      const r = await apiCall(() => processLots({ ...withIo(lotCommonFromFlags(flags)), notes, rule: flags.rule, outputGrams: flags.outputGrams, ...(to ? { to } : {}), ...added(flags) }));
      report(io, flags.json, `processed ${notes.length} ${notes.length === 1 ? 'note' : 'notes'} (${flags.rule})`, r, await keyOf(flags.wallet));
    });

  registryFlags(lot.command('receive').description("Receive a passport into the wallet: checked against the registry; a bearer note is taken over.").argument('<passport>', 'passport file (encrypted to this wallet, or plain JSON)'))
    .addHelpText('after', '\nExample:\n  canopy lot receive lot-1.passport --wallet coop.wallet --registry URL --key coop.key\n')
    .action(async (file: string, flags: LotRegistryFlags) => {
      const r = await apiCall(() => receivePassport({ ...withIo(lotCommonFromFlags(flags)), file }));
      report(io, flags.json, r.tookOver ? 'received a bearer passport and took the note over' : 'received the note', r, await keyOf(flags.wallet));
    });

  lot
    .command('list')
    .description('List the notes of the wallet (unspent, pending and sent; --all adds spent ones).')
    .option('--wallet <dir>', 'wallet folder', DEFAULT_WALLET_DIR)
    .option('--all', 'include spent notes')
    .option('--json', 'print the notes as JSON on stdout')
    .action(async (flags: { wallet: string; all?: boolean; json?: boolean }) => {
      const wallet = await Wallet.open(flags.wallet);
      const notes = wallet
        .notes()
        .filter((n) => flags.all || n.status !== 'spent')
        .map((n) => noteSummary(n, wallet.ownerKey));
      if (flags.json) {
        printJson(io, { wallet: wallet.dir, ownerKey: wallet.ownerKey, notes });
        return;
      }
      io.out(`wallet ${flags.wallet}: owner key ${wallet.ownerKey.toString().slice(0, 12)}…, ${notes.length} ${notes.length === 1 ? 'note' : 'notes'}\n`);
      for (const n of notes) io.out(`  ${noteLine(n)}\n`);
    });

  lot
    .command('show')
    .description('Show one note of the wallet.')
    .argument('<note>', 'the note (commitment prefix)')
    .option('--wallet <dir>', 'wallet folder', DEFAULT_WALLET_DIR)
    .option('--json', 'print the note as JSON on stdout')
    .action(async (ref: string, flags: { wallet: string; json?: boolean }) => {
      const wallet = await Wallet.open(flags.wallet);
      const s = noteSummary(wallet.find(ref), wallet.ownerKey);
      if (flags.json) printJson(io, s);
      else io.out(`${Object.entries(s).map(([k, v]) => `${k.padEnd(20)} ${v === null ? '-' : String(v)}`).join('\n')}\n`);
    });

  lot
    .command('passport')
    .description("Write a note's passport for an importer: plain, or encrypted to a card (--to); --bearer adds a one-time note's secret.")
    .argument('<note>', 'the note (commitment prefix)')
    .requiredOption('--out <file>', 'passport file to create (never overwritten)')
    .option('--to <card>', "encrypt to the recipient's card")
    .option('--bearer', 'include the spending secret of a one-time (bearer) note; needs --to')
    .option('--wallet <dir>', 'wallet folder', DEFAULT_WALLET_DIR)
    .option('--json', 'print the result as JSON on stdout')
    .addHelpText('after', '\nExample:\n  canopy lot passport 550192 --out green.passport.json --wallet importer.wallet\n  canopy verify green.passport.json --registry URL\n')
    .action(async (ref: string, flags: { out: string; to?: string; bearer?: boolean; wallet: string; json?: boolean }) => {
      const written = await exportPassport({ wallet: flags.wallet, note: ref, out: flags.out, ...(flags.to !== undefined ? { to: readCard(flags.to) } : {}), ...(flags.bearer ? { bearer: true } : {}) });
      if (flags.json) printJson(io, written);
      else io.out(`wrote ${written.file} (${written.encrypted ? 'encrypted to the recipient card' : 'plain JSON, no secret'}${written.bearer ? ', bearer' : ''})\n`);
    });
}

function added(flags: { addedEmissionsGramsCo2e?: bigint }): { addedEmissionsGramsCo2e?: bigint } {
  return flags.addedEmissionsGramsCo2e !== undefined ? { addedEmissionsGramsCo2e: flags.addedEmissionsGramsCo2e } : {};
}
