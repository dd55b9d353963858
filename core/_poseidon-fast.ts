/**
 * The fast path of `poseidon`: circomlib's Poseidon(n) computed by the WebAssembly module
 * of `_poseidon-wasm.ts`, running the schedule of `_poseidon-opt.ts` with constants
 * derived from the plain parameters (`_poseidon-params.ts`).
 *
 * The module (about 20 KB) is generated on first use (~30 ms) and compiled
 * synchronously; each width's constants are derived on its first use (35–200 ms, more
 * for wider states: Grain LFSR, derivation, conversion) and written into the module's
 * memory, which is sized for all widths up front and never grows, so the typed-array
 * views below stay valid.
 *
 * Encodings across the boundary: inputs and the output are 4 little-endian u64 words per
 * field element (via a BigUint64Array, which truncates each assignment mod 2^64), at
 * `LAYOUT.input` and `LAYOUT.output`; constants are elements as `toElementWords` lays
 * them out, in Montgomery form (x·2^261 mod p).
 *
 * Each JS realm (the main thread, each worker) has its own shared instance, and calls
 * are synchronous, so two hashes never interleave in one instance's memory.
 * @module
 */
import { bug } from './errors.ts';
import { deriveSchedule, type PoseidonSchedule } from './_poseidon-opt.ts';
import { plainParams } from './_poseidon-params.ts';
import {
  ELEMENT_BYTES,
  generatePoseidonWasm,
  LAYOUT,
  LIMB_BITS,
  LIMBS,
  MAX_SEQUENCE,
  MAX_WIDTH,
  toElementWords,
  type PoseidonWasmExports,
} from './_poseidon-wasm.ts';
import { BN254_R, ROUNDS_FULL, ROUNDS_PARTIAL } from './poseidon-bn254.ts';

/** Montgomery radix R = 2^261 of the module's 9 × 29-bit limbs. */
const MONT_R = 1n << BigInt(LIMBS * LIMB_BITS);

/**
 * Addresses of one width's constants in the module's memory, as `hash` reads them
 * (elements of ELEMENT_BYTES unless noted):
 *   initial    t
 *   full       RF − 1 rounds, each t rows of t − 1 (column xIndex left out), then t constants
 *   xIndexes   RF − 1 little-endian u32 words
 *   partial    RP rounds, each [c, α₀..αₙ₋₁, β₀..βₙ₋₁]
 *   finish     n rows of n − 1
 *   last       t
 */
interface WidthConstants {
  readonly t: number;
  readonly partialRounds: number;
  readonly initial: number;
  readonly full: number;
  readonly xIndexes: number;
  readonly partial: number;
  readonly finish: number;
  readonly last: number;
  ready: boolean;
}

const schedules = new Map<number, PoseidonSchedule>();

// Lays out every width's constants one after another.
function layoutWidths(): { widths: WidthConstants[]; end: number } {
  const widths: WidthConstants[] = [];
  let at = LAYOUT.constants;
  const take = (elements: number) => {
    const start = at;
    at += elements * ELEMENT_BYTES;
    return start;
  };
  for (let t = 2; t <= MAX_WIDTH; t++) {
    const rp = ROUNDS_PARTIAL[t - 2]!;
    const n = t - 1;
    // Invariant: the sequence area holds the n + RP elements σ after Y.
    if (n + rp > MAX_SEQUENCE) bug('layoutWidths', `t=${t} RP=${rp}`);
    widths[t] = {
      t,
      partialRounds: rp,
      initial: take(t),
      full: take((ROUNDS_FULL - 1) * t * t),
      xIndexes: take(Math.ceil((4 * (ROUNDS_FULL - 1)) / ELEMENT_BYTES)),
      partial: take(rp * (2 * n + 1)),
      finish: take(n * (n - 1)),
      last: take(t),
      ready: false,
    };
  }
  return { widths, end: at };
}

/** Generates module bytes for a prime and a memory size in 64 KiB pages. */
export type PoseidonModuleGenerator = (p: bigint, memoryPages: number) => Uint8Array<ArrayBuffer>;

