// `canopy demo` end to end: the README's main command must keep working. It runs the
// whole story with real Groth16 proofs at the demo profile, using the key folder the plot
// tests share (circuits/build/test-keys/demo, made once, NOT FOR PRODUCTION keys from the
// bundled powers of tau); setups writing that folder wait for each other.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILD_DIR } from '../circuits/toolchain/project-root.ts';
import type { DemoResult } from '../prover/cli/commands/demo.ts';
import { runCanopy } from './_canopy.ts';

const KEYS = join(BUILD_DIR, 'test-keys', 'demo');
const work = mkdtempSync(join(tmpdir(), 'canopy-demo-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('canopy demo', () => {
  describe('when run on the bundled crop, farms and footprint', () => {
    it('proves the two clean farms, refuses the one with 2023 loss, verifies, and mints a lot with its PACT emissions', async () => {
      const { code, out, err } = await runCanopy(['demo', '--work', work, '--keys', KEYS, '--lot-kg', '1200', '--json']);
      expect(code, err).toBe(0);
      const r = JSON.parse(out) as DemoResult;
      expect(r.datasetRoot).toBe('2262517184010239590398625710509855641899159842548649030506850466242051024006');
      expect(r.farms.map((f) => [f.file, f.verdict, f.proven])).toEqual([
        ['clean.geojson', 'deforestation-free', true],
        ['hole.geojson', 'deforestation-free', true],
        ['loss.geojson', 'not-deforestation-free', false],
      ]);
      expect(r.farms[2]!.refusal).toMatch(/32 pixels .* after 31 Dec 2020/);
      expect(r.proofsVerify).toBe(true);
      expect(r.proofsRefusedForOtherDataset).toBe(true);
      // 270 kg CO2e per 60 kg bag = 4.5 kg/kg; 1,200 kg → 5,400 kg exactly.
      expect(r.lot).toMatchObject({ quantityGrams: '1200000', emissionsGramsCo2e: '5400000', gramsCo2ePerKg: 4500, proofVerifies: true, tamperedRefused: true });
      expect(existsSync(join(work, 'clean.proof.json'))).toBe(true);
      expect(existsSync(join(work, 'loss.proof.json'))).toBe(false);
      expect(err).toMatch(/NOT FOR PRODUCTION/);
    });
  });

  describe('when --lot-kg is not a whole number of kilograms', () => {
    it('exits 1 naming the flag', async () => {
      const { code, err } = await runCanopy(['demo', '--work', join(work, 'x'), '--keys', KEYS, '--lot-kg', '1.5']);
      expect(code).toBe(1);
      expect(err).toMatch(/--lot-kg expected a whole number of kilograms, got "1\.5"/);
    });
  });
});
