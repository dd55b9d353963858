/**
 * `canopy verify PASSPORT [--key FILE] [--owner-secret FILE] [--policy FILE] [--registry URL
 *  | --tiles URL_OR_DIR [--depths LOTS:PLOTS]] [--json] [--pact FILE] [--dds FILE] [--country ISO2]`:
 * the importer's check of a lot passport against its registry (or a C2SP tiles mirror of its
 * log, verifier/tiled-verifier-registry.ts) and the importer's policy
 * (verifier/verify-lot-passport.ts). Prints each check (✓ passed, ✗ failed, · not run) and
 * the verified claim; exit 1 naming the failed check.
 *
 * `canopy verify --init-policy --registry URL --registry-key VKEY [--policy FILE]`: writes a
 * first policy pinning that registry's key and the verification keys it serves now (trust
 * on first use, verifier/init-policy.ts), never over an existing file.
 * @module
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { CanopyError } from '../../../core/errors.ts';
import { readVerifierKeyArg } from '../../../registry/api/key-files.ts';
import { RegistryClient } from '../../../registry/client.ts';
import type { TreeDepths } from '../../../registry/log/registry-trees.ts';
import { TiledLog } from '../../../registry/tiles/tiled-log-client.ts';
import { CLAIM_CHECKS, type ClaimCheck, ClaimRejectedError } from '../../../verifier/claim-rejected.ts';
import { claimToDdsFields } from '../../../verifier/dds-fields.ts';
import { readImporterPolicy, formatImporterPolicy } from '../../../verifier/importer-policy.ts';
import { initImporterPolicy } from '../../../verifier/init-policy.ts';
import { claimToPactFootprint, COUNTRY_CODE } from '../../../verifier/pact-footprint.ts';
import { openPassport, PASSPORT_INPUT_MAX_BYTES, readRecipientSecretKey } from '../../../verifier/passport-input.ts';
import { gramsToKilograms } from '../../../verifier/kilograms.ts';
import { tiledVerifierRegistry } from '../../../verifier/tiled-verifier-registry.ts';
import { isRegistryUnavailable, type VerifierRegistry, verifierRegistry } from '../../../verifier/verifier-registry.ts';
import { type CheckReport, type VerifiedClaim, verifyLotPassport } from '../../../verifier/verify-lot-passport.ts';
import { readOwnerSecret } from '../../plot/owner-secret.ts';
import { printJson, type CliIo } from '../io.ts';
import { parseDepths } from './audit.ts';

/** The policy file used when --policy is not given. */
export const DEFAULT_POLICY_FILE = '.canopy/importer-policy.json';

/** Flags of `canopy verify`, as commander delivers them. */
export interface VerifyFlags {
  key?: string;
  ownerSecret?: string;
  policy: string;
  registry?: string;
  tiles?: string;
  depths?: TreeDepths;
  json?: boolean;
  pact?: string;
  dds?: string;
  country?: string;
  initPolicy?: boolean;
  registryKey?: string;
}

/** What `runVerify` needs. */
export interface VerifyCommandOptions {
  passportFile: string;
  keyFile: string | null;
  ownerSecretFile: string | null;
  policyFile: string;
  registryUrl: string | null;
  /** A tiles mirror (URL prefix or directory) read instead of the registry's API. */
  tilesLocation: string | null;
  /** With a mirror: the registry's tree depths, else those the pinned circuits state. */
  depths: TreeDepths | null;
  json: boolean;
  pactFile: string | null;
  ddsFile: string | null;
  country: string | null;
}

/** What `runInitPolicy` needs. */
export interface InitPolicyOptions {
  policyFile: string;
  registryUrl: string;
  /** The registry's note verifier key (read from the file when --registry-key names one). */
  registryKey: string;
}

/**
 * Parses --country: ISO 3166-1 alpha-2, two capital letters.
 * @throws {InvalidArgumentError} otherwise
 * @example parseCountry('CO') // 'CO'
 */