// Writes field elements in Montgomery form (x·R mod p) from `address` on.
function writeElements(words: Uint32Array, address: number, values: readonly bigint[]): void {
  values.forEach((x, i) => words.set(toElementWords((x * MONT_R) % BN254_R), (address + i * ELEMENT_BYTES) / 4));
}

// Derives width t's schedule once per process, then writes it into one instance's memory.
function writeSchedule(words: Uint32Array, w: WidthConstants): void {
  let s = schedules.get(w.t);
  if (!s) {
    s = deriveSchedule(plainParams(w.t));
    schedules.set(w.t, s);
  }
  if (s.partial.length !== w.partialRounds || s.full.length !== ROUNDS_FULL - 1) bug('writeSchedule', 'round counts');
  writeElements(words, w.initial, s.initial);
  writeElements(
    words,
    w.full,
    s.full.flatMap((round) => [...round.matrix.flatMap((row) => row.filter((_, i) => i !== round.xIndex)), ...round.constants]),
  );
  words.set(s.full.map((round) => round.xIndex), w.xIndexes / 4);
  writeElements(words, w.partial, s.partial.flatMap((round) => [round.constant, ...round.alpha, ...round.beta]));
  writeElements(words, w.finish, s.finish.flat());
  writeElements(words, w.last, s.last);
  w.ready = true;
}

/**
 * A new, independent instance of the fast path (its own module instance and memory):
 * a function computing circomlib Poseidon(inputs.length) with no input validation. The
 * caller must pass 1..16 bigints in [0, p): an input in [p, 2^256) would be hashed
 * unreduced and one ≥ 2^256 truncated, both silently, so no instance may be exported
 * beyond the core. `poseidonUnchecked` shares
 * one instance; tests make fresh ones, and benchmarks compare module generators.
 * @param generate - the module generator (default: `generatePoseidonWasm`)
 * @throws {Error} "canopy: bad math" if the constant layout does not fit (a bug)
 * @example createPoseidonFast()([1n, 2n]) // 7853200120776062878684798364095072458815029376092732009249414926327459813530n
 */
export function createPoseidonFast(generate: PoseidonModuleGenerator = generatePoseidonWasm): (inputs: readonly bigint[]) => bigint {
  const { widths, end } = layoutWidths();
  const module = new WebAssembly.Module(generate(BN254_R, Math.ceil(end / 65536)));
  const exports = new WebAssembly.Instance(module).exports as unknown as PoseidonWasmExports;
  // The memory never grows, so these views stay valid.
  const words = new Uint32Array(exports.memory.buffer);
  const io = new BigUint64Array(exports.memory.buffer);
  // R² mod p in plain limbs: REDC(x·R²) = x·R turns an input into Montgomery form.
  words.set(toElementWords((MONT_R * MONT_R) % BN254_R), LAYOUT.r2 / 4);
  const IN = LAYOUT.input / 8;
  const OUT = LAYOUT.output / 8;
  return (inputs) => {
    const t = inputs.length + 1;
    const w = widths[t];
    if (!w) bug('createPoseidonFast', `${inputs.length} inputs`);
    if (!w.ready) writeSchedule(words, w);
    for (let i = 0, o = IN; i < inputs.length; i++, o += 4) {
      const x = inputs[i]!;
      io[o] = x;
      io[o + 1] = x >> 64n;
      io[o + 2] = x >> 128n;
      io[o + 3] = x >> 192n;
    }
    exports.hash(t, w.partialRounds, w.initial, w.full, w.xIndexes, w.partial, w.finish, w.last);
    return io[OUT]! | (io[OUT + 1]! << 64n) | (io[OUT + 2]! << 128n) | (io[OUT + 3]! << 192n);
  };
}

let shared: ((inputs: readonly bigint[]) => bigint) | undefined;

/**
 * circomlib Poseidon(inputs.length) on the shared instance, without input validation:
 * the caller (`poseidon`) has checked 1..16 inputs, each a bigint in [0, p).
 * @example poseidonUnchecked([1n, 2n]) // 7853200120776062878684798364095072458815029376092732009249414926327459813530n
 */
export function poseidonUnchecked(inputs: readonly bigint[]): bigint {
  shared ??= createPoseidonFast();
  return shared(inputs);
}
