/**
 * `canopy setup` and `canopy setup verify`: map flags to `SetupOptions` and call
 * circuits/toolchain/setup.ts; re-hash a setup folder against its manifest.
 * @module
 */
import { relative } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { CanopyError } from '../../../core/errors.ts';
import { getProfile, loadConfig } from '../../../circuits/toolchain/config.ts';
import { verifyManifest } from '../../../circuits/toolchain/manifest.ts';
import { BUNDLED_PTAU } from '../../../circuits/toolchain/ptau.ts';
import { defaultOutDir, runSetup, type SetupOptions, type SetupResult } from '../../../circuits/toolchain/setup.ts';
import { printJson, type CliIo } from '../io.ts';
import { progressPrinter } from './_progress.ts';

/** Flags of `canopy setup` as commander parses them. */
export interface SetupFlags {
  profile: string;
  circuit?: string[];
  ptau?: string;
  localCeremony?: boolean;
  contributions?: number;
  out?: string;
  json?: boolean;
  force?: boolean;
}

const HELP = `
Profiles (circuits/circuits.json):
  test         tiny parameters (membership depth 4) for unit tests
  demo         small parameters so a fresh clone's demo, setup included, finishes in minutes
  production   real tree depths; needs --ptau FILE or --local-ceremony

Powers of tau:
  test and demo use the bundled ${relative(process.cwd(), BUNDLED_PTAU) || BUNDLED_PTAU}
  (2^14, two contributions made on one machine, labelled NOT FOR PRODUCTION: whoever ran
  that ceremony could forge proofs). production refuses it and needs either
    --ptau FILE        a prepared file from a public multi-party ceremony, such as
                       powersOfTau28_hez_final_NN.ptau (power NN ≥ the one setup names)
    --local-ceremony   a ceremony on this machine (--contributions K, default 2); it is only
                       as trustworthy as this machine.

Steps per circuit and their time, measured on 2 shared cores (membership circuit):
                          test (depth 4, 1278 constraints)   demo (depth 16, 4398)
  compile                 ~10 s (0 s when cached)            ~8 s
  phase 2 new key         ~7 s                               ~22 s
  phase 2 contribution    ~1 s                               ~9 s
  phase 2 beacon          ~1 s                               ~10 s
  verify (r1cs + ptau)    ~7 s                               ~42 s
  export verification key <0.1 s                             <0.1 s
  A rerun with nothing changed only re-hashes the artifacts (<1 s).
  A local ceremony adds ~150 s at 2^12 and ~80 min at 2^17 (mostly preparing phase 2).

Output: circuits/build/<profile>/manifest.json with every artifact's SHA-256
(r1cs, wasm, zkey, vkey.json, phase-2 transcript); see docs/setup.md.

Examples:
  canopy setup --profile test
  canopy setup --profile production --ptau powersOfTau28_hez_final_16.ptau
  canopy setup verify --profile test
`;

