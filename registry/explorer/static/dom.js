// @ts-check
/**
 * The DOM building blocks of the explorer's views: element builders (HTML and SVG), status
 * labels that say their verdict in words and a symbol (never by colour alone), and the
 * formats every view shares. Text from the registry is only ever inserted as text nodes or
 * attribute values, never as markup.
 * @module
 */

/** @typedef {Node | string | number | null | undefined | false | Child[]} Child */
/** @typedef {Record<string, string | number | boolean | null | undefined | EventListener>} Attrs */

/**
 * @param {Element} el
 * @param {Attrs} attrs
 */
function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
}

/**
 * @param {Node} el
 * @param {Child[]} children
 */
function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
}

/**
 * An HTML element: `h('a', { href: '#/log', class: 'x', onclick: f }, 'text', child)`.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 * @example h('p', { class: 'note' }, 'Signed by ', h('code', {}, name))
 * @throws never
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/**
 * An SVG element (presentation attributes only, no style attribute: the page's CSP has no
 * 'unsafe-inline').
 * @param {string} tag
 * @param {Attrs} [attrs]
 * @param {...Child} children
 * @returns {SVGElement}
 * @example svg('rect', { x: 0, y: 0, width: 10, height: 10 })
 * @throws never
 */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttrs(el, attrs);
  append(el, children);
  return /** @type {SVGElement} */ (el);
}

/**
 * Replaces an element's children.
 * @param {Element} el
 * @param {...Child} children
 * @example replace(cell, status('ok', 'verified'))
 * @throws never
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** @typedef {'ok' | 'fail' | 'warn' | 'info' | 'busy'} StatusKind */

const SYMBOLS = { ok: '✓', fail: '✗', warn: '!', info: 'i', busy: '…' };

/**
 * A verdict label: a symbol and words, coloured by kind; `data-status` lets tests read it.
 * @param {StatusKind} kind
 * @param {string} text
 * @returns {HTMLSpanElement}
 * @example status('ok', 'Signature valid')
 * @throws never
 */
export function status(kind, text) {
  return h('span', { class: `status status-${kind}`, 'data-status': kind }, h('span', { class: 'status-symbol', 'aria-hidden': 'true' }, SYMBOLS[kind]), ' ', text);
}

/**
 * A value shown in full in a monospace block that wraps (hashes, roots, keys).
 * @param {string} text
 * @returns {HTMLElement}
 * @throws never
 * @example mono(checkpoint.rootHashBase64)
 */
export function mono(text) {
  return h('code', { class: 'mono' }, text);
}

/**
 * A long value shortened for a table cell, the full value in its title.
 * @param {string} text
 * @param {number} [keep]
 * @returns {HTMLElement}
 * @example short('2262517184010239590398625710509855641899159842548649030506850466242051024006') // 22625171…1024006
 * @throws never
 */
export function short(text, keep = 8) {
  if (text.length <= 2 * keep + 1) return h('code', { class: 'mono' }, text);
  return h('code', { class: 'mono', title: text }, `${text.slice(0, keep)}…${text.slice(-keep)}`);
}

/**
 * A UTC date and time, to the second: "2026-01-01 12:00:00 UTC".
 * @param {number} ms - milliseconds since 1970
 * @returns {string}
 * @throws never
 * @example formatTime(0) // '1970-01-01 00:00:00 UTC'
 */
export function formatTime(ms) {
  if (!Number.isFinite(ms)) return '—';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/**
 * A <time> element for a millisecond timestamp.
 * @param {number} ms
 * @returns {HTMLTimeElement}
 * @throws never
 * @example time(record.signedAt)
 */
export function time(ms) {
  return h('time', { datetime: new Date(ms).toISOString() }, formatTime(ms));
}

/**
 * A definition list from [term, value] pairs.
 * @param {[string, Child][]} rows
 * @returns {HTMLDListElement}
 * @throws never
 * @example fields([['Origin', origin], ['Log size', `${size} entries`]])
 */
export function fields(rows) {
  return h('dl', { class: 'fields' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

/**
 * The message of any thrown value.
 * @param {unknown} e
 * @returns {string}
 * @throws never
 * @example errorText(new Error('no answer')) // 'no answer'
 */
export function errorText(e) {
  return e instanceof Error ? e.message : String(e);
}
