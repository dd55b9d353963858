/**
 * `canopy registry …`: run the registry HTTP service and talk to one.
 *
 *     canopy registry serve --port N (--data DIR | --database postgres://…) [--key-file F] [--origin NAME]
 *                           [--setup DIR | --profile P] [--accreditor-vkey V] [--host H] [--verify-workers N]
 *                           [--checkpoint-interval MS] [--rate-limit BURST:PER_SECOND | off] [--body-limit BYTES] [--log-level L]
 *     canopy registry keygen --name NAME --out FILE.key [--json]
 *     canopy registry party add --url URL --key-file ACCREDITOR.key --id ID --role ROLE (--public-key B64 | --vkey V) [--json]
 *     canopy registry party revoke --url URL --key-file ACCREDITOR.key --id ID [--reason TEXT] [--json]
 *     canopy registry checkpoint --url URL [--vkey V] [--json]
 *
 * Each command maps its flags to a typed options object (`serveOptionsFromFlags`, …) and
 * calls the library (registry/api/registry-service.ts, registry/server.ts,
 * registry/client.ts). `serve` creates DIR, its SQLite store and the registry's note key on
 * first start (DIR/registry.key, mode 0600; DIR/registry.vkey), appends the artifacts entry
 * of its setup folder unless the log already pins every key of it (so a fresh registry
 * pins what it verifies, and a registry restarted with new keys pins them before any proof
 * under them is accepted), prints the verifier key and the URL on stdout, logs requests as JSON lines (pino) on stderr, and runs until SIGINT or
 * SIGTERM, then closes the server, the verifier workers and the store.
 * @module
 */
import { untilSignal } from '../until-signal.ts';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { pino, type Level } from 'pino';
import { defaultOutDir } from '../../../circuits/toolchain/setup.ts';
import { CanopyError } from '../../../core/errors.ts';
import { ApiError } from '../../../registry/api/api-error.ts';
import { loadArtifacts } from '../../../registry/api/artifacts.ts';
import { loadOrCreateRegistryKey, readSignerKeyFile, readVerifierKeyArg, verifierKeyPath, writeNewKeyFile } from '../../../registry/api/key-files.ts';
import type { RateLimiterOptions } from '../../../registry/api/rate-limiter.ts';
import { RegistryService, treeDepthsForProfile } from '../../../registry/api/registry-service.ts';
import { RegistryClient, verifyCheckpointNote } from '../../../registry/client.ts';
import { PARTY_ROLES, type PartyRole } from '../../../registry/log/entry.ts';
import { openPostgresStore } from '../../../registry/store/postgres.ts';
import { openSqliteStore } from '../../../registry/store/sqlite.ts';
import { assertPartyId, assertPublicKey, type RegistryStore } from '../../../registry/store/store.ts';
import { DEFAULT_BODY_LIMIT_BYTES, startRegistryServer } from '../../../registry/server.ts';
import { parseVerifierKey, NOTE_ALG_ED25519 } from '../../../core/note/note-key.ts';
import { printJson, type CliIo } from '../io.ts';

/** The origin of a registry key made without --origin. */
export const DEFAULT_ORIGIN = 'registry.local/canopy';

/** Flags of `canopy registry serve` as commander parses them. */
export interface ServeFlags {
  port: number;
  host: string;
  data?: string;
  database?: string;
  origin?: string;
  keyFile?: string;
  setup?: string;
  profile: string;
  accreditorVkey?: string;
  verifyWorkers?: number;
  checkpointInterval: number;
  rateLimit: RateLimiterOptions | 'off';
  bodyLimit: number;
  logLevel: Level | 'silent';
}

/** What `runServe` needs. */
export interface ServeOptions {
  port: number;
  host: string;
  store: { kind: 'sqlite'; dir: string } | { kind: 'postgres'; url: string };
  keyFile: string;
  origin: string | undefined;
  setupDir: string;
  profile: string;
  accreditorVkey: string | null;
  verifyWorkers: number | undefined;
  checkpointIntervalMs: number;
  rateLimit: RateLimiterOptions | null;
  bodyLimitBytes: number;
  logLevel: Level | 'silent';
}

