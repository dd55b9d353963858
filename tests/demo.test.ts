// `canopy demo` end to end: the README's main command must keep working. One run of the
// whole story (through `runDemoCommand`, which maps the flags and calls `runDemo`) with
// real Groth16 proofs at the demo profile, on the registry the demo starts, with
// `--keep-registry --json`; then many assertions on what it established. The keys live in
// the folder the plot tests share (circuits/build/test-keys/demo: made once by `runSetup`,
// NOT FOR PRODUCTION keys from the bundled powers of tau; setups writing it wait for each
// other). The first run of this file makes the keys of capacity_issue, capacity_mint and
// lot_transition (about 6 minutes on 2 busy cores); the story itself then takes about a
// minute and a half: 19 proofs.
//
// Expected figures are computed here from the scenario and footprint files as JSON, with
// integer arithmetic of their own, not with the code under test.
import { createServer, type Server } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILD_DIR, PROJECT_ROOT } from '../circuits/toolchain/project-root.ts';
import { CanopyError } from '../core/errors.ts';
import { yieldCeiling } from '../core/lots/public-parameters.ts';
import { lotEmissionsFromFootprint } from '../core/pact/lot-emissions.ts';
import type { CliIo } from '../prover/cli/io.ts';
import { demoCommandFromFlags, runDemoCommand } from '../prover/cli/commands/demo.ts';
import { stepFailure } from '../prover/demo/_narrator.ts';
import { formatDemoClaim } from '../prover/demo/format-claim.ts';
import { runDemo, type DemoResult } from '../prover/demo/run-demo.ts';
import { DEFAULT_SCENARIO_FILE, parseDemoScenario } from '../prover/demo/scenario.ts';
import type { StoredLotNote } from '../prover/lots/note-file.ts';
import { Wallet } from '../prover/lots/wallet.ts';
import { PLOT_DISCLOSURE_CHECKS } from '../verifier/audit/check-plot-disclosure.ts';
import { runCanopy } from './_canopy.ts';

const KEYS = join(BUILD_DIR, 'test-keys', 'demo');
const EXAMPLES = join(PROJECT_ROOT, 'examples');
const CHERRIES = 1_000_001n;

const tmp = mkdtempSync(join(tmpdir(), 'canopy-demo-'));
const work = join(tmp, 'work');
let result: DemoResult;
let out = '';
let err = '';
const probe: { health?: { status: number; json: { size: number; origin: string } }; explorer?: { status: number; type: string } } = {};

/** The scenario exactly as the file says, and a footprint file as JSON. */
type RawScenario = {
  farms: { id: string; plot: string; footprint: string; lotKg: number }[];
  cooperative: { id: string; collectionKgCo2e: number };
  exporter: { id: string; rule: string; outputKg: number; addedKgCo2e: number };
  importer: { id: string; containersKg: [number, number]; countryOfProduction: string };
  auditor: { id: string; disclosesFarm: string };
  registry: { origin: string };
};
const raw = JSON.parse(readFileSync(DEFAULT_SCENARIO_FILE, 'utf8')) as RawScenario;
const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

/** A decimal string as a fraction n / d. */
function decimal(text: string): [bigint, bigint] {
  const [whole, frac = ''] = text.split('.');
  return [BigInt(`${whole}${frac}`), 10n ** BigInt(frac.length)];
}
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

/**
 * g CO2e of a lot of `grams` from a PACT footprint, rounded up: kg CO2e per declared unit
 * over kg per declared unit (v2 `pCfExcludingBiogenic`, v3 `pcfExcludingBiogenicUptake`).
 */
function footprintGrams(file: string, grams: bigint): bigint {
  const pcf = json(join(EXAMPLES, file)).pcf as Record<string, string>;
  const [pn, pd] = decimal(pcf.pcfExcludingBiogenicUptake ?? pcf.pCfExcludingBiogenic!);
  const [mn, md] = decimal(pcf.productMassPerDeclaredUnit!);
  return ceilDiv(grams * pn * md, pd * mn);
}

