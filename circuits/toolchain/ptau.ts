/**
 * Powers of tau (phase 1 of the Groth16 setup): the bundled file, reading and verifying
 * a `.ptau`, the power a circuit needs, and a local ceremony.
 *
 * ptau file format (snarkjs `powersoftau_*.js`, `@iden3/binfileutils`), all little-endian:
 *
 *     "ptau" | version u32 (= 1) | nSections u32 | nSections × (type u32 | size u64 | data)
 *     section 1, header:        n8 u32 | q (n8 bytes) | power u32 | ceremonyPower u32
 *     section 7, contributions: count u32 | count × contribution
 *       contribution: tauG1 64 | tauG2 128 | alphaG1 64 | betaG1 64 | betaG2 128 |
 *                     public key 768 | partial hash 216 | next challenge 64 | type u32 |
 *                     paramsLength u32 | params (1: name, 2: iterations exp, 3: beacon hash)
 *     section 12..15: Lagrange bases, present only once "prepare phase2" ran
 *
 * `inspectPtau` reads only these small sections, so it is instant on a 1 GB file; the
 * full cryptographic check is `verifyPtau` (snarkjs `powersoftau verify`): 22 s for the
 * bundled 2^14 file here, growing about twofold per power.
 *
 * Trust: a ptau is sound if one contributor discarded their secret. The bundled file had
 * two contributions made on one machine: it is for tests and the demo only. Production
 * keys need a file from a public multi-party ceremony (e.g. the Hermez/Polygon
 * `powersOfTau28_hez_final_NN.ptau`) or, failing that, a local ceremony, which is only
 * as trustworthy as the machine it ran on.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { assertInteger, assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { PROJECT_ROOT } from './project-root.ts';
import { sha256File, timeStep, type OnProgress } from './_steps.ts';
import { ptauBeacon, ptauContribute, ptauNew, ptauPreparePhase2, ptauVerifyRaw, withCurves } from './snarkjs.ts';

/** Power of the bundled file: circuits of up to 2^14 − 1 constraints plus public signals. */
export const BUNDLED_PTAU_POWER = 14;
/** The bundled powers of tau, made by circuits/ptau/ceremony.sh. NOT FOR PRODUCTION. */
export const BUNDLED_PTAU = resolve(PROJECT_ROOT, 'circuits', 'ptau', `canopy_pot${BUNDLED_PTAU_POWER}_not_for_production.ptau`);
/**
 * SHA-256 of the bundled file, as circuits/ptau/README.md records it. Setup refuses a
 * bundled file with another hash (corrupted or swapped), and a test re-verifies the file.
 */
export const BUNDLED_PTAU_SHA256 = '21a825b7ec01d1ef8e3b7c1a3911ddf4f8a4ddb027144e609d9a37e3a1035d62';
/** Its transcript: contributions, beacon, hashes, as the ceremony printed them. */
export const BUNDLED_PTAU_TRANSCRIPT = BUNDLED_PTAU.replace(/\.ptau$/, '.transcript.txt');
/** Largest power snarkjs supports for bn128 (and the largest public Hermez file). */
export const MAX_PTAU_POWER = 28;
/** BN254 base field modulus q, the curve id in a ptau header. */
const BN254_Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;
/** Bytes of a contribution before its parameter block (bn128 point sizes; see the module doc). */
const CONTRIBUTION_FIXED_BYTES = 64 + 128 + 64 + 64 + 128 + 768 + 216 + 64 + 4;

/** One contribution as recorded in a ptau file. */
export interface PtauContribution {
  /** 1-based position in the chain. */
  id: number;
  name: string;
  /** The challenge hash that follows this contribution (blake2b-512, hex), as snarkjs prints it. */
  nextChallenge: string;
  /** Set for a beacon contribution: the public beacon value and log2 of its iterations. */
  beacon?: { hash: string; iterationsExp: number };
}

