/**
 * The verification keys an auditor trusts, pinned by SHA-256 before it talks to the
 * registry, and the keys themselves, resolved against the pins.
 *
 * A pin is `(circuit, vkeyHash)`: vkeyHash is the SHA-256 of the verification key FILE as
 * `canopy setup` writes it (circuits/toolchain/phase2.ts: `JSON.stringify(vkey, null, 2)`
 * and a newline), which is what the setup manifest records as `files.vkey.sha256` and
 * what proof bundles name. Pins come from
 *
 *   - a setup folder or its manifest.json alone (`pinsFromSetup`): every circuit the log
 *     accepts, with its template parameters (the tree depths come from them); the key
 *     files, when they lie beside the manifest, are read and checked against it;
 *   - `circuit=hex` strings (`pinsFromHashes`), e.g. published by the scheme operator.
 *
 * `resolveKeys` turns pins into keys: a key read from a pinned setup folder is used as is;
 * any other is fetched from the registry's `GET /v1/artifacts` and accepted only if the
 * SHA-256 of its file form (above) is the pin. The registry serves the parsed key, so the
 * file form is rebuilt from it; snarkjs's member order (protocol, curve, nPublic, …) is
 * kept by the JSON round trip. A served key that does not hash to a pin is never used.
 *
 * Depths (`pinnedDepths`, `depthsFromPins`): the lots tree has the `depth` of
 * `lot_transition` or `capacity_mint`, the plots tree the `plotsDepth` of `capacity_issue`
 * (registry/api/registry-service.ts `treeDepthsForProfile`). What the pins do not state,
 * the audit takes from the registry's `GET /v1/roots`, and failing that the plots tree
 * gets the lots depth (every profile has them equal). A wrong depth cannot pass unnoticed:
 * the replayed roots would differ from the first signed checkpoint's.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { assertArray, assertString, rangeError } from '../../core/assert.ts';
import { CanopyError } from '../../core/errors.ts';
import { artifactPath, MANIFEST_FILE, parseManifest } from '../../circuits/toolchain/manifest.ts';
import type { VerificationKey } from '../../circuits/toolchain/prove.ts';
import type { PublishedArtifacts } from '../../registry/api/artifacts.ts';
import { assertCircuitId, CIRCUIT_IDS, type CircuitId } from '../../registry/log/circuit-signals.ts';
import type { TreeDepths } from '../../registry/log/registry-trees.ts';

/** One trusted key, by hash; `vkey` when it was read from a pinned setup folder. */
export interface PinnedKey {
  circuit: CircuitId;
  /** SHA-256 of the key file, 64 lowercase hex. */
  vkeyHash: string;
  /** Template parameters from the manifest (null for a bare hash pin). */
  params: Record<string, number> | null;
  /** Where the pin came from, for messages. */
  source: string;
  vkey?: VerificationKey;
}

