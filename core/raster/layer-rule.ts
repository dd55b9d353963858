/**
 * Layer rules: the deterministic, named and versioned functions that derive the committed
 * layer (the one byte per pixel the deforestation predicate reads) from the public source
 * layers. A rule never changes once published; a different computation gets a new name.
 *
 * `hansen-lossyear-treecover/v1`, parameter `canopyThreshold` t (an integer percent, 0..100,
 * default 10), for each pixel with Hansen GFC bytes lossyear L and treecover2000 C:
 *
 *     L = 255 or C = 255        → 255   (nodata in either source stays nodata)
 *     otherwise, C > t          → L     (loss year 1..254 = 2000 + L; 0 = no loss)
 *     otherwise                 → 0     (not forest in 2000 under this definition)
 *
 * t = 10 is the forest definition of the FAO and of the Whisp EUDR risk tool ("tree
 * cover > 10 %"); Global Forest Watch dashboards often use t = 30. The comparison is
 * strict: with t = 10 a pixel of exactly 10 % canopy is not forest, one of 11 % is.
 *
 * Nodata. 255 is the nodata value of both Hansen layers (GDAL_NODATA "255") and of the
 * committed layer. Any predicate over the committed layer must treat 255 as failing
 * (the pixel's status is unknown, so it cannot be shown deforestation-free); for the EUDR
 * predicate "loss year < 21" this holds with no special case, because 255 ≥ 21.
 *
 * Domain. treecover2000 is a percentage, so a byte in 101..254 means the file is not a
 * treecover2000 layer (or is corrupt): the rule rejects it rather than guess. lossyear
 * bytes pass through unchanged (0..254), so a future Hansen version with later years
 * needs no new rule.
 * @module
 */
import { assertBytes, assertInteger, rangeError, typeError } from '../assert.ts';
import { CanopyError } from '../errors.ts';

/** Nodata value of the source layers and of the committed layer. */
export const LAYER_NODATA = 255;

/** Name of the Hansen rule; the version is part of the name. */
export const HANSEN_RULE_NAME = 'hansen-lossyear-treecover/v1';

/** Default canopy threshold, percent (FAO / Whisp forest definition: cover > 10 %). */
export const DEFAULT_CANOPY_THRESHOLD = 10;

/** Largest treecover2000 value that is a percentage. */
const MAX_TREE_COVER = 100;

/** A layer rule with its parameters, as the manifest records it. */
export interface LayerRule {
  readonly name: typeof HANSEN_RULE_NAME;
  readonly params: { readonly canopyThreshold: number };
}

/**
 * The Hansen rule with a canopy threshold.
 * @param canopyThreshold - integer percent in [0, 100]; a pixel is forest when cover > threshold
 * @throws {TypeError} if not a safe integer; {RangeError} if outside [0, 100]
 * @example hansenRule()   // { name: 'hansen-lossyear-treecover/v1', params: { canopyThreshold: 10 } }
 * @example hansenRule(30) // the Global Forest Watch threshold
 */
export function hansenRule(canopyThreshold: number = DEFAULT_CANOPY_THRESHOLD): LayerRule {
  assertInteger(canopyThreshold, 'canopyThreshold', 0, MAX_TREE_COVER);
  // -0 passes the range check; store +0 so the rule compares and serialises as 0.
  return { name: HANSEN_RULE_NAME, params: { canopyThreshold: canopyThreshold + 0 } };
}

/**
 * Checks a rule read from outside (a manifest): a known name and valid parameters, no
 * other keys.
 * @throws {TypeError} if a field has the wrong type; {RangeError} for an unknown name,
 *   a threshold outside [0, 100] or an unexpected key
 * @example assertLayerRule(JSON.parse(text).layerRule, 'manifest.layerRule')
 */
