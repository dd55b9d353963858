/**
 * The demo's account of itself, on stderr: a heading per step, what the step did, the
 * libraries' own progress lines indented beneath, and the step's time. Every step runs
 * through `step`, which records its seconds and turns any failure into one line naming
 * the step:
 *
 *     canopy: ENTRY_REJECTED: demo step 5 (cooperative) failed: the registry refused …
 *
 * A CanopyError keeps its code (the CLI prints it); anything else becomes a plain Error
 * with the same one-line message and the original as its cause.
 * @module
 */
import { CanopyError } from '../../core/errors.ts';
import type { CliIo } from '../cli/io.ts';

/** Writes the narrative and times the steps. */
export class Narrator {
  readonly #io: CliIo;
  /** Seconds per step key, in the order the steps ran. */
  readonly seconds: Record<string, number> = {};

  /** @example const n = new Narrator(io) */
  constructor(io: CliIo) {
    this.#io = io;
  }

  /**
   * One line of the account.
   * @throws never
   * @example n.say('   root 2262…')
   */
  say(line = ''): void {
    this.#io.err(`${line}\n`);
  }

  /**
   * A library's progress line, indented under the step.
   * @throws never
   * @example n.detail('proved merge in 5.6 s (snarkjs)')
   */
  detail(line: string): void {
    this.#io.err(`      · ${line}\n`);
  }

  /**
   * Runs one step: prints its heading, runs `fn`, records and prints its time.
   * @param key - short name used in timings and in the failure line (e.g. "5 cooperative")
   * @throws {CanopyError} with the original code, or {Error}: `demo step <key> failed: <first line of the cause>`
   * @example await n.step('2 dataset', '2. The publisher commits the Hansen crop', async () => …)
   */
  async step<T>(key: string, heading: string, fn: () => Promise<T>): Promise<T> {
    this.say(`\n${heading}`);
    const t0 = performance.now();
    try {
      const value = await fn();
      const s = (performance.now() - t0) / 1000;
      this.seconds[key] = Number(s.toFixed(2));
      this.say(`   (${s.toFixed(1)} s)`);
      return value;
    } catch (e) {
      this.seconds[key] = Number(((performance.now() - t0) / 1000).toFixed(2));
      throw stepFailure(key, e);
    }
  }
}

/**
 * The one-line error of a failed step (module doc).
 * @throws never
 * @example throw stepFailure('3 plots', e)
 */
export function stepFailure(key: string, e: unknown): Error {
  const [number, ...name] = key.split(' ');
  const cause = e instanceof Error ? e.message : String(e);
  // One line: a multi-line cause (a witness dump, a stack in a message) is cut at its first line.
  const first = cause.split('\n').find((l) => l.trim() !== '') ?? '(no message)';
  const message = `demo step ${number}${name.length > 0 ? ` (${name.join(' ')})` : ''} failed: ${first}`;
  return e instanceof CanopyError ? new CanopyError(e.code, message, { cause: e }) : new Error(message, { cause: e });
}
