/**
 * A typed wrapper over the parts of snarkjs 0.7.x that Canopy uses, and the one place
 * that owns the lifetime of snarkjs's BN254 curve.
 *
 * Why a wrapper:
 * - snarkjs ships no types. The shapes below are read from its sources (`src/*.js`).
 * - Several snarkjs functions report failure by logging through `logger.error` and
 *   returning `-1` or `false` instead of throwing (`zkey_new.js`: "circuit too big for
 *   this power of tau ceremony"). Every wrapper captures the log and turns such a return
 *   into a `CanopyError` quoting snarkjs's own line.
 * - The curve: ffjavascript builds bn128 once per process with worker threads and caches
 *   it in `globalThis.curve_bn128` (`ffjavascript/src/bn128.js`); snarkjs never terminates
 *   it (its CLI calls `process.exit`). Live workers keep Node running, so a library that
 *   forgets the curve makes `canopy` hang after its work is done.
 *
 * Curve lifetime, stated as an invariant: every wrapper runs inside `withCurves`, which
 * counts holders; when the count returns to 0 the cached curve is terminated. Nested or
 * concurrent callers share one curve, and `withCurves(async () => { many proofs })`
 * keeps it alive across a batch. Each wrapper builds the curve through one shared promise
 * before snarkjs looks for it, so two concurrent first calls cannot each build (and leak)
 * their own; a batch that fails before any snarkjs call builds nothing.
 *
 * Encodings: field elements and coordinates are decimal strings, as snarkjs writes them;
 * hashes snarkjs reports (blake2b-512) are returned as 128 hex digits.
 * @module
 */
import { CanopyError } from '../../core/errors.ts';

/** A Groth16 proof over BN254 as snarkjs writes it: projective coordinates, decimal strings. */
export interface Groth16Proof {
  pi_a: string[];
  pi_b: string[][];
  pi_c: string[];
  protocol: 'groth16';
  curve: 'bn128';
}

/** A Groth16 verification key as `zkey export verificationkey` writes it. */
export interface VerificationKey {
  protocol: 'groth16';
  curve: 'bn128';
  nPublic: number;
  vk_alpha_1: string[];
  vk_beta_2: string[][];
  vk_gamma_2: string[][];
  vk_delta_2: string[][];
  vk_alphabeta_12: string[][][];
  IC: string[][];
}

/** A proof with its public signals, in the order snarkjs lists them. */
export interface ProofWithSignals {
  proof: Groth16Proof;
  publicSignals: string[];
}

/** What a snarkjs call logged, for reports and for error messages. */
export interface SnarkjsLog {
  lines: string[];
  errors: string[];
}

