/**
 * Reads and validates `circuits/circuits.json`, the single config of every circuit
 * Canopy builds: template, parameters per profile, and public signals.
 *
 * Wire format (JSON; keys other than these are rejected, except a top-level "$comment"):
 *
 *     {
 *       "profiles": { "<profile>": { "description": string, "ptau": "bundled" | "required" } },
 *       "circuits": {
 *         "<id>": {
 *           "description": string,
 *           "file": "circuits/<name>.circom",         relative, inside the project
 *           "template": "<Identifier>",
 *           "params": ["<name>", ...],               template parameters, in order
 *           "publicInputs": ["<signal>", ...],       inputs of main made public
 *           "publicSignals": ["<signal>", ...],      snarkjs order: outputs, then publicInputs;
 *                                                    an array is "<signal>[<param>]" or "<signal>[<n>]"
 *           "profiles": { "<profile>": { "<param>": non-negative integer, ... } }
 *         }
 *       }
 *     }
 *
 * Names that end up in generated Circom source (template, signals, params) must be
 * plain identifiers: the file is input, and an identifier check is what keeps it from
 * injecting code into the main component compile.ts writes.
 * @module
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { CanopyError } from '../../core/errors.ts';
import { PROJECT_ROOT } from './project-root.ts';

/** Default location of the config. */
export const CONFIG_PATH = resolve(PROJECT_ROOT, 'circuits', 'circuits.json');

/** How a profile gets its powers of tau. */
export type PtauPolicy = 'bundled' | 'required';

/** A setup profile: parameter set plus ptau policy. */
export interface ProfileConfig {
  name: string;
  description: string;
  /** `bundled`: the not-for-production file in circuits/ptau; `required`: --ptau FILE or --local-ceremony. */
  ptau: PtauPolicy;
}

/** One circuit and its parameters in every profile. */
export interface CircuitConfig {
  /** Key in `circuits`, [a-z][a-z0-9_]*; names artifacts (`<id>_<profile>`). */
  id: string;
  description: string;
  /** Template file, relative to the project root. */
  file: string;
  template: string;
  params: string[];
  publicInputs: string[];
  publicSignals: string[];
  /** Profile name → param name → value. Every profile has every param. */
  profiles: Record<string, Record<string, number>>;
}

/** The whole validated config. Insertion order of profiles and circuits is the file's. */
export interface CircuitsConfig {
  source: string;
  profiles: Record<string, ProfileConfig>;
  circuits: Record<string, CircuitConfig>;
}

const ID_RE = /^[a-z][a-z0-9_]*$/;
// Circom identifiers; `__proto__` is excluded so no name can reach an object's prototype.
const IDENT_RE = /^(?!__proto__$)[A-Za-z_][A-Za-z0-9_]*$/;
// A public signal: a name, or an array name with its length, a template parameter or a
// positive integer (`nullifiers[nIn]`, `outCommitments[2]`). snarkjs lists every element.
const SIGNAL_RE = /^((?!__proto__$)[A-Za-z_][A-Za-z0-9_]*)(?:\[((?!__proto__\])[A-Za-z_][A-Za-z0-9_]*|[1-9][0-9]{0,5})\])?$/;
const MAX_PARAM = 2 ** 32;

/**
 * Reads and validates the config file.
 * @throws {CanopyError} NOT_FOUND if the file is missing; INVALID_INPUT naming the file and the bad field
 * @example const config = loadConfig(); config.circuits.membership.profiles.test.depth // 4
 */
export function loadConfig(path: string = CONFIG_PATH): CircuitsConfig {
  const source = relative(PROJECT_ROOT, resolve(path)) || path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CanopyError('NOT_FOUND', `circuit config ${resolve(path)} cannot be read`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CanopyError('INVALID_INPUT', `${source}: not JSON (${(e as Error).message})`, { cause: e });
  }
  return parseConfig(json, source);
}

/**
 * Validates a parsed config.
 * @param source file name used in error messages
 * @throws {CanopyError} INVALID_INPUT `<source>: <field path> <what is wrong>`
 * @example parseConfig(JSON.parse(text), 'circuits/circuits.json');
 */