/** What the header sections of a ptau file say. */
export interface PtauInfo {
  path: string;
  bytes: number;
  /** Power the file holds (after truncation): circuits up to 2^power − 1 constraints + public signals. */
  power: number;
  /** Power of the ceremony the file came from. */
  ceremonyPower: number;
  /** Whether "prepare phase2" ran (the Lagrange sections Groth16 needs are present). */
  preparedPhase2: boolean;
  contributions: PtauContribution[];
}

/**
 * Reads the header and contribution list of a ptau file, without checking any point.
 *
 * Strict: rejects a wrong magic or version, a section that runs past the end of the
 * file, a header of the wrong size, a curve other than BN254, and a contribution
 * section whose length does not match its contents. The file is attacker-controlled.
 * @throws {CanopyError} NOT_FOUND when the file does not exist; PTAU_INVALID naming the file and the defect
 * @example const { power, contributions } = inspectPtau(BUNDLED_PTAU);
 */
export function inspectPtau(file: string): PtauInfo {
  assertString(file, 'ptau file', 4096);
  const path = resolve(file);
  if (!existsSync(path)) throw new CanopyError('NOT_FOUND', `ptau file ${path} does not exist`);
  const fd = openSync(path, 'r');
  try {
    return parsePtau(fd, path);
  } finally {
    closeSync(fd);
  }
}

function parsePtau(fd: number, path: string): PtauInfo {
  const size = fstatSync(fd).size;
  const bad = (why: string): never => {
    throw new CanopyError('PTAU_INVALID', `${path} is not a usable ptau file: ${why}`);
  };
  const read = (pos: number, len: number): Buffer => {
    if (pos + len > size) bad(`truncated (needs byte ${pos + len}, file has ${size})`);
    const b = Buffer.alloc(len);
    if (readSync(fd, b, 0, len, pos) !== len) bad('short read');
    return b;
  };
  const head = read(0, 12);
  if (head.toString('latin1', 0, 4) !== 'ptau') bad('wrong magic (expected "ptau")');
  if (head.readUInt32LE(4) !== 1) bad(`version ${head.readUInt32LE(4)}, expected 1`);
  const nSections = head.readUInt32LE(8);
  if (nSections > 64) bad(`${nSections} sections`);
  const sections = new Map<number, { pos: number; size: number }>();
  let pos = 12;
  for (let i = 0; i < nSections; i++) {
    const h = read(pos, 12);
    const type = h.readUInt32LE(0);
    const len = h.readBigUInt64LE(4);
    // Invariant: every section lies inside the file, so later reads cannot run past it.
    if (len > BigInt(size - pos - 12)) bad(`section ${type} runs past the end of the file`);
    if (sections.has(type)) bad(`section ${type} appears twice`);
    sections.set(type, { pos: pos + 12, size: Number(len) });
    pos += 12 + Number(len);
  }
  const header = sections.get(1) ?? bad('no header section');
  const n8 = read(header.pos, 4).readUInt32LE(0);
  if (n8 !== 32) bad(`field size ${n8} bytes; only BN254 (32) is supported`);
  if (header.size !== 4 + n8 + 8) bad(`header of ${header.size} bytes, expected ${4 + n8 + 8}`);
  const h = read(header.pos + 4, n8 + 8);
  const q = BigInt(`0x${Buffer.from(h.subarray(0, n8)).reverse().toString('hex')}`);
  if (q !== BN254_Q) bad('curve is not BN254 (bn128)');
  const power = h.readUInt32LE(n8);
  const ceremonyPower = h.readUInt32LE(n8 + 4);
  if (power < 1 || power > MAX_PTAU_POWER || ceremonyPower < power || ceremonyPower > MAX_PTAU_POWER) {
    bad(`power ${power} of a ceremony of power ${ceremonyPower}`);
  }
  const contribSection = sections.get(7) ?? bad('no contributions section');
  const contributions = parseContributions(read(contribSection.pos, contribSection.size), bad);
  return { path, bytes: size, power, ceremonyPower, preparedPhase2: sections.has(12), contributions };
}

