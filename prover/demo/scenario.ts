/**
 * The demo's scenario file: who takes part and with what inputs. JSON, edited by people,
 * validated strictly (zod); every error names the member. Paths are relative to the
 * scenario file's folder (examples/README.md describes each member):
 *
 *     {
 *       "format": "canopy-demo-scenario/1",
 *       "registry":    { "origin": "registry.demo.local/canopy" },     the log origin (key name)
 *       "accreditor":  { "id", "name" },                                registers the parties
 *       "publisher":   { "id", "name" },                                registers the dataset
 *       "dataset":     { "name", "lossYear": TIF, "treeCover": TIF, "canopyThresholdPercent": 10 },
 *       "farms": [     { "id", "plot": GEOJSON, "footprint": PACT_JSON, "lotKg": 60000 }, … ],
 *       "cooperative": { "id", "name", "collectionKgCo2e": 1350 },
 *       "exporter":    { "id", "name", "rule": "coffee-hulling", "outputKg": 27600, "addedKgCo2e": 2760 },
 *       "importer":    { "id", "name", "containersKg": [19200, 8400], "countryOfProduction": "DO" },
 *       "auditor":     { "id", "name", "disclosesFarm": "<a farm id>" }
 *     }
 *
 * Rules checked here, before anything runs: ids are party ids and pairwise distinct; the
 * origin is a note key name; files exist; masses and emissions are whole kilograms that
 * fit a note (quantities < 2^48 g); the rule is a processing rule whose input commodity
 * has a harvest yield ceiling (capacity is issued for it); there are at most as many
 * farms as the demo profile's lot_transition has input slots (the cooperative merges
 * them in one step); the two containers add up to the exporter's output exactly (the
 * split loses no mass); the auditor discloses one of the farms. Whether a lot fits its
 * farm's capacity, or the output its rule's yield, depends on which farms prove their
 * plots: the steps refuse those in words.
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as z from 'zod';
import { circuitParams, loadConfig } from '../../circuits/toolchain/config.ts';
import { PROJECT_ROOT } from '../../circuits/toolchain/project-root.ts';
import { assertString } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { LOT_QUANTITY_GRAMS_BITS } from '../../core/lots/note.ts';
import { processingRuleByName, yieldCeiling, type ProcessingRule } from '../../core/lots/public-parameters.ts';
import { assertKeyName } from '../../core/note/note-key.ts';
import { assertPartyId } from '../../registry/store/store.ts';

/** Format id of a scenario file. */
export const DEMO_SCENARIO_FORMAT = 'canopy-demo-scenario/1';

/** The scenario `canopy demo` runs unless given another. */
export const DEFAULT_SCENARIO_FILE = join(PROJECT_ROOT, 'examples', 'demo-scenario.json');

/** The circuit profile of the demo: the real crop's dataset tree has its plot_window depth. */
export const DEMO_PROFILE = 'demo';

/** Largest scenario file read. */
const MAX_SCENARIO_BYTES = 256 * 1024;

/** Largest whole kilogram a note holds: quantities are below 2^48 g. */
const MAX_KG = Math.floor(2 ** LOT_QUANTITY_GRAMS_BITS / 1000) - 1;

/** A party of the story. */
export interface ScenarioParty {
  /** Party id in the registry, and the name of its key. */
  id: string;
  /** What the narrative calls it. */
  name: string;
}

/** A farm: its plot, its PACT footprint, and the lot it mints if its plot is proven clean. */
export interface ScenarioFarm {
  id: string;
  /** Absolute path of its GeoJSON plot. */
  plot: string;
  /** Absolute path of its PACT footprint (v2 or v3). */
  footprint: string;
  lotGrams: bigint;
}

