// @ts-check
/**
 * The datasets registered in the log, `#/datasets`: every `dataset` entry with its name,
 * Poseidon root and manifest SHA-256.
 *
 * What the registry holds: a dataset entry carries only `{ name, datasetRoot,
 * manifestSha256 }` (registry/log/entry.ts), and `GET /v1/artifacts` carries circuit keys,
 * not dataset manifests, so the registry cannot show a dataset's grid. A user holding the
 * manifest (`canopy dataset commit` writes DIR/manifest.json) opens it here: the page
 * hashes the file's bytes, requires the SHA-256 the entry committed to and the same root,
 * and only then shows its fields and draws the extent from its grid (extent-map.js).
 *
 * The API has no index by type, so the page reads the whole log in pages of 100 entries,
 * once per visit, and says how far it has read.
 * @module
 */
import { api } from './api.js';
import { hex } from './bytes.js';
import { errorText, fields, h, mono, replace, status, time } from './dom.js';
import { extentMap, formatDegrees, gridExtent, isGrid } from './extent-map.js';

/** @typedef {import('./state.js').ExplorerState} ExplorerState */
/** @typedef {import('./api.js').ServedEntry} ServedEntry */

/**
 * Renders the datasets view.
 * @param {ExplorerState} state
 * @param {HTMLElement} main
 * @param {AbortSignal} signal
 * @throws never (failures are shown in the view)
 * @example await renderDatasets(state, main, signal)
 */
export async function renderDatasets(state, main, signal) {
  const progress = h('p', { role: 'status', class: 'status-line' }, status('busy', 'Reading the log for dataset entries…'));
  const list = h('div', { class: 'dataset-list' });
  replace(
    main,
    h('h1', { tabindex: '-1' }, 'Datasets'),
    h('p', { class: 'lede' }, 'Committed forest-loss rasters registered in the log. The log stores each dataset’s Poseidon root and its manifest’s SHA-256; open your copy of a manifest to check it against the entry and see the committed extent.'),
    progress,
    list,
  );
  try {
    const { size } = await api.health(signal);
    /** @type {ServedEntry[]} */
    const found = [];
    for (let start = 0; start < size; start += state.config.limits.entriesPage) {
      const end = Math.min(size, start + state.config.limits.entriesPage);
      for (const e of await state.entries(start, end, signal)) if (e.entry.type === 'dataset') found.push(e);
      if (signal.aborted) return;
      replace(progress, status('busy', `Read ${end} of ${size} entries; ${found.length} dataset${found.length === 1 ? '' : 's'} so far…`));
    }
    const covering = found.length > 0 ? await state.coveringCheckpoints(/** @type {ServedEntry} */ (found[0]).sequence, /** @type {ServedEntry} */ (found.at(-1)).sequence + 1, signal) : () => null;
    if (signal.aborted) return;
    replace(progress, `${found.length} dataset${found.length === 1 ? '' : 's'} in a log of ${size} entries.`);
    replace(list, found.map((e, i) => datasetCard(e, covering(e.sequence), i)));
  } catch (e) {
    if (signal.aborted) return;
    replace(progress, status('fail', `Could not read the log: ${errorText(e)}`));
  }
}

/**
 * @param {ServedEntry} e
 * @param {import('./api.js').SignedCheckpointRecord | null} published
 * @param {number} i
 */
function datasetCard(e, published, i) {
  const b = /** @type {{ name: string, datasetRoot: string, manifestSha256: string }} */ (e.entry.body);
  const out = h('div', { class: 'manifest-result', 'aria-live': 'polite' });
  const id = `manifest-${i}`;
  const input = h('input', { id, type: 'file', accept: '.json,application/json' });
  input.addEventListener('change', async () => {
    const file = input.files?.[0];
    if (file !== undefined) await checkManifest(b, new Uint8Array(await file.arrayBuffer()), out);
  });
  return h(
    'section',
    { class: 'card dataset', 'data-seq': e.sequence, 'aria-labelledby': `${id}-h` },
    h('h2', { id: `${id}-h` }, b.name),
    fields([
      ['Entry', h('a', { href: `#/entry/${e.sequence}` }, `#${e.sequence}`)],
      ['Dataset root (Poseidon)', mono(b.datasetRoot)],
      ['Manifest SHA-256', mono(b.manifestSha256)],
      ['First published', published ? [time(published.signedAt), h('span', { class: 'muted' }, ` · checkpoint ${published.size}`)] : 'not yet in a checkpoint'],
    ]),
    h('div', { class: 'map-missing' }, h('p', { class: 'muted small' }, 'The registry keeps the root and the manifest hash only, not the manifest: no map without it.')),
    h('div', { class: 'file-field' }, h('label', { for: id }, 'Check a manifest.json against this entry'), input),
    out,
  );
}

