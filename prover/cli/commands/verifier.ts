/**
 * `canopy verifier serve --port N --policy FILE [--registry URL | --tiles URL_OR_DIR [--depths L:P]]
 *  [--host H] [--body-limit BYTES] [--log-level L]`: the importer's verifier as an HTTP service (verifier/http/*): POST
 * /verify with a passport answers the verified claim or 422 naming the failed check.
 * Prints `listening on URL` on stdout, logs requests as JSON lines (pino) on stderr, and
 * runs until SIGINT or SIGTERM.
 * @module
 */
import { untilSignal } from '../until-signal.ts';
import { InvalidArgumentError, type Command } from 'commander';
import { pino, type Level } from 'pino';
import { VerifierApi } from '../../../verifier/http/verifier-api.ts';
import { startVerifierServer, VERIFIER_BODY_LIMIT_BYTES } from '../../../verifier/http/server.ts';
import { CanopyError } from '../../../core/errors.ts';
import { TiledLog } from '../../../registry/tiles/tiled-log-client.ts';
import type { TreeDepths } from '../../../registry/log/registry-trees.ts';
import { readImporterPolicy, type ImporterPolicy } from '../../../verifier/importer-policy.ts';
import { tiledVerifierRegistry } from '../../../verifier/tiled-verifier-registry.ts';
import type { VerifierRegistry } from '../../../verifier/verifier-registry.ts';
import type { CliIo } from '../io.ts';
import { parseDepths } from './audit.ts';
import { parseRegistryUrl } from './verify.ts';

/** Flags of `canopy verifier serve`, as commander delivers them. */
export interface VerifierServeFlags {
  port: number;
  host: string;
  policy: string;
  registry?: string;
  tiles?: string;
  depths?: TreeDepths;
  bodyLimit: number;
  logLevel: Level | 'silent';
}

