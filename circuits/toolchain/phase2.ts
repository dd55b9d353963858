/**
 * Phase 2 of the Groth16 setup for one circuit: the circuit-specific proving key.
 *
 * Steps (snarkjs): `zkey new` from the r1cs and a prepared ptau → one contribution with
 * 64 fresh bytes from `crypto.randomBytes` (never stored, never logged) → a beacon →
 * `zkey verify` against the r1cs and ptau → export of the verification key. A transcript
 * (`<circuit>.phase2.json`) records each hash as snarkjs reports it.
 *
 * Trust: whoever knows the phase-2 secret can forge proofs for this circuit. Here the
 * only secret contribution is made on the machine running setup and discarded at once,
 * so the keys are as trustworthy as that machine. A deployment that others must trust
 * runs further contributions from independent parties (`snarkjs zkey contribute`) on the
 * zkey before the beacon; the beacon only closes the chain with a public value.
 *
 * Files appear atomically: the final zkey is renamed into place only after it verified.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { assertInteger, assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { timeStep, type OnProgress } from './_steps.ts';
import { zkeyBeacon, zkeyContribute, zkeyExportVerificationKey, zkeyNew, zkeyVerifyFromR1cs, withCurves, type VerificationKey } from './snarkjs.ts';

/** Number of progress steps `runPhase2` reports. */
export const PHASE2_STEPS = 5;

/** Options of one phase-2 run. */
export interface Phase2Options {
  /** Label for progress events and the transcript (e.g. `membership`). */
  circuit: string;
  r1csPath: string;
  ptauPath: string;
  /** SHA-256 of the ptau, recorded in the transcript when known. */
  ptauSha256?: string;
  zkeyPath: string;
  vkeyPath: string;
  transcriptPath: string;
  /** Beacon value, 64 hex digits; default SHA-256 of the beacon statement. */
  beaconHash?: string;
  /** log2 of the beacon's iterations, 10..63 (default 10). */
  beaconIterationsExp?: number;
  onProgress?: OnProgress;
  /** Numbering of the steps inside a larger run: first index and total (default 1 and 5). */
  firstStep?: number;
  totalSteps?: number;
}

/** The transcript written to `transcriptPath`. */
export interface Phase2Transcript {
  format: 'canopy-phase2-transcript/1';
  circuit: string;
  r1cs: string;
  ptau: { file: string; sha256: string | null };
  circuitHash: string;
  contributions: { name: string; hash: string; seconds: number }[];
  beacon: { statement: string | null; hash: string; iterationsExp: number; contributionHash: string };
  verified: boolean;
  steps: { step: string; seconds: number }[];
  date: string;
  notice: string;
}

/** What a phase-2 run produced. */
export interface Phase2Result {
  circuitHash: string;
  contributionHash: string;
  beaconHash: string;
  beaconIterationsExp: number;
  vkey: VerificationKey;
  transcript: Phase2Transcript;
}

/**
 * Public statement hashed into the default phase-2 beacon.
 * @example phase2BeaconStatement('membership') // 'canopy phase 2 beacon for circuit membership'
 */
export function phase2BeaconStatement(circuit: string): string {
  return `canopy phase 2 beacon for circuit ${circuit}`;
}

const NOTICE =
  'One secret contribution, made on the machine that ran setup with 64 bytes from the operating system, never stored. ' +
  'Keys are as trustworthy as that machine; independent contributions (snarkjs zkey contribute) before the beacon spread the trust.';

/**
 * Makes, verifies and exports the Groth16 keys of one circuit.
 * Time with the bundled 2^14 ptau on two shared cores: membership at depth 4 (1278
 * constraints) new key 7 s, contribution 1 s, beacon 1 s, verify 7 s; at depth 16 (4398
 * constraints) 22 s, 9 s, 10 s, 42 s. Export takes under 0.1 s.
 * @throws {TypeError|RangeError} for bad options (beacon hash not 64 hex, iterations outside 10..63)
 * @throws {CanopyError} SETUP_FAILED quoting snarkjs (e.g. "circuit too big for this power of tau ceremony"), or when the new key does not verify
 * @example await runPhase2({ circuit: 'membership', r1csPath, ptauPath, zkeyPath, vkeyPath, transcriptPath });
 */
