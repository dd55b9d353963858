/**
 * The plot proof file, `canopy-plot-proof/1`: the public result of `canopy plot prove`,
 * what a supplier hands to the registry (which appends each window's attestation leaf
 * once every proof verifies) or to anyone checking the attestation.
 *
 * Plain JSON, two-space indented, one trailing newline:
 *
 *     {
 *       "format": "canopy-plot-proof/1",
 *       "datasetRoot": "<decimal>",            the dataset every window was proven against
 *       "cutoffYear": 2020,                     loss after 31 Dec of it fails
 *       "cutoffCode": 21,                       cutoffYear − 1999: the smallest failing value
 *       "windows": [                            1..MAX_PROOF_WINDOWS, in Morton order
 *         { "circuit": "plot_window",
 *           "profile": "demo",
 *           "artifacts": { "zkey": { "sha256": "<64 hex>" }, "vkey": { "sha256": "<64 hex>" } },
 *           "publicSignals": ["<attestationLeaf>", "<datasetRoot>", "<cutoffCode>"],
 *           "proof": { "pi_a": [3 decimals], "pi_b": [[2], [2], [2]], "pi_c": [3],
 *                      "protocol": "groth16", "curve": "bn128" } },
 *         …
 *       ]
 *     }
 *
 * `artifacts` are the SHA-256 of the proving and verification keys, from the setup
 * manifest of the keys that made the proofs: a verifier compares the vkey hash with its
 * own before it trusts a verdict (keys made by another setup verify nothing).
 *
 * Everything here is public. The file deliberately carries neither the plot's geometry
 * hash nor any window position, pixel count or mask: those are private inputs of the
 * circuit (docs/attestations.md). It does reveal how many windows the plot has, which
 * bounds the plot's extent from above and below.
 *
 * `parsePlotProofFile` is strict: exact key sets at every level, canonical decimals below
 * r (proof coordinates below q, as prove.ts checks them), the cut-off code consistent
 * with the year, public signals consistent with the file's root and cut-off, at most
 * MAX_PROOF_FILE_BYTES of text. The text is attacker-controlled.
 * @module
 */
import { assertString, rangeError, typeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { parseField } from '../../core/field.ts';
import { PLOT_WINDOW_PUBLIC_SIGNALS } from '../../core/circuits/plot-window.ts';
import { assertGroth16Proof, type Groth16Proof } from '../../circuits/toolchain/prove.ts';

/** Format tag of the proof file. */
export const PLOT_PROOF_FORMAT = 'canopy-plot-proof/1';
/** Most windows in one file: a 256 × 256-tile area at k = 0, far more at larger k. */
export const MAX_PROOF_WINDOWS = 65_536;
/** Largest proof file parsed: 64 MiB (a window is about 1 KiB). */
export const MAX_PROOF_FILE_BYTES = 64 * 1024 * 1024;

/** One proven window. */
export interface PlotProofWindow {
  circuit: string;
  profile: string;
  artifacts: { zkey: { sha256: string }; vkey: { sha256: string } };
  /** attestationLeaf, datasetRoot, cutoffCode (PLOT_WINDOW_PUBLIC_SIGNALS). */
  publicSignals: string[];
  proof: Groth16Proof;
}

/** The proof file; see the module doc. */
export interface PlotProofFile {
  format: typeof PLOT_PROOF_FORMAT;
  datasetRoot: string;
  cutoffYear: number;
  cutoffCode: number;
  windows: PlotProofWindow[];
}

const ID_RE = /^[a-z][a-z0-9_]{0,63}$/;
const HEX64_RE = /^[0-9a-f]{64}$/;

function fail(where: string, expected: string, got: unknown): never {
  let shown: string;
  try {
    shown = JSON.stringify(got) ?? String(got);
  } catch {
    shown = String(got);
  }
  throw new CanopyError('INVALID_INPUT', `${where}: expected ${expected}, got ${shown.length > 80 ? `${shown.slice(0, 77)}...` : shown}`);
}

function object(value: unknown, where: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'an object', value);
  const got = Object.keys(value).sort();
  const want = [...keys].sort();
  if (got.join() !== want.join()) fail(where, `exactly the keys ${want.join(', ')}`, got);
  return value as Record<string, unknown>;
}

function decimal(value: unknown, where: string): string {
  try {
    return parseField(value, where).toString();
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) fail(where, 'a canonical decimal below r', value);
    throw e;
  }
}

