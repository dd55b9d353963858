// Disclosures: a supplier packages an attested plot (the clean farm of the Hansen crop,
// two demo plot_window proofs) and a lot note; an auditor checks them against a registry
// holding the attestation and the lot, with the dataset folder. One disclosure checks;
// each named check fails on its own alteration; the same through `canopy disclose` and
// `canopy audit disclosure`, every flag.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldToString } from '../../core/field.ts';
import { maskHas, parsePlotMask, serialisePlotMask } from '../../core/geo/plot-mask.ts';
import { noteCommitment } from '../../core/lots/note.ts';
import { capacityCommitment } from '../../core/lots/capacity-note.ts';
import { parseDisclosure, type LotDisclosure, type PlotDisclosure } from '../../prover/disclose/disclosure-file.ts';
import { discloseLot } from '../../prover/disclose/lot-disclosure.ts';
import { disclosePlot } from '../../prover/disclose/plot-disclosure.ts';
import { formatNoteFile, type StoredNote } from '../../prover/lots/note-file.ts';
import { type PlotProveResult, provePlotFile } from '../../prover/plot/prove.ts';
import { checkDisclosure, type DisclosureReport } from '../../verifier/audit/check-disclosure.ts';
import { PLOT_DISCLOSURE_CHECKS } from '../../verifier/audit/check-plot-disclosure.ts';
import { LOT_DISCLOSURE_CHECKS } from '../../verifier/audit/check-lot-disclosure.ts';
import { ApiError } from '../../registry/api/api-error.ts';
import type { LogEntry } from '../../registry/log/entry.ts';
import { runCanopy } from '../_canopy.ts';
import { commitCrop } from '../plot/_crop-dataset.ts';
import {
  AUDIT_KEYS,
  auditPins,
  datasetEntry,
  DEMO_KEYS,
  element,
  ensureKeys,
  lotMintEntry,
  lotNote,
  lyingSource,
  owner,
  plotAttestationEntry,
  REGISTRY_KEY,
  removeRegistry,
  startRegistry,
  type TestRegistry,
} from './_world.ts';

const KEY = REGISTRY_KEY.verifierKey;
const alice = owner('alice');

let tmp: string;
let dataset: { dir: string; cleanup: () => void };
let plot: PlotProveResult;
let d: TestRegistry;
let e: TestRegistry;
let f: TestRegistry;
let plotDisclosure: PlotDisclosure;
let lotFile: string;
let lotDisclosure: LotDisclosure;
const minted = lotNote(alice.key, 250_000n, 412_500n, 'D1');

const check = (disclosure: PlotDisclosure | LotDisclosure, registry: TestRegistry = d): Promise<DisclosureReport> =>
  checkDisclosure({ disclosure, registry: registry.client, registryKey: KEY, pins: auditPins(), datasetDir: dataset.dir });

