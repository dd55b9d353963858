/**
 * The artifact manifest of a setup output folder: what was built, from what, and the
 * SHA-256 of every file a prover or verifier loads, so a tampered or stale key is caught
 * before it is used.
 *
 * `<dir>/manifest.json`, keys sorted at every level (stable bytes for equal content):
 *
 *     {
 *       "circuits": {
 *         "<id>": {
 *           "circuit": "<id>", "profile": "<profile>", "template": "<Template>",
 *           "params": { "<param>": n }, "publicSignals": ["<signal>" | "<signal>[<param or n>]", ...],
 *           "constraints": { "linear": n, "nonLinear": n, "total": n },
 *           "publicInputs": n, "publicOutputs": n, "privateInputs": n, "wires": n,
 *           "compiler": "circom2@x.y.z", "sourceKey": "<64 hex>", "setupKey": "<64 hex>",
 *           "ptau": { "file": "<name>.ptau", "sha256": "<64 hex>", "power": n,
 *                     "source": "bundled" | "file" | "local-ceremony", "forProduction": bool },
 *           "phase2": { "circuitHash": "<128 hex>", "contributionHash": "<128 hex>",
 *                       "beaconHash": "<64 hex>", "beaconIterationsExp": n },
 *           "files": { "r1cs" | "wasm" | "zkey" | "vkey" | "transcript":
 *                      { "path": "<id>/<file>", "sha256": "<64 hex>", "bytes": n } }
 *         }
 *       },
 *       "format": "canopy-setup-manifest/1",
 *       "profile": "<profile>",
 *       "snarkjs": "<version>"
 *     }
 *
 * File paths are relative to the manifest's folder, '/'-separated, and may not leave it
 * (no absolute path, no `..`): a manifest is input like any other file.
 * `setupKey` = SHA-256("canopy-setup/1\0" sourceKey "\0" ptau sha256 "\0" circuit id):
 * equal keys mean the zkey would be made from the same circuit and the same ptau.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CanopyError } from '../../core/errors.ts';
import { sha256File } from './_steps.ts';

/** Format tag; a reader rejects any other. */
export const MANIFEST_FORMAT = 'canopy-setup-manifest/1';
/** File name of the manifest inside a setup output folder. */
export const MANIFEST_FILE = 'manifest.json';

/** Kinds of artifact every circuit entry lists. */
export const ARTIFACT_KINDS = ['r1cs', 'wasm', 'zkey', 'vkey', 'transcript'] as const;
export type ArtifactKind = (typeof ARTIFACT_KINDS)[number];

/** One hashed file. */
export interface ArtifactFile {
  /** Relative to the manifest's folder, '/'-separated. */
  path: string;
  sha256: string;
  bytes: number;
}

/** Where the powers of tau came from. */
export interface PtauRecord {
  file: string;
  sha256: string;
  power: number;
  source: 'bundled' | 'file' | 'local-ceremony';
  /** False for the bundled file; keys made from it must never protect real claims. */
  forProduction: boolean;
}

/** The phase-2 chain of a zkey, hashes as snarkjs reports them. */
export interface Phase2Record {
  circuitHash: string;
  contributionHash: string;
  beaconHash: string;
  beaconIterationsExp: number;
}

/** Everything recorded about one circuit's keys. */
export interface CircuitManifest {
  circuit: string;
  profile: string;
  template: string;
  params: Record<string, number>;
  publicSignals: string[];
  constraints: { total: number; nonLinear: number; linear: number };
  publicInputs: number;
  publicOutputs: number;
  privateInputs: number;
  wires: number;
  compiler: string;
  sourceKey: string;
  setupKey: string;
  ptau: PtauRecord;
  phase2: Phase2Record;
  files: Record<ArtifactKind, ArtifactFile>;
}

/** A whole manifest. */
export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  profile: string;
  snarkjs: string;
  circuits: Record<string, CircuitManifest>;
}

/**
 * The setup key of a circuit: changes iff its compiled source, its ptau or its id does.
 * @throws {RangeError} when a hash is not 64 hex digits
 * @example setupKey(compiled.key, ptauSha256, 'membership')
 */
