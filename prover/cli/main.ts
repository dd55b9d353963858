/**
 * The `canopy` command: one program, one file per command under `commands/`.
 * Every command maps its flags to a typed options object and calls the library.
 *
 * Exit codes: 0 success, 1 the operation failed (bad input named in one line, or a
 * proof that does not verify), 2 bad usage (unknown command or flag).
 * @module
 */
import { Command, CommanderError } from 'commander';
import { CanopyError } from '../../core/errors.ts';
import { processIo, type CliIo } from './io.ts';
import { registerDemo } from './commands/demo.ts';
import { registerSetup } from './commands/setup.ts';
import { registerPtau } from './commands/ptau.ts';
import { registerDataset } from './commands/dataset.ts';
import { registerPlot } from './commands/plot.ts';
import { registerRegistry } from './commands/registry.ts';
import { registerRegistryTiles } from './commands/registry-tiles.ts';
import { registerVerify } from './commands/verify.ts';
import { registerVerifier } from './commands/verifier.ts';
import { registerLot } from './commands/lot.ts';
import { registerAudit } from './commands/audit.ts';
import { registerDisclose } from './commands/disclose.ts';

/** Builds the program; commands write through `io`. */
export function buildProgram(io: CliIo): Command {
  const program = new Command('canopy')
    .description(
      'Prove sustainability facts about commodity lots (carbon figures, EUDR deforestation-free status) ' +
        'with Poseidon Merkle trees and Groth16 proofs, without revealing suppliers or plots.',
    )
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  registerSetup(program, io);
  registerPtau(program, io);
  registerDemo(program, io);
  registerDataset(program, io);
  registerPlot(program, io);
  registerRegistry(program, io);
  registerRegistryTiles(program, io);
  registerVerify(program, io);
  registerVerifier(program, io);
  registerLot(program, io);
  registerAudit(program, io);
  registerDisclose(program, io);
  return program;
}

/**
 * Runs the program on `argv` (as `process.argv`) and returns the exit code.
 * Errors are printed as one line naming what was wrong; stack traces only with CANOPY_DEBUG=1.
 */
export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv]);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit with code 0 through the same path
      return e.exitCode === 0 ? 0 : 2;
    }
    io.err(`canopy: ${errorLine(e)}\n`);
    if (process.env.CANOPY_DEBUG === '1' && e instanceof Error) io.err(`${e.stack}\n`);
    return 1;
  }
}

function errorLine(e: unknown): string {
  if (e instanceof CanopyError) return `${e.code}: ${e.message}`;
  if (e instanceof TypeError || e instanceof RangeError) return `invalid input: ${e.message}`;
  if (e instanceof Error && 'code' in e && (e as NodeJS.ErrnoException).code === 'ENOENT') return `not found: ${(e as NodeJS.ErrnoException).path ?? e.message}`;
  return e instanceof Error ? e.message : String(e);
}
