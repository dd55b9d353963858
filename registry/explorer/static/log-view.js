// @ts-check
/**
 * The log as a paged, filterable table, newest first: `#/log?type&from&to&after&before&n&at`.
 *
 *     type          entry type (one of the configuration's entry types)
 *     from, to      sequence numbers, inclusive
 *     after, before publication dates (YYYY-MM-DD, UTC, inclusive): an entry is published by
 *                   the first checkpoint that covers it; checkpoint times only grow, so a
 *                   date range is a range of sequence numbers, found by bisection
 *     n             rows per page (10, 25, 50, 100)
 *     at            the page ends below this sequence number (the "Older" link sets it)
 *
 * The API has no index by type: a filtered page reads the log backwards in pages of at most
 * 100 entries until it has n matching rows (the status line says how many it read).
 * @module
 */
import { api } from './api.js';
import { currentAuditor } from './auditor-key.js';
import { errorText, h, replace, short, status, time } from './dom.js';
import { summary, typeLabel } from './entry-types.js';

/** @typedef {import('./state.js').ExplorerState} ExplorerState */
/** @typedef {import('./api.js').ServedEntry} ServedEntry */

const PAGE_SIZES = [10, 25, 50, 100];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * @typedef {object} LogQuery
 * @property {string | null} type
 * @property {number | null} from
 * @property {number | null} to
 * @property {string | null} after
 * @property {string | null} before
 * @property {number} n
 * @property {number | null} at
 */

/**
 * Reads the query of a `#/log` route; malformed values are dropped.
 * @param {URLSearchParams} p
 * @param {string[]} types
 * @returns {LogQuery}
 * @throws never (malformed values are dropped)
 * @example parseLogQuery(new URLSearchParams('type=dataset&n=10'), types).n // 10
 */
export function parseLogQuery(p, types) {
  /** @param {string} k */
  const int = (k) => {
    const v = p.get(k);
    return v !== null && /^(0|[1-9][0-9]{0,15})$/.test(v) ? Number(v) : null;
  };
  /** @param {string} k */
  const date = (k) => {
    const v = p.get(k);
    return v !== null && DATE.test(v) && Number.isFinite(Date.parse(`${v}T00:00:00Z`)) ? v : null;
  };
  const type = p.get('type');
  const n = int('n');
  return {
    type: type !== null && types.includes(type) ? type : null,
    from: int('from'),
    to: int('to'),
    after: date('after'),
    before: date('before'),
    n: n !== null && PAGE_SIZES.includes(n) ? n : 25,
    at: int('at'),
  };
}

/**
 * The `#/log` link of a query.
 * @param {LogQuery} q
 * @returns {string}
 * @throws never
 * @example logHash({ type: 'dataset', from: null, to: null, after: null, before: null, n: 25, at: null }) // '#/log?type=dataset'
 */
export function logHash(q) {
  const p = new URLSearchParams();
  if (q.type) p.set('type', q.type);
  if (q.from !== null) p.set('from', String(q.from));
  if (q.to !== null) p.set('to', String(q.to));
  if (q.after) p.set('after', q.after);
  if (q.before) p.set('before', q.before);
  if (q.n !== 25) p.set('n', String(q.n));
  if (q.at !== null) p.set('at', String(q.at));
  const s = p.toString();
  return s ? `#/log?${s}` : '#/log';
}

/**
 * Renders the log view.
 * @param {ExplorerState} state
 * @param {HTMLElement} main
 * @param {URLSearchParams} params
 * @param {AbortSignal} signal
 * @throws never (failures are shown in the view)
 * @example await renderLog(state, main, new URLSearchParams('type=lot-mint'), signal)
 */
