/**
 * `npm run bench`: runs every benchmark in `tests/bench/*.bench.ts` and reports them.
 *
 * Contract for a benchmark module: it exports one or more async functions whose names
 * start with `bench` (`benchPoseidon`, `benchMerkle`, ...), each taking no argument and
 * resolving to a JSON-safe record. In that record, arrays of flat objects are printed
 * as tables, nested objects as `key.sub: value` lines, and other fields as
 * `key: value` lines.
 *
 * Output: the table on stdout, and every result in `tests/artifacts/bench.json`
 * (`{ generatedAt, node, results: { benchName: record } }`). A benchmark that throws is
 * recorded as `{ error: message }`, the others still run, and the exit code is 1.
 *
 * Usage: `npm run bench` runs all; `npm run bench -- poseidon merkle` runs only the
 * modules whose file names contain one of the words.
 * @module
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type BenchRecord = Record<string, unknown>;
type Bench = () => Promise<BenchRecord>;

const here = dirname(fileURLToPath(import.meta.url));
const artifact = join(here, '..', 'artifacts', 'bench.json');

/** Renders a value for a table cell or a line: numbers with thousands separators. */
function cell(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-US') : String(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function isFlatObject(v: unknown): v is BenchRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x !== 'object' || x === null);
}

/** A text table with one column per key found in any row, numbers right-aligned. */
function table(rows: BenchRecord[]): string {
  const keys = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cells = rows.map((r) => keys.map((k) => (k in r ? cell(r[k]) : '')));
  const widths = keys.map((k, i) => Math.max(k.length, ...cells.map((row) => row[i]!.length)));
  const line = (parts: string[], numeric: boolean[]) =>
    parts.map((p, i) => (numeric[i] ? p.padStart(widths[i]!) : p.padEnd(widths[i]!))).join('  ');
  const numeric = keys.map((k) => rows.every((r) => !(k in r) || typeof r[k] === 'number'));
  return [line(keys, numeric), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map((row) => line(row, numeric))].join('\n');
}

/** Prints one benchmark's record: lines for scalars and objects, tables for arrays of rows. */
function report(name: string, result: BenchRecord): string {
  const out = [`== ${name} ==`];
  const tables: string[] = [];
  for (const [key, value] of Object.entries(result)) {
    if (Array.isArray(value) && value.length > 0 && value.every(isFlatObject)) {
      tables.push(`${key}:\n${table(value)}`);
    } else if (isFlatObject(value)) {
      for (const [sub, v] of Object.entries(value)) out.push(`${key}.${sub}: ${cell(v)}`);
    } else {
      out.push(`${key}: ${cell(value)}`);
    }
  }
  return [...out, ...tables].join('\n');
}

/**
 * Runs the selected benchmarks in file order, printing each as it finishes, and writes
 * all results to `tests/artifacts/bench.json`.
 * @param filters - words a module's file name must contain (any one); none selects all
 * @returns the results by bench function name, failures as `{ error }`
 * @example const results = await runBenchmarks(['poseidon']);
 */
export async function runBenchmarks(filters: readonly string[]): Promise<Record<string, BenchRecord>> {
  const files = readdirSync(here)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
    .sort();
  const results: Record<string, BenchRecord> = {};
  for (const file of files) {
    const module = (await import(pathToFileURL(join(here, file)).href)) as Record<string, unknown>;
    const benches = Object.entries(module).filter((e): e is [string, Bench] => e[0].startsWith('bench') && typeof e[1] === 'function');
    if (benches.length === 0) results[file] = { error: `${file} exports no bench* function` };
    for (const [name, bench] of benches) {
      const started = Date.now();
      try {
        results[name] = await bench();
      } catch (e) {
        results[name] = { error: e instanceof Error ? e.message : String(e) };
      }
      console.log(`${report(name, results[name]!)}\n(${name}: ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    }
  }
  mkdirSync(dirname(artifact), { recursive: true });
  writeFileSync(artifact, `${JSON.stringify({ generatedAt: new Date().toISOString(), node: process.version, results }, null, 2)}\n`);
  console.log(`wrote ${artifact}`);
  return results;
}

const results = await runBenchmarks(process.argv.slice(2));
if (Object.values(results).some((r) => 'error' in r)) process.exitCode = 1;
