/**
 * The real Hansen crop of examples/data/hansen committed to a temporary dataset, for the
 * plot report and CLI tests.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitDataset } from '../../prover/dataset/commit.ts';

export const LOSSYEAR = 'examples/data/hansen/Hansen_GFC-2023-v1.11_lossyear_20N_080W.tif';
export const TREECOVER = 'examples/data/hansen/Hansen_GFC-2023-v1.11_treecover2000_20N_080W.tif';

/** Commits the crop (canopy threshold 10 %) into a fresh temporary folder. */
export async function commitCrop(): Promise<{ dir: string; cleanup: () => void }> {
  const base = mkdtempSync(join(tmpdir(), 'canopy-plot-'));
  const dir = join(base, 'ds');
  await commitDataset({ lossYear: LOSSYEAR, treeCover: TREECOVER, outDir: dir, workers: 0 });
  return { dir, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}