// snarkjs calls `log` too (progress of powersOfTau.newAccumulator every 100,000 points, so
// only from 2^17 up): a logger without it throws "logger.log is not a function" there.
interface Logger {
  log(msg: string): void;
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

interface Curve {
  terminate(): Promise<void>;
}

/** The subset of the snarkjs module used here, as its sources define it. */
interface SnarkjsModule {
  curves: { getCurveFromName(name: string, options?: { singleThread?: boolean }): Promise<Curve> };
  powersOfTau: {
    newAccumulator(curve: Curve, power: number, fileName: string, logger?: Logger): Promise<Uint8Array>;
    contribute(oldFile: string, newFile: string, name: string, entropy: string, logger?: Logger): Promise<Uint8Array>;
    beacon(oldFile: string, newFile: string, name: string, beaconHashHex: string, numIterationsExp: number, logger?: Logger): Promise<Uint8Array | false>;
    preparePhase2(oldFile: string, newFile: string, logger?: Logger): Promise<void>;
    verify(file: string, logger?: Logger): Promise<boolean>;
  };
  zKey: {
    newZKey(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<Uint8Array | -1>;
    contribute(oldZkey: string, newZkey: string, name: string, entropy: string, logger?: Logger): Promise<Uint8Array>;
    beacon(oldZkey: string, newZkey: string, name: string, beaconHashHex: string, numIterationsExp: number, logger?: Logger): Promise<Uint8Array | false>;
    verifyFromR1cs(r1cs: string, ptau: string, zkey: string, logger?: Logger): Promise<boolean>;
    exportVerificationKey(zkey: string, logger?: Logger): Promise<VerificationKey>;
  };
  groth16: {
    fullProve(input: unknown, wasm: string, zkey: string, logger?: Logger): Promise<{ proof: Groth16Proof; publicSignals: string[] }>;
  };
}

// A variable specifier keeps TypeScript from looking for snarkjs's (absent) types; the
// module is typed by `SnarkjsModule` instead.
const SNARKJS_SPECIFIER = 'snarkjs';
let snarkjsModule: Promise<SnarkjsModule> | undefined;

function loadSnarkjs(): Promise<SnarkjsModule> {
  snarkjsModule ??= import(SNARKJS_SPECIFIER) as Promise<SnarkjsModule>;
  return snarkjsModule;
}

declare global {
  // Set by ffjavascript's buildBn128 (multi-threaded builds only); null after terminate().
  // eslint-disable-next-line no-var
  var curve_bn128: Curve | null | undefined;
}

let holders = 0;
let building: Promise<Curve> | undefined;

async function sharedCurve(): Promise<Curve> {
  if (globalThis.curve_bn128) return globalThis.curve_bn128;
  building ??= loadSnarkjs()
    .then((s) => s.curves.getCurveFromName('bn128'))
    .finally(() => {
      building = undefined;
    });
  return building;
}

/**
 * Runs `fn` while holding snarkjs's shared BN254 curve; terminates the curve's worker
 * threads when the last holder returns. The curve is built lazily by the first snarkjs
 * call inside, so a batch that fails early builds nothing. Wrap a batch of proofs in
 * one call to build the curve once.
 * @throws whatever `fn` throws (the curve is released all the same)
 * @example const proofs = await withCurves(() => Promise.all(inputs.map((i) => proveGroth16('membership', 'test', i))));
 */
export async function withCurves<T>(fn: () => Promise<T>): Promise<T> {
  holders++;
  try {
    return await fn();
  } finally {
    holders--;
    if (holders === 0) await releaseCurves();
  }
}

/** Every snarkjs call goes through here: hold the curve, and build it once before snarkjs looks for it. */
function withCurve<T>(fn: (s: SnarkjsModule) => Promise<T>): Promise<T> {
  return withCurves(async () => {
    await sharedCurve();
    return fn(await loadSnarkjs());
  });
}

/**
 * Terminates the cached BN254 curve if no `withCurves` caller holds it. Every wrapper
 * here already releases the curve when done; call this only after using snarkjs or
 * ffjavascript directly, which leaves the curve running.
 * @throws never (a failed termination of a curve nobody uses is ignored)
 * @example await releaseCurves();
 */
export async function releaseCurves(): Promise<void> {
  if (holders > 0) return;
  if (building) await building.catch(() => undefined);
  const curve = globalThis.curve_bn128;
  if (curve) await curve.terminate();
}

/**
 * Number of `withCurves` holders; 0 means no snarkjs worker thread is kept alive by Canopy.
 * @example expect(curveHolders()).toBe(0); // after every call has returned
 */
export function curveHolders(): number {
  return holders;
}

function captureLog(onLine?: (line: string) => void): { logger: Logger; log: SnarkjsLog } {
  const log: SnarkjsLog = { lines: [], errors: [] };
  const add = (level: string) => (msg: string) => {
    const line = `${level}: ${String(msg)}`;
    log.lines.push(line);
    if (level === 'error') log.errors.push(String(msg));
    onLine?.(line);
  };
  return { logger: { log: add('info'), debug: add('debug'), info: add('info'), warn: add('warn'), error: add('error') }, log };
}

function failed(what: string, log: SnarkjsLog): CanopyError {
  return new CanopyError('SETUP_FAILED', `snarkjs ${what} failed: ${log.errors.join('; ') || 'no reason given'}`);
}

/**
 * Lower-case hex of a snarkjs hash (64 bytes of blake2b-512), the digits snarkjs prints in
 * four rows of four words.
 * @example hashHex(new Uint8Array([0xab, 0x01])) // 'ab01'
 */
export function hashHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * `snarkjs powersoftau new bn128 POWER FILE`: a fresh accumulator with no contribution.
 * Such a file proves nothing until someone contributes; Canopy refuses it for keys.
 * @returns the first challenge hash, hex
 * @throws {CanopyError} SETUP_FAILED
 * @example await ptauNew(12, '/tmp/pot_0000.ptau');
 */
export async function ptauNew(power: number, file: string): Promise<string> {
  return withCurve(async (s) => {
    const { logger } = captureLog();
    return hashHex(await s.powersOfTau.newAccumulator(await sharedCurve(), power, file, logger));
  });
}

/**
 * `snarkjs powersoftau contribute`. snarkjs mixes 64 bytes of its own randomness into
 * `entropy` (`misc.getRandomRng`), so the contribution is secret even if `entropy` leaks.
 * @returns the contribution (response) hash, hex, as snarkjs prints it
 * @throws {CanopyError} SETUP_FAILED
 * @example await ptauContribute('pot_0000.ptau', 'pot_0001.ptau', 'first', randomBytes(64).toString('hex'));
 */
export async function ptauContribute(oldFile: string, newFile: string, name: string, entropy: string): Promise<string> {
  return withCurve(async (s) => {
    const { logger, log } = captureLog();
    const h = await s.powersOfTau.contribute(oldFile, newFile, name, entropy, logger);
    if (!(h instanceof Uint8Array)) throw failed('powersoftau contribute', log);
    return hashHex(h);
  });
}

/**
 * `snarkjs powersoftau beacon`: a contribution derived from a public value, iterated
 * 2^iterationsExp times (10..63).
 * @returns the contribution (response) hash, hex
 * @throws {CanopyError} SETUP_FAILED quoting snarkjs (bad hex, iterations out of range)
 * @example await ptauBeacon('pot_0002.ptau', 'pot_beacon.ptau', 'final beacon', 'ab'.repeat(32), 10);
 */
export async function ptauBeacon(oldFile: string, newFile: string, name: string, beaconHashHex: string, iterationsExp: number): Promise<string> {
  return withCurve(async (s) => {
    const { logger, log } = captureLog();
    const h = await s.powersOfTau.beacon(oldFile, newFile, name, beaconHashHex, iterationsExp, logger);
    if (!(h instanceof Uint8Array)) throw failed('powersoftau beacon', log);
    return hashHex(h);
  });
}

/**
 * `snarkjs powersoftau prepare phase2`: adds the Lagrange-basis sections Groth16 keys
 * are made from. The slow step: about 150 s at 2^12, 77 min at 2^17 (2 cores).
 * @throws {CanopyError} SETUP_FAILED
 * @example await ptauPreparePhase2('pot_beacon.ptau', 'pot_final.ptau');
 */
export async function ptauPreparePhase2(oldFile: string, newFile: string): Promise<void> {
  return withCurve(async (s) => {
    const { logger, log } = captureLog();
    await s.powersOfTau.preparePhase2(oldFile, newFile, logger);
    if (log.errors.length) throw failed('powersoftau prepare phase2', log);
  });
}

/**
 * `snarkjs powersoftau verify`: checks every contribution and, when prepared, the
 * Lagrange sections. Rejects a file with no contribution.
 * @returns whether the file verifies, and everything snarkjs logged (contribution names and hashes)
 * @throws {Error} when the file cannot be read or parsed at all
 * @example const { ok, log } = await ptauVerifyRaw('pot.ptau');
 */
export async function ptauVerifyRaw(file: string, onLine?: (line: string) => void): Promise<{ ok: boolean; log: SnarkjsLog }> {
  return withCurve(async (s) => {
    const { logger, log } = captureLog(onLine);
    const ok = await s.powersOfTau.verify(file, logger);
    return { ok: ok === true, log };
  });
}

/**
 * `snarkjs groth16 setup` (`zKey.newZKey`): the circuit-specific key, with no phase-2
 * contribution yet.
 * @returns the circuit hash, hex
 * @throws {CanopyError} SETUP_FAILED quoting snarkjs ("circuit too big for this power of tau ceremony", "Powers of tau is not prepared")
 * @example await zkeyNew('membership.r1cs', 'pot.ptau', 'membership_0000.zkey');
 */
export async function zkeyNew(r1csFile: string, ptauFile: string, zkeyFile: string): Promise<string> {
  return withCurve(async (s) => {
    const { logger, log } = captureLog();
    const h = await s.zKey.newZKey(r1csFile, ptauFile, zkeyFile, logger);
    if (!(h instanceof Uint8Array)) throw failed('zkey new', log);
    return hashHex(h);
  });
}

/**
 * `snarkjs zkey contribute`; entropy is mixed with snarkjs's own randomness.
 * @returns the contribution hash, hex
 * @throws {CanopyError} SETUP_FAILED
 * @example await zkeyContribute('c_0000.zkey', 'c_0001.zkey', 'canopy setup', randomBytes(64).toString('hex'));
 */
export async function zkeyContribute(oldFile: string, newFile: string, name: string, entropy: string): Promise<string> {
  return withCurve(async (s) => {
    const { logger, log } = captureLog();
    const h = await s.zKey.contribute(oldFile, newFile, name, entropy, logger);
    if (!(h instanceof Uint8Array)) throw failed('zkey contribute', log);
    return hashHex(h);
  });
}

/**
 * `snarkjs zkey beacon`.
 * @returns the contribution hash, hex
 * @throws {CanopyError} SETUP_FAILED
 * @example await zkeyBeacon('c_0001.zkey', 'c_final.zkey', 'beacon', 'ab'.repeat(32), 10);
 */
export async function zkeyBeacon(oldFile: string, newFile: string, name: string, beaconHashHex: string, iterationsExp: number): Promise<string> {
  return withCurve(async (s) => {
    const { logger, log } = captureLog();
    const h = await s.zKey.beacon(oldFile, newFile, name, beaconHashHex, iterationsExp, logger);
    if (!(h instanceof Uint8Array)) throw failed('zkey beacon', log);
    return hashHex(h);
  });
}

/**
 * `snarkjs zkey verify`: recomputes the key from the r1cs and ptau and checks every
 * contribution in the zkey.
 * @returns whether it verifies, and snarkjs's log (contribution hashes)
 * @throws {Error} when a file cannot be read
 * @example const { ok } = await zkeyVerifyFromR1cs('c.r1cs', 'pot.ptau', 'c.zkey');
 */
export async function zkeyVerifyFromR1cs(r1csFile: string, ptauFile: string, zkeyFile: string): Promise<{ ok: boolean; log: SnarkjsLog }> {
  return withCurve(async (s) => {
    const { logger, log } = captureLog();
    const ok = await s.zKey.verifyFromR1cs(r1csFile, ptauFile, zkeyFile, logger);
    return { ok: ok === true, log };
  });
}

/**
 * `snarkjs zkey export verificationkey`, as plain JSON.
 * @throws {Error} when the zkey cannot be read or is not Groth16
 * @example const vkey = await zkeyExportVerificationKey('c.zkey');
 */
export async function zkeyExportVerificationKey(zkeyFile: string): Promise<VerificationKey> {
  return withCurve(async (s) => {
    const vkey = await s.zKey.exportVerificationKey(zkeyFile);
    return JSON.parse(JSON.stringify(vkey)) as VerificationKey;
  });
}

/**
 * `snarkjs groth16 fullprove`: witness from the circuit's wasm, then a proof.
 * @returns plain JSON (decimal strings)
 * @throws {Error} from the witness calculator when an input is missing or a constraint fails
 * @example const { proof, publicSignals } = await groth16FullProve({ root: '1' }, 'c.wasm', 'c.zkey');
 */
export async function groth16FullProve(input: unknown, wasmFile: string, zkeyFile: string): Promise<ProofWithSignals> {
  return withCurve(async (s) => {
    const r = await s.groth16.fullProve(input, wasmFile, zkeyFile);
    return JSON.parse(JSON.stringify({ proof: r.proof, publicSignals: r.publicSignals })) as ProofWithSignals;
  });
}
