/**
 * Timed steps with progress events, shared by the ceremony, phase 2 and setup code.
 *
 * A long trusted-setup run is a fixed list of steps; each reports `start`, then `done`
 * with its wall-clock time in seconds (or `cached` when skipped), so a caller can print
 * "[2/5] phase 2 contribution … 3.1 s" without knowing what the step does. Steps report
 * no fractions, which is why no progress bar is drawn.
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** One progress event. `index` is 1-based and `index <= total`. */
export interface StepEvent {
  /** What the step does, in words (e.g. `phase 2 contribution`). */
  step: string;
  index: number;
  total: number;
  /** `note` carries only `detail` (e.g. why keys are rebuilt); it starts or ends nothing. */
  status: 'start' | 'done' | 'cached' | 'note';
  /** Wall-clock seconds; set when status is `done` or `cached`. */
  seconds?: number;
  /** Extra facts for the log line (a hash, a file name). */
  detail?: string;
  /** The circuit the step belongs to, when it belongs to one. */
  circuit?: string;
}

/** Receives progress events; must not throw. */
export type OnProgress = (event: StepEvent) => void;

/**
 * Runs `fn` as step `index` of `total`, reporting start and end with timings.
 * `fn` may return a detail string for the `done` event through `detail`.
 * @throws whatever `fn` throws (no `done` event is reported then)
 * @example await timeStep(onProgress, { step: 'beacon', index: 3, total: 4 }, () => beacon());
 */
export async function timeStep<T>(
  onProgress: OnProgress | undefined,
  at: { step: string; index: number; total: number; circuit?: string },
  fn: () => Promise<T>,
  detail?: (value: T) => string | undefined,
): Promise<T> {
  onProgress?.({ ...at, status: 'start' });
  const t0 = performance.now();
  const value = await fn();
  const seconds = (performance.now() - t0) / 1000;
  onProgress?.({ ...at, status: 'done', seconds, detail: detail?.(value) });
  return value;
}

/**
 * SHA-256 of a file, hex, streamed so a ptau or zkey of several gigabytes fits in memory.
 * @throws {Error} ENOENT when the file does not exist
 * @example const hex = await sha256File('circuits/ptau/canopy_pot14_not_for_production.ptau');
 */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}