function parseContributions(b: Buffer, bad: (why: string) => never): PtauContribution[] {
  if (b.length < 4) bad('contributions section shorter than its count');
  const count = b.readUInt32LE(0);
  const out: PtauContribution[] = [];
  let p = 4;
  for (let i = 0; i < count; i++) {
    if (p + CONTRIBUTION_FIXED_BYTES + 4 > b.length) bad(`contribution ${i + 1} is truncated`);
    const nextChallenge = b.subarray(p + CONTRIBUTION_FIXED_BYTES - 4 - 64, p + CONTRIBUTION_FIXED_BYTES - 4).toString('hex');
    const paramsLength = b.readUInt32LE(p + CONTRIBUTION_FIXED_BYTES);
    const start = p + CONTRIBUTION_FIXED_BYTES + 4;
    const end = start + paramsLength;
    if (end > b.length) bad(`contribution ${i + 1} parameters are truncated`);
    const c: PtauContribution = { id: i + 1, name: '', nextChallenge };
    let q = start;
    let lastType = 0;
    let iterationsExp: number | undefined;
    let beaconHash: string | undefined;
    // Parameters are (type u8, value) pairs in strictly increasing type order, as snarkjs writes them.
    while (q < end) {
      const type = b[q]!;
      if (type <= lastType) bad(`contribution ${i + 1} parameters out of order`);
      lastType = type;
      if (type === 1 || type === 3) {
        const len = b[q + 1] ?? bad(`contribution ${i + 1} parameter truncated`);
        if (q + 2 + len > end) bad(`contribution ${i + 1} parameter truncated`);
        const value = b.subarray(q + 2, q + 2 + len);
        if (type === 1) c.name = value.toString('utf8');
        else beaconHash = value.toString('hex');
        q += 2 + len;
      } else if (type === 2) {
        iterationsExp = b[q + 1] ?? bad(`contribution ${i + 1} parameter truncated`);
        q += 2;
      } else {
        bad(`contribution ${i + 1} has unknown parameter type ${type}`);
      }
    }
    if (q !== end) bad(`contribution ${i + 1} parameters overrun their length`);
    if (beaconHash !== undefined) c.beacon = { hash: beaconHash, iterationsExp: iterationsExp ?? 0 };
    out.push(c);
    p = end;
  }
  if (p !== b.length) bad('contributions section longer than its contents');
  return out;
}

/**
 * Smallest ptau power snarkjs accepts for a circuit. snarkjs (`zkey_new.js`) needs
 * `2^power > constraints + publicSignals` (the domain also holds one constraint per
 * public signal and the constant wire), that is `2^power ≥ constraints + publicSignals + 1`,
 * and never less than power 1.
 * @param constraints total constraints of the r1cs (linear and non-linear)
 * @param publicSignals public outputs plus public inputs
 * @throws {TypeError|RangeError} for a negative or non-integer count, or a circuit beyond 2^28
 * @example ptauPowerFor(1000, 2) // 10, since 2^10 = 1024 ≥ 1003
 */
export function ptauPowerFor(constraints: number, publicSignals: number): number {
  assertInteger(constraints, 'constraints', 0, 2 ** MAX_PTAU_POWER);
  assertInteger(publicSignals, 'publicSignals', 0, 2 ** MAX_PTAU_POWER);
  const needed = constraints + publicSignals + 1;
  let power = 1;
  while (2 ** power < needed) power++;
  if (power > MAX_PTAU_POWER) {
    throw new RangeError(`"constraints" expected a circuit that fits 2^${MAX_PTAU_POWER}, got ${constraints} constraints + ${publicSignals} public signals`);
  }
  return power;
}