function parseWindow(value: unknown, where: string, file: { datasetRoot: string; cutoffCode: number }): PlotProofWindow {
  const w = object(value, where, ['circuit', 'profile', 'artifacts', 'publicSignals', 'proof']);
  if (typeof w.circuit !== 'string' || !ID_RE.test(w.circuit)) fail(`${where}.circuit`, 'a circuit id', w.circuit);
  if (typeof w.profile !== 'string' || !ID_RE.test(w.profile)) fail(`${where}.profile`, 'a profile name', w.profile);
  const a = object(w.artifacts, `${where}.artifacts`, ['zkey', 'vkey']);
  const artifacts = { zkey: { sha256: '' }, vkey: { sha256: '' } };
  for (const kind of ['zkey', 'vkey'] as const) {
    const sha = object(a[kind], `${where}.artifacts.${kind}`, ['sha256']).sha256;
    if (typeof sha !== 'string' || !HEX64_RE.test(sha)) fail(`${where}.artifacts.${kind}.sha256`, '64 lowercase hex digits', sha);
    artifacts[kind].sha256 = sha;
  }
  if (!Array.isArray(w.publicSignals) || w.publicSignals.length !== PLOT_WINDOW_PUBLIC_SIGNALS.length) {
    fail(`${where}.publicSignals`, `${PLOT_WINDOW_PUBLIC_SIGNALS.length} decimals (${PLOT_WINDOW_PUBLIC_SIGNALS.join(', ')})`, w.publicSignals);
  }
  const publicSignals = w.publicSignals.map((s, i) => decimal(s, `${where}.publicSignals[${i}]`));
  const at = (name: (typeof PLOT_WINDOW_PUBLIC_SIGNALS)[number]) => publicSignals[PLOT_WINDOW_PUBLIC_SIGNALS.indexOf(name)]!;
  if (at('datasetRoot') !== file.datasetRoot) fail(`${where}.publicSignals datasetRoot`, `the file's datasetRoot ${file.datasetRoot}`, at('datasetRoot'));
  if (at('cutoffCode') !== String(file.cutoffCode)) fail(`${where}.publicSignals cutoffCode`, `the file's cutoffCode ${file.cutoffCode}`, at('cutoffCode'));
  try {
    assertGroth16Proof(w.proof);
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw new CanopyError('INVALID_INPUT', `${where}.proof: ${e.message}`, { cause: e });
    throw e;
  }
  const p = w.proof as unknown as Record<string, unknown>;
  object(p, `${where}.proof`, ['pi_a', 'pi_b', 'pi_c', 'protocol', 'curve']);
  return { circuit: w.circuit, profile: w.profile, artifacts, publicSignals, proof: w.proof };
}

/**
 * Parses a proof file's text strictly (module doc).
 * @param text - attacker-controlled
 * @param source - the file name, for messages
 * @throws {CanopyError} INVALID_INPUT naming the first field that is wrong
 * @example const file = parsePlotProofFile(await readFile('farm.proof.json', 'utf8'), 'farm.proof.json');
 */
export function parsePlotProofFile(text: string, source: string): PlotProofFile {
  assertString(text, 'text');
  assertString(source, 'source', 4096);
  if (text.length > MAX_PROOF_FILE_BYTES) throw new CanopyError('INVALID_INPUT', `${source}: ${text.length} characters, more than the ${MAX_PROOF_FILE_BYTES} a proof file may have`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CanopyError('INVALID_INPUT', `${source} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  const f = object(json, source, ['format', 'datasetRoot', 'cutoffYear', 'cutoffCode', 'windows']);
  if (f.format !== PLOT_PROOF_FORMAT) fail(`${source}.format`, JSON.stringify(PLOT_PROOF_FORMAT), f.format);
  const datasetRoot = decimal(f.datasetRoot, `${source}.datasetRoot`);
  if (typeof f.cutoffYear !== 'number' || !Number.isInteger(f.cutoffYear) || f.cutoffYear < 2000 || f.cutoffYear > 2253) fail(`${source}.cutoffYear`, 'a year from 2000 to 2253', f.cutoffYear);
  if (f.cutoffCode !== f.cutoffYear - 1999) fail(`${source}.cutoffCode`, `${f.cutoffYear - 1999} (cutoffYear − 1999)`, f.cutoffCode);
  if (!Array.isArray(f.windows) || f.windows.length < 1 || f.windows.length > MAX_PROOF_WINDOWS) fail(`${source}.windows`, `an array of 1..${MAX_PROOF_WINDOWS} windows`, f.windows);
  const head = { datasetRoot, cutoffCode: f.cutoffCode };
  const windows = f.windows.map((w, i) => parseWindow(w, `${source}.windows[${i}]`, head));
  return { format: PLOT_PROOF_FORMAT, datasetRoot, cutoffYear: f.cutoffYear, cutoffCode: f.cutoffCode, windows };
}

/**
 * The text of a proof file: two-space JSON with the keys in the module doc's order and a
 * trailing newline. `parsePlotProofFile(formatPlotProofFile(f))` equals `f`.
 * @throws {TypeError|RangeError} if `file` is not an object with windows
 * @example await writeFile(out, formatPlotProofFile(file));
 */
export function formatPlotProofFile(file: PlotProofFile): string {
  if (typeof file !== 'object' || file === null) typeError('file', 'a proof file object', file);
  if (!Array.isArray(file.windows) || file.windows.length === 0) rangeError('file.windows', 'at least one window', file.windows);
  const ordered = {
    format: file.format,
    datasetRoot: file.datasetRoot,
    cutoffYear: file.cutoffYear,
    cutoffCode: file.cutoffCode,
    windows: file.windows.map((w) => ({
      circuit: w.circuit,
      profile: w.profile,
      artifacts: { zkey: { sha256: w.artifacts.zkey.sha256 }, vkey: { sha256: w.artifacts.vkey.sha256 } },
      publicSignals: w.publicSignals,
      proof: { pi_a: w.proof.pi_a, pi_b: w.proof.pi_b, pi_c: w.proof.pi_c, protocol: w.proof.protocol, curve: w.proof.curve },
    })),
  };
  return `${JSON.stringify(ordered, null, 2)}\n`;
}