export async function runPhase2(opts: Phase2Options): Promise<Phase2Result> {
  assertString(opts.circuit, 'circuit', 200);
  for (const k of ['r1csPath', 'ptauPath', 'zkeyPath', 'vkeyPath', 'transcriptPath'] as const) assertString(opts[k], k, 4096);
  for (const k of ['r1csPath', 'ptauPath'] as const) {
    if (!existsSync(opts[k])) throw new CanopyError('NOT_FOUND', `${k} ${resolve(opts[k])} does not exist`);
  }
  const iterationsExp = opts.beaconIterationsExp ?? 10;
  assertInteger(iterationsExp, 'beaconIterationsExp', 10, 63);
  const statement = opts.beaconHash === undefined ? phase2BeaconStatement(opts.circuit) : null;
  const beaconHash = opts.beaconHash ?? createHash('sha256').update(statement!).digest('hex');
  if (!/^[0-9a-f]{64}$/.test(beaconHash)) throw new RangeError(`"beaconHash" expected 64 lower-case hex digits, got ${JSON.stringify(beaconHash)}`);

  const zkeyPath = resolve(opts.zkeyPath);
  mkdirSync(dirname(zkeyPath), { recursive: true });
  const tmp = (n: string) => `${zkeyPath}.${n}.tmp-${process.pid}`;
  const first = opts.firstStep ?? 1;
  const total = opts.totalSteps ?? PHASE2_STEPS;
  const steps: { step: string; seconds: number }[] = [];
  const step = async <T>(i: number, name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const v = await timeStep(opts.onProgress, { step: name, index: first + i, total, circuit: opts.circuit }, fn);
    steps.push({ step: name, seconds: (performance.now() - t0) / 1000 });
    return v;
  };
  const contributionName = 'canopy setup contribution';
  // One curve for all five steps, released at the end.
  return withCurves(async () => {
    try {
      const circuitHash = await step(0, 'phase 2 new key', () => zkeyNew(opts.r1csPath, opts.ptauPath, tmp('0000')));
      // The entropy exists only as this argument; snarkjs also mixes in 64 bytes of its own.
      const contributionHash = await step(1, 'phase 2 contribution', () => zkeyContribute(tmp('0000'), tmp('0001'), contributionName, randomBytes(64).toString('hex')));
      rmSync(tmp('0000'), { force: true });
      const beaconContribution = await step(2, 'phase 2 beacon', () => zkeyBeacon(tmp('0001'), tmp('final'), 'canopy setup beacon', beaconHash, iterationsExp));
      rmSync(tmp('0001'), { force: true });
      const verified = await step(3, 'verify key against r1cs and ptau', () => zkeyVerifyFromR1cs(opts.r1csPath, opts.ptauPath, tmp('final')));
      if (!verified.ok) {
        throw new CanopyError('SETUP_FAILED', `the new key of ${opts.circuit} does not verify against its r1cs and ptau: ${verified.log.errors.join('; ') || 'snarkjs gave no reason'}`);
      }
      const vkey = await step(4, 'export verification key', () => zkeyExportVerificationKey(tmp('final')));
      writeFileSync(resolve(opts.vkeyPath), `${JSON.stringify(vkey, null, 2)}\n`);
      renameSync(tmp('final'), zkeyPath);
      const transcript: Phase2Transcript = {
        format: 'canopy-phase2-transcript/1',
        circuit: opts.circuit,
        r1cs: basename(opts.r1csPath),
        ptau: { file: basename(opts.ptauPath), sha256: opts.ptauSha256 ?? null },
        circuitHash,
        contributions: [{ name: contributionName, hash: contributionHash, seconds: steps[1]!.seconds }],
        beacon: { statement, hash: beaconHash, iterationsExp, contributionHash: beaconContribution },
        verified: true,
        steps,
        date: new Date().toISOString(),
        notice: NOTICE,
      };
      writeFileSync(resolve(opts.transcriptPath), `${JSON.stringify(transcript, null, 2)}\n`);
      return { circuitHash, contributionHash, beaconHash, beaconIterationsExp: iterationsExp, vkey, transcript };
    } finally {
      for (const n of ['0000', '0001', 'final']) rmSync(tmp(n), { force: true });
    }
  });
}
