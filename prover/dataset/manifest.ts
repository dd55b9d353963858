/**
 * The dataset manifest, `DIR/manifest.json`: everything needed to recompute a dataset
 * root from public files, written as RFC 8785 canonical JSON (core/canonical-json.ts)
 * with no trailing newline, so that its SHA-256 is a stable digest of the commitment.
 *
 *     {
 *       "attribution": "Hansen, M. C., …",            CC BY 4.0 credit of the source data
 *       "crs": "EPSG:4326",
 *       "format": "canopy-dataset/1",
 *       "grid": { "height", "originLatMicro", "originLonMicro", "pixelSizeMicro", "width" },
 *       "histogram": { "0": n0, "21": n21, "255": n255, … },   committed-layer value →
 *                                                               pixel count, values present
 *       "layerRule": { "name": "hansen-lossyear-treecover/v1", "params": { "canopyThreshold": 10 } },
 *       "nodata": 255,
 *       "root": "<decimal field element>",
 *       "sources": [                                   exactly two, in this order
 *         { "bytes", "layer": "lossyear",      "name", "path", "sha256" },
 *         { "bytes", "layer": "treecover2000", "name", "path", "sha256" } ],
 *       "tiles": { "order": "morton-x-even", "size": 16, "x": tilesX, "y": tilesY },
 *       "tool": { "name": "canopy", "version": "0.1.0" },
 *       "tree": { "depth", "hash": "poseidon-bn254-circomlib", "leafTag": "canopy/dataset-tile",
 *                 "nodeTag": "canopy/merkle-node", "upperFile": { "bytes", "name": "upper-tree.bin",
 *                 "sha256" }, "upperFromLevel": 8 }
 *     }
 *
 * `path` locates a source file for readers, relative to DIR (POSIX separators) or
 * absolute; `name` is its published file name. The manifest holds no time stamp, so two
 * commits of the same files give byte-identical manifests.
 *
 * What binds what: the root binds every tile's pixels and tile coordinates; the manifest
 * binds the root to the earth (grid), to the source files (SHA-256) and to the rule.
 * A registry entry for a dataset should record the manifest's SHA-256 with the root.
 *
 * Parsing (`parseManifest`) is strict: exactly these keys at every level, every value
 * checked, the text must be the canonical form of what it parses to.
 * @module
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { assertArray, assertInteger, assertString, rangeError, typeError } from '../../core/assert.ts';
import { canonicalJson } from '../../core/canonical-json.ts';
import { DOMAIN_NAMES } from '../../core/domain.ts';
import { CanopyError } from '../../core/errors.ts';
import { parseField } from '../../core/field.ts';
import { assertGrid, type RasterGrid } from '../../core/geo/grid.ts';
import { datasetTreeDepth } from '../../core/raster/dataset-tree.ts';
import { assertLayerRule, LAYER_NODATA, type LayerRule } from '../../core/raster/layer-rule.ts';
import { assertTileSize } from '../../core/raster/tile-leaf.ts';
import { PROJECT_ROOT } from '../../circuits/toolchain/project-root.ts';

/** Format id of the manifest. */
export const DATASET_FORMAT = 'canopy-dataset/1';
/** File names inside a dataset directory. */
export const MANIFEST_FILE = 'manifest.json';
export const UPPER_TREE_FILE = 'upper-tree.bin';
/** Name of the tile order: Morton, tileX in the even bits (core/raster/morton.ts). */
export const TILE_ORDER = 'morton-x-even';
/** Name of the hash: circomlib's Poseidon over BN254 (core/poseidon.ts). */
export const TREE_HASH = 'poseidon-bn254-circomlib';

/** Credit line required by the CC BY 4.0 licence of Hansen Global Forest Change. */
export const HANSEN_ATTRIBUTION =
  'Hansen, M. C., P. V. Potapov, R. Moore, M. Hancher, S. A. Turubanova, A. Tyukavina, D. Thau, S. V. Stehman, ' +
  'S. J. Goetz, T. R. Loveland, A. Kommareddy, A. Egorov, L. Chini, C. O. Justice, and J. R. G. Townshend. 2013. ' +
  '"High-Resolution Global Maps of 21st-Century Forest Cover Change." Science 342 (15 November): 850-53. ' +
  'Global Forest Change data by the University of Maryland, Google, USGS and NASA, licensed CC BY 4.0.';

/** The source layers, in manifest order. */
export const SOURCE_LAYERS = ['lossyear', 'treecover2000'] as const;
export type SourceLayer = (typeof SOURCE_LAYERS)[number];

/** One source file. */
export interface ManifestSource {
  readonly layer: SourceLayer;
  /** Published file name. */
  readonly name: string;
  /** Where readers find it: relative to the dataset directory, or absolute. */
  readonly path: string;
  /** Lowercase hex SHA-256 of the file. */
  readonly sha256: string;
  readonly bytes: number;
}

