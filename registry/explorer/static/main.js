// @ts-check
/**
 * The explorer's entry point: loads what the server announces, then routes on the URL
 * fragment so that every view has a link, the back button works and nothing reloads.
 *
 *     #/                     latest checkpoint, registry key, history    checkpoint-view.js
 *     #/log?…                the log, filtered and paged                  log-view.js
 *     #/entry/<seq>          one entry, its proofs and inclusion          entry-view.js
 *     #/datasets             dataset entries, manifests, extents          datasets-view.js
 *     #/consistency?old&new  consistency of two checkpoints               consistency-view.js
 *     #/auditor              auditor sign-in                              auditor-view.js
 *
 * On each navigation the previous view's requests are aborted, the main region is
 * replaced, the title updated, and focus moved to the new heading (so screen readers and
 * keyboard users land on the new content); the current nav link gets aria-current.
 * @module
 */
import { api } from './api.js';
import { currentAuditor, signOut } from './auditor-key.js';
import { renderAuditor } from './auditor-view.js';
import { renderCheckpoint } from './checkpoint-view.js';
import { renderConsistency } from './consistency-view.js';
import { renderDatasets } from './datasets-view.js';
import { errorText, h, replace, status } from './dom.js';
import { renderEntry } from './entry-view.js';
import { renderLog } from './log-view.js';
import { ExplorerState } from './state.js';

const main = /** @type {HTMLElement} */ (document.getElementById('main'));
/** @type {AbortController | null} */
let current = null;

/**
 * @param {ExplorerState} state
 * @param {boolean} [initial] - the first view after the page loaded: focus is left where the browser put it
 */
async function route(state, initial = false) {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const { signal } = controller;
  const hash = location.hash.replace(/^#/, '') || '/';
  const q = hash.indexOf('?');
  const path = q < 0 ? hash : hash.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : hash.slice(q + 1));
  const section = path.split('/')[1] ?? '';
  for (const a of document.querySelectorAll('nav.site-nav a')) {
    const target = /** @type {HTMLAnchorElement} */ (a).getAttribute('href')?.replace(/^#\//, '') ?? '';
    if (target === section || (section === 'entry' && target === 'log')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  renderAuditorBadge(state);
  const titles = /** @type {Record<string, string>} */ ({ '': 'Checkpoint', log: 'Log', entry: 'Entry', datasets: 'Datasets', consistency: 'Consistency', auditor: 'Auditor' });
  document.title = `${titles[section] ?? 'Not found'} · Canopy registry explorer`;
  const rerender = () => route(state);
  const views = {
    '': () => renderCheckpoint(state, main, signal, rerender),
    log: () => renderLog(state, main, params, signal),
    datasets: () => renderDatasets(state, main, signal),
    consistency: () => renderConsistency(state, main, params, signal),
    auditor: async () => renderAuditor(main, rerender),
  };
  const seq = /^\/entry\/(0|[1-9][0-9]{0,15})$/.exec(path);
  const run = seq !== null ? () => renderEntry(state, main, Number(seq[1]), signal) : /** @type {Record<string, () => Promise<void>>} */ (views)[path === '/' ? '' : path.slice(1)];
  if (run === undefined) {
    replace(main, h('h1', { tabindex: '-1' }, 'Not found'), h('p', {}, 'No such page. ', h('a', { href: '#/' }, 'Back to the latest checkpoint.')));
    if (!initial) focusHeading(true);
    return;
  }
  const done = run();
  // The view has drawn its heading before its first await: move focus there now, and again
  // at the end if re-drawing the view dropped it (never away from a control the user chose).
  if (!initial) focusHeading(true);
  await done;
  if (!signal.aborted && !initial) focusHeading(false);
}

/**
 * Moves focus to the view's heading: always (a new view), or only if focus was lost.
 * @param {boolean} always
 */
function focusHeading(always) {
  const h1 = main.querySelector('h1');
  if (h1 === null) return;
  const active = document.activeElement;
  if (always || active === null || active === document.body || active === main) h1.focus({ preventScroll: true });
}

/**
 * The header's auditor badge.
 * @param {ExplorerState} state
 */
function renderAuditorBadge(state) {
  const host = /** @type {HTMLElement} */ (document.getElementById('auditor-badge'));
  const who = currentAuditor();
  if (who === null) {
    replace(host, h('a', { href: '#/auditor' }, 'Auditor sign-in'));
    return;
  }
  replace(
    host,
    h('span', { class: 'signed-in' }, 'Auditor: ', h('strong', {}, who.partyId)),
    ' ',
    h(
      'button',
      {
        type: 'button',
        class: 'link-button',
        onclick: () => {
          signOut();
          route(state);
        },
      },
      'Sign out',
    ),
  );
}

async function boot() {
  try {
    const state = await ExplorerState.load();
    const health = await api.health();
    replace(/** @type {HTMLElement} */ (document.getElementById('registry-origin')), health.origin);
    window.addEventListener('hashchange', () => {
      window.scrollTo(0, 0);
      route(state);
    });
    await route(state, true);
  } catch (e) {
    replace(main, h('h1', { tabindex: '-1' }, 'Registry unavailable'), status('fail', `The explorer could not start: ${errorText(e)}`));
  }
}

boot();