function intFlag(min: number, max: number) {
  return (value: string): number => {
    if (!/^(0|[1-9][0-9]{0,9})$/.test(value) || Number(value) < min || Number(value) > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

// Commander turns a null option value into '', so "off" stays a string until mapped.
function rateFlag(value: string): RateLimiterOptions | 'off' {
  if (value === 'off') return 'off';
  const m = /^([1-9][0-9]{0,6}):([1-9][0-9]{0,6})$/.exec(value);
  if (m === null) throw new InvalidArgumentError(`expected BURST:PER_SECOND (e.g. 200:100) or off, got ${JSON.stringify(value)}`);
  return { burst: Number(m[1]), perSecond: Number(m[2]) };
}

function levelFlag(value: string): Level | 'silent' {
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(value)) throw new InvalidArgumentError(`expected one of ${levels.join(', ')}, got ${JSON.stringify(value)}`);
  return value as Level | 'silent';
}

function roleFlag(value: string): PartyRole {
  if (!(PARTY_ROLES as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${PARTY_ROLES.join(', ')}, got ${JSON.stringify(value)}`);
  return value as PartyRole;
}

/**
 * Maps `canopy registry serve` flags to `runServe` options.
 * @throws {CanopyError} INVALID_INPUT unless exactly one of --data and --database is given,
 *   or for --database without --key-file
 * @example serveOptionsFromFlags({ port: 8080, host: '127.0.0.1', data: 'registry-data', profile: 'demo', … })
 */
export function serveOptionsFromFlags(flags: ServeFlags): ServeOptions {
  if ((flags.data === undefined) === (flags.database === undefined)) throw new CanopyError('INVALID_INPUT', 'give exactly one of --data DIR (SQLite) and --database postgres://… (PostgreSQL)');
  if (flags.database !== undefined && !/^postgres(ql)?:\/\//.test(flags.database)) throw new CanopyError('INVALID_INPUT', '--database expects a postgres:// connection URL');
  if (flags.database !== undefined && flags.keyFile === undefined) throw new CanopyError('INVALID_INPUT', '--database needs --key-file FILE for the registry key (created on first start)');
  return {
    port: flags.port,
    host: flags.host,
    store: flags.data !== undefined ? { kind: 'sqlite', dir: flags.data } : { kind: 'postgres', url: flags.database! },
    keyFile: flags.keyFile ?? join(flags.data!, 'registry.key'),
    origin: flags.origin,
    setupDir: flags.setup ?? defaultOutDir(flags.profile),
    profile: flags.profile,
    accreditorVkey: flags.accreditorVkey === undefined ? null : readVerifierKeyArg(flags.accreditorVkey),
    verifyWorkers: flags.verifyWorkers,
    checkpointIntervalMs: flags.checkpointInterval,
    rateLimit: flags.rateLimit === 'off' ? null : flags.rateLimit,
    bodyLimitBytes: flags.bodyLimit,
    logLevel: flags.logLevel,
  };
}

/**
 * Runs the registry until `stop` aborts: opens the store and key (creating them on first
 * start), loads the setup's verification keys, serves, then closes everything.
 * @throws {CanopyError} NOT_FOUND (no setup manifest), KEY_MALFORMED, LOG_INCONSISTENT; store errors; a port in use
 * @example await runServe(serveOptionsFromFlags(flags), io, controller.signal)
 */
export async function runServe(options: ServeOptions, io: CliIo, stop: AbortSignal): Promise<void> {
  const artifacts = await loadArtifacts(options.setupDir);
  const depths = treeDepthsForProfile(options.profile);
  if (options.store.kind === 'sqlite') mkdirSync(options.store.dir, { recursive: true, mode: 0o700 });
  const { key, created } = loadOrCreateRegistryKey(options.keyFile, options.origin, DEFAULT_ORIGIN);
  if (created) io.err(`created registry key ${options.keyFile} (mode 0600) and ${verifierKeyPath(options.keyFile)}\n`);
  const store: RegistryStore = options.store.kind === 'sqlite' ? openSqliteStore(join(options.store.dir, 'registry.db')) : await openPostgresStore({ connectionString: options.store.url });
  const logger = pino({ level: options.logLevel }, pino.destination(2));
  let service: RegistryService;
  try {
    service = await RegistryService.open({
      store,
      signerKey: key.signerKey,
      artifacts,
      depths,
      verifierWorkers: options.verifyWorkers,
      accreditorKey: options.accreditorVkey,
      checkpointIntervalMs: options.checkpointIntervalMs,
      rateLimit: options.rateLimit,
      pinArtifacts: true,
      logger,
    });
  } catch (e) {
    await store.close();
    throw e;
  }
  try {
    const server = await startRegistryServer(service, { port: options.port, host: options.host, bodyLimitBytes: options.bodyLimitBytes, logger });
    io.out(`registry key: ${key.verifierKey}\n`);
    io.out(`circuits: ${artifacts.circuits.map((c) => `${c.circuit} ${c.vkeyHash.slice(0, 16)}…`).join(', ')} (setup manifest ${artifacts.manifestSha256.slice(0, 16)}…${artifacts.forProduction ? '' : ', NOT FOR PRODUCTION'})\n`);
    if (options.accreditorVkey === null) io.err('note: no --accreditor-vkey: admin routes answer 403 ADMIN_DISABLED\n');
    io.out(`listening on ${server.url}\n`);
    if (!stop.aborted) await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
    await server.close();
  } finally {
    await service.close();
  }
}

/** Flags of `canopy registry party add`. */
export interface PartyAddFlags {
  url: string;
  keyFile: string;
  id: string;
  role: PartyRole;
  publicKey?: string;
  vkey?: string;
  json?: boolean;
}

/**
 * Maps `canopy registry party add` flags to the party to register and the accreditor's signer.
 * @throws {CanopyError} INVALID_INPUT unless exactly one of --public-key and --vkey; KEY_MALFORMED; {RangeError} for a bad id or key
 * @example partyAddFromFlags({ url, keyFile: 'accreditor.key', id: 'mill-7', role: 'supplier', vkey: 'mill-7.vkey' })
 */
export function partyAddFromFlags(flags: PartyAddFlags): { url: string; party: { partyId: string; role: PartyRole; publicKey: string }; signer: { keyId: string; signerKey: string } } {
  if ((flags.publicKey === undefined) === (flags.vkey === undefined)) throw new CanopyError('INVALID_INPUT', 'give exactly one of --public-key BASE64 and --vkey KEY_OR_FILE');
  assertPartyId(flags.id, '--id');
  const publicKey = flags.publicKey ?? Buffer.from(parseVerifierKey(readVerifierKeyArg(flags.vkey!), NOTE_ALG_ED25519).typeAndKey.slice(1)).toString('base64');
  assertPublicKey(publicKey, '--public-key');
  const accreditor = readSignerKeyFile(flags.keyFile);
  return { url: flags.url, party: { partyId: flags.id, role: flags.role, publicKey }, signer: { keyId: accreditor.name, signerKey: accreditor.signerKey } };
}

/**
 * Runs a client call, turning an API refusal into one line with its code and status
 * (the CLI's error printer knows CanopyError codes, not HTTP ones).
 * @throws {Error} `CODE (HTTP status): message` for an ApiError; anything else unchanged
 * @example await apiCall(() => client.addParty(party, signer))
 */
export async function apiCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (e instanceof ApiError) throw new Error(`${e.code} (HTTP ${e.status}): ${e.message}`, { cause: e });
    throw e;
  }
}

/**
 * Registers `canopy registry` and its subcommands.
 * @example registerRegistry(program, processIo);
 */
export function registerRegistry(program: Command, io: CliIo): void {
  const registry = program.command('registry').description('Run the registry HTTP service, or talk to one.');

  registry
    .command('serve')
    .description('Serve the registry log over HTTP (read API, signed submissions, accreditor admin, auditor records).')
    .option('--port <n>', 'TCP port (0 picks a free one)', intFlag(0, 65535), 8080)
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .option('--data <dir>', 'state folder: SQLite store and registry key, created on first start')
    .option('--database <url>', 'PostgreSQL connection URL instead of --data (needs --key-file)')
    .option('--key-file <file>', 'registry signer key (default <data>/registry.key; created with mode 0600)')
    .option('--origin <name>', `log origin, the key name, when the key is created (default ${DEFAULT_ORIGIN})`)
    .option('--setup <dir>', 'setup folder whose verification keys the registry accepts (default circuits/build/<profile>)')
    .option('--profile <name>', 'circuit profile: tree depths and default setup folder', 'demo')
    .option('--accreditor-vkey <key-or-file>', 'the accreditor note verifier key; without it admin routes are disabled')
    .option('--verify-workers <n>', 'proof verification worker threads (default: cores − 1)', intFlag(1, 64))
    .option('--checkpoint-interval <ms>', 'sign a checkpoint this often when the log grew (0: only at start)', intFlag(0, 86_400_000), 1000)
    .option('--rate-limit <burst:perSecond>', 'per-client token bucket, or off', rateFlag, { burst: 200, perSecond: 100 })
    .option('--body-limit <bytes>', 'largest request body', intFlag(1024, 64 * 1024 * 1024), DEFAULT_BODY_LIMIT_BYTES)
    .option('--log-level <level>', 'pino level of the request log on stderr', levelFlag, 'info')
    .action(async (flags: ServeFlags) => {
      const options = serveOptionsFromFlags(flags);
      await untilSignal((stop) => runServe(options, io, stop));
    });

  registry
    .command('keygen')
    .description('Make an Ed25519 note key: FILE (signer, mode 0600) and FILE.vkey; prints the verifier key and the raw public key.')
    .requiredOption('--name <name>', 'key name: a party id, the accreditor name, or the registry origin')
    .requiredOption('--out <file>', 'signer key file to create (never overwritten); the .vkey goes beside it')
    .option('--json', 'print the keys as JSON')
    .action((flags: { name: string; out: string; json?: boolean }) => {
      const pair = writeNewKeyFile(flags.out, flags.name);
      if (flags.json) printJson(io, { name: pair.name, keyFile: flags.out, verifierKeyFile: verifierKeyPath(flags.out), verifierKey: pair.verifierKey, publicKey: pair.publicKey });
      else io.out(`wrote ${flags.out} (mode 0600) and ${verifierKeyPath(flags.out)}\nverifier key: ${pair.verifierKey}\npublic key:   ${pair.publicKey}\n`);
    });

  const party = registry.command('party').description('Register or revoke parties (signed with the accreditor key).');
  party
    .command('add')
    .description('Register a party: its id, role and Ed25519 public key.')
    .requiredOption('--url <url>', 'registry base URL')
    .requiredOption('--key-file <file>', "the accreditor's signer key file")
    .requiredOption('--id <party-id>', 'party id, 1..128 of [A-Za-z0-9._:@-]')
    .requiredOption('--role <role>', PARTY_ROLES.join(', '), roleFlag)
    .option('--public-key <base64>', "the party's raw Ed25519 public key")
    .option('--vkey <key-or-file>', "the party's note verifier key (instead of --public-key)")
    .option('--json', 'print the receipt as JSON')
    .action(async (flags: PartyAddFlags) => {
      const { url, party: p, signer } = partyAddFromFlags(flags);
      const receipt = await apiCall(() => new RegistryClient({ baseUrl: url }).addParty(p, signer));
      if (flags.json) printJson(io, receipt);
      else io.out(`registered ${p.partyId} (${p.role}) as entry ${receipt.sequence}\n`);
    });
  party
    .command('revoke')
    .description('Revoke a party.')
    .requiredOption('--url <url>', 'registry base URL')
    .requiredOption('--key-file <file>', "the accreditor's signer key file")
    .requiredOption('--id <party-id>', 'party id')
    .option('--reason <text>', 'why (recorded in the log)', '')
    .option('--json', 'print the receipt as JSON')
    .action(async (flags: { url: string; keyFile: string; id: string; reason: string; json?: boolean }) => {
      const accreditor = readSignerKeyFile(flags.keyFile);
      const receipt = await apiCall(() => new RegistryClient({ baseUrl: flags.url }).revokeParty(flags.id, flags.reason, { keyId: accreditor.name, signerKey: accreditor.signerKey }));
      if (flags.json) printJson(io, receipt);
      else io.out(`revoked ${flags.id} as entry ${receipt.sequence}\n`);
    });

  registry
    .command('checkpoint')
    .description("Print the registry's latest checkpoint; with --vkey, verify its signature and origin first.")
    .requiredOption('--url <url>', 'registry base URL')
    .option('--vkey <key-or-file>', "the registry's verifier key (e.g. <data>/registry.vkey)")
    .option('--json', 'print size, root hash and roots as JSON')
    .action(async (flags: { url: string; vkey?: string; json?: boolean }) => {
      const note = await apiCall(() => new RegistryClient({ baseUrl: flags.url }).checkpointNote());
      const verified = flags.vkey === undefined ? null : verifyCheckpointNote(note, readVerifierKeyArg(flags.vkey));
      if (flags.json) {
        const c = verified?.checkpoint;
        printJson(io, { verified: verified !== null, note, ...(c ? { origin: c.origin, size: c.size, rootHash: Buffer.from(c.rootHash).toString('base64'), lotsRoot: c.canopyRoots?.lots.toString(), plotsRoot: c.canopyRoots?.plots.toString() } : {}) });
        return;
      }
      io.out(note);
      if (verified !== null) io.err(`OK: signed by ${verified.signedBy.join(', ')}, origin ${verified.checkpoint.origin}, size ${verified.checkpoint.size}\n`);
      else io.err('note: not verified (give --vkey to check the signature)\n');
    });
}