/** The parsed manifest. */
export interface DatasetManifest {
  readonly format: typeof DATASET_FORMAT;
  readonly attribution: string;
  readonly crs: 'EPSG:4326';
  readonly grid: RasterGrid;
  readonly sources: readonly [ManifestSource, ManifestSource];
  readonly layerRule: LayerRule;
  readonly nodata: typeof LAYER_NODATA;
  readonly tiles: { readonly order: typeof TILE_ORDER; readonly size: number; readonly x: number; readonly y: number };
  readonly tree: {
    readonly depth: number;
    readonly hash: typeof TREE_HASH;
    readonly leafTag: string;
    readonly nodeTag: string;
    readonly upperFromLevel: number;
    readonly upperFile: { readonly name: typeof UPPER_TREE_FILE; readonly sha256: string; readonly bytes: number };
  };
  /** Dataset root, canonical decimal. */
  readonly root: string;
  /** Committed-layer value (decimal string) → number of pixels with it; only values present. */
  readonly histogram: Readonly<Record<string, number>>;
  readonly tool: { readonly name: 'canopy'; readonly version: string };
}

/**
 * The version of this tool, from package.json.
 * @throws {CanopyError} INVALID_INPUT if package.json has no version; the file system's error if it cannot be read
 * @example toolVersion() // '0.1.0'
 */
export function toolVersion(): string {
  const pkg = JSON.parse(readFileSync(resolve(PROJECT_ROOT, 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof pkg.version !== 'string') throw new CanopyError('INVALID_INPUT', 'package.json has no version');
  return pkg.version;
}

/**
 * The manifest's file bytes: canonical JSON, no trailing newline. Checks the manifest first.
 * @throws {TypeError|RangeError} if the manifest is malformed (see `parseManifest`)
 * @example writeFileSync('manifest.json', formatManifest(manifest))
 */
export function formatManifest(manifest: DatasetManifest): string {
  assertManifest(manifest, 'manifest');
  return canonicalJson(manifest, 'manifest');
}

/**
 * Parses manifest text strictly (see the module doc).
 * @param text - the file's contents (attacker-controlled)
 * @param file - quoted in errors
 * @throws {CanopyError} INVALID_INPUT naming the file and the first bad field
 * @example parseManifest(readFileSync('ds/manifest.json', 'utf8'), 'ds/manifest.json')
 */
export function parseManifest(text: string, file: string): DatasetManifest {
  assertString(text, 'text', 1 << 20);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new CanopyError('INVALID_INPUT', `${file}: not JSON (${(e as Error).message})`);
  }
  try {
    assertManifest(value, 'manifest');
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) throw new CanopyError('INVALID_INPUT', `${file}: ${e.message}`, { cause: e });
    throw e;
  }
  if (canonicalJson(value) !== text) throw new CanopyError('INVALID_INPUT', `${file}: not in canonical form (RFC 8785, no trailing newline); was it edited?`);
  return value;
}

function assertObject(value: unknown, title: string, keys: readonly string[]): asserts value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) typeError(title, 'object', value);
  for (const key of Object.keys(value)) if (!keys.includes(key)) rangeError(`${title}.${key}`, `no such key (allowed: ${keys.join(', ')})`, key);
  for (const key of keys) if (!Object.hasOwn(value, key)) rangeError(`${title}.${key}`, 'a value (missing)', undefined);
}