const g = (kg: number) => BigInt(kg) * 1000n;
const farmGrams = raw.farms.map((f) => footprintGrams(f.footprint, g(f.lotKg)));
// The farm of examples/plots/loss.geojson is refused; the other two trade.
const clean = raw.farms.map((f, i) => ({ ...f, emissions: farmGrams[i]! })).filter((f) => f.plot !== 'plots/loss.geojson');
const mergedGrams = clean.reduce((a, f) => a + g(f.lotKg), 0n);
const mergedEmissions = clean.reduce((a, f) => a + f.emissions, 0n) + g(raw.cooperative.collectionKgCo2e);
const greenEmissions = mergedEmissions + g(raw.exporter.addedKgCo2e);
const output = g(raw.exporter.outputKg);
const containers = raw.importer.containersKg.map((kg) => ({ quantity: g(kg), emissions: ceilDiv(greenEmissions * g(kg), output) }));

beforeAll(async () => {
  const io: CliIo = { out: (t) => void (out += t), err: (t) => void (err += t), isTty: false };
  const command = demoCommandFromFlags({ work, keys: KEYS, port: 0, keepRegistry: true, json: true });
  result = await runDemoCommand(command, io, async (running) => {
    // While the registry is held: its API and its explorer page answer.
    const url = running.registry.url;
    const h = await fetch(`${url}/healthz`);
    probe.health = { status: h.status, json: (await h.json()) as { size: number; origin: string } };
    const e = await fetch(`${url}/`);
    probe.explorer = { status: e.status, type: e.headers.get('content-type') ?? '' };
    await e.text();
  });
}, 1_800_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('runDemo', () => {
  describe('when run on the bundled scenario', () => {
    it('refuses the farm whose plot lost forest in 2023, naming the year, and proves nothing for it', () => {
      expect(result.farms.map((f) => [f.id, f.verdict, f.proven !== null])).toEqual([
        ['finca-los-cedros', 'deforestation-free', true],
        ['finca-la-canada', 'deforestation-free', true],
        ['finca-el-limon', 'not-deforestation-free', false],
      ]);
      const limon = result.farms[2]!;
      expect(limon.lossAfterCutoff).toEqual([{ year: 2023, pixels: 32, ha: expect.closeTo(2.3358, 3) }]);
      expect(limon.refusal).toMatch(/not deforestation-free, so nothing was proven: 32 pixels \(2\.34 ha\) lost forest after 31 Dec 2020 \(2023: 32 px\)/);
      expect(existsSync(join(work, 'plots', 'finca-el-limon.proof.json'))).toBe(false);
      expect(readdirSync(join(work, 'wallets', 'finca-el-limon', 'notes'))).toEqual([]);
      expect(err).toMatch(/Finca El Limón .* not-deforestation-free \(forest lost in 2023: 32 px\)\n.*REFUSED by the prover/);
    });

    it('proves the clean farms window by window and has the registry append their attestations', () => {
      const proven = result.farms.filter((f) => f.proven !== null);
      expect(proven.map((f) => [f.pixels, f.proven!.windows])).toEqual([
        [129, 2],
        [319, 4],
      ]);
      expect(proven.map((f) => f.proven!.plotsLeafIndexes)).toEqual([
        [0, 1],
        [2, 3, 4, 5],
      ]);
      expect(proven[0]!.proven!.sequence).toBeGreaterThan(result.dataset.sequence);
    });

    it('issues one capacity note per window, pixels × the yield ceiling, and mints each lot from the largest', () => {
      const perPixel = yieldCeiling(CHERRIES)!.gramsPerPixel;
      const pixels = result.farms.filter((f) => f.proven !== null).map((f) => BigInt(f.pixels));
      expect(result.farmLots.map((l) => l.capacityGrams.length)).toEqual([2, 4]);
      result.farmLots.forEach((l, i) => {
        const grams = l.capacityGrams.map(BigInt);
        expect(grams.every((c) => c % perPixel === 0n)).toBe(true);
        expect(grams.reduce((a, c) => a + c, 0n)).toBe(pixels[i]! * perPixel);
        expect(BigInt(l.mintedFromGrams)).toBe(grams.reduce((a, c) => (c > a ? c : a), 0n));
        expect(l.harvestYear).toBe(new Date().getUTCFullYear());
      });
    });

    it('mints each lot with the emissions of its PACT footprint, exactly', () => {
      expect(result.farmLots.map((l) => [l.id, l.lot.quantityGrams, l.lot.emissionsGramsCo2e])).toEqual(clean.map((f) => [f.id, g(f.lotKg).toString(), f.emissions.toString()]));
      // 60,000 kg × 820 kg per 1,000 kg; 90,000 kg × 0.74 kg per kg.
      expect(clean.map((f) => f.emissions)).toEqual([49_200_000n, 66_600_000n]);
    });

    it('carries grams and emissions through the merge, the hulling and the split, adding only the declared emissions', () => {
      expect(result.cooperative.merged).toMatchObject({ commodity: CHERRIES.toString(), quantityGrams: mergedGrams.toString(), emissionsGramsCo2e: mergedEmissions.toString(), deforestationFree: true });
      expect(result.exporter.output).toMatchObject({ commodity: '90111', quantityGrams: output.toString(), emissionsGramsCo2e: greenEmissions.toString(), deforestationFree: true });
      expect(result.importer.containers.map((c) => [c.quantityGrams, c.emissionsGramsCo2e, c.deforestationFree])).toEqual(containers.map((c) => [c.quantity.toString(), c.emissions.toString(), true]));
      // ⌈119,910,000 · 19,200,000 / 27,600,000⌉ and ⌈119,910,000 · 8,400,000 / 27,600,000⌉
      expect(containers.map((c) => c.emissions)).toEqual([83_415_653n, 36_494_348n]);
    });

    it("ends with the importer's verified claim: green coffee, deforestation-free, the expected quantity and emissions", () => {
      const c = result.importer.claim;
      const q = containers[0]!.quantity;
      const e = containers[0]!.emissions;
      expect(c).toMatchObject({
        format: 'canopy-verified-claim/1',
        commodity: { code: '90111', hs: '0901.11' },
        quantityGrams: q.toString(),
        emissionsGramsCo2e: e.toString(),
        intensity: { gramsCo2ePerKg: ceilDiv(1000n * e, q).toString(), exact: false },
        deforestationFree: true,
        cutoff: { date: '2020-12-31', lossYearCode: 21 },
        registry: { origin: raw.registry.origin, entryType: 'transition', circuit: 'lot_transition' },
      });
      expect(c.datasets).toEqual([{ name: result.dataset.name, root: '2262517184010239590398625710509855641899159842548649030506850466242051024006', manifestSha256: result.dataset.manifestSha256, sequence: result.dataset.sequence }]);
      expect(c.checkpoint.origin).toBe(raw.registry.origin);
      expect(c.checkpoint.size).toBeLessThanOrEqual(result.audit.checkpointSize);
    });

    it('writes the claim, a PACT v3 footprint and the DDS fields that agree with it', () => {
      const files = result.importer.files;
      expect(json(files.claim)).toEqual(result.importer.claim);
      const pact = json(files.pact);
      expect(pact).toMatchObject({ specVersion: '3.0.0', pcf: { declaredUnitOfMeasurement: 'kilogram', declaredUnitAmount: '1', geographyCountry: raw.importer.countryOfProduction } });
      // Read back per kg, rounded up at 18 places: the container's emissions, or 1 g more.
      const back = lotEmissionsFromFootprint(pact, containers[0]!.quantity).emissionsGramsCo2e;
      expect(back - containers[0]!.emissions).toBeGreaterThanOrEqual(0n);
      expect(back - containers[0]!.emissions).toBeLessThanOrEqual(1n);
      expect(json(files.dds)).toMatchObject({ hsCode: '090111', netMassKg: String(raw.importer.containersKg[0]), countryOfProduction: 'DO', deforestationFree: true, cutoffDate: '2020-12-31' });
      expect(json(files.policy)).toMatchObject({ requireDeforestationFree: true, registries: [{ origin: raw.registry.origin, key: result.registry.verifierKey }], datasets: [{ root: result.dataset.root }] });
    });

    it('leaves each wallet holding what the story gave it', async () => {
      const lots = (w: Wallet, status: string) => w.notes().filter((n): n is StoredLotNote => n.kind === 'lot' && n.status === status && n.note.ownerKey === w.ownerKey);
      const importer = await Wallet.open(join(work, 'wallets', raw.importer.id));
      const byGrams = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
      expect(lots(importer, 'unspent').map((n) => n.note.quantityGrams).sort(byGrams)).toEqual(containers.map((c) => c.quantity).sort(byGrams));
      // The cooperative spent both farm lots; the merged lot belongs to the exporter's key.
      const coop = await Wallet.open(join(work, 'wallets', raw.cooperative.id));
      expect([lots(coop, 'spent').length, lots(coop, 'unspent').length]).toEqual([2, 0]);
      // Los Cedros keeps its small window's capacity and the rest of the large one.
      const cedros = await Wallet.open(join(work, 'wallets', 'finca-los-cedros'));
      const capacity = cedros.notes().flatMap((n) => (n.kind === 'capacity' && n.status === 'unspent' ? [n.note.capacityGrams] : []));
      expect(capacity.sort(byGrams)).toEqual([33_968_000n, 165_208_000n - 60_000_000n]);
    });

    it('lets the auditor replay every entry and re-verify every proof, cosign, and check the plot disclosure', () => {
      const a = result.audit;
      const windows = result.farms.reduce((s, f) => s + (f.proven?.windows ?? 0), 0);
      const lots = clean.length;
      expect(a.ok).toBe(true);
      expect(a.byType).toEqual({
        artifacts: 1,
        'party-registration': result.parties.length,
        dataset: 1,
        'plot-attestation': lots,
        'capacity-issue': windows,
        'lot-mint': lots,
        transition: lots + 3, // a transfer per farm, the merge, the hulling, the split
      });
      expect(result.parties).toHaveLength(8);
      expect(a.entries).toBe(a.checkpointSize);
      expect(Object.values(a.byType).reduce((s, n) => s + n, 0)).toBe(a.entries);
      expect(a.proofs).toBe(2 * windows + lots + lots + 3);
      expect(a.proofs).toBe(result.proofs);
      expect(a.proofs).toBe(19);
      expect(a.cosigned.signedBy).toEqual([raw.registry.origin, raw.auditor.id]);
      expect(a.disclosure).toMatchObject({ farm: raw.auditor.disclosesFarm, ok: true, failure: null });
      expect(a.disclosure.checks).toEqual([...PLOT_DISCLOSURE_CHECKS]);
      expect(json(a.files.report)).toMatchObject({ ok: true, failure: null });
    });

    it('prints the result as JSON on stdout and narrates every step, with its time, on stderr', () => {
      expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(result)));
      expect(result.notForProduction).toBe(true);
      expect(err).toMatch(/NOT FOR PRODUCTION/);
      for (const n of [1, 2, 3, 4, 5, 6, 7, 8]) expect(err).toMatch(new RegExp(`\\n${n}\\. .*\\n(.*\\n)*?   \\(\\d+\\.\\d s\\)`));
      expect(Object.keys(result.seconds)).toEqual(['keys', 'registry', '1 parties', '2 dataset', '3 plots', '4 farm lots', '5 cooperative', '6 exporter', '7 importer', '8 auditor']);
      expect(err).toMatch(/POST \/verify → 200/);
    });

    it('keeps the registry serving its API and explorer while held, and stops every server it started', async () => {
      expect(result.registry.kept).toBe(true);
      expect(probe.health).toEqual({ status: 200, json: expect.objectContaining({ origin: raw.registry.origin, size: result.audit.checkpointSize }) });
      expect(probe.explorer).toEqual({ status: 200, type: expect.stringMatching(/^text\/html/) });
      await expect(fetch(`${result.registry.url}/healthz`)).rejects.toThrow();
      await expect(fetch(`${result.importer.verifierUrl}/healthz`)).rejects.toThrow();
    });
  });

  describe('when the registry port is taken', () => {
    it('fails with one line naming the step, and leaves nothing running', async () => {
      const blocker: Server = createServer();
      await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
      const port = (blocker.address() as { port: number }).port;
      let narrated = '';
      try {
        const e = await runDemo({ workDir: join(tmp, 'work-2'), keysDir: KEYS, port }, { out: () => undefined, err: (t) => void (narrated += t), isTty: false }).then(
          () => null,
          (x: unknown) => x as Error,
        );
        expect(e?.message).toMatch(/^demo step registry failed: .*EADDRINUSE[^\n]*$/);
      } finally {
        await new Promise<void>((r) => blocker.close(() => r()));
      }
      expect(narrated).toMatch(/· The registry/);
    }, 120_000);
  });

  describe('when the work folder holds files the demo did not make', () => {
    it('refuses before anything runs, and deletes nothing', async () => {
      const dir = join(tmp, 'precious');
      mkdirSync(dir);
      writeFileSync(join(dir, 'thesis.tex'), 'keep me');
      await expect(runDemo({ workDir: dir, keysDir: KEYS }, { out: () => undefined, err: () => undefined, isTty: false })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/not empty and was not made by the demo/) });
      expect(readFileSync(join(dir, 'thesis.tex'), 'utf8')).toBe('keep me');
    });
  });
});

