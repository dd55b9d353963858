/**
 * The two setup folders every test shares, so that CI makes each circuit's keys once:
 * Groth16 setup is the slowest step of a clean run (minutes per circuit on 2 cores).
 * `runSetup` locks a folder while it writes, and merges circuits into its manifest, so
 * test files running in parallel may each set up what they need in the same folder.
 * Keys come from the bundled powers of tau: NOT FOR PRODUCTION.
 * @module
 */
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_DIR } from '../circuits/toolchain/project-root.ts';

/** Keys of the `test` profile (tiny parameters): every circuit a test proves. */
export const TEST_PROFILE_KEYS = join(BUILD_DIR, 'test-keys', 'test');

/** Keys of the `demo` profile: the demo's circuits, also used by the plot proof tests. */
export const DEMO_PROFILE_KEYS = join(BUILD_DIR, 'test-keys', 'demo');

/**
 * Makes `toDir` a setup folder holding only `circuits`, copied from the setup folder
 * `fromDir` (same keys, same hashes, no new setup): for tests whose assertions depend on
 * which circuits a folder holds. Replaces `toDir` atomically, and does nothing when it
 * already holds exactly those circuits with the same keys.
 * @example subsetKeys(TEST_PROFILE_KEYS, join(BUILD_DIR, 'test-keys', 'audit'), ['lot_mint'])
 */
export function subsetKeys(fromDir: string, toDir: string, circuits: readonly string[]): void {
  const source = JSON.parse(readFileSync(join(fromDir, 'manifest.json'), 'utf8')) as { circuits: Record<string, unknown> } & Record<string, unknown>;
  const wanted = Object.fromEntries(circuits.map((id) => {
    const entry = source.circuits[id];
    if (entry === undefined) throw new Error(`${fromDir} has no keys for ${id}`);
    return [id, entry];
  }));
  const manifest = `${JSON.stringify({ ...source, circuits: wanted }, null, 2)}\n`;
  if (existsSync(join(toDir, 'manifest.json')) && readFileSync(join(toDir, 'manifest.json'), 'utf8') === manifest) return;
  const staging = `${toDir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const id of circuits) cpSync(join(fromDir, id), join(staging, id), { recursive: true });
  writeFileSync(join(staging, 'manifest.json'), manifest);
  rmSync(toDir, { recursive: true, force: true });
  renameSync(staging, toDir);
}