export function setupKey(sourceKey: string, ptauSha256: string, circuitId: string): string {
  if (!HEX64.test(sourceKey)) throw new RangeError(`"sourceKey" expected 64 hex digits, got ${JSON.stringify(sourceKey)}`);
  if (!HEX64.test(ptauSha256)) throw new RangeError(`"ptauSha256" expected 64 hex digits, got ${JSON.stringify(ptauSha256)}`);
  return createHash('sha256').update(`canopy-setup/1\0${sourceKey}\0${ptauSha256}\0${circuitId}`).digest('hex');
}

/**
 * Hashes a file for the manifest.
 * @param dir the manifest's folder; `relPath` is relative to it
 * @throws {RangeError} for a path that leaves `dir`; {Error} ENOENT if missing
 * @example const f = await artifactFile(out, 'membership/membership.zkey');
 */
export async function artifactFile(dir: string, relPath: string): Promise<ArtifactFile> {
  const abs = artifactPath(dir, relPath);
  return { path: relPath, sha256: await sha256File(abs), bytes: statSync(abs).size };
}

/**
 * Absolute path of a manifest file entry, refusing paths that leave `dir`.
 * @throws {RangeError} `"path" expected a relative path inside the setup folder, got "../x"`
 * @example artifactPath(out, manifest.circuits.membership.files.zkey.path)
 */
export function artifactPath(dir: string, relPath: string): string {
  if (!SAFE_PATH.test(relPath) || relPath.split('/').some((part) => part === '..' || part === '.' || part === '')) {
    throw new RangeError(`"path" expected a relative path inside the setup folder, got ${JSON.stringify(relPath)}`);
  }
  return join(resolve(dir), ...relPath.split('/'));
}

/**
 * JSON with object keys sorted at every level, two-space indented, final newline.
 * @example stableJson({ b: 1, a: [2] }) // '{\n  "a": [\n    2\n  ],\n  "b": 1\n}\n'
 */
export function stableJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    return v;
  };
  return `${JSON.stringify(sort(value), null, 2)}\n`;
}

/**
 * Writes `<dir>/manifest.json` atomically (temporary file, then rename), so a reader
 * never sees half a manifest.
 * @throws {CanopyError} INVALID_INPUT if `manifest` does not pass `parseManifest`
 * @example writeManifest(out, manifest);
 */
export function writeManifest(dir: string, manifest: Manifest): void {
  parseManifest(JSON.parse(JSON.stringify(manifest)), 'manifest to write');
  const path = join(resolve(dir), MANIFEST_FILE);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, stableJson(manifest));
  renameSync(tmp, path);
}

/**
 * Reads and validates `<dir>/manifest.json`.
 * @throws {CanopyError} NOT_FOUND when there is no manifest; INVALID_INPUT naming the bad field
 * @example const m = readManifest('circuits/build/test');
 */
export function readManifest(dir: string): Manifest {
  const path = join(resolve(dir), MANIFEST_FILE);
  if (!existsSync(path)) throw new CanopyError('NOT_FOUND', `no setup manifest at ${path}: run \`canopy setup\` first`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new CanopyError('INVALID_INPUT', `${path}: not JSON (${(e as Error).message})`, { cause: e });
  }
  return parseManifest(json, path);
}

const HEX64 = /^[0-9a-f]{64}$/;
const HEX128 = /^[0-9a-f]{128}$/;
const SAFE_PATH = /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/;

/**
 * Validates a parsed manifest strictly (exact keys, hash lengths, safe paths).
 * @param source named in error messages
 * @throws {CanopyError} INVALID_INPUT `<source>: <field> expected …, got …`
 * @example parseManifest(JSON.parse(text), 'manifest.json')
 */
