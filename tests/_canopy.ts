// Runs the `canopy` program in-process and captures what it prints, for CLI tests.
import type { CliIo } from '../prover/cli/io.ts';
import { main } from '../prover/cli/main.ts';

/** Exit code and everything written to stdout and stderr. */
export interface CanopyRun {
  code: number;
  out: string;
  err: string;
}

/** `canopy ...args`, with stderr reported as a terminal when `isTty`. */
export async function runCanopy(args: readonly string[], isTty = false): Promise<CanopyRun> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), isTty };
  const code = await main(['node', 'canopy', ...args], io);
  return { code, out, err };
}