/**
 * Where to get a ptau of a given power, for error messages. Public Hermez files start at
 * power 8.
 * @example ptauAdvice(11) // 'use a public ceremony file of power ≥ 11 (e.g. powersOfTau28_hez_final_11.ptau, …'
 */
export function ptauAdvice(power: number): string {
  const p = Math.max(power, 8);
  return (
    `use a public ceremony file of power ≥ ${power} (e.g. powersOfTau28_hez_final_${String(p).padStart(2, '0')}.ptau, ` +
    `published by the Polygon Hermez ceremony) with --ptau FILE, or make one with \`canopy ptau ceremony --power ${power} --out FILE\``
  );
}

/**
 * Checks that a ptau can key a circuit: it has at least one contribution, it was
 * prepared for phase 2, and its power covers the circuit.
 * @throws {CanopyError} PTAU_INVALID naming the file, the power needed and where to get a file
 * @example assertPtauFits(inspectPtau(file), 'membership (test)', 1200, 2);
 */
export function assertPtauFits(info: PtauInfo, what: string, constraints: number, publicSignals: number): void {
  const needed = ptauPowerFor(constraints, publicSignals);
  if (info.contributions.length === 0) {
    throw new CanopyError('PTAU_INVALID', `${info.path} has no contribution: anyone could forge proofs with keys made from it`);
  }
  if (!info.preparedPhase2) {
    throw new CanopyError('PTAU_INVALID', `${info.path} is not prepared for phase 2: run \`snarkjs powersoftau prepare phase2\` on it, or ${ptauAdvice(needed)}`);
  }
  if (info.power < needed) {
    throw new CanopyError(
      'PTAU_INVALID',
      `${what} has ${constraints} constraints and ${publicSignals} public signals and needs a ptau of power ${needed}; ${info.path} has power ${info.power}: ${ptauAdvice(needed)}`,
    );
  }
}

/** The outcome of `verifyPtau`. */
export interface PtauReport extends PtauInfo {
  sha256: string;
  /** snarkjs's verification log (contribution hashes, "Powers of Tau Ok!"). */
  log: string[];
  seconds: number;
}

/**
 * Fully verifies a ptau file with snarkjs: every contribution, the powers, and the
 * Lagrange sections when prepared. 22 s at 2^14 on two shared cores, about ×2 per power.
 * @throws {CanopyError} NOT_FOUND; PTAU_INVALID with snarkjs's reason (including "no contribution")
 * @example const report = await verifyPtau(BUNDLED_PTAU);
 */
export async function verifyPtau(file: string, onLine?: (line: string) => void): Promise<PtauReport> {
  const info = inspectPtau(file);
  const t0 = performance.now();
  const { ok, log } = await ptauVerifyRaw(info.path, onLine);
  if (!ok) throw new CanopyError('PTAU_INVALID', `${info.path} does not verify: ${log.errors.join('; ') || 'snarkjs gave no reason'}`);
  return { ...info, sha256: await sha256File(info.path), log: log.lines, seconds: (performance.now() - t0) / 1000 };
}

/** Options of a local ceremony. */
export interface LocalCeremonyOptions {
  /** Power of the ceremony: keys for circuits up to 2^power − 1 constraints + public signals. */
  power: number;
  /** Contributions before the beacon, each with fresh entropy (≥ 1). */
  contributions: number;
  /** Beacon value, 64 hex digits; default SHA-256 of `beaconStatement`. */
  beaconHash?: string;
  /** Public statement hashed into the default beacon. */
  beaconStatement?: string;
  /** log2 of the beacon's hash iterations, 10..63 (default 10). */
  beaconIterationsExp?: number;
  outDir: string;
  /** File name of the result (default `canopy_pot<power>_local.ptau`). */
  fileName?: string;
  /** Run `verifyPtau` at the end (default true; as slow as the preparation). */
  verify?: boolean;
  onProgress?: OnProgress;
}

/** One line of a ceremony transcript. */
export interface CeremonyStep {
  step: string;
  name?: string;
  /** Hash snarkjs reports for the step (first challenge, or response hash of a contribution), hex. */
  hash?: string;
  seconds: number;
}