export function parseManifest(json: unknown, source: string): Manifest {
  const fail = (where: string, what: string, got: unknown): never => {
    throw new CanopyError('INVALID_INPUT', `${source}: ${where} expected ${what}, got ${JSON.stringify(got)?.slice(0, 80) ?? 'nothing'}`);
  };
  const obj = (v: unknown, where: string, keys: readonly string[]): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(where, 'an object', v);
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!keys.includes(k)) fail(where, `only keys ${keys.join(', ')}`, k);
    for (const k of keys) if (!(k in o)) fail(`${where}.${k}`, 'a value', undefined);
    return o;
  };
  const str = (v: unknown, where: string, re?: RegExp): string => (typeof v === 'string' && (!re || re.test(v)) ? v : fail(where, re ? `a string matching ${re.source}` : 'a string', v));
  const int = (v: unknown, where: string): number => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : fail(where, 'a non-negative integer', v));

  const root = obj(json, '(top level)', ['format', 'profile', 'snarkjs', 'circuits']);
  if (root.format !== MANIFEST_FORMAT) fail('format', JSON.stringify(MANIFEST_FORMAT), root.format);
  const profile = str(root.profile, 'profile', /^[a-z][a-z0-9_]*$/);
  const snarkjs = str(root.snarkjs, 'snarkjs');
  if (typeof root.circuits !== 'object' || root.circuits === null || Array.isArray(root.circuits)) fail('circuits', 'an object', root.circuits);
  const circuits: Record<string, CircuitManifest> = {};
  for (const [id, raw] of Object.entries(root.circuits as Record<string, unknown>)) {
    const w = `circuits.${id}`;
    if (!/^[a-z][a-z0-9_]*$/.test(id)) fail('circuits', 'ids matching [a-z][a-z0-9_]*', id);
    const c = obj(raw, w, [
      'circuit', 'profile', 'template', 'params', 'publicSignals', 'constraints', 'publicInputs', 'publicOutputs', 'privateInputs',
      'wires', 'compiler', 'sourceKey', 'setupKey', 'ptau', 'phase2', 'files',
    ]);
    if (c.circuit !== id) fail(`${w}.circuit`, JSON.stringify(id), c.circuit);
    if (c.profile !== profile) fail(`${w}.profile`, JSON.stringify(profile), c.profile);
    const params = c.params;
    if (typeof params !== 'object' || params === null || Array.isArray(params)) fail(`${w}.params`, 'an object', params);
    const paramValues: Record<string, number> = {};
    for (const [k, v] of Object.entries(params as Record<string, unknown>)) paramValues[k] = int(v, `${w}.params.${k}`);
    if (!Array.isArray(c.publicSignals)) fail(`${w}.publicSignals`, 'an array', c.publicSignals);
    const constraints = obj(c.constraints, `${w}.constraints`, ['total', 'nonLinear', 'linear']);
    const ptau = obj(c.ptau, `${w}.ptau`, ['file', 'sha256', 'power', 'source', 'forProduction']);
    if (ptau.source !== 'bundled' && ptau.source !== 'file' && ptau.source !== 'local-ceremony') fail(`${w}.ptau.source`, 'bundled, file or local-ceremony', ptau.source);
    if (typeof ptau.forProduction !== 'boolean') fail(`${w}.ptau.forProduction`, 'a boolean', ptau.forProduction);
    const phase2 = obj(c.phase2, `${w}.phase2`, ['circuitHash', 'contributionHash', 'beaconHash', 'beaconIterationsExp']);
    const files = obj(c.files, `${w}.files`, ARTIFACT_KINDS);
    const fileEntries = {} as Record<ArtifactKind, ArtifactFile>;
    for (const kind of ARTIFACT_KINDS) {
      const f = obj(files[kind], `${w}.files.${kind}`, ['path', 'sha256', 'bytes']);
      const path = str(f.path, `${w}.files.${kind}.path`);
      try {
        artifactPath('.', path);
      } catch {
        fail(`${w}.files.${kind}.path`, 'a relative path inside the setup folder', path);
      }
      fileEntries[kind] = { path, sha256: str(f.sha256, `${w}.files.${kind}.sha256`, HEX64), bytes: int(f.bytes, `${w}.files.${kind}.bytes`) };
    }
    circuits[id] = {
      circuit: id,
      profile,
      template: str(c.template, `${w}.template`),
      params: paramValues,
      publicSignals: (c.publicSignals as unknown[]).map((s, i) => str(s, `${w}.publicSignals[${i}]`, /^[A-Za-z_][A-Za-z0-9_]*(\[([A-Za-z_][A-Za-z0-9_]*|[1-9][0-9]*)\])?$/)),
      constraints: { total: int(constraints.total, `${w}.constraints.total`), nonLinear: int(constraints.nonLinear, `${w}.constraints.nonLinear`), linear: int(constraints.linear, `${w}.constraints.linear`) },
      publicInputs: int(c.publicInputs, `${w}.publicInputs`),
      publicOutputs: int(c.publicOutputs, `${w}.publicOutputs`),
      privateInputs: int(c.privateInputs, `${w}.privateInputs`),
      wires: int(c.wires, `${w}.wires`),
      compiler: str(c.compiler, `${w}.compiler`),
      sourceKey: str(c.sourceKey, `${w}.sourceKey`, HEX64),
      setupKey: str(c.setupKey, `${w}.setupKey`, HEX64),
      ptau: {
        file: str(ptau.file, `${w}.ptau.file`),
        sha256: str(ptau.sha256, `${w}.ptau.sha256`, HEX64),
        power: int(ptau.power, `${w}.ptau.power`),
        source: ptau.source as PtauRecord['source'],
        forProduction: ptau.forProduction as boolean,
      },
      phase2: {
        circuitHash: str(phase2.circuitHash, `${w}.phase2.circuitHash`, HEX128),
        contributionHash: str(phase2.contributionHash, `${w}.phase2.contributionHash`, HEX128),
        beaconHash: str(phase2.beaconHash, `${w}.phase2.beaconHash`, HEX64),
        beaconIterationsExp: int(phase2.beaconIterationsExp, `${w}.phase2.beaconIterationsExp`),
      },
      files: fileEntries,
    };
  }
  return { format: MANIFEST_FORMAT, profile, snarkjs, circuits };
}

