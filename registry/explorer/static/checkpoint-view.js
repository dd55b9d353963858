// @ts-check
/**
 * The home view, `#/`: the latest checkpoint (size, RFC 6962 root, lots and plots roots),
 * its signature checked here against the registry key, its cosignatures checked against the
 * witnesses the registry announces, the key itself (with a form to check against another),
 * and the history of signed checkpoints with each note checked.
 * @module
 */
import { api } from './api.js';
import { errorText, fields, formatTime, h, mono, replace, short, status, time } from './dom.js';
import { formatKeyHash } from './note.js';

/** @typedef {import('./state.js').ExplorerState} ExplorerState */
/** @typedef {import('./state.js').CheckedCheckpoint} CheckedCheckpoint */
/** @typedef {import('./api.js').SignedCheckpointRecord} SignedCheckpointRecord */

/** History pages loaded before asking for more. */
const HISTORY_PAGES = 3;

/**
 * Renders the checkpoint view.
 * @param {ExplorerState} state
 * @param {HTMLElement} main
 * @param {AbortSignal} signal
 * @param {() => void} rerender - re-renders after the key changes
 * @throws never (failures are shown in the view)
 * @example await renderCheckpoint(state, main, controller.signal, rerender)
 */
export async function renderCheckpoint(state, main, signal, rerender) {
  const latestHost = h('section', { class: 'card', id: 'latest', 'aria-labelledby': 'latest-h' }, h('h2', { id: 'latest-h' }, 'Latest checkpoint'), status('busy', 'Reading the latest checkpoint…'));
  const historyHost = h('section', { class: 'card', id: 'history', 'aria-labelledby': 'history-h' }, h('h2', { id: 'history-h' }, 'Checkpoint history'), status('busy', 'Reading the history…'));
  replace(main, h('h1', { tabindex: '-1' }, 'Checkpoint'), latestHost, keySection(state, rerender), historyHost);

  try {
    const latest = await state.latest(signal);
    if (signal.aborted) return;
    replace(latestHost, h('h2', { id: 'latest-h' }, 'Latest checkpoint'), ...latestCard(state, latest));
  } catch (e) {
    if (signal.aborted) return;
    replace(latestHost, h('h2', { id: 'latest-h' }, 'Latest checkpoint'), status('fail', `Could not read the latest checkpoint: ${errorText(e)}`));
  }
  await renderHistory(state, historyHost, signal);
}

/**
 * @param {ExplorerState} state
 * @param {CheckedCheckpoint} latest
 * @returns {import('./dom.js').Child[]}
 */