export async function renderLog(state, main, params, signal) {
  const q = parseLogQuery(params, state.config.entryTypes);
  const statusLine = h('p', { class: 'status-line', id: 'log-status', role: 'status' }, status('busy', 'Reading the log…'));
  const tableHost = h('div', { class: 'table-host' });
  const pager = h('nav', { class: 'pager', 'aria-label': 'Log pages' });
  replace(main, h('h1', { tabindex: '-1' }, 'Log'), filterForm(state, q), statusLine, tableHost, pager);

  try {
    const [{ size }, latest] = await Promise.all([api.health(signal), state.latest(signal)]);
    const latestSize = latest.report?.checkpoint.size ?? latest.record?.size ?? size;
    let lo = q.from ?? 0;
    let hi = Math.min(size, q.to !== null ? q.to + 1 : size);
    if (q.after) {
      const c = await state.lastCheckpointAtOrBefore(Date.parse(`${q.after}T00:00:00Z`) - 1, latestSize, signal);
      lo = Math.max(lo, c?.size ?? 0);
    }
    if (q.before) {
      const c = await state.lastCheckpointAtOrBefore(Date.parse(`${q.before}T23:59:59.999Z`), latestSize, signal);
      hi = Math.min(hi, c?.size ?? 0);
    }
    const cursor = Math.max(lo, Math.min(hi, q.at ?? hi));
    /** @type {ServedEntry[]} */
    const rows = [];
    let c = cursor;
    let scanned = 0;
    while (rows.length < q.n && c > lo) {
      const start = Math.max(lo, c - state.config.limits.entriesPage);
      const batch = await state.entries(start, c, signal);
      scanned += c - start;
      for (let i = batch.length - 1; i >= 0 && rows.length < q.n; i--) {
        const e = /** @type {ServedEntry} */ (batch[i]);
        if (q.type === null || e.entry.type === q.type) rows.push(e);
      }
      c = rows.length === q.n ? /** @type {ServedEntry} */ (rows.at(-1)).sequence : start;
    }
    if (signal.aborted) return;

    const ranged = q.from !== null || q.to !== null || q.after !== null || q.before !== null;
    const range = hi > lo ? `entries ${lo}–${hi - 1} of a log of ${size}` : `no entries of a log of ${size} match the range`;
    replace(
      statusLine,
      rows.length === 0
        ? `No ${q.type ? typeLabel(q.type).toLowerCase() + ' ' : ''}entries here (${range}).`
        : `Showing ${rows.length} ${q.type ? typeLabel(q.type).toLowerCase() + ' ' : ''}entr${rows.length === 1 ? 'y' : 'ies'}, #${/** @type {ServedEntry} */ (rows[0]).sequence} down to #${/** @type {ServedEntry} */ (rows.at(-1)).sequence}, newest first; ${ranged ? `the range covers ${range}; ` : ''}read ${scanned} entr${scanned === 1 ? 'y' : 'ies'}.`,
    );
    if (rows.length > 0) replace(tableHost, await entryTable(state, rows, signal));
    else replace(tableHost);

    const older = rows.length === q.n && c > lo ? logHash({ ...q, at: c }) : null;
    const newerButton = h('button', { type: 'button', class: 'pager-newer', disabled: cursor >= hi, onclick: () => goNewer(state, q, cursor, hi) }, '← Newer');
    replace(pager, newerButton, older ? h('a', { class: 'button pager-older', href: older, rel: 'next' }, 'Older →') : h('button', { type: 'button', disabled: true }, 'Older →'));
  } catch (e) {
    if (signal.aborted) return;
    replace(statusLine, status('fail', `Could not read the log: ${errorText(e)}`));
  }
}

/**
 * Scans forward from `cursor` for the page of newer matching entries and navigates to it.
 * @param {ExplorerState} state
 * @param {LogQuery} q
 * @param {number} cursor
 * @param {number} hi
 */
async function goNewer(state, q, cursor, hi) {
  let found = 0;
  let at = cursor;
  let end = hi;
  while (at < hi && found < q.n) {
    const to = Math.min(hi, at + state.config.limits.entriesPage);
    for (const e of await state.entries(at, to)) {
      if (q.type === null || e.entry.type === q.type) found++;
      if (found === q.n) {
        end = e.sequence + 1;
        break;
      }
    }
    at = to;
  }
  location.hash = logHash({ ...q, at: end >= hi ? null : end });
}

/**
 * The filter form.
 * @param {ExplorerState} state
 * @param {LogQuery} q
 */
