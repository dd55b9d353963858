/**
 * `canopy ptau verify FILE` and `canopy ptau ceremony --power N --out FILE`: check a
 * powers-of-tau file, or make one on this machine (the steps circuits/ptau/ceremony.sh
 * ran for the bundled file: new, contributions, beacon, prepare phase 2, verify).
 * @module
 */
import { basename, dirname } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { localCeremony, MAX_PTAU_POWER, verifyPtau, type LocalCeremonyOptions } from '../../../circuits/toolchain/ptau.ts';
import { printJson, type CliIo } from '../io.ts';
import { progressPrinter } from './_progress.ts';

function intIn(min: number, max: number) {
  return (value: string): number => {
    if (!/^[0-9]{1,2}$/.test(value) || Number(value) < min || Number(value) > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    return Number(value);
  };
}

/** Flags of `canopy ptau ceremony`. */
export interface CeremonyFlags {
  power: number;
  out: string;
  contributions: number;
  json?: boolean;
}

/**
 * Maps `canopy ptau ceremony` flags to `localCeremony` options.
 * @throws {RangeError} when --out does not name a .ptau file
 * @example ceremonyOptionsFromFlags({ power: 12, out: 'pot12.ptau', contributions: 2 })
 */
export function ceremonyOptionsFromFlags(flags: CeremonyFlags): LocalCeremonyOptions {
  if (!flags.out.endsWith('.ptau')) throw new RangeError(`"--out" expected a file name ending in .ptau, got ${JSON.stringify(flags.out)}`);
  return { power: flags.power, contributions: flags.contributions, outDir: dirname(flags.out), fileName: basename(flags.out), verify: true };
}

/**
 * Registers `canopy ptau verify` and `canopy ptau ceremony`.
 * @example registerPtau(program, processIo);
 */
export function registerPtau(program: Command, io: CliIo): void {
  const ptau = program.command('ptau').description('Check or make powers-of-tau files (phase 1 of the Groth16 setup).');

  ptau
    .command('verify')
    .description('Verify every contribution of a ptau file with snarkjs (22 s at 2^14, about ×2 per power).')
    .argument('<file>', 'the .ptau file')
    .option('--json', 'print the report as JSON on stdout')
    .action(async (file: string, flags: { json?: boolean }) => {
      const r = await verifyPtau(file);
      if (flags.json) {
        printJson(io, { ok: true, path: r.path, sha256: r.sha256, power: r.power, ceremonyPower: r.ceremonyPower, preparedPhase2: r.preparedPhase2, contributions: r.contributions, seconds: Number(r.seconds.toFixed(2)) });
        return;
      }
      const lines = [
        `OK: ${r.path} verifies (${r.seconds.toFixed(1)} s)`,
        `  power 2^${r.power} (ceremony 2^${r.ceremonyPower}), ${r.preparedPhase2 ? 'prepared for phase 2' : 'NOT prepared for phase 2 (snarkjs powersoftau prepare phase2)'}`,
        `  sha256 ${r.sha256}`,
        ...r.contributions.map((c) => `  #${c.id} ${c.name || '(unnamed)'}${c.beacon ? ` — beacon ${c.beacon.hash}, 2^${c.beacon.iterationsExp} iterations` : ''}`),
      ];
      if (/not_for_production/.test(r.path)) lines.push('  labelled NOT FOR PRODUCTION');
      io.out(`${lines.join('\n')}\n`);
    });

  ptau
    .command('ceremony')
    .description('Run a powers-of-tau ceremony on this machine: new, K contributions (fresh entropy, never stored), beacon, prepare phase 2, verify.')
    .requiredOption('--power <n>', `power of the ceremony, 1..${MAX_PTAU_POWER} (circuits up to 2^n − 1 constraints + public signals)`, intIn(1, MAX_PTAU_POWER))
    .requiredOption('--out <file>', 'output .ptau file; transcripts are written beside it')
    .option('--contributions <k>', 'contributions before the beacon, 1..16', intIn(1, 16), 2)
    .option('--json', 'print the transcript as JSON on stdout')
    .addHelpText(
      'after',
      '\nTime: preparing phase 2 dominates, ~150 s at power 12 and 77 min at power 17 on 2 cores; the final verification\n' +
        'is much faster (22 s at power 14, 71 s at power 17).\n' +
        'The result is only as trustworthy as this machine: production keys should come from a public ceremony file.\n',
    )
    .action(async (flags: CeremonyFlags) => {
      const r = await localCeremony({ ...ceremonyOptionsFromFlags(flags), onProgress: progressPrinter(io) });
      if (flags.json) printJson(io, { ptau: r.ptauPath, transcript: r.transcriptJsonPath, ...r.transcript });
      else io.out(`wrote ${r.ptauPath} (sha256 ${r.transcript.sha256})\n  transcript ${r.transcriptTextPath}\n`);
    });
}