/** A verification key resolved against its pin. */
export interface ResolvedKey {
  circuit: CircuitId;
  vkeyHash: string;
  vkey: VerificationKey;
  /** "setup folder <dir>" or "registry /v1/artifacts". */
  from: string;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The SHA-256 (hex) of a verification key's file form, `JSON.stringify(vkey, null, 2) + "\n"`.
 * @throws never
 * @example vkeyFileHash(served.vkey) === pin.vkeyHash
 */
export function vkeyFileHash(vkey: unknown): string {
  return createHash('sha256').update(`${JSON.stringify(vkey, null, 2)}\n`).digest('hex');
}

/**
 * Pins every circuit the log accepts from a setup folder, or from a manifest.json file.
 * Key files beside the manifest are read when present and must match it.
 * @param path - a setup folder (holding manifest.json) or the manifest file itself
 * @throws {CanopyError} NOT_FOUND (no manifest, or no circuit the log accepts);
 *   INVALID_INPUT (malformed manifest); ARTIFACT_MISMATCH (a key file that does not match it)
 * @example pinsFromSetup('circuits/build/demo')
 */
export function pinsFromSetup(path: string): PinnedKey[] {
  assertString(path, 'path', 4096);
  const abs = resolve(path);
  const manifestPath = existsSync(abs) && statSync(abs).isDirectory() ? join(abs, MANIFEST_FILE) : abs;
  if (!existsSync(manifestPath)) throw new CanopyError('NOT_FOUND', `no setup manifest at ${manifestPath}`);
  const dir = dirname(manifestPath);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (e) {
    throw new CanopyError('INVALID_INPUT', `${manifestPath}: not JSON`, { cause: e });
  }
  const manifest = parseManifest(json, manifestPath);
  const pins: PinnedKey[] = [];
  for (const id of CIRCUIT_IDS) {
    if (!Object.hasOwn(manifest.circuits, id)) continue;
    const entry = manifest.circuits[id]!;
    const pin: PinnedKey = { circuit: id, vkeyHash: entry.files.vkey.sha256, params: { ...entry.params }, source: `${basename(manifestPath) === MANIFEST_FILE ? dir : manifestPath}` };
    const file = artifactPath(dir, entry.files.vkey.path);
    if (existsSync(file)) {
      const bytes = readFileSync(file);
      const sha = createHash('sha256').update(bytes).digest('hex');
      if (sha !== entry.files.vkey.sha256) throw new CanopyError('ARTIFACT_MISMATCH', `${file} has SHA-256 ${sha}, the manifest says ${entry.files.vkey.sha256}`);
      try {
        pin.vkey = JSON.parse(bytes.toString('utf8')) as VerificationKey;
      } catch (e) {
        throw new CanopyError('INVALID_INPUT', `${file}: not JSON`, { cause: e });
      }
    }
    pins.push(pin);
  }
  if (pins.length === 0) throw new CanopyError('NOT_FOUND', `${manifestPath} pins none of the circuits the log accepts (${CIRCUIT_IDS.join(', ')})`);
  return pins;
}

/**
 * Pins from `circuit=hex` strings (64 lowercase hex digits of the key file's SHA-256).
 * @throws {TypeError|RangeError} for a malformed string or an unknown circuit
 * @example pinsFromHashes(['lot_mint=3678f57b…'])
 */
export function pinsFromHashes(values: readonly string[]): PinnedKey[] {
  assertArray(values, 'values', 0, 1000);
  return values.map((v, i) => {
    assertString(v, `values[${i}]`, 200);
    const at = v.indexOf('=');
    if (at < 0) rangeError(`values[${i}]`, 'circuit=<64 hex>', v);
    const circuit = v.slice(0, at);
    const vkeyHash = v.slice(at + 1);
    assertCircuitId(circuit, `values[${i}] circuit`);
    if (!HEX64.test(vkeyHash)) rangeError(`values[${i}] hash`, '64 lowercase hex digits', vkeyHash);
    return { circuit, vkeyHash, params: null, source: 'a pinned hash' };
  });
}

/**
 * The tree depths the pins state (module comment): from their own parameters, or from the
 * registry's published parameters of pinned keys when the pins carry none; null for a
 * tree no pinned circuit states.
 * @throws {CanopyError} INVALID_INPUT if two pinned circuits disagree on a depth
 * @example pinnedDepths(pinsFromSetup('circuits/build/demo')) // { lots: 20, plots: 20 }
 */
export function pinnedDepths(pins: readonly PinnedKey[], published?: PublishedArtifacts): { lots: number | null; plots: number | null } {
  const params = (circuit: CircuitId): Record<string, number>[] => {
    const own = pins.filter((p) => p.circuit === circuit && p.params !== null).map((p) => p.params!);
    if (own.length > 0 || published === undefined) return own;
    const hashes = new Set(pins.filter((p) => p.circuit === circuit).map((p) => p.vkeyHash));
    return published.circuits.filter((c) => c.circuit === circuit && hashes.has(c.vkeyHash)).map((c) => c.params);
  };
  const lotsDepths = new Set([...params('lot_transition'), ...params('capacity_mint')].map((p) => p.depth).filter((d): d is number => d !== undefined));
  const plotsDepths = new Set(params('capacity_issue' as CircuitId).map((p) => p.plotsDepth).filter((d): d is number => d !== undefined));
  if (lotsDepths.size > 1) throw new CanopyError('INVALID_INPUT', `the pinned lot circuits disagree on the lots tree depth (${[...lotsDepths].join(', ')})`);
  if (plotsDepths.size > 1) throw new CanopyError('INVALID_INPUT', `the pinned capacity_issue keys disagree on the plots tree depth (${[...plotsDepths].join(', ')})`);
  return { lots: lotsDepths.size === 1 ? [...lotsDepths][0]! : null, plots: plotsDepths.size === 1 ? [...plotsDepths][0]! : null };
}

/**
 * Tree depths from the pins alone (`pinnedDepths`), the plots tree taking the lots depth
 * when no pinned capacity_issue states its own.
 * @throws {CanopyError} INVALID_INPUT if no pinned lot circuit states a depth, or two disagree
 * @example depthsFromPins(pins, await client.artifacts())
 */
export function depthsFromPins(pins: readonly PinnedKey[], published?: PublishedArtifacts): TreeDepths {
  const { lots, plots } = pinnedDepths(pins, published);
  if (lots === null) throw new CanopyError('INVALID_INPUT', 'no pinned lot_transition or capacity_mint key states the lots tree depth: pin a setup folder, or give the depths');
  return { lots, plots: plots ?? lots };
}

/**
 * Resolves every pin to a key (module comment). A pin whose key is neither local nor
 * served is left out: a proof under it is reported when the replay meets one.
 * @param fetchArtifacts - `GET /v1/artifacts`, called at most once and only if needed; null
 *   for a source that serves no keys (a tiles mirror): pins without a local key stay unresolved
 * @returns keys by vkeyHash, the pins left unresolved, and the served keys that no pin
 *   names (reported, never used)
 * @throws whatever `fetchArtifacts` throws (a served key that matches no pin is not an
 *   error: it is listed in `unpinned`)
 * @example const { keys } = await resolveKeys(pins, () => client.artifacts())
 */
export async function resolveKeys(
  pins: readonly PinnedKey[],
  fetchArtifacts: (() => Promise<PublishedArtifacts>) | null,
): Promise<{ keys: Map<string, ResolvedKey>; unresolved: PinnedKey[]; unpinned: { circuit: string; vkeyHash: string; reason: string }[] }> {
  const keys = new Map<string, ResolvedKey>();
  const unresolved: PinnedKey[] = [];
  for (const p of pins) if (p.vkey !== undefined) keys.set(p.vkeyHash, { circuit: p.circuit, vkeyHash: p.vkeyHash, vkey: p.vkey, from: `setup folder ${p.source}` });
  const missing = pins.filter((p) => !keys.has(p.vkeyHash));
  const unpinned: { circuit: string; vkeyHash: string; reason: string }[] = [];
  if (missing.length === 0) return { keys, unresolved, unpinned };
  if (fetchArtifacts === null) return { keys, unresolved: missing, unpinned };
  const published = await fetchArtifacts();
  const pinned = new Map(pins.map((p) => [p.vkeyHash, p]));
  for (const c of published.circuits) {
    const pin = pinned.get(c.vkeyHash);
    if (pin === undefined || pin.circuit !== c.circuit) {
      unpinned.push({ circuit: c.circuit, vkeyHash: c.vkeyHash, reason: 'served by the registry, not pinned by the auditor' });
      continue;
    }
    if (keys.has(c.vkeyHash)) continue;
    const actual = vkeyFileHash(c.vkey);
    if (actual !== c.vkeyHash) {
      unpinned.push({ circuit: c.circuit, vkeyHash: c.vkeyHash, reason: `the served key hashes to ${actual}` });
      continue;
    }
    keys.set(c.vkeyHash, { circuit: c.circuit, vkeyHash: c.vkeyHash, vkey: c.vkey, from: 'registry /v1/artifacts' });
  }
  for (const p of missing) if (!keys.has(p.vkeyHash)) unresolved.push(p);
  return { keys, unresolved, unpinned };
}