function filterForm(state, q) {
  const type = h('select', { id: 'f-type', name: 'type' }, h('option', { value: '' }, 'All types'), state.config.entryTypes.map((t) => h('option', { value: t, selected: q.type === t }, typeLabel(t))));
  const from = h('input', { id: 'f-from', name: 'from', type: 'number', min: 0, step: 1, inputmode: 'numeric', value: q.from ?? '' });
  const to = h('input', { id: 'f-to', name: 'to', type: 'number', min: 0, step: 1, inputmode: 'numeric', value: q.to ?? '' });
  const after = h('input', { id: 'f-after', name: 'after', type: 'date', value: q.after ?? '' });
  const before = h('input', { id: 'f-before', name: 'before', type: 'date', value: q.before ?? '' });
  const n = h('select', { id: 'f-n', name: 'n' }, PAGE_SIZES.map((s) => h('option', { value: s, selected: q.n === s }, String(s))));
  /** @param {Event} ev */
  const submit = (ev) => {
    ev.preventDefault();
    /** @param {HTMLInputElement} el */
    const num = (el) => (el.value === '' || !/^\d+$/.test(el.value) ? null : Number(el.value));
    location.hash = logHash({ type: type.value || null, from: num(from), to: num(to), after: after.value || null, before: before.value || null, n: Number(n.value), at: null });
  };
  return h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Filter the log', onsubmit: submit },
    h('div', { class: 'field' }, h('label', { for: 'f-type' }, 'Entry type'), type),
    h('fieldset', { class: 'field-pair' }, h('legend', {}, 'Sequence number'), h('div', { class: 'pair' }, h('span', {}, h('label', { for: 'f-from', class: 'sub' }, 'from'), from), h('span', {}, h('label', { for: 'f-to', class: 'sub' }, 'to'), to))),
    h('fieldset', { class: 'field-pair' }, h('legend', {}, 'Published (UTC)'), h('div', { class: 'pair' }, h('span', {}, h('label', { for: 'f-after', class: 'sub' }, 'from'), after), h('span', {}, h('label', { for: 'f-before', class: 'sub' }, 'to'), before))),
    h('div', { class: 'field' }, h('label', { for: 'f-n' }, 'Rows'), n),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Apply'), h('a', { class: 'button', href: '#/log' }, 'Clear')),
  );
}

/**
 * The table of rows, with when each entry was first published and, for a signed-in
 * auditor, who submitted it.
 * @param {ExplorerState} state
 * @param {ServedEntry[]} rows - newest first
 * @param {AbortSignal} signal
 */
async function entryTable(state, rows, signal) {
  const lo = /** @type {ServedEntry} */ (rows.at(-1)).sequence;
  const hi = /** @type {ServedEntry} */ (rows[0]).sequence + 1;
  const covering = await state.coveringCheckpoints(lo, hi, signal);
  const auditor = currentAuditor();
  /** @type {Map<number, { keyId: string, role: string }>} */
  const who = new Map();
  let whoError = null;
  if (auditor !== null) {
    try {
      for (let s = lo; s < hi; s += state.config.limits.submissionsPage) {
        const r = await api.submissions(s, Math.min(hi, s + state.config.limits.submissionsPage), signal);
        for (const x of r.submissions) who.set(x.sequence, x);
      }
    } catch (e) {
      whoError = errorText(e);
    }
  }
  const head = h('tr', {}, h('th', { scope: 'col' }, 'Seq'), h('th', { scope: 'col' }, 'Type'), h('th', { scope: 'col' }, 'Summary'), h('th', { scope: 'col' }, 'First published'), auditor ? h('th', { scope: 'col' }, 'Submitted by') : null);
  const body = rows.map((e) => {
    const c = covering(e.sequence);
    const w = who.get(e.sequence);
    const link = h('a', { href: `#/entry/${e.sequence}`, 'aria-label': `Entry ${e.sequence}, ${typeLabel(e.entry.type)}` }, `#${e.sequence}`);
    const tr = h(
      'tr',
      { class: 'clickable', 'data-seq': e.sequence, 'data-type': e.entry.type },
      h('td', { class: 'num' }, link),
      h('td', {}, h('span', { class: `type-tag type-${e.entry.type.replace(/[^a-z-]/g, '')}` }, typeLabel(e.entry.type))),
      h('td', { class: 'summary' }, summary(e.entry)),
      h('td', {}, c ? [time(c.signedAt), h('span', { class: 'muted' }, ` · checkpoint ${c.size}`)] : h('span', { class: 'muted' }, 'not yet in a checkpoint')),
      auditor ? h('td', {}, w ? `${w.keyId} (${w.role})` : h('span', { class: 'muted' }, whoError ? 'unavailable' : 'no record')) : null,
    );
    tr.addEventListener('click', (ev) => {
      if (!(ev.target instanceof HTMLAnchorElement)) location.hash = `#/entry/${e.sequence}`;
    });
    return tr;
  });
  return h('table', { class: 'data', id: 'log-table' }, h('caption', { class: 'visually-hidden' }, 'Log entries, newest first'), h('thead', {}, head), h('tbody', {}, body));
}