export function parseConfig(json: unknown, source: string): CircuitsConfig {
  const fail = (where: string, what: string): never => {
    throw new CanopyError('INVALID_INPUT', `${source}: ${where} ${what}`);
  };
  const obj = (v: unknown, where: string): Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(where, `expected an object, got ${JSON.stringify(v) ?? 'nothing'}`);
  const str = (v: unknown, where: string): string => (typeof v === 'string' && v.length > 0 && v.length <= 1000 ? v : fail(where, `expected a non-empty string, got ${JSON.stringify(v) ?? 'nothing'}`));
  const only = (o: Record<string, unknown>, keys: readonly string[], where: string) => {
    for (const k of Object.keys(o)) if (!keys.includes(k)) fail(where, `has unknown key "${k}" (expected ${keys.join(', ')})`);
  };
  const identList = (v: unknown, where: string): string[] => {
    if (!Array.isArray(v)) return fail(where, `expected an array of identifiers, got ${JSON.stringify(v) ?? 'nothing'}`);
    const out = v.map((x, i) => (typeof x === 'string' && IDENT_RE.test(x) ? x : fail(`${where}[${i}]`, `expected an identifier, got ${JSON.stringify(x)}`)));
    if (new Set(out).size !== out.length) fail(where, `lists a name twice: ${JSON.stringify(out)}`);
    return out;
  };

  const root = obj(json, '(top level)');
  only(root, ['$comment', 'profiles', 'circuits'], '(top level)');
  const rawProfiles = obj(root.profiles, 'profiles');
  const profiles: Record<string, ProfileConfig> = {};
  for (const [name, raw] of Object.entries(rawProfiles)) {
    const where = `profiles.${name}`;
    if (!ID_RE.test(name)) fail(where, 'name expected [a-z][a-z0-9_]*');
    const p = obj(raw, where);
    only(p, ['description', 'ptau'], where);
    const ptau = p.ptau === 'bundled' || p.ptau === 'required' ? p.ptau : fail(`${where}.ptau`, `expected "bundled" or "required", got ${JSON.stringify(p.ptau) ?? 'nothing'}`);
    profiles[name] = { name, description: str(p.description, `${where}.description`), ptau };
  }
  const profileNames = Object.keys(profiles);
  if (profileNames.length === 0) fail('profiles', 'defines no profile');

  const rawCircuits = obj(root.circuits, 'circuits');
  const circuits: Record<string, CircuitConfig> = {};
  for (const [id, raw] of Object.entries(rawCircuits)) {
    const where = `circuits.${id}`;
    if (!ID_RE.test(id)) fail(where, 'id expected [a-z][a-z0-9_]*');
    const c = obj(raw, where);
    only(c, ['description', 'file', 'template', 'params', 'publicInputs', 'publicSignals', 'profiles'], where);
    const file = str(c.file, `${where}.file`);
    // The file is read by circom from the project root; keep it inside.
    if (!/^[A-Za-z0-9_./-]+\.circom$/.test(file) || file.startsWith('/') || file.split('/').includes('..')) {
      fail(`${where}.file`, `expected a relative path to a .circom file inside the project, got ${JSON.stringify(file)}`);
    }
    const template = str(c.template, `${where}.template`);
    if (!IDENT_RE.test(template)) fail(`${where}.template`, `expected an identifier, got ${JSON.stringify(template)}`);
    const params = identList(c.params, `${where}.params`);
    const publicInputs = identList(c.publicInputs, `${where}.publicInputs`);
    if (!Array.isArray(c.publicSignals)) fail(`${where}.publicSignals`, `expected an array of signals, got ${JSON.stringify(c.publicSignals) ?? 'nothing'}`);
    const publicSignals = (c.publicSignals as unknown[]).map((x, i) => {
      const m = typeof x === 'string' ? SIGNAL_RE.exec(x) : null;
      if (!m) return fail(`${where}.publicSignals[${i}]`, `expected an identifier or identifier[param or n], got ${JSON.stringify(x)}`);
      if (m[2] !== undefined && !/^[0-9]/.test(m[2]) && !params.includes(m[2])) fail(`${where}.publicSignals[${i}]`, `sizes an array by "${m[2]}", which is not in params ${JSON.stringify(params)}`);
      return x as string;
    });
    const baseNames = publicSignals.map(signalName);
    if (new Set(baseNames).size !== baseNames.length) fail(`${where}.publicSignals`, `lists a name twice: ${JSON.stringify(publicSignals)}`);
    // snarkjs lists outputs first, then public inputs in declaration order.
    const tail = baseNames.slice(baseNames.length - publicInputs.length);
    if (publicSignals.length < publicInputs.length || tail.join() !== publicInputs.join()) {
      fail(`${where}.publicSignals`, `must end with the publicInputs ${JSON.stringify(publicInputs)} (outputs come first), got ${JSON.stringify(publicSignals)}`);
    }
    const rawByProfile = obj(c.profiles, `${where}.profiles`);
    const byProfile: Record<string, Record<string, number>> = {};
    for (const profile of Object.keys(rawByProfile)) {
      if (!profiles[profile]) fail(`${where}.profiles`, `names unknown profile "${profile}" (profiles are ${profileNames.join(', ')})`);
    }
    for (const profile of profileNames) {
      const pw = `${where}.profiles.${profile}`;
      if (rawByProfile[profile] === undefined) fail(`${where}.profiles`, `has no parameters for profile "${profile}"`);
      const values = obj(rawByProfile[profile], pw);
      for (const k of Object.keys(values)) if (!params.includes(k)) fail(pw, `has param "${k}" that is not in params ${JSON.stringify(params)}`);
      byProfile[profile] = {};
      for (const param of params) {
        const v = values[param];
        if (v === undefined) fail(pw, `is missing param "${param}"`);
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v >= MAX_PARAM) {
          fail(`${pw}.${param}`, `expected an integer in [0, 2^32), got ${JSON.stringify(v)}`);
        }
        byProfile[profile]![param] = v as number;
      }
    }
    circuits[id] = { id, description: str(c.description, `${where}.description`), file, template, params, publicInputs, publicSignals, profiles: byProfile };
  }
  if (Object.keys(circuits).length === 0) fail('circuits', 'defines no circuit');
  return { source, profiles, circuits };
}