/** The transcript a local ceremony writes beside its ptau (`<name>.transcript.json`). */
export interface CeremonyTranscript {
  format: 'canopy-ptau-transcript/1';
  file: string;
  power: number;
  contributions: number;
  beacon: { statement: string | null; hash: string; iterationsExp: number };
  date: string;
  steps: CeremonyStep[];
  sha256: string;
  verified: boolean;
  notice: string;
}

/** Result of a local ceremony. */
export interface LocalCeremonyResult {
  ptauPath: string;
  transcriptJsonPath: string;
  transcriptTextPath: string;
  transcript: CeremonyTranscript;
}

/**
 * Default beacon statement of a local ceremony; public and predictable (see the
 * transcript notice). circuits/ptau/ceremony.sh used `…, not for production` instead.
 * @example defaultBeaconStatement(12) // 'canopy powers of tau 2^12, local ceremony'
 */
export function defaultBeaconStatement(power: number): string {
  return `canopy powers of tau 2^${power}, local ceremony`;
}

const CEREMONY_NOTICE =
  'Local ceremony: every contribution ran on one machine with entropy from the operating system that was never stored. ' +
  'It is sound only if that machine was not compromised. The beacon is a public value that closes the chain verifiably; it is not an unpredictable beacon.';

/**
 * Runs a powers-of-tau ceremony on this machine: new accumulator → `contributions`
 * contributions (64 bytes from `crypto.randomBytes` each, never stored or logged) →
 * beacon → prepare phase 2 → (verify). Writes the ptau and its transcript (JSON and
 * text) into `outDir`; intermediate files go to a temporary folder inside `outDir`
 * and are deleted. Time: dominated by the preparation, ~150 s at power 12 and 77 min
 * at power 17 on 2 cores (about ×1.9 per extra power).
 * @throws {TypeError|RangeError} for a bad power (1..28), contribution count (1..16), beacon hash or iterations
 * @throws {CanopyError} SETUP_FAILED from snarkjs
 * @example await localCeremony({ power: 12, contributions: 2, outDir: 'circuits/build/ptau' });
 */
export async function localCeremony(opts: LocalCeremonyOptions): Promise<LocalCeremonyResult> {
  assertInteger(opts.power, 'power', 1, MAX_PTAU_POWER);
  // The one rule that makes the file sound: at least one secret contribution.
  assertInteger(opts.contributions, 'contributions', 1, 16);
  const iterationsExp = opts.beaconIterationsExp ?? 10;
  assertInteger(iterationsExp, 'beaconIterationsExp', 10, 63);
  assertString(opts.outDir, 'outDir', 4096);
  const statement = opts.beaconHash === undefined ? (opts.beaconStatement ?? defaultBeaconStatement(opts.power)) : null;
  const beaconHash = opts.beaconHash ?? createHash('sha256').update(statement!).digest('hex');
  if (!/^[0-9a-f]{64}$/.test(beaconHash)) throw new RangeError(`"beaconHash" expected 64 lower-case hex digits, got ${JSON.stringify(beaconHash)}`);
  const fileName = opts.fileName ?? `canopy_pot${opts.power}_local.ptau`;
  if (!/^[A-Za-z0-9_.-]+\.ptau$/.test(fileName)) throw new RangeError(`"fileName" expected a plain name ending in .ptau, got ${JSON.stringify(fileName)}`);
  // One curve for all steps, released at the end.
  return withCurves(() => ceremony(opts, { statement, beaconHash, iterationsExp, fileName }));
}