export function parseCountry(value: string): string {
  if (!COUNTRY_CODE.test(value)) throw new InvalidArgumentError(`expected an ISO 3166-1 alpha-2 code such as CO, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Parses --registry: an http(s) URL.
 * @throws {InvalidArgumentError} otherwise
 * @example parseRegistryUrl('http://127.0.0.1:8080') // 'http://127.0.0.1:8080'
 */
export function parseRegistryUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`expected an http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidArgumentError(`expected an http(s) URL, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Maps the argument and flags of `canopy verify` to the options of one of its two modes.
 * @throws {CanopyError} INVALID_INPUT for a missing PASSPORT, --init-policy without --registry
 *   or --registry-key, flags of the other mode, or --country without --pact or --dds
 * @example verifyOptionsFromFlags('lot.passport', { policy: 'policy.json', json: true })
 */
export function verifyOptionsFromFlags(passport: string | undefined, flags: VerifyFlags): { mode: 'verify'; options: VerifyCommandOptions } | { mode: 'init-policy'; options: InitPolicyOptions } {
  if (flags.initPolicy) {
    if (passport !== undefined) throw new CanopyError('INVALID_INPUT', '--init-policy writes a policy and verifies nothing: give no PASSPORT');
    const stray = (['key', 'ownerSecret', 'json', 'pact', 'dds', 'country', 'tiles', 'depths'] as const).filter((k) => flags[k] !== undefined);
    if (stray.length > 0) throw new CanopyError('INVALID_INPUT', `--init-policy takes only --registry, --registry-key and --policy, not ${stray.map(flagName).join(', ')}`);
    if (flags.registry === undefined) throw new CanopyError('INVALID_INPUT', '--init-policy needs --registry URL');
    if (flags.registryKey === undefined) {
      throw new CanopyError('INVALID_INPUT', "--init-policy needs --registry-key VKEY_OR_FILE: the registry's note verifier key, from its operator (printed by `canopy registry serve`, in DIR/registry.vkey); the registry does not serve it");
    }
    return { mode: 'init-policy', options: { policyFile: flags.policy, registryUrl: flags.registry, registryKey: readVerifierKeyArg(flags.registryKey) } };
  }
  if (passport === undefined) throw new CanopyError('INVALID_INPUT', 'give the PASSPORT file to verify (or --init-policy to write a policy)');
  if (flags.registryKey !== undefined) throw new CanopyError('INVALID_INPUT', '--registry-key is for --init-policy; a policy pins the registry key');
  if (flags.country !== undefined && flags.pact === undefined && flags.dds === undefined) throw new CanopyError('INVALID_INPUT', '--country goes into the --pact and --dds exports: give one of them');
  if (flags.tiles !== undefined && flags.registry !== undefined) throw new CanopyError('INVALID_INPUT', '--tiles reads a mirror instead of the registry: give --tiles or --registry, not both');
  if (flags.depths !== undefined && flags.tiles === undefined) throw new CanopyError('INVALID_INPUT', '--depths is for --tiles: the registry states its own depths');
  return {
    mode: 'verify',
    options: {
      passportFile: passport,
      keyFile: flags.key ?? null,
      ownerSecretFile: flags.ownerSecret ?? null,
      policyFile: flags.policy,
      registryUrl: flags.registry ?? null,
      tilesLocation: flags.tiles ?? null,
      depths: flags.depths ?? null,
      json: flags.json === true,
      pactFile: flags.pact ?? null,
      ddsFile: flags.dds ?? null,
      country: flags.country ?? null,
    },
  };
}

function flagName(k: string): string {
  return `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

const MARK = { passed: '✓', failed: '✗', skipped: '·' } as const;
const WIDTH = Math.max(...CLAIM_CHECKS.map((c) => c.length)) + 2;

function checkLine(mark: string, check: string, detail: string): string {
  return `  ${mark} ${check.padEnd(WIDTH)}${detail}\n`;
}

/**
 * The human-readable lines of a verified claim.
 * @throws never
 * @example io.out(formatClaim(claim))
 */
export function formatClaim(claim: VerifiedClaim): string {
  const kg = gramsToKilograms;
  const c = claim.commodity;
  const rows: [string, string][] = [
    ['commodity', `${c.name ?? 'unnamed commodity'}${c.hs !== null ? `, HS ${c.hs}` : ''} (code ${c.code})`],
    ['quantity', `${kg(claim.quantityGrams)} kg`],
    ['emissions', `${kg(claim.emissionsGramsCo2e)} kg CO2e (cradle to gate, whole lot)`],
    ['intensity', claim.intensity === null ? 'none (a lot of 0 g)' : `${claim.intensity.kgCo2ePerKg} kg CO2e/kg${claim.intensity.exact ? '' : ' (rounded up)'}, ${claim.intensity.gramsCo2ePerKg} g/kg rounded up`],
    ['deforestation-free', claim.deforestationFree ? `yes: no forest loss after ${claim.cutoff.date} on the plots it descends from` : 'no (the lot makes no deforestation-free claim)'],
    ['datasets', claim.datasets.length === 0 ? 'none registered' : claim.datasets.map((d) => `${d.name} (root ${d.root.slice(0, 12)}…, entry ${d.sequence})`).join('; ')],
    ['checkpoint', `${claim.checkpoint.origin} at size ${claim.checkpoint.size}${claim.checkpoint.cosigners.length ? `, cosigned by ${claim.checkpoint.cosigners.join(', ')}` : ''}`],
    ['registry entry', `${claim.registry.sequence} (${claim.registry.entryType}, ${claim.registry.circuit}), lots leaf ${claim.registry.leafIndex}`],
    ['verified at', claim.verifiedAt],
  ];
  const w = Math.max(...rows.map((r) => r[0].length)) + 2;
  return `Verified claim\n${rows.map(([k, v]) => `  ${k.padEnd(w)}${v}\n`).join('')}`;
}

function registryUrlFor(options: VerifyCommandOptions, origin: string, pinnedUrl: string | null): string {
  const url = options.registryUrl ?? pinnedUrl;
  if (url === null) throw new CanopyError('INVALID_INPUT', `no URL for registry ${JSON.stringify(origin)}: give --registry URL or add "url" to its entry in ${options.policyFile}`);
  return url;
}

/**
 * Verifies a passport file (module comment), printing the report; writes the exports.
 * @param registryFor - makes the registry client of a URL (tests put a lying registry here)
 * @throws {ClaimRejectedError} a check failed: the message names it
 * @throws {CanopyError} NOT_FOUND (a file), INVALID_INPUT, PASSPORT_MALFORMED, PASSPORT_UNDECRYPTABLE; ApiError (registry unreachable)
 * @example await runVerify(verifyOptionsFromFlags('lot.passport', flags).options, io)
 */
export async function runVerify(options: VerifyCommandOptions, io: CliIo, registryFor: (url: string) => VerifierRegistry = verifierRegistry): Promise<VerifiedClaim> {
  const policy = await readImporterPolicy(options.policyFile);
  const st = statSync(options.passportFile, { throwIfNoEntry: false });
  if (st === undefined || !st.isFile()) throw new CanopyError('NOT_FOUND', `no passport file ${options.passportFile}`);
  if (st.size > PASSPORT_INPUT_MAX_BYTES) throw new CanopyError('PASSPORT_MALFORMED', `${options.passportFile}: ${st.size} bytes, larger than any passport`);
  const key = options.keyFile === null ? null : await readRecipientSecretKey(options.keyFile);
  const { passport, encrypted } = openPassport(new Uint8Array(readFileSync(options.passportFile)), key);
  key?.fill(0);
  let ownerSecret: bigint | undefined;
  if (options.ownerSecretFile !== null) {
    const read = await readOwnerSecret(options.ownerSecretFile);
    if (read.exposed) io.err(`warning: ${options.ownerSecretFile} is readable by other users (chmod 600 it)\n`);
    ownerSecret = read.secret;
  }
  const origin = passport.registry.origin;
  const pinned = policy.registries.find((r) => r.origin === origin);
  let url: string;
  let registry: VerifierRegistry;
  if (options.tilesLocation !== null) {
    // A mirror is read only under the key the policy pins: it proves nothing without one.
    if (pinned === undefined) throw new ClaimRejectedError('checkpoint-signature', `check "checkpoint-signature" failed: the passport names registry ${JSON.stringify(origin)}, which the policy does not pin`);
    url = options.tilesLocation;
    const log = new TiledLog({ location: url, policy: { registryKey: pinned.key } });
    registry = tiledVerifierRegistry(log, { policy, origin, ...(options.depths !== null ? { depths: options.depths } : {}) });
  } else {
    url = registryUrlFor(options, origin, pinned?.url ?? null);
    registry = registryFor(url);
  }
  const report = (text: string) => (options.json ? io.err(text) : io.out(text));
  report(`Verifying ${encrypted ? 'encrypted ' : ''}${passport.ownerSecret !== null ? 'bearer ' : ''}passport ${options.passportFile}: registry ${origin} ${options.tilesLocation !== null ? 'from the tiles mirror' : 'at'} ${url}, policy ${options.policyFile}\n`);
  const done = new Set<ClaimCheck>();
  const onCheck = (r: CheckReport) => {
    done.add(r.check);
    report(checkLine(r.passed ? MARK.passed : MARK.failed, r.check, r.detail));
  };
  let claim: VerifiedClaim;
  try {
    claim = await verifyLotPassport(passport, { registry, policy, ...(ownerSecret !== undefined ? { ownerSecret } : {}), onCheck });
  } catch (e) {
    if (e instanceof ClaimRejectedError) {
      for (const c of CLAIM_CHECKS) if (!done.has(c)) report(checkLine(MARK.skipped, c, 'not run'));
      if (options.json) printJson(io, { code: e.code, check: e.check, message: e.message });
      throw new ClaimRejectedError(e.check, `check "${e.check}" failed: ${e.message}`, { cause: e });
    }
    if (isRegistryUnavailable(e)) throw new Error(`the ${options.tilesLocation !== null ? 'mirror' : 'registry'} at ${url} did not answer (${(e as Error).message}); nothing was verified`, { cause: e });
    throw e;
  }
  if (options.json) printJson(io, claim);
  else io.out(`\n${formatClaim(claim)}`);
  const country = options.country === null ? {} : { country: options.country };
  if (options.pactFile !== null) {
    writeJsonFile(options.pactFile, claimToPactFootprint(claim, country));
    report(`wrote PACT v3 footprint ${options.pactFile}\n`);
  }
  if (options.ddsFile !== null) {
    writeJsonFile(options.ddsFile, claimToDdsFields(claim, country));
    report(`wrote due diligence statement fields ${options.ddsFile}\n`);
  }
  return claim;
}

function writeJsonFile(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Writes a first policy (verifier/init-policy.ts) and prints its trust-on-first-use warnings.
 * @throws {CanopyError} INVALID_INPUT if the policy file exists; as `initImporterPolicy`
 * @example await runInitPolicy({ policyFile: 'policy.json', registryUrl, registryKey }, io)
 */
export async function runInitPolicy(options: InitPolicyOptions, io: CliIo, registryFor: (url: string) => RegistryClient = (url) => new RegistryClient({ baseUrl: url })): Promise<void> {
  if (existsSync(options.policyFile)) throw new CanopyError('INVALID_INPUT', `${options.policyFile} exists; a policy is never overwritten (edit it, or choose another --policy)`);
  const { policy, warnings } = await initImporterPolicy(registryFor(options.registryUrl), options.registryKey);
  mkdirSync(dirname(options.policyFile), { recursive: true });
  writeFileSync(options.policyFile, formatImporterPolicy(policy), { flag: 'wx' });
  for (const w of warnings) io.err(`WARNING: ${w}\n`);
  io.out(`wrote ${options.policyFile}: registry ${policy.registries[0]!.origin}, keys of ${Object.keys(policy.artifacts.vkeyHashes).join(', ')}, deforestation-free required, cut-off ${policy.cutoffDate}, any dataset\n`);
}

const HELP = `
Checks, in order, and stops at the first that fails (exit 1 naming it):
  opening               the passport opens a note the registry holds (and a bearer secret is the owner key's)
  checkpoint-signature  the registry is pinned by the policy and its latest checkpoint verifies under the pinned key
  cosignatures          at least k of the policy's pinned witnesses cosigned that checkpoint
  inclusion             the note's commitment is the lots leaf at the passport's index under the checkpoint's lots root
  creating-entry        the entry that created it is in the log under the checkpoint and outputs the commitment
  proof                 that entry's Groth16 proof verifies under a verification key the policy pins
  nullifier             the note is unspent (needs the owner secret: a bearer passport's, or --owner-secret)
  policy                registered datasets, cut-off, intensity and deforestation-free against the policy

The policy (default ${DEFAULT_POLICY_FILE}) pins registries, witnesses and keys: write a first one with
  canopy verify --init-policy --registry URL --registry-key VKEY_OR_FILE
which trusts what the registry serves today (trust on first use). docs/verifier.md has the format.

--tiles URL_OR_DIR reads a C2SP tiles mirror of the registry's log (canopy registry export-tiles)
instead of the registry, under the key the policy pins; the keys come from the policy's keys folder,
and the note is found unspent as of the mirror's latest checkpoint, no later.
`;

/**
 * Registers `canopy verify`.
 * @throws never (the action's failures reach `main`, which prints them)
 * @example registerVerify(program, processIo);
 */
export function registerVerify(program: Command, io: CliIo): void {
  program
    .command('verify')
    .description("Verify a lot passport against its registry and the importer's policy, and export the claim.")
    .argument('[passport]', 'the passport file (plain JSON or encrypted)')
    .option('--key <file>', 'X25519 secret key an encrypted passport was sent to (e.g. .canopy/wallet/recipient.key)')
    .option('--owner-secret <file>', 'your owner secret, for a note made for your key (e.g. .canopy/wallet/owner-secret)')
    .option('--policy <file>', 'importer policy file', DEFAULT_POLICY_FILE)
    .option('--registry <url>', "the registry's URL (default: the policy's URL for the passport's registry)", parseRegistryUrl)
    .option('--tiles <url-or-dir>', "read a C2SP tiles mirror of the registry's log (canopy registry export-tiles) instead of the registry; nullifiers are as fresh as its checkpoint")
    .option('--depths <lots:plots>', "with --tiles: the registry's tree depths (default: those the policy's keys folder states)", parseDepths)
    .option('--json', 'print the verified claim as JSON on stdout (the report goes to stderr)')
    .option('--pact <file>', 'write the claim as a PACT v3 ProductFootprint')
    .option('--dds <file>', 'write the fields of an EUDR due diligence statement')
    .option('--country <iso2>', 'country of production the seller disclosed, for --pact and --dds', parseCountry)
    .option('--init-policy', 'write a first policy for --registry (trust on first use) instead of verifying')
    .option('--registry-key <vkey-or-file>', "with --init-policy: the registry's note verifier key, from its operator")
    .addHelpText('after', HELP)
    .action(async (passport: string | undefined, flags: VerifyFlags) => {
      const parsed = verifyOptionsFromFlags(passport, flags);
      if (parsed.mode === 'init-policy') await runInitPolicy(parsed.options, io);
      else await runVerify(parsed.options, io);
    });
}
