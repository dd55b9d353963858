/**
 * `canopy verifier serve --port N --policy FILE [--registry URL] [--host H] [--body-limit BYTES]
 *  [--log-level L]`: the importer's verifier as an HTTP service (verifier/http/*): POST
 * /verify with a passport answers the verified claim or 422 naming the failed check.
 * Prints `listening on URL` on stdout, logs requests as JSON lines (pino) on stderr, and
 * runs until SIGINT or SIGTERM.
 * @module
 */
import { InvalidArgumentError, type Command } from 'commander';
import { pino, type Level } from 'pino';
import { VerifierApi } from '../../../verifier/http/verifier-api.ts';
import { startVerifierServer, VERIFIER_BODY_LIMIT_BYTES } from '../../../verifier/http/server.ts';
import { readImporterPolicy } from '../../../verifier/importer-policy.ts';
import type { VerifierRegistry } from '../../../verifier/verifier-registry.ts';
import type { CliIo } from '../io.ts';
import { parseRegistryUrl } from './verify.ts';

/** Flags of `canopy verifier serve`, as commander delivers them. */
export interface VerifierServeFlags {
  port: number;
  host: string;
  policy: string;
  registry?: string;
  bodyLimit: number;
  logLevel: Level | 'silent';
}

/** What `runVerifierServe` needs. */
export interface VerifierServeOptions {
  port: number;
  host: string;
  policyFile: string;
  registryUrl: string | null;
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
 * @throws never
 * @example verifierServeOptionsFromFlags({ port: 8090, host: '127.0.0.1', policy: 'policy.json', bodyLimit: 16384, logLevel: 'info' })
 */
export function verifierServeOptionsFromFlags(flags: VerifierServeFlags): VerifierServeOptions {
  return { port: flags.port, host: flags.host, policyFile: flags.policy, registryUrl: flags.registry ?? null, bodyLimitBytes: flags.bodyLimit, logLevel: flags.logLevel };
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
  const api = new VerifierApi({ policy, registryUrl: options.registryUrl, log: logger, ...(registryFor ? { registryFor } : {}) });
  const server = await startVerifierServer(api, { port: options.port, host: options.host, bodyLimitBytes: options.bodyLimitBytes, logger });
  io.out(`policy ${options.policyFile}: registries ${policy.registries.map((r) => r.origin).join(', ')}${options.registryUrl !== null ? ` (all at ${options.registryUrl})` : ''}\n`);
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
    .option('--body-limit <bytes>', 'largest request body', intFlag(1024, 1024 * 1024), VERIFIER_BODY_LIMIT_BYTES)
    .option('--log-level <level>', 'pino level of the request log on stderr', levelFlag, 'info')
    .action(async (flags: VerifierServeFlags) => {
      const options = verifierServeOptionsFromFlags(flags);
      const controller = new AbortController();
      const stopServer = () => controller.abort();
      process.once('SIGINT', stopServer);
      process.once('SIGTERM', stopServer);
      try {
        await runVerifierServe(options, io, controller.signal);
      } finally {
        process.off('SIGINT', stopServer);
        process.off('SIGTERM', stopServer);
      }
    });
}