/** A wallet note file of `note` (canopy-wallet-note/1), acknowledged by the registry at `sequence`. */
function noteFile(name: string, fields: Partial<StoredNote> & Pick<StoredNote, 'kind' | 'note'>): string {
  const stored = {
    commitment: fields.kind === 'lot' ? noteCommitment(fields.note) : capacityCommitment(fields.note),
    ownerSecret: null,
    status: 'unspent',
    leafIndex: 0,
    registry: { origin: 'registry.test/canopy', sequence: 5 },
    spentBy: null,
    pendingSpends: [],
    bearerCopy: false,
    memo: 'minted',
    createdAt: '2026-11-27T10:00:00.000Z',
    ...fields,
  } as StoredNote;
  const file = join(tmp, name);
  writeFileSync(file, formatNoteFile(stored), { mode: 0o600 });
  return file;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'canopy-disclosure-'));
  await ensureKeys();
  dataset = await commitCrop();
  plot = await provePlotFile({ plotFile: 'examples/plots/clean.geojson', datasetDir: dataset.dir, outFile: join(tmp, 'clean.proof.json'), keysDir: DEMO_KEYS, profile: 'demo' });
  // Registry D holds the dataset, the attestation and a lot; registry E only the dataset.
  d = await startRegistry();
  const publisher = await d.register('hansen-pub', 'publisher');
  const supplier = await d.register('coop-7', 'supplier');
  await d.client.submit([datasetEntry(dataset.dir, plot.datasetRoot)], publisher);
  await d.client.submit([plotAttestationEntry(plot.proofFile)], supplier);
  await d.client.submit([await lotMintEntry(minted)], supplier);
  await d.checkpoint();
  e = await startRegistry();
  const publisherE = await e.register('hansen-pub', 'publisher');
  await e.client.submit([datasetEntry(dataset.dir, plot.datasetRoot)], publisherE);
  await e.checkpoint();
  // Registry F holds the plot's two windows as two plot-attestation entries, after a lot mint.
  f = await startRegistry();
  const publisherF = await f.register('hansen-pub', 'publisher');
  const supplierF = await f.register('coop-7', 'supplier');
  await f.client.submit([datasetEntry(dataset.dir, plot.datasetRoot)], publisherF);
  const whole = plotAttestationEntry(plot.proofFile) as Extract<LogEntry, { type: 'plot-attestation' }>;
  await f.client.submit(whole.body.windows.map((w) => ({ type: 'plot-attestation', version: 1, body: { windows: [w] } }) as LogEntry), supplierF);
  await f.checkpoint();
  plotDisclosure = await disclosePlot({ proofFile: plot.proofFile, openingFile: plot.openingFile, geojsonFile: 'examples/plots/clean.geojson', outFile: join(tmp, 'clean.disclosure.json') });
  // A bearer note: its own secret is in the wallet file and must not reach the disclosure.
  lotFile = noteFile('lot.json', { kind: 'lot', note: minted, ownerSecret: alice.secret });
  lotDisclosure = await discloseLot({ noteFile: lotFile, outFile: join(tmp, 'lot.disclosure.json') });
}, 600_000);