async function ceremony(
  opts: LocalCeremonyOptions,
  { statement, beaconHash, iterationsExp, fileName }: { statement: string | null; beaconHash: string; iterationsExp: number; fileName: string },
): Promise<LocalCeremonyResult> {
  const outDir = resolve(opts.outDir);
  mkdirSync(outDir, { recursive: true });
  const work = join(outDir, `.ceremony-${process.pid}-${Date.now()}`);
  mkdirSync(work);
  const verify = opts.verify ?? true;
  const total = opts.contributions + 3 + (verify ? 1 : 0);
  const steps: CeremonyStep[] = [];
  let index = 0;
  const step = async <T>(name: string, fn: () => Promise<T>, record: (v: T, seconds: number) => CeremonyStep): Promise<T> => {
    const t0 = performance.now();
    const v = await timeStep(opts.onProgress, { step: name, index: ++index, total }, fn);
    steps.push(record(v, (performance.now() - t0) / 1000));
    return v;
  };
  const ptauPath = join(outDir, fileName);
  try {
    const file = (i: number) => join(work, `pot_${String(i).padStart(4, '0')}.ptau`);
    await step(`new accumulator 2^${opts.power}`, () => ptauNew(opts.power, file(0)), (hash, seconds) => ({ step: 'new', hash, seconds }));
    for (let i = 1; i <= opts.contributions; i++) {
      const name = `canopy contribution ${i}`;
      // Entropy lives only in this call's arguments: not logged, not written to the transcript.
      await step(`contribution ${i} of ${opts.contributions}`, () => ptauContribute(file(i - 1), file(i), name, randomBytes(64).toString('hex')), (hash, seconds) => ({
        step: 'contribute',
        name,
        hash,
        seconds,
      }));
    }
    const beaconName = 'canopy final beacon';
    const beaconFile = join(work, 'pot_beacon.ptau');
    await step('beacon', () => ptauBeacon(file(opts.contributions), beaconFile, beaconName, beaconHash, iterationsExp), (hash, seconds) => ({
      step: 'beacon',
      name: beaconName,
      hash,
      seconds,
    }));
    const prepared = join(work, 'pot_final.ptau');
    await step('prepare phase 2', () => ptauPreparePhase2(beaconFile, prepared), (_v, seconds) => ({ step: 'prepare phase2', seconds }));
    if (verify) await step('verify', () => verifyPtau(prepared), (_v, seconds) => ({ step: 'verify', seconds }));
    renameSync(prepared, ptauPath);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const transcript: CeremonyTranscript = {
    format: 'canopy-ptau-transcript/1',
    file: fileName,
    power: opts.power,
    contributions: opts.contributions,
    beacon: { statement, hash: beaconHash, iterationsExp },
    date: new Date().toISOString(),
    steps,
    sha256: await sha256File(ptauPath),
    verified: verify,
    notice: CEREMONY_NOTICE,
  };
  const base = ptauPath.replace(/\.ptau$/, '');
  const transcriptJsonPath = `${base}.transcript.json`;
  const transcriptTextPath = `${base}.transcript.txt`;
  writeFileSync(transcriptJsonPath, `${JSON.stringify(transcript, null, 2)}\n`);
  writeFileSync(transcriptTextPath, transcriptText(transcript));
  return { ptauPath, transcriptJsonPath, transcriptTextPath, transcript };
}

function transcriptText(t: CeremonyTranscript): string {
  const lines = [
    `# powers of tau 2^${t.power}: ${basename(t.file)}`,
    `date: ${t.date}`,
    `beacon: ${t.beacon.hash} (${t.beacon.statement === null ? 'given by the operator' : `sha256 of "${t.beacon.statement}"`}), 2^${t.beacon.iterationsExp} iterations`,
    ...t.steps.map((s) => `${s.step}${s.name ? ` "${s.name}"` : ''}: ${s.seconds.toFixed(1)} s${s.hash ? `\n  hash ${s.hash}` : ''}`),
    `sha256: ${t.sha256}`,
    `verified: ${t.verified ? 'yes (snarkjs powersoftau verify)' : 'no'}`,
    '',
    t.notice,
  ];
  return `${lines.join('\n')}\n`;
}
