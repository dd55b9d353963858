/**
 * Poseidon throughput, single thread, in one run: Canopy's `poseidon` (WebAssembly fast
 * path) against circomlibjs' `buildPoseidon` (its WebAssembly) and the @noble/curves
 * reference permutation (`poseidonReference`), for 2, 3 and 12 inputs.
 *
 * Method: each case hashes a pool of 256 deterministic random input vectors, cycled.
 * Before timing, the three implementations must agree on the whole pool, so the figures
 * compare the same function. Time is CPU time of this process (user + system), so the
 * figures are per core: on a shared machine the scheduler takes the core away at
 * random, which wall time would count. Ours and circomlibjs are timed in `ROUNDS`
 * alternating rounds of `BATCH` hashes each; the speed-up is the median over rounds of
 * the per-round ratio, which is robust to the machine's load changing during the run
 * (both sides of a round see the same load), and hashes/s are totals over all rounds.
 * The reference, 10–30 times slower, is timed once over `HASHES_REFERENCE` hashes.
 *
 * circomlibjs returns its output as 32 bytes in Montgomery form. It is timed both as a
 * caller who needs the bigint uses it (`F.toObject(poseidon(x))`, the same work as ours:
 * `speedup`) and raw, without that conversion (`speedupRaw`, the stricter figure).
 * @module
 */
import { buildPoseidon } from 'circomlibjs';
import { poseidon, poseidonReference } from '../../core/poseidon.ts';
import { machineInfo } from './_machine.ts';

/** Alternating timed rounds per case, and hashes per round: 40 × 100 = 4000 hashes each. */
const ROUNDS = 40;
const BATCH = 100;
/** CPU seconds each implementation runs untimed before a case. */
const WARM_UP_SECONDS = 0.4;
/** Hashes timed for the reference: at least 2000 per case, like the others. */
const HASHES_REFERENCE = 2000;
const R = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

// xorshift64* words assembled into 256-bit values, reduced mod r: deterministic inputs.
function randomVectors(seed: bigint, count: number, width: number): bigint[][] {
  let s = seed;
  const next = () => {
    s ^= s >> 12n;
    s ^= (s << 25n) & 0xffffffffffffffffn;
    s ^= s >> 27n;
    return (s * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
  };
  const element = () => ((next() << 192n) | (next() << 128n) | (next() << 64n) | next()) % R;
  return Array.from({ length: count }, () => Array.from({ length: width }, element));
}

/**
 * CPU seconds (user + system of this process) to run `hash` over `count` inputs cycled
 * from `pool`. CPU time rather than wall time: on a shared machine the scheduler takes
 * the core away at random, which wall time would count; this is per-core throughput.
 */
function time(hash: (inputs: bigint[]) => unknown, pool: bigint[][], count: number): number {
  let sink: unknown;
  const start = process.cpuUsage();
  for (let i = 0; i < count; i++) sink = hash(pool[i & (pool.length - 1)]!);
  const used = process.cpuUsage(start);
  if (sink === undefined) throw new Error('benchmark produced no output');
  return (used.user + used.system) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;
const round = (x: number, digits = 0) => Number(x.toFixed(digits));

/**
 * Measures hashes/s of ours, circomlibjs and the reference for 2, 3 and 12 inputs.
 * @returns machine description, per-case figures and the ratios ours/circomlibjs
 * @throws {Error} if the implementations disagree on any benchmark input
 * @example const { cases } = await benchPoseidon();
 */
export async function benchPoseidon(): Promise<Record<string, unknown>> {
  const circomlib = await buildPoseidon();
  const implementations = {
    ours: (x: bigint[]) => poseidon(x),
    circomlibjs: (x: bigint[]) => circomlib.F.toObject(circomlib(x)),
    circomlibjsRaw: (x: bigint[]) => circomlib(x),
  };
  const cases: Record<string, number>[] = [];
  for (const width of [2, 3, 12]) {
    const pool = randomVectors(BigInt(width) * 7919n + 1n, 256, width);
    for (const x of pool) {
      const [a, b, c] = [poseidon(x), circomlib.F.toObject(circomlib(x)), poseidonReference(x)];
      if (a !== b || a !== c) throw new Error(`width ${width}: poseidon(${x.join(', ')}) = ${a}, circomlibjs ${b}, reference ${c}`);
    }
    // Warm-up by CPU time, not by count: V8 first runs WebAssembly from its baseline
    // compiler and swaps in optimised code compiled on a background thread, which on a
    // busy machine can take a while; a count that is enough when idle is not then.
    for (const hash of Object.values(implementations)) {
      for (let spent = 0; spent < WARM_UP_SECONDS; ) spent += time(hash, pool, BATCH);
    }
    const seconds: Record<keyof typeof implementations, number[]> = { ours: [], circomlibjs: [], circomlibjsRaw: [] };
    const names = Object.keys(implementations) as (keyof typeof implementations)[];
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate the order so neither side always runs right after the other.
      for (const name of r % 2 ? [...names].reverse() : names) seconds[name].push(time(implementations[name], pool, BATCH));
    }
    const referenceSeconds = time(poseidonReference, pool, HASHES_REFERENCE);
    const total = (name: keyof typeof implementations) => seconds[name].reduce((a, b) => a + b, 0);
    const rate = (name: keyof typeof implementations) => (ROUNDS * BATCH) / total(name);
    const ratios = (name: keyof typeof implementations) => seconds[name].map((s, r) => s / seconds.ours[r]!);
    cases.push({
      inputs: width,
      oursHashesPerSec: round(rate('ours')),
      circomlibjsHashesPerSec: round(rate('circomlibjs')),
      circomlibjsRawHashesPerSec: round(rate('circomlibjsRaw')),
      referenceHashesPerSec: round(HASHES_REFERENCE / referenceSeconds),
      speedup: round(median(ratios('circomlibjs')), 2),
      speedupRaw: round(median(ratios('circomlibjsRaw')), 2),
      speedupRawQ1: round(quantile(ratios('circomlibjsRaw'), 0.25), 2),
      speedupRawQ3: round(quantile(ratios('circomlibjsRaw'), 0.75), 2),
      speedupVsReference: round(rate('ours') / (HASHES_REFERENCE / referenceSeconds), 1),
      oursMicrosecondsPerHash: round(1e6 / rate('ours'), 1),
    });
  }
  return {
    machine: machineInfo(),
    method: `single thread, CPU time; ${ROUNDS} alternating rounds of ${BATCH} hashes for ours and circomlibjs; speedup = median over rounds of circomlibjs time / ours (bigint in, bigint out, like ours), speedupRaw the same against circomlibjs without converting its output (quartiles Q1, Q3); hashes/s over all rounds; ${HASHES_REFERENCE} hashes for the reference; inputs cycled from 256 random vectors checked equal across all three first`,
    minSpeedup: Math.min(...cases.map((c) => c.speedup!)),
    minSpeedupRaw: Math.min(...cases.map((c) => c.speedupRaw!)),
    caveat: 'figures from a shared machine running other work; the load average above says how busy it was',
    cases,
  };
}
