/**
 * Progress lines for long trusted-setup commands, written to stderr:
 *
 *     [3/7] membership: phase 2 contribution … 3.1 s
 *
 * Steps report no fractions, so there is no bar: one line per finished step. On a
 * terminal the line appears when the step starts and is completed in place when it ends.
 * @module
 */
import type { StepEvent } from '../../../circuits/toolchain/_steps.ts';
import type { CliIo } from '../io.ts';

/**
 * One finished step as a line (no newline).
 * @example formatStep({ step: 'phase 2 beacon', index: 4, total: 7, status: 'done', seconds: 0.84, circuit: 'membership' })
 * // '[4/7] membership: phase 2 beacon … 0.8 s'
 */
export function formatStep(e: StepEvent): string {
  const who = e.circuit ? `${e.circuit}: ` : '';
  const time = e.seconds === undefined ? '' : ` ${e.seconds.toFixed(1)} s`;
  const detail = e.detail ? ` (${e.detail})` : '';
  return `[${e.index}/${e.total}] ${who}${e.step} …${time}${detail}`;
}

/**
 * A progress callback that writes step lines to `io.err`.
 * @example runSetup({ profile: 'test', onProgress: progressPrinter(io) });
 */
export function progressPrinter(io: CliIo): (e: StepEvent) => void {
  let open = false;
  return (e) => {
    if (e.status === 'start') {
      if (!io.isTty) return;
      io.err(`[${e.index}/${e.total}] ${e.circuit ? `${e.circuit}: ` : ''}${e.step} …`);
      open = true;
      return;
    }
    const clear = open ? '\r\x1b[K' : '';
    open = false;
    if (e.status === 'note') io.err(`${clear}      ${e.circuit ? `${e.circuit}: ` : ''}${e.step}: ${e.detail ?? ''}\n`);
    else io.err(`${clear}${formatStep(e)}${e.status === 'cached' ? ' [cached]' : ''}\n`);
  };
}