function parseCount(value: string): number {
  if (!/^[0-9]{1,2}$/.test(value) || Number(value) < 1 || Number(value) > 16) {
    throw new InvalidArgumentError(`expected an integer from 1 to 16, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/**
 * Maps `canopy setup` flags to the library's options.
 * @throws {CanopyError} INVALID_INPUT for --contributions without --local-ceremony, or --ptau with --local-ceremony
 * @example setupOptionsFromFlags({ profile: 'test' }) // { profile: 'test', circuits: undefined, … }
 */
export function setupOptionsFromFlags(flags: SetupFlags): SetupOptions {
  if (flags.contributions !== undefined && !flags.localCeremony) {
    throw new CanopyError('INVALID_INPUT', '--contributions applies only with --local-ceremony');
  }
  if (flags.ptau !== undefined && flags.localCeremony) {
    throw new CanopyError('INVALID_INPUT', 'choose one source of powers of tau: --ptau FILE or --local-ceremony, not both');
  }
  return {
    profile: flags.profile,
    circuits: flags.circuit,
    ptau: flags.ptau,
    localCeremony: flags.localCeremony ? { contributions: flags.contributions ?? 2 } : undefined,
    outDir: flags.out,
    force: flags.force === true,
  };
}

/**
 * What `canopy setup --json` prints: the manifest in short, and where it lies.
 * @example printJson(io, setupSummary(await runSetup({ profile: 'test' })));
 */
export function setupSummary(r: SetupResult): unknown {
  return {
    profile: r.profile,
    outDir: r.outDir,
    manifest: r.manifestPath,
    ptau: r.ptau,
    seconds: Number(r.seconds.toFixed(2)),
    circuits: Object.fromEntries(
      r.circuits.map((c) => [
        c.id,
        {
          cached: c.cached,
          ...(c.reason ? { reason: c.reason } : {}),
          params: c.entry.params,
          constraints: c.entry.constraints.total,
          publicSignals: c.entry.publicSignals,
          setupKey: c.entry.setupKey,
          files: c.entry.files,
          seconds: Number(c.seconds.toFixed(2)),
        },
      ]),
    ),
  };
}

/**
 * Registers `canopy setup` and `canopy setup verify`.
 * @example registerSetup(program, processIo);
 */
export function registerSetup(program: Command, io: CliIo): void {
  const setup = program
    .command('setup')
    .description('Compile every circuit of a profile and make, verify and record its Groth16 keys.')
    .option('--profile <name>', 'test, demo or production', 'test')
    .option('--circuit <id...>', 'only these circuits (default: all)')
    .option('--ptau <file>', 'prepared powers-of-tau file (required for production unless --local-ceremony)')
    .option('--local-ceremony', 'run a powers-of-tau ceremony on this machine instead of using a file')
    .option('--contributions <k>', 'contributions of the local ceremony (1..16, default 2)', parseCount)
    .option('--out <dir>', 'output folder (default circuits/build/<profile>)')
    .option('--json', 'print the manifest summary as JSON on stdout')
    .option('--force', 'make new keys even when the cached ones are up to date')
    .addHelpText('after', HELP)
    .action(async (flags: SetupFlags) => {
      const result = await runSetup({ ...setupOptionsFromFlags(flags), onProgress: progressPrinter(io) });
      if (flags.json) {
        printJson(io, setupSummary(result));
        return;
      }
      const built = result.circuits.filter((c) => !c.cached).map((c) => c.id);
      const cached = result.circuits.filter((c) => c.cached).map((c) => c.id);
      io.out(
        `wrote ${result.manifestPath}: ${built.length ? `built ${built.join(', ')}` : 'nothing to build'}${cached.length ? `; up to date: ${cached.join(', ')}` : ''} (${result.seconds.toFixed(1)} s)\n`,
      );
      if (!result.ptau.forProduction) io.err(`note: keys made from ${result.ptau.file} are NOT FOR PRODUCTION\n`);
    });

  const verify = setup
    .command('verify')
    .description('Re-hash every artifact of a setup folder and compare it with manifest.json.')
    .option('--profile <name>', 'test, demo or production', 'test')
    .option('--out <dir>', 'setup folder (default circuits/build/<profile>)')
    .option('--json', 'print the result as JSON on stdout')
    .action(async () => {
      // Unless the program parses options positionally, commander hands the options after
      // `setup verify` to `setup`, which declares the same names: take each flag from
      // whichever command saw it on the command line.
      const flag = (name: string): unknown => {
        for (const c of [verify, setup]) if (c.getOptionValueSource(name) === 'cli') return c.getOptionValue(name);
        return verify.getOptionValue(name);
      };
      const profile = getProfile(loadConfig(), flag('profile') as string).name;
      const dir = (flag('out') as string | undefined) ?? defaultOutDir(profile);
      const check = await verifyManifest(dir);
      if (check.manifest.profile !== profile) {
        throw new CanopyError('INVALID_INPUT', `${dir} holds keys of profile ${check.manifest.profile}, not ${profile}`);
      }
      const circuits = Object.keys(check.manifest.circuits);
      if (flag('json') === true) printJson(io, { ok: true, dir, profile, circuits, files: check.files, bytes: check.bytes });
      else io.out(`OK: ${check.files} files (${check.bytes} bytes) of ${circuits.join(', ') || 'no circuit'} match ${dir}/manifest.json\n`);
    });
}