function latestCard(state, latest) {
  const r = latest.report;
  const raw = h('details', {}, h('summary', {}, 'Signed note as served'), h('pre', { class: 'note-text' }, latest.note));
  if (r === null) return [status('fail', `Checkpoint not checked: ${latest.error}`), raw];
  const cp = r.checkpoint;
  const key = /** @type {NonNullable<ExplorerState['registryKey']>} */ (state.registryKey);
  const sigStatus =
    r.registry === 'valid'
      ? status('ok', `Signature valid: Ed25519 by ${key.key.name}+${formatKeyHash(key.key.keyHash)}, checked in this browser`)
      : r.registry === 'invalid'
        ? status('fail', 'Signature INVALID: the registry key’s signature line does not verify')
        : status('fail', `Not signed by the registry key ${key.key.name}+${formatKeyHash(key.key.keyHash)}`);
  const originStatus = r.originMatches ? null : status('fail', `The origin “${cp.origin}” is not the registry key’s name “${key.key.name}”`);
  const cosigs = r.signatures.filter((s) => s.signer !== 'registry');
  const cosigList =
    cosigs.length === 0
      ? h('p', { class: 'muted' }, 'No cosignatures.')
      : h(
          'table',
          { class: 'data', id: 'cosignatures' },
          h('caption', { class: 'visually-hidden' }, 'Cosignatures'),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Cosigner'), h('th', { scope: 'col' }, 'Key hash'), h('th', { scope: 'col' }, 'Time'), h('th', { scope: 'col' }, 'Verdict'))),
          h(
            'tbody',
            {},
            cosigs.map((s) =>
              h(
                'tr',
                {},
                h('td', {}, s.witness ?? s.name),
                h('td', {}, h('code', {}, s.keyHash)),
                h('td', {}, s.timestamp === null ? '—' : formatTime(s.timestamp * 1000)),
                h('td', {}, s.status === 'valid' ? status('ok', 'valid cosignature/v1') : s.status === 'invalid' ? status('fail', 'INVALID') : status('warn', 'key not announced: not checked')),
              ),
            ),
          ),
        );
  return [
    h('div', { class: 'verdicts', id: 'checkpoint-signature' }, sigStatus, originStatus),
    fields([
      ['Origin', h('code', {}, cp.origin)],
      ['Log size', h('span', { id: 'checkpoint-size' }, `${cp.size} entries`)],
      ['RFC 6962 root hash', mono(cp.rootHashBase64)],
      ['Lots tree root (Poseidon)', cp.lotsRoot === null ? '—' : [mono(cp.lotsRoot), latest.record ? h('span', { class: 'muted' }, ` ${latest.record.lotsSize} leaves`) : null]],
      ['Plots tree root (Poseidon)', cp.plotsRoot === null ? '—' : [mono(cp.plotsRoot), latest.record ? h('span', { class: 'muted' }, ` ${latest.record.plotsSize} leaves`) : null]],
      ['Signed at', latest.record ? [time(latest.record.signedAt), h('span', { class: 'muted' }, ' (registry clock, not signed)')] : '—'],
    ]),
    h('h3', {}, 'Cosignatures'),
    state.witnessesAnnounced ? null : h('p', { class: 'muted small' }, 'This registry announces no witness keys (GET /v1/witnesses), so cosignature lines are listed but cannot be checked.'),
    cosigList,
    h('p', { class: 'muted small' }, 'Leaf counts and signing time come from the registry’s record beside the note; everything else above is read from the signed note.'),
    raw,
  ];
}

/**
 * The registry key in use, and a form to check against another.
 * @param {ExplorerState} state
 * @param {() => void} rerender
 */
function keySection(state, rerender) {
  const input = h('input', { id: 'pin-key', name: 'key', type: 'text', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'pin-key-help' });
  const msg = h('p', { role: 'status', class: 'small' });
  /** @param {Event} ev */
  const submit = async (ev) => {
    ev.preventDefault();
    try {
      await state.pinRegistryKey(input.value);
      rerender();
    } catch (e) {
      replace(msg, status('fail', errorText(e)));
    }
  };
  const k = state.registryKey;
  return h(
    'section',
    { class: 'card', id: 'registry-key', 'aria-labelledby': 'key-h' },
    h('h2', { id: 'key-h' }, 'Registry key'),
    k === null
      ? status('warn', state.registryKeyError ? `The announced key is malformed: ${state.registryKeyError}` : 'This server announces no registry key: paste the one you hold.')
      : fields([
          ['Verifier key', mono(k.key.text)],
          ['Source', k.source === 'announced' ? 'announced by this server' : 'pinned by you (kept in this page only)'],
        ]),
    h(
      'p',
      { class: 'muted small', id: 'pin-key-help' },
      'A key announced by the server that signs the checkpoints only shows the server is consistent with itself. Compare it with the registry key you obtained from the registry operator, or check against that key here (a note verifier key: origin+hash+key, as in registry.vkey).',
    ),
    h(
      'form',
      { class: 'inline-form', onsubmit: submit },
      h('label', { for: 'pin-key' }, 'Check against this registry key'),
      input,
      h('button', { type: 'submit' }, 'Use key'),
      k?.source === 'pinned' && state.config.registryKey !== null
        ? h(
            'button',
            {
              type: 'button',
              onclick: async () => {
                await state.pinRegistryKey(null);
                rerender();
              },
            },
            'Use the announced key',
          )
        : null,
    ),
    msg,
  );
}