/** One file that does not match its manifest entry. */
export interface ArtifactMismatch {
  circuit: string;
  kind: ArtifactKind;
  path: string;
  problem: string;
}

/** What `verifyManifest` checked. */
export interface ManifestCheck {
  manifest: Manifest;
  files: number;
  bytes: number;
}

/**
 * Re-hashes every file a manifest lists (all circuits, or those in `circuitIds`) and
 * compares size and SHA-256.
 * @throws {CanopyError} NOT_FOUND / INVALID_INPUT from `readManifest`; ARTIFACT_MISMATCH naming every file that is missing, resized or altered
 * @example const { files } = await verifyManifest('circuits/build/test');
 */
export async function verifyManifest(dir: string, circuitIds?: readonly string[]): Promise<ManifestCheck> {
  const manifest = readManifest(dir);
  const ids = circuitIds ?? Object.keys(manifest.circuits);
  const mismatches: ArtifactMismatch[] = [];
  let files = 0;
  let bytes = 0;
  for (const id of ids) {
    const entry = Object.hasOwn(manifest.circuits, id) ? manifest.circuits[id] : undefined;
    if (!entry) throw new CanopyError('NOT_FOUND', `the manifest in ${resolve(dir)} has no circuit ${JSON.stringify(id)}`);
    mismatches.push(...(await checkEntry(dir, entry)));
    for (const kind of ARTIFACT_KINDS) {
      files++;
      bytes += entry.files[kind].bytes;
    }
  }
  if (mismatches.length) {
    const list = mismatches.map((m) => `${m.path} (${m.problem})`).join(', ');
    throw new CanopyError('ARTIFACT_MISMATCH', `${mismatches.length} artifact(s) in ${resolve(dir)} do not match the manifest: ${list}`);
  }
  return { manifest, files, bytes };
}

/**
 * Compares one circuit's files with its manifest entry; returns the mismatches.
 * @throws {RangeError} for an entry path that leaves `dir` (rejected earlier by `parseManifest`)
 * @example (await checkEntry(dir, m.circuits.membership)).length === 0
 */
export async function checkEntry(dir: string, entry: CircuitManifest, kinds: readonly ArtifactKind[] = ARTIFACT_KINDS): Promise<ArtifactMismatch[]> {
  const out: ArtifactMismatch[] = [];
  for (const kind of kinds) {
    const f = entry.files[kind];
    const abs = artifactPath(dir, f.path);
    const base = { circuit: entry.circuit, kind, path: f.path };
    if (!existsSync(abs)) {
      out.push({ ...base, problem: 'missing' });
      continue;
    }
    const size = statSync(abs).size;
    if (size !== f.bytes) {
      out.push({ ...base, problem: `${size} bytes, manifest says ${f.bytes}` });
      continue;
    }
    const sha = await sha256File(abs);
    if (sha !== f.sha256) out.push({ ...base, problem: `sha256 ${sha}, manifest says ${f.sha256}` });
  }
  return out;
}