function assertConst(value: unknown, title: string, want: string | number): void {
  if (value !== want) rangeError(title, JSON.stringify(want), value);
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

function assertSha256(value: unknown, title: string): void {
  assertString(value, title, 64);
  if (!SHA256_HEX.test(value)) rangeError(title, '64 lowercase hex digits', value);
}

function assertName(value: unknown, title: string, maxLength = 4096): asserts value is string {
  assertString(value, title, maxLength);
  // No control characters: the names end up in terminals and logs.
  if (value.length === 0 || /[\u0000-\u001f\u007f]/.test(value)) rangeError(title, 'a non-empty string without control characters', value);
}

/**
 * Checks a manifest value (not its text form).
 * @throws {TypeError|RangeError} naming the first bad field
 * @example assertManifest(JSON.parse(text), 'manifest')
 */
export function assertManifest(value: unknown, title: string): asserts value is DatasetManifest {
  assertObject(value, title, ['attribution', 'crs', 'format', 'grid', 'histogram', 'layerRule', 'nodata', 'root', 'sources', 'tiles', 'tool', 'tree']);
  const m = value;
  assertConst(m.format, `${title}.format`, DATASET_FORMAT);
  assertName(m.attribution, `${title}.attribution`);
  assertConst(m.crs, `${title}.crs`, 'EPSG:4326');
  assertObject(m.grid, `${title}.grid`, ['height', 'originLatMicro', 'originLonMicro', 'pixelSizeMicro', 'width']);
  assertGrid(m.grid as unknown as RasterGrid, `${title}.grid`);
  const grid = m.grid as unknown as RasterGrid;
  assertArray(m.sources, `${title}.sources`, 2, 2);
  m.sources.forEach((s, i) => {
    const t = `${title}.sources[${i}]`;
    assertObject(s, t, ['bytes', 'layer', 'name', 'path', 'sha256']);
    assertConst(s.layer, `${t}.layer`, SOURCE_LAYERS[i]!);
    assertName(s.name, `${t}.name`, 255);
    if (s.name.includes('/') || s.name.includes('\\')) rangeError(`${t}.name`, 'a file name without directories', s.name);
    assertName(s.path, `${t}.path`);
    assertSha256(s.sha256, `${t}.sha256`);
    assertInteger(s.bytes, `${t}.bytes`, 1);
  });
  assertLayerRule(m.layerRule, `${title}.layerRule`);
  assertConst(m.nodata, `${title}.nodata`, LAYER_NODATA);
  assertObject(m.tiles, `${title}.tiles`, ['order', 'size', 'x', 'y']);
  assertConst(m.tiles.order, `${title}.tiles.order`, TILE_ORDER);
  assertTileSize(m.tiles.size, `${title}.tiles.size`);
  assertConst(m.tiles.x, `${title}.tiles.x`, Math.ceil(grid.width / m.tiles.size));
  assertConst(m.tiles.y, `${title}.tiles.y`, Math.ceil(grid.height / m.tiles.size));
  const tilesX = m.tiles.x as number;
  const tilesY = m.tiles.y as number;
  if (tilesX > 65536 || tilesY > 65536) rangeError(`${title}.tiles`, 'at most 65536 tiles each way (tree depth ≤ 32)', `${tilesX} × ${tilesY}`);
  assertObject(m.tree, `${title}.tree`, ['depth', 'hash', 'leafTag', 'nodeTag', 'upperFile', 'upperFromLevel']);
  const depth = datasetTreeDepth(tilesX, tilesY);
  assertConst(m.tree.depth, `${title}.tree.depth`, depth);
  assertConst(m.tree.hash, `${title}.tree.hash`, TREE_HASH);
  assertConst(m.tree.leafTag, `${title}.tree.leafTag`, DOMAIN_NAMES.DATASET_TILE);
  assertConst(m.tree.nodeTag, `${title}.tree.nodeTag`, DOMAIN_NAMES.MERKLE_NODE);
  assertInteger(m.tree.upperFromLevel, `${title}.tree.upperFromLevel`, 0, depth);
  if (m.tree.upperFromLevel % 2 !== 0) rangeError(`${title}.tree.upperFromLevel`, 'an even level', m.tree.upperFromLevel);
  assertObject(m.tree.upperFile, `${title}.tree.upperFile`, ['bytes', 'name', 'sha256']);
  assertConst(m.tree.upperFile.name, `${title}.tree.upperFile.name`, UPPER_TREE_FILE);
  assertSha256(m.tree.upperFile.sha256, `${title}.tree.upperFile.sha256`);
  assertInteger(m.tree.upperFile.bytes, `${title}.tree.upperFile.bytes`, 1);
  parseField(m.root, `${title}.root`);
  if (typeof m.histogram !== 'object' || m.histogram === null || Array.isArray(m.histogram)) typeError(`${title}.histogram`, 'object', m.histogram);
  let total = 0;
  for (const [key, count] of Object.entries(m.histogram)) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(key) || Number(key) > 255) rangeError(`${title}.histogram`, 'keys that are byte values 0..255 in canonical decimal', key);
    assertInteger(count, `${title}.histogram["${key}"]`, 1);
    total += count;
  }
  if (total !== grid.width * grid.height) rangeError(`${title}.histogram`, `counts summing to ${grid.width * grid.height} pixels`, total);
  assertObject(m.tool, `${title}.tool`, ['name', 'version']);
  assertConst(m.tool.name, `${title}.tool.name`, 'canopy');
  assertName(m.tool.version, `${title}.tool.version`, 64);
}

/**
 * Pixels of the committed layer whose value is in [from, to] (inclusive), from the
 * manifest's histogram; e.g. loss in 2021 or later under the rule: `histogramCount(m, 21, 254)`.
 * @throws {TypeError|RangeError} if a bound is not a byte value
 * @example histogramCount(manifest, 21, 254)
 */
export function histogramCount(manifest: DatasetManifest, from: number, to: number): number {
  assertInteger(from, 'from', 0, 255);
  assertInteger(to, 'to', from, 255);
  let n = 0;
  for (const [key, count] of Object.entries(manifest.histogram)) if (Number(key) >= from && Number(key) <= to) n += count;
  return n;
}