describe('formatDemoClaim', () => {
  describe('when given the demo result', () => {
    it("prints the claim's commodity, quantity, emissions, intensity, status, cut-off, dataset and checkpoint", () => {
      const text = formatDemoClaim(result);
      expect(text).toMatch(/commodity +green coffee \(not roasted, not decaffeinated\), HS 0901\.11, code 90111/);
      expect(text).toMatch(/quantity +19,200 kg\n/);
      expect(text).toMatch(/total emissions +83,415\.653 kg CO2e\n/);
      expect(text).toMatch(/intensity +4,345 g CO2e per kg \(4\.3445652604166666\d\d kg per kg, rounded up\)/);
      expect(text).toMatch(/deforestation-free +yes/);
      expect(text).toMatch(/cut-off +2020-12-31/);
      expect(text).toContain(result.dataset.root);
      expect(text).toMatch(new RegExp(`checkpoint +${raw.registry.origin.replace(/[.]/g, '\\.')}, size \\d+`));
    });
  });
});

describe('parseDemoScenario', () => {
  const base = () => JSON.parse(readFileSync(DEFAULT_SCENARIO_FILE, 'utf8')) as Record<string, unknown> & RawScenario;
  const parse = (edit: (s: ReturnType<typeof base>) => void) => {
    const s = base();
    edit(s);
    return () => parseDemoScenario(s, 'scenario.json', EXAMPLES);
  };

  describe('when given the bundled scenario', () => {
    it('resolves the paths against the folder and turns kilograms into grams', () => {
      const s = parseDemoScenario(base(), 'scenario.json', EXAMPLES);
      expect(s.farms.map((f) => [f.plot, f.lotGrams])).toEqual([
        [join(EXAMPLES, 'plots', 'clean.geojson'), 60_000_000n],
        [join(EXAMPLES, 'plots', 'hole.geojson'), 90_000_000n],
        [join(EXAMPLES, 'plots', 'loss.geojson'), 40_000_000n],
      ]);
      expect([s.exporter.rule.name, s.exporter.outputGrams, s.importer.containersGrams]).toEqual(['coffee-hulling', 27_600_000n, [19_200_000n, 8_400_000n]]);
    });
  });

  describe('when a member is wrong', () => {
    const cases: [string, (s: ReturnType<typeof base>) => void, RegExp][] = [
      ['a fractional lot', (s) => (s.farms[0]!.lotKg = 1.5), /"farms\[0\]\.lotKg": expected whole kilograms/],
      ['containers that lose mass', (s) => (s.importer.containersKg = [19_200, 8_000]), /"importer\.containersKg": 19200 \+ 8000 = 27200 kg, but the exporter ships 27600 kg/],
      ['a party id used twice', (s) => (s.cooperative.id = 'finca-los-cedros'), /party id "finca-los-cedros" is used twice/],
      ['an unknown rule', (s) => (s.exporter.rule = 'coffee-roasting'), /"exporter\.rule": no processing rule "coffee-roasting"/],
      ['a disclosure by no farm', (s) => (s.auditor.disclosesFarm = 'finca-x'), /"auditor\.disclosesFarm": "finca-x" is not one of the farms/],
      ['more farms than merge slots', (s) => void s.farms.push({ ...s.farms[0]!, id: 'finca-4' }, { ...s.farms[0]!, id: 'finca-5' }), /"farms": 5 farms, but the demo profile's lot_transition merges at most 4/],
      ['a missing plot file', (s) => (s.farms[1]!.plot = 'plots/nowhere.geojson'), /"farms\[1\]\.plot": no file .*nowhere\.geojson/],
      ['an unknown member', (s) => ((s as Record<string, unknown>).extra = 1), /the scenario: Unrecognized key: "extra"/],
      ['an origin with a space', (s) => (s.registry.origin = 'my registry'), /"registry\.origin": expected a key name/],
      ['a lowercase country', (s) => (s.importer.countryOfProduction = 'do'), /"importer\.countryOfProduction": expected an ISO 3166-1 alpha-2 code/],
    ];
    for (const [what, edit, message] of cases) {
      it(`throws naming the member for ${what}`, () => {
        expect(parse(edit)).toThrow(message);
      });
    }
  });
});

describe('demoCommandFromFlags', () => {
  describe('when given only the defaults', () => {
    it('runs the bundled scenario with the demo keys, a free port, no kept registry, and the claim on stdout', () => {
      const c = demoCommandFromFlags({ work: '.canopy/demo', port: 0 });
      expect(c).toEqual({ options: { workDir: '.canopy/demo', scenarioFile: DEFAULT_SCENARIO_FILE, keysDir: join(BUILD_DIR, 'demo'), port: 0 }, keepRegistry: false, json: false });
    });
  });

  describe('when every flag is given', () => {
    it('maps each to its option', () => {
      const c = demoCommandFromFlags({ work: 'w', scenario: 's.json', keys: 'k', port: 8123, keepRegistry: true, json: true });
      expect(c).toEqual({ options: { workDir: 'w', scenarioFile: 's.json', keysDir: 'k', port: 8123 }, keepRegistry: true, json: true });
    });
  });
});

describe('canopy demo', () => {
  describe('when --port is not a port', () => {
    it('exits 2 naming the flag', async () => {
      const r = await runCanopy(['demo', '--port', '70000']);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--port <n>.*expected a TCP port from 0 to 65535, got "70000"/);
    });
  });

  describe('when --scenario names no file', () => {
    it('exits 1 with one line', async () => {
      const r = await runCanopy(['demo', '--work', join(tmp, 'w3'), '--scenario', join(tmp, 'none.json')]);
      expect(r.code).toBe(1);
      expect(r.err).toBe(`canopy: NOT_FOUND: no scenario file ${join(tmp, 'none.json')}\n`);
    });
  });

  describe('when --work holds files the demo did not make', () => {
    it('exits 1 before anything runs', async () => {
      const dir = join(tmp, 'other');
      mkdirSync(dir);
      writeFileSync(join(dir, 'x'), '');
      const r = await runCanopy(['demo', '--work', dir, '--keys', KEYS]);
      expect([r.code, r.err]).toEqual([1, expect.stringMatching(/^canopy: INVALID_INPUT: .*other is not empty and was not made by the demo/)]);
      expect(r.out).toBe('');
    });
  });

  describe('when asked for help', () => {
    it('names every flag and says the keys are not for production', async () => {
      const r = await runCanopy(['demo', '--help']);
      expect(r.code).toBe(0);
      for (const flag of ['--work', '--scenario', '--keys', '--port', '--keep-registry', '--json']) expect(r.out).toContain(flag);
      expect(r.out).toMatch(/NOT FOR PRODUCTION/);
    });
  });
});

describe('stepFailure', () => {
  describe('when a step throws a CanopyError with a multi-line message', () => {
    it('keeps the code and the cause, and says which step failed in one line', () => {
      const cause = new CanopyError('ENTRY_REJECTED', 'the registry refused the entry\nwitness dump …');
      const e = stepFailure('5 cooperative', cause);
      expect(e).toBeInstanceOf(CanopyError);
      expect([(e as CanopyError).code, e.message, e.cause]).toEqual(['ENTRY_REJECTED', 'demo step 5 (cooperative) failed: the registry refused the entry', cause]);
    });
  });

  describe('when a step throws something else', () => {
    it('is a plain Error naming the step', () => {
      const e = stepFailure('registry', new Error('listen EADDRINUSE: address already in use'));
      expect(e).not.toBeInstanceOf(CanopyError);
      expect(e.message).toBe('demo step registry failed: listen EADDRINUSE: address already in use');
    });
  });
});
