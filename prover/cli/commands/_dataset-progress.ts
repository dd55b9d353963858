/**
 * Progress of `canopy dataset commit|verify` on stderr. On a terminal: a bar with
 * percentage, bands, speed and ETA (cli-progress), redrawn in place at most 5 times a
 * second. Elsewhere (a log file, CI): a plain line at most every `intervalSeconds`
 * and at the end, e.g.
 *
 *     dataset commit: band 12/157 (7.6 %), 3.1 Mpx/s, ETA 2m05s
 * @module
 */
import { SingleBar } from 'cli-progress';
import type { DatasetProgress } from '../../../prover/dataset/commit.ts';
import type { CliIo } from '../io.ts';

/**
 * Seconds as a short duration: 42s, 2m05s, 1h03m ('?' for a negative or infinite value).
 * @throws never
 * @example formatDuration(125) // '2m05s'
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Pixels per second as a short rate: 950 px/s, 78.4 kpx/s, 3.1 Mpx/s.
 * @throws never
 * @example formatRate(3.14e6) // '3.1 Mpx/s'
 */
export function formatRate(pxPerSecond: number): string {
  if (!Number.isFinite(pxPerSecond) || pxPerSecond <= 0) return '? px/s';
  if (pxPerSecond >= 1e6) return `${(pxPerSecond / 1e6).toFixed(1)} Mpx/s`;
  if (pxPerSecond >= 1e3) return `${(pxPerSecond / 1e3).toFixed(1)} kpx/s`;
  return `${Math.round(pxPerSecond)} px/s`;
}

/** A progress sink for a streaming pass; call `stop()` when the pass ends, however it ends. */
export interface DatasetProgressPrinter {
  readonly onProgress: (p: DatasetProgress) => void;
  readonly stop: () => void;
}

/**
 * A progress printer writing to `io.err` (a bar on a terminal, plain lines otherwise).
 * @throws whatever `io.err` throws
 * @param label - e.g. 'dataset commit'
 * @param intervalSeconds - least time between two plain lines (default 10)
 * @example const p = datasetProgressPrinter(io, 'dataset commit'); try { await commitDataset({ …, onProgress: p.onProgress }); } finally { p.stop(); }
 */
export function datasetProgressPrinter(io: CliIo, label: string, intervalSeconds = 10): DatasetProgressPrinter {
  return io.isTty ? barPrinter(io, label) : linePrinter(io, label, intervalSeconds);
}

function rateAndEta(p: DatasetProgress, bandsStarted: number | undefined): { rate: number; eta: number } {
  // Time spent on bands only: digesting the files and starting workers happen before.
  const since = bandsStarted ?? 0;
  const rate = p.pixelsDone / Math.max(1e-9, p.elapsedSeconds - since);
  return { rate, eta: (p.pixelsTotal - p.pixelsDone) / rate };
}

function linePrinter(io: CliIo, label: string, intervalSeconds: number): DatasetProgressPrinter {
  let last = -Infinity;
  let finished = false;
  let bandsStarted: number | undefined;
  return {
    onProgress(p) {
      if (p.phase === 'digest') {
        io.err(`${label}: hashing the source files (SHA-256)\n`);
        return;
      }
      if (p.phase === 'bands' && bandsStarted === undefined) {
        bandsStarted = p.elapsedSeconds;
        if (p.resumedBands > 0) io.err(`${label}: resuming after band ${p.resumedBands}/${p.bands} from the checkpoint\n`);
      }
      const final = p.phase === 'done' || p.bandsDone === p.bands;
      if (finished || (!final && p.elapsedSeconds - last < intervalSeconds)) return;
      if (p.pixelsDone === 0 && !final) return;
      last = p.elapsedSeconds;
      const { rate, eta } = rateAndEta(p, bandsStarted);
      const pct = p.pixelsTotal === 0 ? 100 : (100 * p.pixelsDone) / p.pixelsTotal;
      io.err(`${label}: band ${p.bandsDone}/${p.bands} (${pct.toFixed(1)} %), ${formatRate(rate)}, ${final ? `${formatDuration(p.elapsedSeconds)} in all` : `ETA ${formatDuration(eta)}`}\n`);
      finished = final;
    },
    stop() {},
  };
}

// cli-progress draws on a stream; this one forwards to io.err and says it is a terminal.
function terminalStream(io: CliIo): NodeJS.WritableStream {
  return {
    isTTY: true,
    columns: process.stderr.columns ?? 100,
    write: (chunk: string | Uint8Array, ...rest: unknown[]) => {
      io.err(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
      const callback = rest.find((r): r is () => void => typeof r === 'function');
      callback?.();
      return true;
    },
  } as unknown as NodeJS.WritableStream;
}

function barPrinter(io: CliIo, label: string): DatasetProgressPrinter {
  let bar: SingleBar | undefined;
  let bandsStarted: number | undefined;
  return {
    onProgress(p) {
      if (p.phase === 'digest') {
        io.err(`${label}: hashing the source files (SHA-256)…\n`);
        return;
      }
      if (bar === undefined) {
        bandsStarted = p.elapsedSeconds;
        if (p.resumedBands > 0) io.err(`${label}: resuming after band ${p.resumedBands}/${p.bands} from the checkpoint\n`);
        bar = new SingleBar({
          stream: terminalStream(io),
          format: `${label} [{bar}] {percentage}% | band {band}/{bands} | {rate} | ETA {etaText}`,
          barsize: 30,
          hideCursor: true,
          fps: 5,
          noTTYOutput: false,
        });
        bar.start(Math.max(1, p.pixelsTotal), 0, { band: p.bandsDone, bands: p.bands, rate: '…', etaText: '…' });
      }
      const { rate, eta } = rateAndEta(p, bandsStarted);
      const done = p.phase === 'done';
      bar.update(Math.min(p.pixelsDone, Math.max(1, p.pixelsTotal)), {
        band: p.bandsDone,
        bands: p.bands,
        rate: p.pixelsDone > 0 ? formatRate(rate) : '…',
        etaText: done ? '0s' : p.pixelsDone > 0 ? formatDuration(eta) : '…',
      });
      if (done) {
        bar.stop();
        bar = undefined;
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