/** What `runVerifierServe` needs. */
export interface VerifierServeOptions {
  port: number;
  host: string;
  policyFile: string;
  registryUrl: string | null;
  /** A C2SP tiles mirror (URL prefix or directory) read instead of the registry's API. */
  tilesLocation: string | null;
  /** With a mirror: the registry's tree depths, else those the pinned circuits state. */
  depths: TreeDepths | null;
  bodyLimitBytes: number;
  logLevel: Level | 'silent';
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function intFlag(min: number, max: number) {
  return (value: string): number => {
    if (!/^(0|[1-9][0-9]{0,9})$/.test(value) || Number(value) < min || Number(value) > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    return Number(value);
  };
}

function levelFlag(value: string): Level | 'silent' {
  if (!LEVELS.includes(value)) throw new InvalidArgumentError(`expected one of ${LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
  return value as Level | 'silent';
}

/**
 * Maps `canopy verifier serve` flags to `runVerifierServe` options (commander has checked each value).
 * @throws {CanopyError} INVALID_INPUT for --tiles with --registry, or --depths without --tiles
 * @example verifierServeOptionsFromFlags({ port: 8090, host: '127.0.0.1', policy: 'policy.json', bodyLimit: 16384, logLevel: 'info' })
 */
export function verifierServeOptionsFromFlags(flags: VerifierServeFlags): VerifierServeOptions {
  if (flags.tiles !== undefined && flags.registry !== undefined) throw new CanopyError('INVALID_INPUT', '--tiles reads a mirror instead of the registry: give --tiles or --registry, not both');
  if (flags.depths !== undefined && flags.tiles === undefined) throw new CanopyError('INVALID_INPUT', '--depths is for --tiles: the registry states its own depths');
  return {
    port: flags.port,
    host: flags.host,
    policyFile: flags.policy,
    registryUrl: flags.registry ?? null,
    tilesLocation: flags.tiles ?? null,
    depths: flags.depths ?? null,
    bodyLimitBytes: flags.bodyLimit,
    logLevel: flags.logLevel,
  };
}

/**
 * The registry source of a verifier reading a tiles mirror: the mirror of the one registry
 * the policy pins, checked under its key (a mirror proves nothing without one).
 * @throws {CanopyError} INVALID_INPUT unless the policy pins exactly one registry
 */
function mirrorSource(policy: ImporterPolicy, depths: TreeDepths | null): (location: string) => VerifierRegistry {
  if (policy.registries.length !== 1) {
    throw new CanopyError('INVALID_INPUT', `a tiles mirror serves one registry's log, but the policy pins ${policy.registries.length} registries (${policy.registries.map((r) => r.origin).join(', ')}): serve one verifier per mirror`);
  }
  const { origin, key } = policy.registries[0]!;
  return (location) => tiledVerifierRegistry(new TiledLog({ location, policy: { registryKey: key } }), { policy, origin, ...(depths !== null ? { depths } : {}) });
}

/**
 * Serves the verifier until `stop` aborts.
 * @param registryFor - makes the registry client of a URL (default: RegistryClient)
 * @throws {CanopyError} NOT_FOUND, INVALID_INPUT (the policy file); a port in use
 * @example await runVerifierServe(verifierServeOptionsFromFlags(flags), io, controller.signal)
 */
export async function runVerifierServe(options: VerifierServeOptions, io: CliIo, stop: AbortSignal, registryFor?: (url: string) => VerifierRegistry): Promise<void> {
  const policy = await readImporterPolicy(options.policyFile);
  const logger = pino({ level: options.logLevel }, pino.destination(2));
  const source = options.tilesLocation !== null ? mirrorSource(policy, options.depths) : registryFor;
  const api = new VerifierApi({ policy, registryUrl: options.tilesLocation ?? options.registryUrl, log: logger, ...(source ? { registryFor: source } : {}) });
  const server = await startVerifierServer(api, { port: options.port, host: options.host, bodyLimitBytes: options.bodyLimitBytes, logger });
  io.out(`policy ${options.policyFile}: registries ${policy.registries.map((r) => r.origin).join(', ')}${options.tilesLocation !== null ? ` (from the tiles mirror ${options.tilesLocation}; nullifiers as fresh as its checkpoint)` : options.registryUrl !== null ? ` (all at ${options.registryUrl})` : ''}\n`);
  io.out(`listening on ${server.url}\n`);
  if (!stop.aborted) await new Promise<void>((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
  await server.close();
}

/**
 * Registers `canopy verifier` and its `serve` subcommand.
 * @throws never (the action's failures reach `main`, which prints them)
 * @example registerVerifier(program, processIo);
 */
export function registerVerifier(program: Command, io: CliIo): void {
  const verifier = program.command('verifier').description('Run the importer verifier as an HTTP service.');
  verifier
    .command('serve')
    .description('Serve POST /verify: a lot passport in, the verified claim or the failed check out (GET /openapi.json documents it).')
    .option('--port <n>', 'TCP port (0 picks a free one)', intFlag(0, 65535), 8090)
    .option('--host <address>', 'interface to listen on', '127.0.0.1')
    .requiredOption('--policy <file>', 'importer policy file (canopy verify --init-policy writes one)')
    .option('--registry <url>', "one registry URL for every passport (default: the policy's URL per registry)", parseRegistryUrl)
    .option('--tiles <url-or-dir>', "read a C2SP tiles mirror of the policy's one registry (canopy registry export-tiles) instead of its API; nullifiers are as fresh as the mirror's checkpoint")
    .option('--depths <lots:plots>', "with --tiles: the registry's tree depths (default: those the policy's keys folder states)", parseDepths)
    .option('--body-limit <bytes>', 'largest request body', intFlag(1024, 1024 * 1024), VERIFIER_BODY_LIMIT_BYTES)
    .option('--log-level <level>', 'pino level of the request log on stderr', levelFlag, 'info')
    .action(async (flags: VerifierServeFlags) => {
      const options = verifierServeOptionsFromFlags(flags);
      await untilSignal((stop) => runVerifierServe(options, io, stop));
    });
}