export function assertLayerRule(rule: unknown, title: string): asserts rule is LayerRule {
  if (typeof rule !== 'object' || rule === null || Array.isArray(rule)) typeError(title, 'object', rule);
  const r = rule as Record<string, unknown>;
  for (const key of Object.keys(r)) if (key !== 'name' && key !== 'params') rangeError(`${title}.${key}`, 'no such key (allowed: name, params)', key);
  if (r.name !== HANSEN_RULE_NAME) rangeError(`${title}.name`, `"${HANSEN_RULE_NAME}"`, r.name);
  const p = r.params;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) typeError(`${title}.params`, 'object', p);
  for (const key of Object.keys(p)) if (key !== 'canopyThreshold') rangeError(`${title}.params.${key}`, 'no such key (allowed: canopyThreshold)', key);
  assertInteger((p as Record<string, unknown>).canopyThreshold, `${title}.params.canopyThreshold`, 0, MAX_TREE_COVER);
}

/**
 * The committed value of one pixel (see the module doc for the table).
 * @param rule - a rule from `hansenRule`
 * @param lossYear - lossyear byte, 0..255
 * @param treeCover - treecover2000 byte, 0..100 or 255
 * @throws {TypeError|RangeError} if a byte is not an integer in [0, 255] or the cover is in 101..254
 * @example layerPixel(hansenRule(10), 22, 11) // 22
 * @example layerPixel(hansenRule(10), 22, 10) // 0
 * @example layerPixel(hansenRule(10), 255, 90) // 255
 */
export function layerPixel(rule: LayerRule, lossYear: number, treeCover: number): number {
  assertLayerRule(rule, 'rule');
  assertInteger(lossYear, 'lossYear', 0, 255);
  assertInteger(treeCover, 'treeCover', 0, 255);
  if (treeCover > MAX_TREE_COVER && treeCover !== LAYER_NODATA) rangeError('treeCover', `a percentage 0..${MAX_TREE_COVER} or nodata ${LAYER_NODATA}`, treeCover);
  return pixel(rule.params.canopyThreshold, lossYear, treeCover);
}

// The rule on one pixel; callers have checked the threshold and the cover's domain.
function pixel(threshold: number, lossYear: number, treeCover: number): number {
  if (lossYear === LAYER_NODATA || treeCover === LAYER_NODATA) return LAYER_NODATA;
  return treeCover > threshold ? lossYear : 0;
}

/**
 * Applies a rule to two equally long runs of source pixels.
 * @param rule - a rule from `hansenRule`
 * @param lossYear - lossyear bytes
 * @param treeCover - treecover2000 bytes, same length
 * @param out - where to write the committed bytes (default: a new array); may alias neither input
 * @returns `out`
 * @throws {TypeError|RangeError} if the arrays differ in length or `out` is too short;
 *   {CanopyError} INVALID_INPUT naming the first pixel index whose cover is in 101..254
 * @example applyLayerRule(hansenRule(10), Uint8Array.of(0, 21, 21, 255), Uint8Array.of(50, 10, 11, 80)) // [0, 0, 21, 255]
 */
export function applyLayerRule(rule: LayerRule, lossYear: Uint8Array, treeCover: Uint8Array, out?: Uint8Array): Uint8Array {
  assertLayerRule(rule, 'rule');
  assertBytes(lossYear, 'lossYear');
  assertBytes(treeCover, 'treeCover', lossYear.length);
  const n = lossYear.length;
  const result = out ?? new Uint8Array(n);
  assertBytes(result, 'out');
  if (result.length < n) rangeError('out', `at least ${n} bytes`, result);
  const t = rule.params.canopyThreshold;
  for (let i = 0; i < n; i++) {
    const c = treeCover[i]!;
    if (c > MAX_TREE_COVER && c !== LAYER_NODATA) {
      throw new CanopyError('INVALID_INPUT', `treecover2000 pixel ${i} is ${c}: not a percentage 0..${MAX_TREE_COVER} nor nodata ${LAYER_NODATA}`);
    }
    result[i] = pixel(t, lossYear[i]!, c);
  }
  return result;
}