/** A parsed, validated scenario; paths absolute, masses and emissions in grams. */
export interface DemoScenario {
  /** The file it was read from. */
  file: string;
  registry: { origin: string };
  accreditor: ScenarioParty;
  publisher: ScenarioParty;
  dataset: { name: string; lossYear: string; treeCover: string; canopyThresholdPercent: number };
  farms: ScenarioFarm[];
  cooperative: ScenarioParty & { collectionGramsCo2e: bigint };
  exporter: ScenarioParty & { rule: ProcessingRule; outputGrams: bigint; addedGramsCo2e: bigint };
  importer: ScenarioParty & { containersGrams: [bigint, bigint]; countryOfProduction: string };
  auditor: ScenarioParty & { disclosesFarm: string };
}

const text = (max: number) => z.string().min(1).max(max).regex(/^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$/, 'expected text without control characters');
const partyId = z.string().superRefine((v, ctx) => {
  try {
    assertPartyId(v, 'id');
  } catch {
    ctx.addIssue({ code: 'custom', message: 'expected a party id: [A-Za-z0-9._:@-], 1..128 characters, starting with a letter or digit' });
  }
});
function isKeyName(value: string): boolean {
  try {
    assertKeyName(value, 'origin');
    return true;
  } catch {
    return false;
  }
}
const file = z.string().min(1).max(4096);
const kg = z.number().int('expected whole kilograms').min(1).max(MAX_KG);
const kgCo2e = z.number().int('expected whole kilograms of CO2e').min(0).max(MAX_KG);
const party = { id: partyId, name: text(200) };