/**
 * The profile called `name`.
 * @throws {CanopyError} INVALID_INPUT `unknown profile "x": expected one of test, demo, production`
 * @example getProfile(loadConfig(), 'test').ptau // 'bundled'
 */
export function getProfile(config: CircuitsConfig, name: string): ProfileConfig {
  const p = Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined;
  if (!p) throw new CanopyError('INVALID_INPUT', `unknown profile ${JSON.stringify(name)}: expected one of ${Object.keys(config.profiles).join(', ')}`);
  return p;
}

/**
 * The circuits named in `ids` (all of them, in config order, when `ids` is empty or absent).
 * @throws {CanopyError} INVALID_INPUT `unknown circuit "x": expected one of membership, …`
 * @example selectCircuits(loadConfig(), ['membership']).map((c) => c.id) // ['membership']
 */
export function selectCircuits(config: CircuitsConfig, ids?: readonly string[]): CircuitConfig[] {
  if (!ids || ids.length === 0) return Object.values(config.circuits);
  const out: CircuitConfig[] = [];
  for (const id of ids) {
    const c = Object.hasOwn(config.circuits, id) ? config.circuits[id] : undefined;
    if (!c) throw new CanopyError('INVALID_INPUT', `unknown circuit ${JSON.stringify(id)}: expected one of ${Object.keys(config.circuits).join(', ')}`);
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

/** The signal name of a publicSignals entry: `nullifiers[nIn]` → `nullifiers`. */
function signalName(entry: string): string {
  const i = entry.indexOf('[');
  return i < 0 ? entry : entry.slice(0, i);
}

/**
 * How many public signals `circuit` has in `profile`: one per plain entry of
 * publicSignals, and an array entry's length (its parameter's value, or its number).
 * @throws {CanopyError} INVALID_INPUT for an unknown profile
 * @example publicSignalCount(config.circuits.lot_transition, 'test') // 1 + nIn + 2 + 4
 */
export function publicSignalCount(circuit: CircuitConfig, profile: string): number {
  const values = Object.hasOwn(circuit.profiles, profile) ? circuit.profiles[profile] : undefined;
  if (!values) throw new CanopyError('INVALID_INPUT', `circuit ${circuit.id} has no parameters for profile ${JSON.stringify(profile)}`);
  let n = 0;
  for (const entry of circuit.publicSignals) {
    const size = SIGNAL_RE.exec(entry)?.[2];
    n += size === undefined ? 1 : /^[0-9]/.test(size) ? Number(size) : values[size]!;
  }
  return n;
}

/**
 * Template parameters of `circuit` in `profile`, in template order.
 * @throws {CanopyError} INVALID_INPUT for an unknown profile
 * @example circuitParams(config.circuits.membership, 'test') // [4]
 */
export function circuitParams(circuit: CircuitConfig, profile: string): number[] {
  const values = Object.hasOwn(circuit.profiles, profile) ? circuit.profiles[profile] : undefined;
  if (!values) throw new CanopyError('INVALID_INPUT', `circuit ${circuit.id} has no parameters for profile ${JSON.stringify(profile)}`);
  return circuit.params.map((p) => values[p]!);
}
