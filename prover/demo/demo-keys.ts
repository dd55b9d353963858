/**
 * The Groth16 keys the demo proves with: `canopy setup --profile demo` for the circuits the
 * story uses (`runSetup`), into the demo's setup folder (default circuits/build/demo).
 * The first run compiles the circuits and makes their keys (minutes on 2 cores); later
 * runs find them up to date and only re-hash the files.
 *
 * The keys come from the bundled powers of tau, made by a local ceremony on one machine:
 * they are NOT FOR PRODUCTION, and the demo says so.
 * @module
 */
import { assertString } from '../../core/assert.ts';
import { runSetup, type SetupEvent } from '../../circuits/toolchain/setup.ts';
import { DEMO_PROFILE } from './scenario.ts';

/**
 * The circuits the story proves: plot windows, capacity issuance, deforestation-free mints
 * and transitions (transfer, merge, process, split). lot_mint (a mint with no
 * deforestation claim) is not among them.
 */
export const DEMO_CIRCUITS = ['plot_window', 'capacity_issue', 'capacity_mint', 'lot_transition'] as const;

/** What `ensureDemoKeys` did. */
export interface DemoKeys {
  keysDir: string;
  /** Circuits whose keys were made now, with their constraint counts. */
  built: { circuit: string; constraints: number; seconds: number }[];
  /** Circuits whose keys were already up to date. */
  reused: string[];
  /** False: the bundled powers of tau is not for production. */
  forProduction: boolean;
  /** SHA-256 of the powers-of-tau file the keys come from. */
  ptauSha256: string;
  seconds: number;
}

/**
 * Makes (first run) or re-hashes (later runs) the demo's keys.
 * @throws {CanopyError} as `runSetup`: NOT_FOUND (bundled ptau missing), PTAU_INVALID,
 *   CIRCUIT_COMPILE_FAILED, SETUP_FAILED
 * @example const keys = await ensureDemoKeys('circuits/build/demo')
 */
export async function ensureDemoKeys(keysDir: string, onProgress?: (event: SetupEvent) => void): Promise<DemoKeys> {
  assertString(keysDir, 'keysDir', 4096);
  const r = await runSetup({ profile: DEMO_PROFILE, circuits: DEMO_CIRCUITS, outDir: keysDir, ...(onProgress ? { onProgress } : {}) });
  return {
    keysDir: r.outDir,
    built: r.circuits.filter((c) => !c.cached).map((c) => ({ circuit: c.id, constraints: c.entry.constraints.total, seconds: Number(c.seconds.toFixed(1)) })),
    reused: r.circuits.filter((c) => c.cached).map((c) => c.id),
    forProduction: r.ptau.forProduction,
    ptauSha256: r.ptau.sha256,
    seconds: Number(r.seconds.toFixed(1)),
  };
}