const scenarioSchema = z.strictObject({
  format: z.literal(DEMO_SCENARIO_FORMAT),
  registry: z.strictObject({ origin: z.string().min(1).max(255).refine(isKeyName, 'expected a key name: no spaces, "+" or control characters') }),
  accreditor: z.strictObject(party),
  publisher: z.strictObject(party),
  dataset: z.strictObject({ name: text(500), lossYear: file, treeCover: file, canopyThresholdPercent: z.number().int().min(0).max(99) }),
  farms: z.array(z.strictObject({ id: partyId, plot: file, footprint: file, lotKg: kg })).min(1),
  cooperative: z.strictObject({ ...party, collectionKgCo2e: kgCo2e }),
  exporter: z.strictObject({ ...party, rule: text(100), outputKg: kg, addedKgCo2e: kgCo2e }),
  importer: z.strictObject({ ...party, containersKg: z.tuple([kg, kg]), countryOfProduction: z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 code such as "DO"') }),
  auditor: z.strictObject({ ...party, disclosesFarm: partyId }),
});

function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>((s, p) => (typeof p === 'number' ? `${s}[${p}]` : s === '' ? String(p) : `${s}.${String(p)}`), '');
}

/**
 * Validates a scenario value (e.g. `JSON.parse` of the file) and returns it with paths
 * resolved against `baseDir` and quantities in grams.
 * @param source - names the scenario in messages (its file name)
 * @throws {CanopyError} INVALID_INPUT naming the first bad member (`scenario.json: "farms[1].lotKg": …`);
 *   NOT_FOUND naming a member whose file does not exist; PARAMETER_UNKNOWN for an unknown rule
 * @example parseDemoScenario(JSON.parse(text), 'demo-scenario.json', 'examples')
 */
export function parseDemoScenario(value: unknown, source: string, baseDir: string): DemoScenario {
  assertString(source, 'source', 4096);
  assertString(baseDir, 'baseDir', 4096);
  const parsed = scenarioSchema.safeParse(value);
  const bad = (member: string, why: string): never => {
    throw new CanopyError('INVALID_INPUT', `${source}: ${member === '' ? 'the scenario' : `"${member}"`}: ${why}`);
  };
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return bad(pathOf(issue.path), issue.message);
  }
  const s = parsed.data;
  const at = (member: string, relative: string): string => {
    const abs = resolve(baseDir, relative);
    if (!existsSync(abs) || !statSync(abs).isFile()) throw new CanopyError('NOT_FOUND', `${source}: "${member}": no file ${abs}`);
    return abs;
  };

  const ids = [s.accreditor.id, s.publisher.id, ...s.farms.map((f) => f.id), s.cooperative.id, s.exporter.id, s.importer.id, s.auditor.id];
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) bad('', `party id ${JSON.stringify(twice)} is used twice; every party needs its own`);

  let rule: ProcessingRule;
  try {
    rule = processingRuleByName(s.exporter.rule);
  } catch (e) {
    throw new CanopyError('PARAMETER_UNKNOWN', `${source}: "exporter.rule": ${(e as Error).message}`, { cause: e });
  }
  if (yieldCeiling(rule.inCommodity) === null) bad('exporter.rule', `rule ${rule.name} takes a commodity no harvest capacity is issued for, so no farm could mint its input deforestation-free`);

  // The cooperative merges every farm's lot in one lot_transition: one input slot each.
  const config = loadConfig();
  const [, nIn] = circuitParams(config.circuits.lot_transition!, DEMO_PROFILE) as [number, number];
  if (s.farms.length > nIn) bad('farms', `${s.farms.length} farms, but the ${DEMO_PROFILE} profile's lot_transition merges at most ${nIn} lots in one step`);

  const [a, b] = s.importer.containersKg;
  if (a + b !== s.exporter.outputKg) bad('importer.containersKg', `${a} + ${b} = ${a + b} kg, but the exporter ships ${s.exporter.outputKg} kg: the split must account for every kilogram`);
  if (!s.farms.some((f) => f.id === s.auditor.disclosesFarm)) bad('auditor.disclosesFarm', `${JSON.stringify(s.auditor.disclosesFarm)} is not one of the farms (${s.farms.map((f) => f.id).join(', ')})`);

  const grams = (kilograms: number) => BigInt(kilograms) * 1000n;
  return {
    file: source,
    registry: { origin: s.registry.origin },
    accreditor: s.accreditor,
    publisher: s.publisher,
    dataset: { name: s.dataset.name, lossYear: at('dataset.lossYear', s.dataset.lossYear), treeCover: at('dataset.treeCover', s.dataset.treeCover), canopyThresholdPercent: s.dataset.canopyThresholdPercent },
    farms: s.farms.map((f, i) => ({ id: f.id, plot: at(`farms[${i}].plot`, f.plot), footprint: at(`farms[${i}].footprint`, f.footprint), lotGrams: grams(f.lotKg) })),
    cooperative: { id: s.cooperative.id, name: s.cooperative.name, collectionGramsCo2e: grams(s.cooperative.collectionKgCo2e) },
    exporter: { id: s.exporter.id, name: s.exporter.name, rule, outputGrams: grams(s.exporter.outputKg), addedGramsCo2e: grams(s.exporter.addedKgCo2e) },
    importer: { id: s.importer.id, name: s.importer.name, containersGrams: [grams(a), grams(b)], countryOfProduction: s.importer.countryOfProduction },
    auditor: { id: s.auditor.id, name: s.auditor.name, disclosesFarm: s.auditor.disclosesFarm },
  };
}

/**
 * Reads and validates a scenario file; its paths are taken from the file's folder.
 * @throws {CanopyError} NOT_FOUND if missing; INVALID_INPUT if oversize, not JSON or invalid
 *   (naming the member); as `parseDemoScenario`
 * @example const scenario = readDemoScenario(DEFAULT_SCENARIO_FILE)
 */
export function readDemoScenario(path: string): DemoScenario {
  assertString(path, 'path', 4096);
  const st = statSync(path, { throwIfNoEntry: false });
  if (st === undefined || !st.isFile()) throw new CanopyError('NOT_FOUND', `no scenario file ${path}`);
  if (st.size > MAX_SCENARIO_BYTES) throw new CanopyError('INVALID_INPUT', `${path}: ${st.size} bytes, more than the ${MAX_SCENARIO_BYTES} a scenario may have`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CanopyError('INVALID_INPUT', `${path} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  return parseDemoScenario(json, path, dirname(resolve(path)));
}