afterAll(async () => {
  for (const r of [d, e, f]) if (r) await removeRegistry(r);
  dataset?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

describe('disclosePlot', () => {
  describe('when the proof file, opening and GeoJSON agree', () => {
    it('writes a 0600 disclosure with the declared feature and no owner secret', async () => {
      const file = join(tmp, 'clean.disclosure.json');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const text = readFileSync(file, 'utf8');
      expect(parseDisclosure(text)).toEqual(plotDisclosure);
      const declared = JSON.parse(readFileSync('examples/plots/clean.geojson', 'utf8'));
      const feature = declared.type === 'FeatureCollection' ? declared.features[0] : declared;
      expect(plotDisclosure.plot.feature).toEqual(feature);
      const secret = readFileSync(plot.ownerSecretFile, 'utf8').trim();
      expect(text).not.toContain(secret);
      expect(text).not.toContain('owner-secret');
      expect(plotDisclosure.windows.map((w) => w.attestationLeaf)).toEqual(plot.windows.map((w) => w.attestationLeaf));
    });
  });

  describe('when the GeoJSON does not hold the attested plot', () => {
    it('throws INVALID_INPUT and writes nothing', async () => {
      const out = join(tmp, 'wrong.json');
      await expect(disclosePlot({ proofFile: plot.proofFile, openingFile: plot.openingFile, geojsonFile: 'examples/plots/hole.geojson', outFile: out })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      expect(() => statSync(out)).toThrow();
    });
  });

  describe("when the opening is not the proof file's", () => {
    it('throws INVALID_INPUT naming the leaves', async () => {
      const opening = JSON.parse(readFileSync(plot.openingFile, 'utf8'));
      opening.windows[1].attestationLeaf = '12345';
      const altered = join(tmp, 'altered.opening.json');
      writeFileSync(altered, JSON.stringify(opening));
      await expect(disclosePlot({ proofFile: plot.proofFile, openingFile: altered, geojsonFile: 'examples/plots/clean.geojson' })).rejects.toThrow(/window leaves are not the 2 of/);
    });
  });
});

describe('checkDisclosure', () => {
  describe('when a plot disclosure is true', () => {
    it('passes every check, in order', async () => {
      const r = await check(plotDisclosure);
      expect(r.failure).toBeNull();
      expect(r.checks.map((c) => [c.check, c.ok])).toEqual(PLOT_DISCLOSURE_CHECKS.map((c) => [c, true]));
      expect(r.kind === 'plot' && r.plot).toMatchObject({ id: 'DO-NEIBA-0001', pixels: 129, windows: 2, sequence: 4, leafIndexes: [0, 1] });
    });
  });

  describe('when the polygon was altered', () => {
    it('fails the geometry check', async () => {
      const altered = structuredClone(plotDisclosure);
      const ring = (altered.plot.feature.geometry as { coordinates: number[][][] }).coordinates[0]!;
      ring[1] = [ring[1]![0]! + 0.0005, ring[1]![1]!];
      const r = await check(altered);
      expect(r.failure).toMatchObject({ check: 'geometry' });
      expect(r.failure!.message).toMatch(/canonical geometry is not the committed one/);
    });
  });

  describe('when a mask bit was flipped', () => {
    it('fails the mask check naming the pixel', async () => {
      const altered = structuredClone(plotDisclosure);
      const mask = parsePlotMask(new Uint8Array(Buffer.from(altered.mask.bytes, 'base64')));
      // An interior bit: the mask stays canonical (same tight window), one pixel less.
      const col = mask.col0 + Math.floor(mask.width / 2);
      const row = mask.row0 + Math.floor(mask.height / 2);
      expect(maskHas(mask, col, row)).toBe(true);
      const i = (row - mask.row0) * mask.width + (col - mask.col0);
      mask.bits[i >> 3]! ^= 1 << (i & 7);
      altered.mask.bytes = Buffer.from(serialisePlotMask(mask)).toString('base64');
      const r = await check(altered);
      expect(r.failure).toMatchObject({ check: 'mask' });
      expect(r.failure!.message).toContain(`pixel (col ${col}, row ${row}) is inside the polygon but not set in the disclosed mask`);
    });
  });

  describe('when a salt is wrong', () => {
    it('fails the leaves check naming the window', async () => {
      const altered = structuredClone(plotDisclosure);
      altered.windows[1]!.salt = fieldToString(element('another salt'));
      const r = await check(altered);
      expect(r.failure).toMatchObject({ check: 'leaves' });
      expect(r.failure!.message).toMatch(/^leaves: window 2: the disclosed fields give leaf/);
    });
  });

  describe('when the leaves are not in the registry', () => {
    it('fails the registry check', async () => {
      const r = await check(plotDisclosure, e);
      expect(r.failure).toMatchObject({ check: 'registry' });
      expect(r.failure!.message).toContain(`${plotDisclosure.windows[0]!.attestationLeaf} is not a leaf of the registry's plots tree`);
      expect(r.checks.slice(0, -1).every((c) => c.ok)).toBe(true);
    });
  });

  describe('when the plot’s windows are attested by several plot-attestation entries', () => {
    it('passes every check, naming every entry', async () => {
      const r = await check(plotDisclosure, f);
      expect(r.failure).toBeNull();
      expect(r.checks.map((c) => [c.check, c.ok])).toEqual(PLOT_DISCLOSURE_CHECKS.map((c) => [c, true]));
      expect(r.kind === 'plot' && r.plot).toMatchObject({ windows: 2, sequence: 4, sequences: [4, 5], leafIndexes: [0, 1] });
      expect(r.checks.find((c) => c.check === 'entry')!.detail).toMatch(/^plot-attestation entries 4, 5, included/);
    });
  });

  describe('when the registry denies or misnames the dataset entry', () => {
    it('fails the dataset-registered check', async () => {
      const denied = await checkDisclosure({ disclosure: plotDisclosure, registry: lyingSource(d.client, { dataset: () => Promise.reject(new ApiError('NOT_FOUND', 'no such dataset')) }), registryKey: KEY, pins: auditPins(), datasetDir: dataset.dir });
      expect(denied.failure).toMatchObject({ check: 'dataset-registered' });
      expect(denied.failure!.message).toMatch(/no dataset entry registers the root/);
      const misnamed = await checkDisclosure({ disclosure: plotDisclosure, registry: lyingSource(d.client, { dataset: async (root) => ({ ...(await d.client.dataset(root)), sequence: 2 }) }), registryKey: KEY, pins: auditPins(), datasetDir: dataset.dir });
      expect(misnamed.failure!.message).toMatch(/^dataset-registered: entry 2, which the registry names for the root \d+, is not the dataset entry of that root/);
      const late = await checkDisclosure({ disclosure: plotDisclosure, registry: lyingSource(d.client, { dataset: async (root) => ({ ...(await d.client.dataset(root)), sequence: 5 }) }), registryKey: KEY, pins: auditPins(), datasetDir: dataset.dir });
      expect(late.failure!.message).toMatch(/is registered by entry 5, not before entry 4/);
    });
  });

  describe('when the source serves no look-ups (a tiles mirror)', () => {
    it('throws INVALID_INPUT asking for the registry', async () => {
      const { treeLeaf: _leaf, ...mirrorLike } = lyingSource(d.client, {});
      await expect(checkDisclosure({ disclosure: plotDisclosure, registry: mirrorLike, registryKey: KEY, pins: auditPins(), datasetDir: dataset.dir })).rejects.toThrow(/reads the registry's treeLeaf route, which this source \(a tiles mirror\?\) does not serve/);
    });
  });

  describe('when the dataset folder is missing', () => {
    it('throws INVALID_INPUT for a plot disclosure', async () => {
      await expect(checkDisclosure({ disclosure: plotDisclosure, registry: d.client, registryKey: KEY, pins: auditPins() })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    });
  });

  describe('when a lot disclosure is true', () => {
    it('passes every check and reports the figures', async () => {
      const r = await check(lotDisclosure);
      expect(r.failure).toBeNull();
      expect(r.checks.map((c) => c.check)).toEqual([...LOT_DISCLOSURE_CHECKS]);
      expect(r.kind === 'lot' && r.lot).toMatchObject({ quantityGrams: '250000', emissionsGramsCo2e: '412500', intensityGramsPerKg: 1650, deforestationFree: false, sequence: 5, entryType: 'lot-mint', leafIndex: 0 });
    });
  });

  describe('when a lot figure was altered', () => {
    it('fails the commitment check', async () => {
      const altered = structuredClone(lotDisclosure);
      altered.note.emissionsGramsCo2e = '100000';
      const r = await check(altered);
      expect(r.failure).toMatchObject({ check: 'commitment' });
    });
  });

  describe('when the lot is not in the registry', () => {
    it('fails the registry check', async () => {
      expect((await check(lotDisclosure, e)).failure).toMatchObject({ check: 'registry' });
    });
  });
});

describe('discloseLot', () => {
  describe('when the note is a bearer note', () => {
    it('copies the six fields and the commitment, never its secret', () => {
      const text = readFileSync(join(tmp, 'lot.disclosure.json'), 'utf8');
      expect(Object.keys(JSON.parse(text))).toEqual(['format', 'note', 'commitment']);
      expect(text).not.toContain(alice.secret.toString());
      expect(lotDisclosure.commitment).toBe(noteCommitment(minted).toString());
    });
  });

  describe('when the note is a capacity note or pending', () => {
    it('throws INVALID_INPUT', async () => {
      const capacity = noteFile('capacity.json', { kind: 'capacity', note: { ownerKey: alice.key, commodity: 90111n, harvestYear: 2026n, capacityGrams: 1000n, salt: element('cap') } } as never);
      await expect(discloseLot({ noteFile: capacity })).rejects.toThrow(/capacity note/);
      const pending = noteFile('pending.json', { kind: 'lot', note: minted, status: 'pending', leafIndex: null, registry: null });
      await expect(discloseLot({ noteFile: pending })).rejects.toThrow(/is pending/);
    });
  });
});

describe('canopy disclose and canopy audit disclosure', () => {
  const base = () => ['--registry', d.url, '--registry-key', KEY, '--keys', AUDIT_KEYS, '--keys', DEMO_KEYS];

  describe('when every flag is given', () => {
    it('disclose plot writes the file (--opening, --geojson, --out, --json)', async () => {
      const out = join(tmp, 'cli-plot.json');
      const r = await runCanopy(['disclose', 'plot', plot.proofFile, '--opening', plot.openingFile, '--geojson', 'examples/plots/clean.geojson', '--out', out, '--json']);
      expect([r.code, r.err]).toEqual([0, '']);
      expect(JSON.parse(r.out)).toEqual(plotDisclosure);
      expect(parseDisclosure(readFileSync(out, 'utf8'))).toEqual(plotDisclosure);
      // --opening defaults to the proof file's companion.
      const plain = await runCanopy(['disclose', 'plot', plot.proofFile, '--geojson', 'examples/plots/clean.geojson', '--out', join(tmp, 'cli-plot2.json')]);
      expect(plain.code).toBe(0);
      expect(plain.out).toMatch(/^wrote .*cli-plot2\.json: plot of 129 pixels in 2 windows/);
    });

    it('disclose lot writes the file (--out, --json)', async () => {
      const out = join(tmp, 'cli-lot.json');
      const r = await runCanopy(['disclose', 'lot', lotFile, '--out', out, '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toEqual(lotDisclosure);
      expect(statSync(out).mode & 0o777).toBe(0o600);
    });

    it('audit disclosure checks a plot (--dataset, --keys, --json) and a lot (--vkey-hash)', async () => {
      const r = await runCanopy(['audit', 'disclosure', join(tmp, 'clean.disclosure.json'), ...base(), '--dataset', dataset.dir, '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ ok: true, kind: 'plot' });
      const lotHash = auditPins().find((p) => p.circuit === 'lot_mint' && p.source.endsWith('audit'))!.vkeyHash;
      const lot = await runCanopy(['audit', 'disclosure', join(tmp, 'lot.disclosure.json'), '--registry', d.url, '--registry-key', KEY, '--vkey-hash', `lot_mint=${lotHash}`]);
      expect(lot.code).toBe(0);
      expect(lot.out).toMatch(/^lot disclosure .*: checks\n/);
      expect(lot.out).toContain('1650 g CO2e/kg');
    });
  });

  describe('when the disclosure fails a check', () => {
    it('exits 1 naming it', async () => {
      const altered = structuredClone(plotDisclosure);
      altered.windows[0]!.salt = '7';
      const file = join(tmp, 'bad.json');
      writeFileSync(file, JSON.stringify(altered));
      const r = await runCanopy(['audit', 'disclosure', file, ...base(), '--dataset', dataset.dir]);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/FAIL leaves/);
      expect(r.err).toMatch(/^canopy: AUDIT_FAILED: .*bad\.json: leaves: window 1/);
    });
  });

  describe('when a flag is missing or misused', () => {
    it('exits 2 or 1 with the reason', async () => {
      expect((await runCanopy(['disclose', 'plot', plot.proofFile, '--out', join(tmp, 'x.json')])).code).toBe(2);
      expect((await runCanopy(['disclose', 'lot', lotFile])).code).toBe(2);
      const self = await runCanopy(['disclose', 'lot', lotFile, '--out', lotFile]);
      expect([self.code, self.err]).toEqual([1, expect.stringMatching(/"--out" expected a file other than the note file/)]);
      expect((await runCanopy(['audit', 'disclosure', lotFile, '--registry-key', KEY, '--keys', AUDIT_KEYS])).code).toBe(2);
      const noDataset = await runCanopy(['audit', 'disclosure', join(tmp, 'clean.disclosure.json'), ...base()]);
      expect([noDataset.code, noDataset.err]).toEqual([1, expect.stringMatching(/--dataset DIR/)]);
      const state = await runCanopy(['audit', 'disclosure', join(tmp, 'clean.disclosure.json'), ...base(), '--state', join(tmp, 's.json')]);
      expect([state.code, state.err]).toEqual([2, expect.stringMatching(/option '--state' is not for `audit disclosure`/)]);
    });
  });
});
