/**
 * What a command may touch of the outside world, passed in so tests can capture it.
 * Human-readable progress goes to `err` (stderr), results to `out` (stdout), so
 * `canopy x --json | jq` sees only JSON.
 * @module
 */
export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stderr is a terminal (progress bars only then). */
  isTty: boolean;
}

/** The process's own streams. */
export const processIo: CliIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  isTty: Boolean(process.stderr.isTTY),
};

/** Writes `value` as one line of JSON, bigints as decimal strings. */
export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}