/**
 * The history table, newest first, loaded in pages.
 * @param {ExplorerState} state
 * @param {HTMLElement} host
 * @param {AbortSignal} signal
 */
async function renderHistory(state, host, signal) {
  /** @type {SignedCheckpointRecord[]} */
  const all = [];
  const tbody = h('tbody', {});
  const more = h('button', { type: 'button', hidden: true }, 'Load more');
  const summaryLine = h('p', { class: 'small muted', role: 'status' });
  let from = 0;
  let done = false;
  const loadPages = async (/** @type {number} */ pages) => {
    for (let i = 0; i < pages && !done; i++) {
      const page = await api.checkpoints(from, state.config.limits.checkpointsPage, signal);
      all.push(...page);
      const last = page.at(-1);
      if (last === undefined || page.length < state.config.limits.checkpointsPage) done = true;
      else from = last.size + 1;
    }
    if (signal.aborted) return;
    const latest = all.at(-1);
    const rows = [...all].reverse().map((c) => historyRow(state, c, latest?.size ?? c.size, signal));
    replace(tbody, rows);
    more.hidden = done;
    replace(summaryLine, `${all.length} checkpoint${all.length === 1 ? '' : 's'}${done ? '' : ' so far'}, newest first. Pick two to check that the log only grew between them.`);
  };
  more.addEventListener('click', () => loadPages(HISTORY_PAGES).catch((e) => replace(summaryLine, status('fail', errorText(e)))));
  try {
    await loadPages(HISTORY_PAGES);
    if (signal.aborted) return;
    replace(
      host,
      h('h2', { id: 'history-h' }, 'Checkpoint history'),
      summaryLine,
      h(
        'table',
        { class: 'data', id: 'history-table' },
        h('caption', { class: 'visually-hidden' }, 'Signed checkpoints, newest first'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Size'), h('th', { scope: 'col' }, 'Root hash'), h('th', { scope: 'col' }, 'Lots root'), h('th', { scope: 'col' }, 'Plots root'), h('th', { scope: 'col' }, 'Signed at'), h('th', { scope: 'col' }, 'Signature'), h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
        tbody,
      ),
      more,
    );
  } catch (e) {
    if (signal.aborted) return;
    replace(host, h('h2', { id: 'history-h' }, 'Checkpoint history'), status('fail', `Could not read the history: ${errorText(e)}`));
  }
}

/**
 * @param {ExplorerState} state
 * @param {SignedCheckpointRecord} c
 * @param {number} latestSize
 * @param {AbortSignal} signal
 */
function historyRow(state, c, latestSize, signal) {
  const verdict = h('td', {}, status('busy', 'checking'));
  state.check(c.note, c).then((r) => {
    if (signal.aborted) return;
    const ok = r.report !== null && r.report.trusted && r.report.checkpoint.size === c.size && r.report.checkpoint.rootHashBase64 === c.rootHash;
    replace(verdict, ok ? status('ok', 'valid') : status('fail', r.error ?? 'invalid'));
  });
  const compare = c.size > 0 && c.size < latestSize ? h('a', { href: `#/consistency?old=${c.size}&new=${latestSize}`, 'aria-label': `Check consistency of checkpoint ${c.size} with checkpoint ${latestSize}` }, 'Compare with latest') : null;
  return h('tr', { 'data-size': c.size }, h('td', { class: 'num' }, String(c.size)), h('td', {}, short(c.rootHash, 6)), h('td', {}, short(c.lotsRoot, 6)), h('td', {}, short(c.plotsRoot, 6)), h('td', {}, time(c.signedAt)), verdict, h('td', {}, compare));
}