/**
 * Hashes a manifest file, compares it with the entry, and shows its fields and extent.
 * @param {{ name: string, datasetRoot: string, manifestSha256: string }} entry
 * @param {Uint8Array<ArrayBuffer>} bytes
 * @param {HTMLElement} out
 */
async function checkManifest(entry, bytes, out) {
  const digest = hex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
  if (digest !== entry.manifestSha256) {
    replace(out, status('fail', 'This file is not the committed manifest: its SHA-256 differs'), fields([['SHA-256 of the file', mono(digest)]]));
    return;
  }
  /** @type {any} */
  let m;
  try {
    m = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    replace(out, status('fail', 'The file has the committed SHA-256 but is not JSON text'));
    return;
  }
  if (m?.root !== entry.datasetRoot) {
    replace(out, status('fail', 'The manifest’s root is not the dataset root of the entry'));
    return;
  }
  const missingMap = out.closest('.dataset')?.querySelector('.map-missing');
  /** @type {[string, import('./dom.js').Child][]} */
  const rows = [['Format', String(m.format ?? '—')], ['CRS', String(m.crs ?? '—')]];
  if (isGrid(m.grid)) {
    const g = m.grid;
    const ex = gridExtent(g);
    rows.push(
      ['Grid', `${g.width} × ${g.height} pixels of ${g.pixelSizeMicro} µ° (${(g.pixelSizeMicro / 1e6).toString()}°)`],
      ['Extent', `${formatDegrees(ex.west, 'lon')} to ${formatDegrees(ex.east, 'lon')}, ${formatDegrees(ex.south, 'lat')} to ${formatDegrees(ex.north, 'lat')}`],
    );
  }
  if (m.tiles && typeof m.tiles === 'object') rows.push(['Tiles', `${m.tiles.x} × ${m.tiles.y} tiles of ${m.tiles.size} × ${m.tiles.size} pixels, ${m.tiles.order} order`]);
  if (m.layerRule && typeof m.layerRule === 'object') rows.push(['Layer rule', `${m.layerRule.name} ${JSON.stringify(m.layerRule.params ?? {})}`]);
  if (m.tree && typeof m.tree === 'object') rows.push(['Tree', `depth ${m.tree.depth}, ${m.tree.hash}`]);
  if (Array.isArray(m.sources)) {
    rows.push(['Sources', h('ul', { class: 'plain' }, m.sources.map((/** @type {any} */ s) => h('li', {}, `${s.layer}: ${s.name} (${s.bytes} bytes) `, mono(String(s.sha256)))))]);
  }
  if (m.histogram && typeof m.histogram === 'object') {
    const counts = Object.entries(m.histogram).map(([k, v]) => [Number(k), Number(v)]);
    const total = counts.reduce((n, [, c]) => n + /** @type {number} */ (c), 0);
    const after2020 = counts.filter(([k]) => /** @type {number} */ (k) >= 21 && k !== 255).reduce((n, [, c]) => n + /** @type {number} */ (c), 0);
    const nodata = counts.filter(([k]) => k === 255).reduce((n, [, c]) => n + /** @type {number} */ (c), 0);
    rows.push(['Pixels', `${total} in all; ${after2020} with forest loss in 2021 or later; ${nodata} without data`]);
  }
  if (typeof m.attribution === 'string') rows.push(['Attribution', h('span', { class: 'small' }, m.attribution)]);
  replace(out, status('ok', 'Manifest matches the entry: same SHA-256 and root'), fields(rows));
  if (missingMap && isGrid(m.grid)) replace(missingMap, extentMap(m.grid, m.tiles ?? null, entry.name));
}
